"""The history of each answers file, in DATA_DIR's database: every change of an answer (who, when,
the question, the answer before and after with its source and note), every chapter status change
and comment, and what each person has seen. A follow-up file's history is kept the same way, under
its own name (``albania.follow-up``): every change of a recommendation's status, lead, deadline,
measures or note.

The database keeps the entries of the version of each file it last knew. A file found at another
version when it is next read (edited in a text editor, replaced by a copy) has its differences
recorded then, as changes made outside selfcheck.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfcheck.engine.answers.merge import Entry, entries_of
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Question, Questionnaire
from selfcheck.engine.follow_up import merge as follow_up_merge
from selfcheck.engine.rules.rulebook import Rulebook
from selfcheck.engine.team import database

STATUSES = ("draft", "submitted", "approved")
OUTSIDE = "outside selfcheck"  # who made a change found in the file, not made through selfcheck


@dataclass(frozen=True)
class Record:
    id: int
    file: str
    at: str  # UTC, ISO 8601 to the second
    who: str
    via: str  # web, outside, import or new
    kind: str  # answer, status, comment or follow-up
    chapter: str | None
    question: str | None  # a question id, or party / as_of; a recommendation id for a follow-up
    old: Entry | None
    new: Entry | None
    text: str | None  # a comment, or the comment given with a status change; the status for a status change

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "who": self.who,
            "via": self.via,
            "kind": self.kind,
            "chapter": self.chapter,
            "question": self.question,
            "old": self.old,
            "new": self.new,
            "text": self.text,
        }


@dataclass(frozen=True)
class Status:
    status: str
    who: str = ""
    at: str = ""
    action: str = ""  # what last moved it: submit, approve, return or reopen ("" for a chapter never moved)
    comment: str = ""  # the comment given with that move (a return always has one)

    @property
    def returned(self) -> bool:
        """A draft again because its reviewer returned it for changes."""
        return self.status == "draft" and self.action == "return"


DRAFT = Status("draft")


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Kind:
    """What the history needs of a kind of file: the entries of its data, and each key's chapter and place."""

    name: str  # the kind of its changes: answer or follow-up
    entries: Callable[[Any], dict[str, Entry]]
    chapters: dict[str, str]
    order: tuple[str, ...]


def answers_kind(questionnaire: Questionnaire) -> Kind:
    return Kind(
        "answer",
        lambda data: entries_of(data, questionnaire),
        {q.id: q.chapter for q in questionnaire.questions.values()},
        ("party", "as_of", *questionnaire.questions),
    )


def follow_up_kind(rulebook: Rulebook) -> Kind:
    return Kind("follow-up", follow_up_merge.entries_of, {rule.id: rule.chapter for rule in rulebook.rules}, tuple(rulebook.by_id))


def _kind(of: Questionnaire | Kind) -> Kind:
    return of if isinstance(of, Kind) else answers_kind(of)


def known_version(db: sqlite3.Connection, file: str) -> str | None:
    row = db.execute("SELECT version FROM files WHERE name = ?", (file,)).fetchone()
    return row["version"] if row else None


def sync(db: sqlite3.Connection, file: str, version: str, data: Any, of: Questionnaire | Kind) -> int:
    """Record what changed in the file since the version the database knew, as changed outside
    selfcheck; the first time a file is seen, its entries are only taken note of. The number of
    changes recorded. ``of``: the questionnaire of an answers file, or the Kind of another file."""
    kind = _kind(of)
    row = db.execute("SELECT version, entries FROM files WHERE name = ?", (file,)).fetchone()
    if row is not None and row["version"] == version:
        return 0
    entries = kind.entries(data)
    recorded = 0
    if row is not None:
        before = json.loads(row["entries"])
        changes = {key: (before.get(key), entries.get(key)) for key in set(before) | set(entries) if before.get(key) != entries.get(key)}
        record_changes(db, file, OUTSIDE, "outside", changes, kind)
        recorded = len(changes)
    remember(db, file, version, data, kind)
    return recorded


def remember(db: sqlite3.Connection, file: str, version: str, data: Any, of: Questionnaire | Kind) -> None:
    """Take note of the file's version and entries, as written by selfcheck."""
    entries = json.dumps(_kind(of).entries(data), ensure_ascii=False, sort_keys=True)
    db.execute(
        "INSERT INTO files (name, version, entries) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = ?, entries = ?",
        (file, version, entries, version, entries),
    )


def record_changes(
    db: sqlite3.Connection, file: str, who: str, via: str, changes: dict[str, tuple[Entry | None, Entry | None]], of: Questionnaire | Kind
) -> None:
    kind = _kind(of)
    place = {key: index for index, key in enumerate(kind.order)}
    for key in sorted(changes, key=lambda key: (place.get(key, len(place)), key)):
        old, new = changes[key]
        db.execute(
            "INSERT INTO history (file, at, who, via, kind, chapter, question, old, new) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (file, now(), who, via, kind.name, kind.chapters.get(key), key, _json(old), _json(new)),
        )


def statuses(db: sqlite3.Connection, file: str) -> dict[str, Status]:
    """Each chapter's status, with the move that led to it and its comment; a chapter never submitted
    is a draft (absent here)."""
    moves = {
        row["chapter"]: (json.loads(row["new"]).get("action", ""), row["text"] or "")
        for row in db.execute(
            "SELECT chapter, new, text FROM history WHERE id IN (SELECT MAX(id) FROM history WHERE file = ? AND kind = 'status' GROUP BY chapter)", (file,)
        )
    }
    rows = db.execute("SELECT chapter, status, who, at FROM chapters WHERE file = ?", (file,))
    return {row["chapter"]: Status(row["status"], row["who"], row["at"], *moves.get(row["chapter"], ("", ""))) for row in rows}


# What moves a chapter, and where it goes: submitted for review, approved, returned to draft with a
# comment (by a reviewer), reopened (by the coordinator, from submitted or approved).
ACTIONS = {"submit": "submitted", "approve": "approved", "return": "draft", "reopen": "draft"}
ACTION_WORDS = {"submit": "submitted for review", "approve": "approved", "return": "returned for changes", "reopen": "reopened"}


def set_status(db: sqlite3.Connection, file: str, chapter: str, action: str, who: str, comment: str = "") -> None:
    status = ACTIONS[action]
    at = now()
    db.execute(
        "INSERT INTO chapters (file, chapter, status, who, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (file, chapter) DO UPDATE SET status = ?, who = ?, at = ?",
        (file, chapter, status, who, at, status, who, at),
    )
    db.execute(
        "INSERT INTO history (file, at, who, via, kind, chapter, new, text) VALUES (?, ?, ?, 'web', 'status', ?, ?, ?)",
        (file, at, who, chapter, json.dumps({"status": status, "action": action}), comment or None),
    )


def add_comment(db: sqlite3.Connection, file: str, chapter: str, who: str, text: str) -> None:
    db.execute("INSERT INTO history (file, at, who, via, kind, chapter, text) VALUES (?, ?, ?, 'web', 'comment', ?, ?)", (file, now(), who, chapter, text))


def records(
    db: sqlite3.Connection,
    file: str,
    *,
    question: str | None = None,
    chapter: str | None = None,
    after: int = 0,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[Record]:
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


def counts_by_question(db: sqlite3.Connection, file: str, of: Questionnaire | Kind | None = None) -> dict[str, int]:
    """How many changes each question (or recommendation, for a follow-up's Kind) has had."""
    kind = "answer" if of is None else _kind(of).name
    rows = db.execute("SELECT question, COUNT(*) AS n FROM history WHERE file = ? AND kind = ? GROUP BY question", (file, kind))
    return {row["question"]: row["n"] for row in rows}


def last_id(db: sqlite3.Connection, file: str) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM history WHERE file = ?", (file,)).fetchone()[0]


def last_visit(db: sqlite3.Connection, user: str, file: str) -> tuple[int, str] | None:
    row = db.execute("SELECT seen, at FROM visits WHERE user = ? AND file = ?", (user, file)).fetchone()
    return (row["seen"], row["at"]) if row else None


def mark_visit(db: sqlite3.Connection, user: str, file: str, seen: int) -> None:
    at = now()
    db.execute(
        "INSERT INTO visits (user, file, seen, at) VALUES (?, ?, ?, ?) ON CONFLICT (user, file) DO UPDATE SET seen = ?, at = ?",
        (user, file, seen, at, seen, at),
    )


def read_history(folder: Path, file: str, of: Questionnaire | Kind, version: str, data: Any, question: str | None = None) -> list[Record]:
    """The history of the file ``file`` of ``folder``, once what changed outside selfcheck is recorded."""
    with database.connect(folder) as db:
        sync(db, file, version, data, of)
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
        return f"changed {question_label(record.question, questionnaire)}{how}: {entry_in_words(record.old, question)} → {entry_in_words(record.new, question)}"
    if record.kind == "follow-up":
        return follow_up_merge.change_line(record.question or "", record.old, record.new, imported=record.via == "import")
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


def _json(entry: Entry | None) -> str | None:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True) if entry is not None else None


def _record(row: sqlite3.Row) -> Record:
    return Record(
        row["id"],
        row["file"],
        row["at"],
        row["who"],
        row["via"],
        row["kind"],
        row["chapter"],
        row["question"],
        json.loads(row["old"]) if row["old"] else None,
        json.loads(row["new"]) if row["new"] else None,
        row["text"],
    )
