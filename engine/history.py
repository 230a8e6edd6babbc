"""The history of each answers file, in DATA_DIR's database: every change of an answer (who, when,
the question, the answer before and after with its source and note), every chapter status change
and comment, and what each person has seen.

The database keeps the entries of the version of each file it last knew. A file found at another
version when it is next read (edited in a text editor, replaced by a copy) has its differences
recorded then, as changes made outside selfcheck.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import database
from .merge import Entry, entries_of
from .questionnaire import NOT_PROVIDED, Question, Questionnaire

STATUSES = ("draft", "submitted", "approved")
OUTSIDE = "outside selfcheck"  # who made a change found in the file, not made through selfcheck


@dataclass(frozen=True)
class Record:
    id: int
    file: str
    at: str  # UTC, ISO 8601 to the second
    who: str
    via: str  # web, outside, import or new
    kind: str  # answer, status or comment
    chapter: str | None
    question: str | None  # a question id, or party / as_of
    old: Entry | None
    new: Entry | None
    text: str | None  # a comment, or the comment given with a status change; the status for a status change

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "at": self.at, "who": self.who, "via": self.via, "kind": self.kind, "chapter": self.chapter,
            "question": self.question, "old": self.old, "new": self.new, "text": self.text,
        }


@dataclass(frozen=True)
class Status:
    status: str
    who: str = ""
    at: str = ""


DRAFT = Status("draft")


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def known_version(db: sqlite3.Connection, file: str) -> str | None:
    row = db.execute("SELECT version FROM files WHERE name = ?", (file,)).fetchone()
    return row["version"] if row else None


def sync(db: sqlite3.Connection, file: str, version: str, data: Any, questionnaire: Questionnaire) -> int:
    """Record what changed in the file since the version the database knew, as changed outside
    selfcheck; the first time a file is seen, its answers are only taken note of. The number of changes recorded."""
    row = db.execute("SELECT version, entries FROM files WHERE name = ?", (file,)).fetchone()
    if row is not None and row["version"] == version:
        return 0
    entries = entries_of(data, questionnaire)
    recorded = 0
    if row is not None:
        before = json.loads(row["entries"])
        for key in _ordered(set(before) | set(entries), questionnaire):
            if before.get(key) != entries.get(key):
                _answer(db, file, OUTSIDE, "outside", key, before.get(key), entries.get(key), questionnaire)
                recorded += 1
    remember(db, file, version, data, questionnaire)
    return recorded


def remember(db: sqlite3.Connection, file: str, version: str, data: Any, questionnaire: Questionnaire) -> None:
    """Take note of the file's version and entries, as written by selfcheck."""
    entries = json.dumps(entries_of(data, questionnaire), ensure_ascii=False, sort_keys=True)
    db.execute("INSERT INTO files (name, version, entries) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = ?, entries = ?",
               (file, version, entries, version, entries))


def record_changes(db: sqlite3.Connection, file: str, who: str, via: str, changes: dict[str, tuple[Entry | None, Entry | None]],
                   questionnaire: Questionnaire) -> None:
    for key in _ordered(set(changes), questionnaire):
        _answer(db, file, who, via, key, *changes[key], questionnaire)


def _answer(db: sqlite3.Connection, file: str, who: str, via: str, key: str, old: Entry | None, new: Entry | None,
            questionnaire: Questionnaire) -> None:
    question = questionnaire.question(key)
    db.execute(
        "INSERT INTO history (file, at, who, via, kind, chapter, question, old, new) VALUES (?, ?, ?, ?, 'answer', ?, ?, ?, ?)",
        (file, now(), who, via, question.chapter if question else None, key, _json(old), _json(new)),
    )


def statuses(db: sqlite3.Connection, file: str) -> dict[str, Status]:
    """Each chapter's status; a chapter never submitted is a draft (absent here)."""
    rows = db.execute("SELECT chapter, status, who, at FROM chapters WHERE file = ?", (file,))
    return {row["chapter"]: Status(row["status"], row["who"], row["at"]) for row in rows}


# What moves a chapter, and where it goes: submitted for review, approved, returned to draft with a
# comment (by a reviewer), reopened (by the coordinator, from submitted or approved).
ACTIONS = {"submit": "submitted", "approve": "approved", "return": "draft", "reopen": "draft"}
ACTION_WORDS = {"submit": "submitted for review", "approve": "approved", "return": "returned for changes", "reopen": "reopened"}


def set_status(db: sqlite3.Connection, file: str, chapter: str, action: str, who: str, comment: str = "") -> None:
    status = ACTIONS[action]
    at = now()
    db.execute("INSERT INTO chapters (file, chapter, status, who, at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (file, chapter) DO UPDATE SET status = ?, who = ?, at = ?", (file, chapter, status, who, at, status, who, at))
    db.execute("INSERT INTO history (file, at, who, via, kind, chapter, new, text) VALUES (?, ?, ?, 'web', 'status', ?, ?, ?)",
               (file, at, who, chapter, json.dumps({"status": status, "action": action}), comment or None))


def add_comment(db: sqlite3.Connection, file: str, chapter: str, who: str, text: str) -> None:
    db.execute("INSERT INTO history (file, at, who, via, kind, chapter, text) VALUES (?, ?, ?, 'web', 'comment', ?, ?)",
               (file, now(), who, chapter, text))


def records(db: sqlite3.Connection, file: str, *, question: str | None = None, chapter: str | None = None,
            after: int = 0, limit: int | None = None, newest_first: bool = False) -> list[Record]:
    sql = "SELECT * FROM history WHERE file = ? AND id > ?"
    arguments: list[Any] = [file, after]
    if question is not None:
        sql += " AND question = ?"
        arguments.append(question)
    if chapter is not None:
        sql += " AND chapter = ?"
        arguments.append(chapter)
    sql += " ORDER BY id" + (" DESC" if newest_first else "")
    if limit is not None:
        sql += " LIMIT ?"
        arguments.append(limit)
    return [_record(row) for row in db.execute(sql, arguments)]


def counts_by_question(db: sqlite3.Connection, file: str) -> dict[str, int]:
    rows = db.execute("SELECT question, COUNT(*) AS n FROM history WHERE file = ? AND kind = 'answer' GROUP BY question", (file,))
    return {row["question"]: row["n"] for row in rows}


def last_id(db: sqlite3.Connection, file: str) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM history WHERE file = ?", (file,)).fetchone()[0]


def last_visit(db: sqlite3.Connection, user: str, file: str) -> tuple[int, str] | None:
    row = db.execute("SELECT seen, at FROM visits WHERE user = ? AND file = ?", (user, file)).fetchone()
    return (row["seen"], row["at"]) if row else None


def mark_visit(db: sqlite3.Connection, user: str, file: str, seen: int) -> None:
    at = now()
    db.execute("INSERT INTO visits (user, file, seen, at) VALUES (?, ?, ?, ?) ON CONFLICT (user, file) DO UPDATE SET seen = ?, at = ?",
               (user, file, seen, at, seen, at))


def read_history(folder: Path, file: str, questionnaire: Questionnaire, version: str, data: Any,
                 question: str | None = None) -> list[Record]:
    """The history of the answers file ``file`` of ``folder``, once what changed outside selfcheck is recorded."""
    with database.connect(folder) as db:
        sync(db, file, version, data, questionnaire)
        return records(db, file, question=question)


def read_statuses(folder: Path, file: str) -> dict[str, Status]:
    """The chapters' statuses, from the folder's database if it has one (never created for this)."""
    if not database.exists(folder):
        return {}
    with database.connect(folder, write=False) as db:
        return statuses(db, file)


def entry_in_words(entry: Entry | None, question: Question | None) -> str:
    """An answer as the history shows it: the value in words, then its source and note."""
    if not entry:
        return "not provided"
    value = entry.get("value", NOT_PROVIDED)
    words = question.in_words(value) if question is not None else str(value)
    if question is not None and question.type == "text" and len(words) > 200:
        words = words[:197] + "..."
    texts = [f"{name}: {entry[name]}" for name in ("source", "note") if entry.get(name)]
    return words + (f" ({'; '.join(texts)})" if texts else "")


def question_label(key: str | None, questionnaire: Questionnaire) -> str:
    """How a person finds the question: its number and prompt (the Party's name and date by name)."""
    if key == "party":
        return "the Party's name"
    if key == "as_of":
        return "the date of the answers"
    question = questionnaire.question(key or "")
    return f"{question.number} {question.prompt}" if question else str(key)


def record_in_words(record: Record, questionnaire: Questionnaire) -> str:
    """One line for a person: what happened, without the time and the author."""
    if record.kind == "answer":
        question = questionnaire.question(record.question or "")
        how = " (imported)" if record.via == "import" else ""
        return (f"changed {question_label(record.question, questionnaire)}{how}: "
                f"{entry_in_words(record.old, question)} → {entry_in_words(record.new, question)}")
    if record.kind == "status":
        action = (record.new or {}).get("action", "")
        said = f"chapter {record.chapter} {ACTION_WORDS.get(action, (record.new or {}).get('status', ''))}"
        return said + (f": “{record.text}”" if record.text else "")
    return f"commented on chapter {record.chapter}: “{record.text}”"


def history_text(records: list[Record], questionnaire: Questionnaire) -> str:
    lines = []
    for record in records:
        lines.append(f"{record.at.replace('T', ' ').replace('+00:00', ' UTC')}  {record.who}  {record_in_words(record, questionnaire)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _ordered(keys: set[str], questionnaire: Questionnaire) -> list[str]:
    order = {key: index for index, key in enumerate(("party", "as_of", *questionnaire.questions))}
    return sorted(keys, key=lambda key: (order.get(key, len(order)), key))


def _json(entry: Entry | None) -> str | None:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True) if entry is not None else None


def _record(row: sqlite3.Row) -> Record:
    return Record(
        row["id"], row["file"], row["at"], row["who"], row["via"], row["kind"], row["chapter"], row["question"],
        json.loads(row["old"]) if row["old"] else None, json.loads(row["new"]) if row["new"] else None, row["text"],
    )
