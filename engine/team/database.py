"""The team's database: one SQLite file in DATA_DIR, beside the answers files it records.

It holds the people who may log in (``engine.team.accounts``), their sessions, and the history of every
answers file and follow-up file (``engine.team.history``): each change with who made it and when, chapter
statuses and comments. The answers YAML stays the file the command line reads; the database only records.

Created on first use; its schema is versioned (``PRAGMA user_version``) and brought up to date by
the migrations below, in order, each once, inside one write transaction, so that two processes
opening a new folder at once never both migrate it. A database made by a newer selfcheck is
refused rather than guessed at.

Whether the folder has a team is recorded outside the database too, in TEAM_FILE beside it, written
when the first user is added: from then on a database that is missing or empty is refused (it is
never made anew in its place), so that losing it cannot turn the folder into one person's tool
without a login.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import create_atomically

FILE_NAME = ".selfcheck.sqlite3"
TEAM_FILE = ".selfcheck-team"
TEAM_NOTE = (
    "This folder has a team: selfcheck serve asks everyone to log in, and refuses every request while the\n"
    f"team's database ({FILE_NAME}) is missing or cannot be used. Do not remove this file, but to serve the\n"
    "folder again as one person's tool, without its users, sessions and history.\n"
)
BUSY_TIMEOUT_MS = 10_000

# Migration N brings the schema from version N-1 to N. Never edit one that has shipped: add the next.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('coordinator', 'contributor', 'reviewer')),
        chapters TEXT NOT NULL DEFAULT '',
        password TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_sha256 TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        created REAL NOT NULL,
        last_seen REAL NOT NULL
    );
    CREATE TABLE login_failures (
        key TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        last REAL NOT NULL
    );
    CREATE TABLE files (
        name TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        entries TEXT NOT NULL
    );
    CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        file TEXT NOT NULL,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        via TEXT NOT NULL CHECK (via IN ('web', 'outside', 'import', 'new')),
        kind TEXT NOT NULL CHECK (kind IN ('answer', 'status', 'comment')),
        chapter TEXT,
        question TEXT,
        old TEXT,
        new TEXT,
        text TEXT
    );
    CREATE INDEX history_by_file ON history (file, id);
    CREATE INDEX history_by_question ON history (file, question, id);
    CREATE TABLE chapters (
        file TEXT NOT NULL,
        chapter TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved')),
        who TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (file, chapter)
    );
    CREATE TABLE visits (
        user TEXT NOT NULL,
        file TEXT NOT NULL,
        seen INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (user, file)
    );
    """,
    # 2: the history records the follow-up files too (kind follow-up: question holds the recommendation's id).
    # SQLite cannot change a CHECK in place: the table is copied into one that allows the new kind.
    """
    CREATE TABLE history_2 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        file TEXT NOT NULL,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        via TEXT NOT NULL CHECK (via IN ('web', 'outside', 'import', 'new')),
        kind TEXT NOT NULL CHECK (kind IN ('answer', 'status', 'comment', 'follow-up')),
        chapter TEXT,
        question TEXT,
        old TEXT,
        new TEXT,
        text TEXT
    );
    INSERT INTO history_2 (id, file, at, who, via, kind, chapter, question, old, new, text)
        SELECT id, file, at, who, via, kind, chapter, question, old, new, text FROM history;
    DROP TABLE history;
    ALTER TABLE history_2 RENAME TO history;
    CREATE INDEX history_by_file ON history (file, id);
    CREATE INDEX history_by_question ON history (file, question, id);
    """,
)
VERSION = len(MIGRATIONS)


def path_in(folder: Path) -> Path:
    return Path(folder) / FILE_NAME


def exists(folder: Path) -> bool:
    """Whether the folder has a database, or must have one (it has a team): then ``connect`` says what is wrong with it."""
    return path_in(folder).is_file() or has_team(folder)


def has_team(folder: Path) -> bool:
    """Whether the folder's first user was ever added (TEAM_FILE, or anything in its place)."""
    return os.path.lexists(Path(folder) / TEAM_FILE)


def record_team(folder: Path) -> None:
    """Note beside the database that the folder has a team; kept if already there."""
    try:
        create_atomically(Path(folder) / TEAM_FILE, TEAM_NOTE.encode("utf-8"))
    except FileExistsError:
        pass
    except OSError as error:
        raise InputError(Path(folder) / TEAM_FILE, f"cannot be written: {error.strerror or error}") from None


@contextmanager
def connect(folder: Path, write: bool = True) -> Iterator[sqlite3.Connection]:
    """The database of ``folder``, created and migrated if need be (never anew for a folder with a
    team); one transaction, committed on leaving (rolled back on an error): a writing one takes the
    write lock at once, so that its reads and writes see one state. A connection serves one thread:
    open one per use."""
    path = path_in(folder)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError(path, "is not a regular file; selfcheck keeps its database there: move whatever is there away")
    team = has_team(folder)
    size = path.stat().st_size if team and path.exists() else None
    if team and not size:
        raise InputError(
            path,
            f"is {'missing' if size is None else 'empty'}, but this folder has a team ({TEAM_FILE} beside it): restore the database "
            f"from its backup. Only to start the folder over as one person's tool, without its users and history, remove {TEAM_FILE}",
        )
    try:
        # With a team, the database must be there already: a file removed meanwhile is not made anew.
        where = f"file:{quote(str(path.resolve()))}?mode=rw" if team else str(path)
        connection = sqlite3.connect(where, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=team)
    except sqlite3.Error as error:
        raise InputError(path, f"cannot be opened: {error}") from None
    try:
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            connection.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
        _migrate(connection, path)
        connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        raise InputError(path, f"cannot be used: {error}") from None
    finally:
        connection.close()


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then find it done
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > VERSION:
            raise InputError(path, f"was made by a newer selfcheck (schema {version}, this one knows up to {VERSION}); upgrade selfcheck")
        for number in range(version + 1, VERSION + 1):
            for statement in MIGRATIONS[number - 1].split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
