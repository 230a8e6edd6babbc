"""The files of DATA_DIR: names checked so nothing leaves it, versions that refuse lost updates, atomic writes.

A file's version is the SHA-256 of its bytes. A form carries the version it was filled in from, and
a save whose version no longer matches the file on disk is refused: two people editing the same
answers cannot silently overwrite each other, even through two servers on one folder, since every
check-then-write holds a lock (``DataDir.locked``) shared by all processes.

A file and its history in the team's database change together or not at all (``DataDir.writing``):
the file is replaced inside the database's write transaction, after a journal beside it
(``.NAME.yaml.BEFORE.AFTER.journal``) has kept the bytes it replaces. The journal goes once the
transaction has committed; if the commit fails, the old bytes are put back at once; if the process
dies in between, whoever next takes the file's lock (a save, a page reading the file, the next
start) puts them back unless the database holds the new version. Temporary files a write left
behind (``.NAME.yaml.*.part``) are removed at start.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import create_atomically, read_bytes, write_atomically
from selfcheck.engine.team import database, history

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
SUFFIX = ".yaml"
LOCK_SUFFIX = ".lock"
NAME_RULE = "lower-case letters, digits and hyphens, starting with a letter or digit, at most 61 characters"
# NAME.yaml or a file kept beside it (NAME.follow-up.yaml), as the names of journals and temporary files hold it
_FILE = r"(?P<name>[a-z0-9][a-z0-9-]{0,60})(?P<suffix>(?:\.[a-z-]+)?\.yaml)"
JOURNAL = re.compile(rf"\.{_FILE}\.(?P<before>[0-9a-f]{{64}})\.(?P<after>[0-9a-f]{{64}})\.journal")
PART = re.compile(rf"\.{_FILE}\.[A-Za-z0-9_]{{1,16}}\.part")  # safe_files.write_atomically's temporary files


class BadName(Exception):
    """A file name that is not one of ours: refused before any file is touched."""


class Conflict(Exception):
    """The file changed on disk since the form was filled in."""


class NotSaved(Exception):
    """A write whose file or history could not be written: neither changed. Says which, and why."""


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
        ``replace``, with no other process's save between them. A write that stopped midway is
        settled first (its journal)."""
        path = self.path(name, suffix).resolve()
        with self.locked(path):
            self._settle(name, suffix, path)
            yield self.read(name, suffix)

    @contextmanager
    def writing(self, name: str, suffix: str = SUFFIX) -> Iterator[Writing]:
        """The file read under its lock, with the database's write transaction (``Writing.db``): what
        the block records and the file it writes (``Writing.replace``, ``Writing.create``) land
        together or not at all. NotSaved says what failed when the file or the database cannot be
        written; whatever else the block raises is raised as it is, nothing written."""
        with self.editing(name, suffix) as current:
            writing = Writing(self, name, suffix, current)
            recording = False
            try:
                with database.connect(self.root) as db:
                    writing.db, recording = db, True
                    yield writing
                    recording = False  # what fails from here on is the commit
            except InputError as error:
                writing.undo()
                if recording:
                    raise  # the block's own (a file that does not read, say): nothing was written
                raise NotSaved(
                    f"the history of {name}{suffix} could not be recorded in the team's database ({_why(error)}), so {name}{suffix} is as it was"
                ) from None
            except BaseException:
                writing.undo()
                raise
            writing.done()

    def _settle(self, name: str, suffix: str, path: Path) -> None:
        """A journal of this file (under its lock): the bytes it kept go back unless the database
        holds the version written, or the file was never replaced."""
        journals = [entry for entry in self.root.glob(f".{name}{suffix}.*.journal") if JOURNAL.fullmatch(entry.name)]
        if not journals:
            return
        with database.connect(self.root, write=False) as db:
            known = history.known_version(db, name + suffix.removesuffix(SUFFIX))
        for journal in journals:
            match = JOURNAL.fullmatch(journal.name)
            self._put_back(name, suffix, path, journal, committed=match is not None and known == match["after"])

    def _put_back(self, name: str, suffix: str, path: Path, journal: Path, committed: bool) -> None:
        """The journal's bytes back in the file, unless the change was committed or the file never
        replaced (or a journal cut short, before the file was touched); then the journal goes."""
        match = JOURNAL.fullmatch(journal.name)
        assert match is not None
        now = self.read(name, suffix)
        if not committed and now is not None and now.version == match["after"] and version_of(journal.read_bytes()) == match["before"]:
            os.replace(journal, path)
        else:
            journal.unlink(missing_ok=True)

    def recover(self) -> None:
        """At start: every write that stopped midway settled, and every temporary file of a write removed."""
        for entry in sorted(self.root.iterdir()):
            journal, part = JOURNAL.fullmatch(entry.name), PART.fullmatch(entry.name)
            found = journal or part
            if found is None:
                continue
            try:
                path = self.path(found["name"], found["suffix"])
            except BadName:
                continue
            if journal:
                with self.editing(found["name"], found["suffix"]):
                    pass
            else:
                with self.locked(path.resolve() if path.exists() else path):
                    entry.unlink(missing_ok=True)

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
    def locked(self, path: Path) -> Iterator[None]:
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


class Writing:
    """A file being written under its lock, inside the database's write transaction (``DataDir.writing``)."""

    def __init__(self, data: DataDir, name: str, suffix: str, current: Stored | None):
        self.data, self.name, self.suffix, self.current = data, name, suffix, current
        self.db: sqlite3.Connection
        self.journal: Path | None = None  # the bytes replaced, until the history is committed
        self.created: tuple[Path, str] | None = None  # a file created, and its version

    @property
    def file(self) -> str:
        return f"{self.name}{self.suffix}"

    def replace(self, text: str) -> str:
        """Replace the file read (``DataDir.replace``), its old bytes kept in a journal first; its new version."""
        assert self.current is not None
        data = text.encode("utf-8")
        path = self.data.path(self.name, self.suffix).resolve()
        journal = self.data.root / f".{self.file}.{self.current.version}.{version_of(data)}.journal"
        try:
            descriptor = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            self.journal = journal
            with os.fdopen(descriptor, "wb") as stream:
                os.fchmod(stream.fileno(), path.stat().st_mode & 0o7777)  # put back, the file keeps its permissions
                stream.write(self.current.data)
                stream.flush()
                os.fsync(stream.fileno())
            return self.data.replace(self.current, text)
        except OSError as error:
            raise NotSaved(f"{self.file} could not be written ({error.strerror or error}) and is as it was") from None
        except InputError as error:
            raise NotSaved(f"{self.file} could not be written ({_why(error)}) and is as it was") from None

    def create(self, text: str) -> None:
        """Write the file, new (``DataDir.create``: BadName if the name is taken)."""
        path, data = self.data.path(self.name, self.suffix), text.encode("utf-8")
        try:
            create_atomically(path, data)  # under the lock ``writing`` holds
        except FileExistsError:  # the name is taken, even by a link, or by a writer that takes no lock
            raise BadName(f"{self.file} already exists: choose another name") from None
        except InputError as error:
            raise NotSaved(f"{self.file} could not be written ({_why(error)})") from None
        self.created = (path, version_of(data))

    def undo(self) -> None:
        """Nothing committed: the file goes back to what it was, if it was written."""
        if self.journal is not None:
            self.data._put_back(self.name, self.suffix, self.data.path(self.name, self.suffix).resolve(), self.journal, committed=False)
        if self.created is not None:
            now = self.data.read(self.name, self.suffix)
            if now is not None and now.version == self.created[1]:
                self.created[0].unlink()

    def done(self) -> None:
        """Committed: the journal is no longer needed."""
        if self.journal is not None:
            self.journal.unlink(missing_ok=True)


def _why(error: InputError) -> str:
    """The reason an InputError gives, without what it says of the file (``cannot be written: ``)."""
    return re.sub(r"^cannot be (?:written|used|opened): ", "", error.problem)
