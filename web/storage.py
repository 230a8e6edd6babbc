"""The files of DATA_DIR: names checked so nothing leaves it, versions that refuse lost updates, atomic writes.

A file's version is the SHA-256 of its bytes. A form carries the version it was filled in from, and
a save whose version no longer matches the file on disk is refused: two people editing the same
answers cannot silently overwrite each other.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from engine.documents import create_atomically, write_atomically
from engine.errors import InputError

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
SUFFIX = ".yaml"
NAME_RULE = "lower-case letters, digits and hyphens, starting with a letter or digit, at most 61 characters"


class BadName(Exception):
    """A file name that is not one of ours: refused before any file is touched."""


class Conflict(Exception):
    """The file changed on disk since the form was filled in."""


@dataclass(frozen=True)
class Stored:
    name: str
    path: Path
    data: bytes

    @property
    def version(self) -> str:
        return version_of(self.data)


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DataDir:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def path(self, name: str) -> Path:
        """The file ``name`` stands for, always directly inside DATA_DIR."""
        if not NAME.fullmatch(name):
            raise BadName(f"{name!r} is not a valid file name: use {NAME_RULE}")
        path = self.root / f"{name}{SUFFIX}"
        if path.resolve().parent != self.root:  # a symbolic link leading out of DATA_DIR
            raise BadName(f"{name}{SUFFIX} leads outside the data folder")
        return path

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob(f"*{SUFFIX}") if NAME.fullmatch(p.stem) and p.is_file())

    def read(self, name: str) -> Stored | None:
        path = self.path(name)
        try:
            return Stored(name, path, path.read_bytes())
        except (FileNotFoundError, IsADirectoryError):
            return None
        except OSError as error:
            raise InputError(path, f"cannot be read: {error.strerror}") from None

    def save(self, name: str, text: str, version: str) -> str:
        """Replace the file, refusing if it is no longer at ``version``; its new version."""
        current = self.read(name)
        if current is None or current.version != version:
            raise Conflict(name)
        data = text.encode("utf-8")
        write_atomically(current.path, data)
        return version_of(data)

    def create(self, name: str, text: str) -> None:
        """Write a new file, refusing to replace one."""
        path = self.path(name)
        try:
            create_atomically(path, text.encode("utf-8"))
        except FileExistsError:
            raise BadName(f"{name}{SUFFIX} already exists: choose another name") from None


def leading_comments(data: bytes) -> list[str]:
    """The comment lines a file opens with, to keep them when the file is rewritten."""
    comments = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        comments.append(line[2:] if line.startswith("# ") else line[1:])
    return comments
