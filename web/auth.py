"""Who is asking, and what they may do: the team's logins, sessions and roles.

Without users in DATA_DIR's database, ``selfcheck serve`` is one person's tool on their own machine:
no login, and that person may do everything. With users, every page asks for a login (or, behind a
ministry's single sign-on, trusts the user name its proxy puts in a header given with
``--trust-user-header``):

- a session is a random token in a cookie (HttpOnly, SameSite=Strict, Secure behind TLS), stored
  hashed; a new one is issued at every login (a token planted before cannot be taken over) and it
  ends after ``idle`` without use or ``lifetime`` in all;
- failed logins are counted per name and per address: after FREE_ATTEMPTS, each further attempt
  must wait twice as long as the one before (up to MAX_WAIT), whatever the password.
"""

from __future__ import annotations

import getpass
import hashlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from selfcheck.engine.team import accounts, database
from selfcheck.engine.team.accounts import User

FREE_ATTEMPTS = 5
MAX_WAIT = 15 * 60
FORGET_FAILURES = 60 * 60  # failures older than this no longer count
TOUCH_EVERY = 60  # seconds between two writes of a session's last use


@dataclass(frozen=True)
class Person:
    """The person a request comes from, with what their role lets them do."""

    name: str
    role: str  # coordinator, contributor, reviewer; "local" for the one person of a serve without users
    chapters: tuple[str, ...] = ()

    @property
    def team(self) -> bool:
        return self.role != "local"

    @property
    def coordinates(self) -> bool:
        """Starts files, edits the Party's name and date, assigns chapters, reopens, drafts amendments, exports and imports."""
        return self.role in ("local", "coordinator")

    def edits(self, chapter: str) -> bool:
        return self.coordinates or (self.role == "contributor" and chapter in self.chapters)

    def reviews(self, chapter: str) -> bool:
        return self.role == "local" or (self.role == "reviewer" and (not self.chapters or chapter in self.chapters))

    def describe(self) -> str:
        if not self.team:
            return self.name
        return f"{self.name}, {self.role}" + (f" of chapters {', '.join(self.chapters)}" if self.chapters else "")


def local_person() -> Person:
    """The one person of a serve without users, named as the system knows them."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "local user"
    return Person(name, "local")


def person_of(user: User) -> Person:
    return Person(user.name, user.role, user.chapters)


class Sessions:
    def __init__(self, folder: Path, idle: float, lifetime: float):
        self.folder, self.idle, self.lifetime = folder, idle, lifetime

    def start(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        with database.connect(self.folder) as db:
            db.execute("DELETE FROM sessions WHERE last_seen < ? OR created < ?", (now - self.idle, now - self.lifetime))
            db.execute("INSERT INTO sessions (token_sha256, user, created, last_seen) VALUES (?, ?, ?, ?)", (_hashed(token), user.name, now, now))
        return token

    def find(self, token: str | None) -> Person | None:
        if not token:
            return None
        now = time.time()
        with database.connect(self.folder, write=False) as db:
            row = db.execute(
                "SELECT s.created, s.last_seen, u.name, u.role, u.chapters FROM sessions s JOIN users u ON u.name = s.user WHERE s.token_sha256 = ?",
                (_hashed(token),),
            ).fetchone()
        if row is None or row["last_seen"] < now - self.idle or row["created"] < now - self.lifetime:
            return None
        if row["last_seen"] < now - TOUCH_EVERY:
            with database.connect(self.folder) as db:
                db.execute("UPDATE sessions SET last_seen = ? WHERE token_sha256 = ?", (now, _hashed(token)))
        return Person(row["name"], row["role"], tuple(c for c in row["chapters"].split(",") if c))

    def end(self, token: str | None) -> None:
        if token:
            with database.connect(self.folder) as db:
                db.execute("DELETE FROM sessions WHERE token_sha256 = ?", (_hashed(token),))


class Throttle:
    """Failed logins slow the next ones down, per user name and per client address.

    An attempt is counted as failed when it is let through, in the transaction that checks the wait
    (the database's write lock): of many sent at once, no more than the free ones are checked. A
    right password then takes its count back (``succeeded``)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def attempt(self, keys: list[str]) -> int:
        """Seconds to wait before another attempt may be checked; 0: go ahead, this attempt is counted."""
        now = time.time()
        with database.connect(self.folder) as db:  # BEGIN IMMEDIATE: the check and the count are one
            rows = [db.execute("SELECT count, last FROM login_failures WHERE key = ?", (key,)).fetchone() for key in keys]
            waits = [
                row["last"] + min(2 ** (row["count"] - FREE_ATTEMPTS), MAX_WAIT) - now
                for row in rows
                if row and row["count"] >= FREE_ATTEMPTS and row["last"] > now - FORGET_FAILURES
            ]
            wait = max([0, *(int(wait) + 1 for wait in waits if wait > 0)])
            if wait:
                return wait
            for key in keys:
                db.execute(
                    "INSERT INTO login_failures (key, count, last) VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET "
                    "count = CASE WHEN last < ? THEN 1 ELSE count + 1 END, last = ?",
                    (key, now, now - FORGET_FAILURES, now),
                )
        return 0

    def succeeded(self, keys: list[str]) -> None:
        """A right password: the name's failures are forgotten, and the attempt no longer counts against the others (its address)."""
        with database.connect(self.folder) as db:
            db.execute("DELETE FROM login_failures WHERE key = ?", (keys[0],))
            db.executemany("UPDATE login_failures SET count = MAX(count - 1, 0) WHERE key = ?", [(key,) for key in keys[1:]])


def verify(folder: Path, name: str, password: str) -> Person | None:
    user = accounts.verify(folder, name, password)
    return person_of(user) if user else None


def _hashed(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
