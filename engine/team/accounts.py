"""The people of a ministry team who may log in to the web questionnaire, kept in DATA_DIR's database.

A coordinator assigns chapters, reopens approved ones, drafts amendments and exports; a contributor
answers the chapters assigned to them; a reviewer comments on chapters and approves or returns
them (only the chapters given, if any are). Passwords are stored as Argon2 hashes only.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from selfcheck.engine.common.characters import name_problem
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.team import database

ROLES = ("coordinator", "contributor", "reviewer")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
NAME_RULE = "letters, digits, '.', '_', '@' and '-', starting with a letter or digit, at most 64 characters"
MIN_PASSWORD = 12
MAX_PASSWORD = 1024


@dataclass(frozen=True)
class User:
    name: str
    role: str
    chapters: tuple[str, ...] = ()  # a contributor's chapters; a reviewer's, if limited; none for a coordinator

    def describe(self) -> str:
        chapters = f", chapters {', '.join(self.chapters)}" if self.chapters else (", all chapters" if self.role == "reviewer" else "")
        return f"{self.name} ({self.role}{chapters})"


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def check_name(name: str) -> str:
    if not NAME.fullmatch(name or ""):
        raise InputError("user name", f"{name!r} is not a valid user name: use {NAME_RULE}")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError("role", f"expected one of {', '.join(ROLES)}, got {role!r}")
    return role


def parse_chapters(text: str, known: list[str]) -> tuple[str, ...]:
    """'II, iv' -> ('II', 'IV'), in the report's order; an unknown chapter is refused, naming the known ones."""
    chapters = [part.strip().upper() for part in (text or "").split(",") if part.strip()]
    unknown = [chapter for chapter in chapters if chapter not in known]
    if unknown:
        raise InputError("chapters", f"unknown chapter {unknown[0]!r}; the chapters are {', '.join(known)}")
    return tuple(chapter for chapter in known if chapter in chapters)


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError("password", f"too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD or name_problem(password):
        raise InputError("password", f"expected one line of at most {MAX_PASSWORD} printable characters")
    return password


def add_user(folder: Path, name: str, role: str, chapters: tuple[str, ...], password: str) -> User:
    user = User(check_name(name), check_role(role), () if role == "coordinator" else chapters)
    hashed = _hasher().hash(check_password(password))
    with database.connect(folder) as db:
        if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise InputError(name, "is already a user; choose another name, or change it with selfcheck users set")
        db.execute("INSERT INTO users (name, role, chapters, password, created) VALUES (?, ?, ?, ?, ?)", (name, role, ",".join(user.chapters), hashed, _now()))
        database.record_team(folder)  # before the commit: a user is never in a folder not recorded as a team's
    return user


def set_user(folder: Path, name: str, role: str | None = None, chapters: tuple[str, ...] | None = None) -> User:
    with database.connect(folder) as db:
        current = _user(db, name)
        if current is None:
            raise InputError(name, "is not a user; selfcheck users list shows them")
        role = check_role(role) if role else current.role
        chapters = current.chapters if chapters is None else chapters
        user = User(name, role, () if role == "coordinator" else chapters)
        db.execute("UPDATE users SET role = ?, chapters = ? WHERE name = ?", (user.role, ",".join(user.chapters), name))
    return user


def set_password(folder: Path, name: str, password: str) -> None:
    hashed = _hasher().hash(check_password(password))
    with database.connect(folder) as db:
        if not db.execute("UPDATE users SET password = ? WHERE name = ?", (hashed, name)).rowcount:
            raise InputError(name, "is not a user; selfcheck users list shows them")
        db.execute("DELETE FROM sessions WHERE user = ?", (name,))  # a changed password logs out everywhere


def remove_user(folder: Path, name: str) -> None:
    with database.connect(folder) as db:
        if not db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount:
            raise InputError(name, "is not a user; selfcheck users list shows them")


def list_users(folder: Path) -> list[User]:
    if not database.exists(folder):
        return []
    with database.connect(folder, write=False) as db:
        return [_from_row(row) for row in db.execute("SELECT name, role, chapters FROM users ORDER BY role, name")]


def has_users(folder: Path) -> bool:
    """Whether the folder's database has users; for a folder with a team (``database.has_team``) whose
    database is missing or cannot be used, the InputError saying so."""
    if not database.exists(folder):
        return False
    with database.connect(folder, write=False) as db:
        return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None


def find_user(folder: Path, name: str) -> User | None:
    with database.connect(folder, write=False) as db:
        return _user(db, name)


def verify(folder: Path, name: str, password: str) -> User | None:
    """The user, if ``password`` is theirs. An unknown name costs a hash check too, so that the time
    taken does not tell which names exist."""
    from argon2.exceptions import Argon2Error, InvalidHashError

    hasher = _hasher()
    with database.connect(folder, write=False) as db:
        row = db.execute("SELECT name, role, chapters, password FROM users WHERE name = ?", (name,)).fetchone()
    stored = row["password"] if row else _decoy()
    try:
        hasher.verify(stored, password[:MAX_PASSWORD])
    except (Argon2Error, InvalidHashError):
        return None
    return _from_row(row) if row else None


_DECOY: list[str] = []


def _decoy() -> str:
    if not _DECOY:
        _DECOY.append(_hasher().hash("not a password of anyone"))
    return _DECOY[0]


def _user(db, name: str) -> User | None:
    row = db.execute("SELECT name, role, chapters FROM users WHERE name = ?", (name,)).fetchone()
    return _from_row(row) if row else None


def _from_row(row) -> User:
    return User(row["name"], row["role"], tuple(chapter for chapter in row["chapters"].split(",") if chapter))


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
