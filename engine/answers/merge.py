"""Answers compared and merged one question at a time, so that a team can save side by side.

An *entry* is one question's answer as a plain mapping (value, source, note, quote, inferred_from),
written the same way whatever the file or the form held (lists in the questionnaire's order, texts
without surrounding blanks); the Party's name and the date of the answers are entries too, under
``party`` and ``as_of``. Its *token* holds a short hash of each of its fields: a form carries the
token of each entry as the person saw it, and a save changes only the fields the person changed:

- a field they left as they saw it keeps whatever is saved now (another person's change stays, be
  it the answer, its source or its note);
- a field they changed takes what they typed, if the saved one is still the one they saw (or is
  already what they typed);
- otherwise it is a conflict: both answers are shown, what they typed is kept on the page (beside
  what others saved meanwhile in the fields they left), and nothing is written until they choose.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Questionnaire

HEAD = ("party", "as_of")
TEXTS = ("source", "note", "quote")
Entry = dict[str, Any]


def entry_of(given: Any, questionnaire: Questionnaire | None = None, key: str = "") -> Entry | None:
    """The entry an answer of a file (short or long form) or of a form stands for; None for no answer."""
    long = given if isinstance(given, dict) else {"value": given}
    entry: Entry = {}
    value = plain(long.get("value", NOT_PROVIDED))
    question = questionnaire.question(key) if questionnaire is not None else None
    if isinstance(value, list) and question is not None and all(item in question.option_values for item in value):
        value = sorted(value, key=question.option_values.index)
    if value != NOT_PROVIDED and value != "":
        entry["value"] = value
    for name in TEXTS:
        text = long.get(name)
        if isinstance(text, str) and text.strip():
            entry[name] = text.replace("\r\n", "\n").strip()
    inferred = long.get("inferred_from")
    if isinstance(inferred, str):
        inferred = [part.strip() for part in inferred.split(",") if part.strip()]
    if inferred:
        entry["inferred_from"] = [str(item) for item in inferred]
    return entry or None


def entries_of(data: Any, questionnaire: Questionnaire | None = None) -> dict[str, Entry]:
    """Every entry of an answers file's data: its answers, and its party and as_of."""
    if not isinstance(data, dict):
        return {}
    entries = {}
    for key in HEAD:
        entry = entry_of(data.get(key)) if data.get(key) is not None else None
        if entry:
            entries[key] = entry
    answers = data.get("answers")
    for question_id, given in answers.items() if isinstance(answers, dict) else ():
        entry = entry_of(given, questionnaire, str(question_id))
        if entry:
            entries[str(question_id)] = entry
    return entries


def token(entry: Entry | None) -> str:
    """A short fingerprint of each field of an entry (``note:1a2b3c4d5e6f,value:...``), the same for
    equal entries; no answer has one too (``-``)."""
    return _token({name: _digest(value) for name, value in (entry or {}).items()})


def _token(digests: dict[str, str]) -> str:
    return ",".join(f"{name}:{digests[name]}" for name in sorted(digests)) or "-"


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:12]


def _digests(token_seen: str | None) -> dict[str, str]:
    """The field -> digest a token holds; none for no answer, or for a token no page of ours made."""
    fields = (part.partition(":") for part in (token_seen or "").split(","))
    return {name: digest for name, _, digest in fields if name and digest}


NO_ANSWER = token(None)


@dataclass
class Merged:
    data: dict  # the answers file's data with the changes that land
    changed: dict[str, tuple[Entry | None, Entry | None]] = field(default_factory=dict)  # key -> (before, after)
    conflicts: dict[str, tuple[Entry | None, Entry | None]] = field(default_factory=dict)  # key -> (saved now, typed)
    shown: dict = field(default_factory=dict)  # the data to show again if nothing is written: what was typed, over what is saved
    tokens: dict[str, str] = field(default_factory=dict)  # key -> the token to carry in the form shown again


def merge(current: Any, submitted: dict[str, Entry | None], seen: dict[str, str], questionnaire: Questionnaire) -> Merged:
    """``submitted`` (key -> entry, for every question of the form) merged into the ``current`` data,
    given the tokens the person ``seen``."""
    current = current if isinstance(current, dict) else {}
    return merge_entries(current, entries_of(current, questionnaire), submitted, seen, _put)


def merge_entries(
    current: dict, saved: dict[str, Entry], submitted: dict[str, Entry | None], seen: dict[str, str], put: Callable[[dict, str, Entry | None], None]
) -> Merged:
    """The rule above for any file made of entries: ``saved`` are the entries of the ``current``
    data, and ``put`` writes an entry into a copy of it."""
    merged = Merged(data=copy.deepcopy(current), shown=copy.deepcopy(current))
    for key, typed in submitted.items():
        now = saved.get(key)
        if token(typed) == seen.get(key):  # left as seen: what is saved stays, whoever saved it
            merged.tokens[key] = token(now)
            continue
        was, mine, theirs = _digests(seen.get(key)), _digests(token(typed)), _digests(token(now))
        changed = {name for name in {*was, *mine} if mine.get(name) != was.get(name)}  # the fields the person changed
        clashing = {name for name in changed if theirs.get(name) not in (was.get(name), mine.get(name))}
        # What they changed over what is saved now: a field they left keeps what another saved meanwhile.
        source = {name: (typed if name in changed else now) or {} for name in {*(typed or {}), *(now or {})}}
        after = {name: source[name][name] for name in [*(typed or {}), *(now or {})] if name in source[name]} or None
        put(merged.shown, key, after)
        if clashing:
            merged.conflicts[key] = (now, typed)
            merged.tokens[key] = token(now)  # saving again means: keep what I typed over what I have now seen
            continue
        # Shown again (another question refused the save), a changed field is still checked against what was seen.
        merged.tokens[key] = _token({name: d for name, d in theirs.items() if name not in changed} | {name: d for name, d in was.items() if name in changed})
        if token(after) != token(now):
            merged.changed[key] = (now, after)
            put(merged.data, key, after)
    return merged


def _put(data: dict, key: str, entry: Entry | None) -> None:
    if key in HEAD:
        if entry is None:
            data.pop(key, None)
        else:
            data[key] = entry["value"]
        return
    answers = data.get("answers")
    if not isinstance(answers, dict):
        answers = data["answers"] = {}
    if entry is None:
        answers.pop(key, None)
    elif set(entry) == {"value"}:
        answers[key] = entry["value"]
    else:
        answers[key] = {"value": entry.get("value", NOT_PROVIDED), **{name: text for name, text in entry.items() if name != "value"}}


def plain(value: Any) -> Any:
    """A value of a file or a form as entries hold it: dates as YYYY-MM-DD, texts without surrounding blanks."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value
