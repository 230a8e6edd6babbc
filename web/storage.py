"""The files of DATA_DIR: names checked so nothing leaves it, versions that refuse lost updates, atomic writes.

A file's version is the SHA-256 of its bytes. A form carries the version it was filled in from, and
a save whose version no longer matches the file on disk is refused: two people editing the same
answers cannot silently overwrite each other, even through two servers on one folder, since every
check-then-write holds a lock (``DataDir.locked``) shared by all processes.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import create_atomically, read_bytes, write_atomically

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
SUFFIX = ".yaml"
LOCK_SUFFIX = ".lock"
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
    suffix: str = SUFFIX  # NAME.yaml, or another file of NAME, e.g. its follow-up (NAME.follow-up.yaml)

    @property
    def version(self) -> str:
        return version_of(self.data)


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DataDir:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def path(self, name: str, suffix: str = SUFFIX) -> Path:
        """The file ``name`` (with ``suffix``) stands for, always directly inside DATA_DIR."""
        if not NAME.fullmatch(name):
            raise BadName(f"{name!r} is not a valid file name: use {NAME_RULE}")
        path = self.root / f"{name}{suffix}"
        if path.resolve().parent != self.root:  # a symbolic link leading out of DATA_DIR
            raise BadName(f"{name}{suffix} leads outside the data folder")
        return path

    def names(self) -> list[str]:
        """Every name of DATA_DIR's *.yaml entries, whatever they are: the start page lists what it refuses too.
        A name holds no dot, so the files kept beside an answers file (NAME.follow-up.yaml) are never among them."""
        return sorted(p.stem for p in self.root.glob(f"*{SUFFIX}") if NAME.fullmatch(p.stem))

    def read(self, name: str, suffix: str = SUFFIX) -> Stored | None:
        """The file's bytes, read with the engine's bounds (no special file, no endless one); None if there is none."""
        path = self.path(name, suffix)
        try:
            return Stored(name, path, read_bytes(path), suffix)
        except InputError:
            if not os.path.lexists(path):
                return None
            raise

    def save(self, name: str, text: str, version: str) -> str:
        """Replace the file, refusing if it is no longer at ``version``; its new version.

        The check and the replacement hold the file's lock, which every process serving this folder
        takes, so of two saves from one version the second is refused.
        """
        with self.editing(name) as current:
            if current is None or current.version != version:
                raise Conflict(name)
            return self.replace(current, text)

    @contextmanager
    def editing(self, name: str, suffix: str = SUFFIX) -> Iterator[Stored | None]:
        """The file as it is now, read under its lock, held until the block ends: a check, then a
        ``replace``, with no other process's save between them."""
        with self.locked(self.path(name, suffix).resolve()):
            yield self.read(name, suffix)

    def replace(self, current: Stored, text: str) -> str:
        """Replace the file read as ``current`` (under ``editing``); its new version. An editor that
        takes no lock is caught by a second look just before the rename (Conflict). Through a link,
        its target is written."""
        data = text.encode("utf-8")

        def unchanged() -> None:
            now = self.read(current.name, current.suffix)
            if now is None or now.version != current.version:
                raise Conflict(current.name)

        write_atomically(self.path(current.name, current.suffix).resolve(), data, before_replace=unchanged)
        return version_of(data)

    def create(self, name: str, text: str, suffix: str = SUFFIX) -> None:
        """Write a new file, refusing to replace one."""
        path = self.path(name, suffix)
        with self.locked(path):
            try:
                create_atomically(path, text.encode("utf-8"))
            except FileExistsError:  # the name is taken, even by a link, or by a writer that takes no lock
                raise BadName(f"{name}{suffix} already exists: choose another name") from None

    @contextmanager
    def locked(self, path: Path):
        """An exclusive lock on the file ``path`` of DATA_DIR across processes: flock on a lock file
        beside it (``.NAME.yaml.lock``), never removed, since removing it would let two processes
        each lock a different file of that name. A file reached through a link is locked by its
        target's name. Held only for a check and a write; saves of other files do not wait."""
        lock = self.root / f".{path.name}{LOCK_SUFFIX}"
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError as error:
            raise InputError(lock, f"cannot be opened to lock {path.name}: {error.strerror or error}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock
