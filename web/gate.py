"""Whether DATA_DIR has a team, decided once and never re-derived from a database that can vanish;
and the server closed while the team's database cannot say who may come in.

A folder has a team from its first user on: ``engine.team.database`` records it in a file beside the
database (``.selfcheck-team``), and the gate records it too when it starts on a folder whose users
were added before that file existed. A running server that has once seen a team keeps it, and puts
that file back if it goes. Every request first asks the database for the team (``FailClosed``); if the
database is missing, empty, unreadable or has no user left, the request is refused (503) with a page
naming no path, and the log says why in one line, once, until the database can be used again.
Nobody is ever let in as the folder's one local user.

Asking costs a connection to SQLite, so a sound answer is remembered with the files it was read from
as the file system describes them (device, inode, size and times of the database, its write-ahead
log and its shared-memory index, and whether the team's record is there), and given again while
they are unchanged: any change, a file gone or a file that cannot be examined asks the database
again. Only files last changed SETTLED before the check are remembered: a later change then always
moves their times, even where a file system keeps times to the second. Each process and thread
examines the files themselves, so a change made by another worker or command is seen at once.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from pathlib import Path

import anyio.to_thread

from selfcheck.engine.common.errors import InputError
from selfcheck.engine.team import accounts, database

log = logging.getLogger("selfcheck.web")

CLOSED = (
    b'<!DOCTYPE html><html lang="en-GB"><meta charset="utf-8"><title>Error: closed - selfcheck</title>'
    b"<main><h1>The questionnaire is closed for now</h1><p>It cannot read the list of its users, so it lets nobody in "
    b"until its administrator has restored it; the reason is in the log of <code>selfcheck serve</code>. Nothing was "
    b"saved by this request. Try again later.</p></main></html>"
)


SETTLED = 2_000_000_000  # nanoseconds
NO_USER = "has no user left, but this folder has a team: add one with selfcheck users add, or restore the database from its backup"


class Unavailable(Exception):
    """The folder has a team, but its database cannot say who is in it."""


class TeamGate:
    def __init__(self, folder: Path):
        self.folder = folder
        # An InputError here (a team's database missing, broken or without users) stops the server before it starts.
        users = accounts.has_users(folder)
        self.team = users or database.has_team(folder)
        if self.team and not users:
            raise InputError(database.path_in(folder), NO_USER)
        if self.team:
            database.record_team(folder)
        self.problem: str | None = None
        self.sound: tuple | None = None  # the files of the last sound answer, while they may be trusted (``_files``)
        self.lock = threading.Lock()

    def check(self) -> bool:
        """Whether every request needs a login (the folder has a team); Unavailable when it has one
        but its database cannot be used, or no user is left in it. Blocking: run it in a thread."""
        now = time.time_ns()
        files = self._files()
        if files is not None and files == self.sound:
            return self.team
        problem = None
        try:
            users = accounts.has_users(self.folder)
            self.team = self.team or users or database.has_team(self.folder)
            if self.team and not users:
                problem = str(InputError(database.path_in(self.folder), NO_USER))
            if self.team:  # its record removed: put back, so that a restart after the database is lost refuses too
                database.record_team(self.folder)
        except (InputError, OSError) as error:
            problem = str(error)
        # The files as they were before the database was read: changed since, they differ from these for good.
        self._note(problem, files if problem is None and files is not None and _settled(files, now) else None)
        if problem is not None:
            raise Unavailable(problem)
        return self.team

    def _files(self) -> tuple | None:
        """Whether the team's record is there, and the database's files as the file system describes
        them, each None where absent; None where the database is no regular file or cannot be examined."""
        path = str(database.path_in(self.folder))
        try:
            found = os.lstat(path)
            if not stat.S_ISREG(found.st_mode):
                return None
            return (database.has_team(self.folder), _described(found, found.st_ctime_ns), _present(path + "-wal"), _present(path + "-shm"))
        except OSError:
            return None

    def _note(self, problem: str | None, sound: tuple | None) -> None:
        """One line in the log when the server closes, with the reason, and one when it opens again."""
        with self.lock:
            if problem is not None and self.problem is None:
                log.error("refusing every request (503) until the team's database can be used: %s", problem)
            elif problem is None and self.problem is not None:
                log.warning("the team's database can be used again: serving")
            self.problem, self.sound = problem, sound


def _described(found: os.stat_result, changed: int) -> tuple[int, int, int, int, int]:
    """A file's device, inode, size, modification time and the time it last changed (in nanoseconds)."""
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, changed)


def _present(path: str) -> tuple[int, int, int, int, int] | None:
    """The log's or index's description, None if absent. Its change time (ctime) is left out: SQLite
    run as root gives these files their owner anew whenever a connection opens them."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    return _described(found, found.st_mtime_ns)


def _settled(files: tuple, now: int) -> bool:
    """Whether every file present last changed SETTLED before ``now``."""
    return all(described[4] <= now - SETTLED for described in files[1:] if described is not None)


class FailClosed:
    """ASGI middleware: the gate asked before every request; 503 while it is closed, the answer
    (whether a login is needed) passed on in the request's state as ``team``."""

    def __init__(self, app, gate: TeamGate):
        self.app = app
        self.gate = gate

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        try:
            team = await anyio.to_thread.run_sync(self.gate.check)
        except Unavailable:
            headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(CLOSED)).encode()), (b"retry-after", b"60")]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": CLOSED})
            return
        scope.setdefault("state", {})["team"] = team
        await self.app(scope, receive, send)
