"""The questionnaire as an HTML form, and a submitted form back into the data of an answers file.

Nothing here knows a question: fields come from questionnaire.yaml, and a submission becomes the
same data an answers file (or an amendment) holds, checked by the engine's own readers, so the
error beside a field is the message the CLI prints for a file.

Field names: ``a.<question id>`` the answer, ``s.<question id>`` its source, ``n.<question id>``
its note, ``q.<question id>`` the published sentence it quotes and ``i.<question id>`` the
recommendations it is inferred from (kept so that saving never drops them); ``v.<question id>``
the token of the answer as the person saw it (``engine.answers.merge``), which also says which questions
the form shows; ``party`` and ``as_of`` (with ``v.party``, ``v.as_of``); ``bill.*`` an amendment's
title, reference, date and file name; ``focus`` the question last worked on, to come back to it;
``theirs`` a question in conflict whose answer saved meanwhile the person takes ("Take theirs").

Each form takes only the fields it holds (``Holds``: a chapter's form, its questions): any other
field, such as the Party's name sent with a chapter's form, is refused whole (``NotHeld``, 403),
since no page of ours sends it and a role must not reach past its form.

Messages beside a field are in the words of the person filling in the form: what to do, never a
value such as ``not_provided``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from selfcheck.engine.answers.answer_file import VARIES_WITHOUT_NOTE
from selfcheck.engine.answers.merge import NO_ANSWER, Entry, entries_of, entry_of, token
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Question, Questionnaire, Section
from selfcheck.engine.common.errors import InputError

ANSWER, SOURCE, NOTE, QUOTE, INFERRED, SEEN = "a.", "s.", "n.", "q.", "i.", "v."
TEXTS = {SOURCE: "source", NOTE: "note", QUOTE: "quote"}
HEAD = ("party", "as_of")
BILL = ("title", "reference", "date", "file")
CONTROL = ("csrf", "focus", "save", "theirs")  # the token is checked before the form is read; the others only steer
MAX_FIELDS = 2000
LIST_SHOWN_NOT_PROVIDED = "shown-not-provided"  # the value of a list's hidden field when the list was shown not provided


PEOPLE_DATE = re.compile(r"(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})\.(?P<year>[0-9]{4})")
ISO_DATE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")
DATE_HINT = "Day.month.year, for example 01.03.2026."


def date_from_people(text: str) -> str:
    """A date typed as the pages show dates (day.month.year) as files hold it (YYYY-MM-DD); any other
    text as typed, for the file's reader to name what is wrong."""
    text = text.strip()
    match = PEOPLE_DATE.fullmatch(text)
    return f"{match['year']}-{int(match['month']):02d}-{int(match['day']):02d}" if match else text


def people_date(text: Any) -> str:
    """A date of a file (YYYY-MM-DD) as the pages and the factsheet show it: day.month.year."""
    text = "" if text is None else str(text)
    match = ISO_DATE.fullmatch(text.strip())
    return f"{match['day']}.{match['month']}.{match['year']}" if match else text


class Malformed(Exception):
    """A submission no form of ours would send: not the answers, the request itself is wrong."""

    def said(self) -> str:
        """What the page shown again says of it."""
        return f"The form could not be read, so nothing was saved: {self}. Reload the page and try again."


class NotHeld(Exception):
    """A field the form does not hold (another chapter's question, the Party's name in a chapter's
    form, a field no form has): the whole submission is refused (403), nothing written."""


@dataclass(frozen=True)
class Holds:
    """What a form may send: the answers of ``questions`` (with their source, note, quote and
    inferred_from), the Party's name and date (``head``), the bill of an amendment (``bill``),
    and the controls."""

    what: str  # the form, as its refusal names it: "chapter IV's form"
    questions: frozenset[str] = frozenset()
    head: bool = False
    bill: bool = False

    def refuse(self, name: str) -> NotHeld:
        return NotHeld(f"{self.what[:1].upper()}{self.what[1:]} does not hold the field {name[:80]!r}, so the whole form was refused.")


def only(pairs: list[tuple[str, str]], allowed: tuple[str, ...], what: str) -> dict[str, str]:
    """The fields of a small form (each sent once), refusing any it does not hold (``NotHeld``)."""
    holds = Holds(what)
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name not in allowed:
            raise holds.refuse(name)
        if name in fields:
            raise Malformed(f"the field {name[:80]!r} was sent more than once")
        fields[name] = value
    return fields


@dataclass
class Field:
    """A question as the form shows it: its value, source, note and the problems found in it."""

    question: Question
    value: Any  # text for radios, numbers and texts; a set of option values for a list
    source: str = ""
    note: str = ""
    quote: str = ""
    inferred_from: str = ""  # recommendation ids, separated by commas
    errors: list[str] = field(default_factory=list)
    token: str = NO_ANSWER  # the answer's token as shown (engine.merge)
    theirs: str | None = None  # in a conflict: the answer saved meanwhile, in words
    theirs_by: str = ""  # and who saved it, when
    changes: int = 0  # the changes recorded in its history

    @property
    def words(self) -> str:
        """The answer as a person reads it: the option's words, "not provided", "none of them"."""
        value = self.value
        if self.question.type == "list":
            value = NOT_PROVIDED if NOT_PROVIDED in value else [o.value for o in self.question.options if o.value in value]
        return self.question.in_words(value)


@dataclass
class FormState:
    party: str
    as_of: str
    sections: list[tuple[Section, list[Field]]]
    tokens: dict[str, str] = field(default_factory=dict)  # party, as_of -> token
    bill: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)  # party, as_of, bill.* -> problems
    general: list[str] = field(default_factory=list)  # problems tied to no field

    @property
    def fields_with_problems(self) -> list[Field]:
        return [f for _, fields in self.sections for f in fields if f.errors]

    @property
    def problem_count(self) -> int:
        return len(self.general) + sum(map(len, self.errors.values())) + sum(len(f.errors) for _, fields in self.sections for f in fields)


def parse_body(body: bytes) -> list[tuple[str, str]]:
    """The fields of an application/x-www-form-urlencoded body, or Malformed."""
    from urllib.parse import parse_qsl

    try:
        text = body.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise Malformed("the form was not sent as UTF-8 text") from None
    except ValueError as error:
        raise Malformed(f"the form could not be read: {error}") from None


def form_state(
    questionnaire: Questionnaire,
    data: dict,
    problems: list[InputError] = (),
    bill: dict[str, str] | None = None,
    chapter: str | None = None,
    tokens: dict[str, str] | None = None,
) -> FormState:
    """What the form shows for the data of an answers file (the questions of ``chapter``, or all),
    with each problem beside its field in people's words. ``tokens`` overrides the tokens of what is
    shown (after a refused save: the answers as seen, so that saving again merges as it would have)."""
    answers = data.get("answers") if isinstance(data.get("answers"), dict) else {}
    entries = entries_of(data, questionnaire)
    tokens = tokens or {}
    fields = {}
    for question_id, question in questionnaire.questions.items():
        given = answers.get(question_id, NOT_PROVIDED)
        long = given if isinstance(given, dict) else {"value": given}
        inferred = long.get("inferred_from")
        fields[question_id] = Field(
            question,
            _shown(question, long.get("value", NOT_PROVIDED)),
            _text(long.get("source")),
            _text(long.get("note")),
            _text(long.get("quote")),
            ", ".join(map(str, inferred)) if isinstance(inferred, list) else _text(inferred),
            token=tokens.get(question_id, token(entries.get(question_id))),
        )
    state = FormState(
        party=_text(data.get("party")),
        as_of=_text(data.get("as_of")),
        sections=[(section, [fields[q.id] for q in section.questions]) for section in questionnaire.sections if chapter is None or section.chapter == chapter],
        bill=dict(bill or {}),
        tokens={key: tokens.get(key, token(entries.get(key))) for key in HEAD},
    )
    for problem in problems:
        keys = problem.place.keys
        if len(keys) >= 2 and keys[0] in ("answers", "changes") and keys[1] in fields:
            fields[keys[1]].errors.append(in_people_words(fields[keys[1]].question, problem.problem))
        elif len(keys) == 1 and keys[0] in HEAD:
            state.errors.setdefault(keys[0], []).append(_head_words(keys[0], problem.problem))
        elif len(keys) == 1 and keys[0] in BILL:
            state.errors.setdefault(f"bill.{keys[0]}", []).append(_head_words(keys[0], problem.problem))
        else:
            state.general.append(_plain_words(problem.problem))
    return state


def in_people_words(question: Question, problem: str) -> str:
    """The engine's message about an answer, as what to do in this form."""
    if problem.startswith("expected a mapping with value and note") and "note is missing" in problem:
        return "Give a note for this change: the provision of the bill that changes this answer (under “Source and note”)."
    if problem == VARIES_WITHOUT_NOTE:
        return "Say in the note where this is in place and where not (under “Source and note”): an answer that varies by region or entity needs one."
    if problem.startswith("expected ") and ", got " in problem:
        got = problem.rsplit(", got ", 1)[1]
        if question.type == "integer":
            return (
                f"Write a whole number from {question.minimum} to {question.maximum}, in digits, or leave the field empty "
                f"if you give no information; {got} is not such a number, so nothing was saved."
            )
        if question.type == "tri_state":
            return "Choose yes, no, varies by region or entity, or not provided."
        if question.type == "one_of":
            return "Choose one of the answers offered, or not provided."
        if question.type == "list":
            return "Tick the answers that apply, or only “not provided”; what was sent is not one of the answers offered."
    return _plain_words(problem)


def _head_words(key: str, problem: str) -> str:
    if problem.startswith("expected the Party's name"):
        return "Give the Party's name."
    missing = re.fullmatch(r"expected (the bill's [a-z]+) as a text", problem)
    if missing:
        return f"Give {missing[1]}."
    if problem.startswith("expected a date written YYYY-MM-DD"):
        return "Give the date as day.month.year, for example 01.05.2024."
    return _plain_words(problem)


def _plain_words(problem: str) -> str:
    return problem.replace("not_provided", "not provided")


@dataclass
class Submission:
    """A submitted form: an entry for each question it shows (and party, as_of), with the token seen."""

    entries: dict[str, Entry | None]
    seen: dict[str, str]
    bill: dict[str, str]
    focus: str = ""
    save: str = ""
    theirs: str = ""  # the question whose answer saved meanwhile is taken, what was typed in it dropped


def submitted(questionnaire: Questionnaire, pairs: list[tuple[str, str]], holds: Holds) -> Submission:
    """What a form sends, as entries: NotHeld for a field the form does not hold, Malformed for a
    form no page of ours would send."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        grouped[name].append(value)
    shown = {name[2:] for name in grouped if name.startswith(SEEN)}
    for name, values in grouped.items():
        prefix, rest = name[:2], name[2:]
        if prefix in (ANSWER, SOURCE, NOTE, QUOTE, INFERRED, SEEN) and rest in holds.questions:
            if rest not in shown:
                raise Malformed(f"the field {name[:80]!r} comes without the version it was seen at")
            question = questionnaire.question(rest)
            several = prefix == ANSWER and question is not None and question.type == "list"
        elif (name in HEAD or prefix == SEEN and rest in HEAD) and holds.head:
            if name in HEAD and name not in shown:
                raise Malformed(f"the field {name!r} comes without the version it was seen at")
            several = False
        elif name in CONTROL or holds.bill and name.startswith("bill.") and name.removeprefix("bill.") in BILL:
            several = False
        else:
            raise holds.refuse(name)
        if len(values) > 1 and not several:
            raise Malformed(f"the field {name[:80]!r} was sent {len(values)} times")
    seen = {key: _single(grouped, SEEN + key) for key in shown}
    entries: dict[str, Entry | None] = {}
    for key in shown:
        if key in HEAD:
            given_head = _single(grouped, key).strip()
            entries[key] = entry_of((date_from_people(given_head) if key == "as_of" else given_head) or None)
            continue
        question = questionnaire.question(key)
        given: dict[str, Any] = {"value": _value(question, grouped.get(ANSWER + key))}
        for prefix, text in TEXTS.items():
            given[text] = _single(grouped, prefix + key)
        given["inferred_from"] = _single(grouped, INFERRED + key)
        entries[key] = entry_of(given, questionnaire, key)
    bill = {key: _single(grouped, f"bill.{key}").strip() for key in BILL}
    bill["date"] = date_from_people(bill["date"])
    theirs = _single(grouped, "theirs")
    if theirs:
        if theirs not in shown:
            raise Malformed(f"“take theirs” names {theirs[:80]!r}, which this form does not show")
        del entries[theirs], seen[theirs]  # not merged: what is saved stays
    return Submission(entries, seen, bill, _single(grouped, "focus"), _single(grouped, "save"), theirs)


def chapter_holds(questionnaire: Questionnaire, chapter: str, bill: bool) -> Holds:
    """A chapter's form: its questions; the bill of an amendment for who drafts them."""
    return Holds(f"chapter {chapter}'s form", frozenset(q.id for q in questionnaire.in_chapter(chapter)), bill=bill)


ABOUT = Holds("the form of the Party's name and date", head=True)


def _single(grouped: dict[str, list[str]], name: str) -> str:
    return grouped.get(name, [""])[0]


def _value(question: Question | None, values: list[str] | None) -> Any:
    """A field's text as an answers file would hold it; what the question accepts is the engine's to say."""
    if question is not None and question.type == "list":
        if values is None:
            return NOT_PROVIDED
        # A hidden field marks the list as sent, and says whether it was shown "not provided".
        shown_not_provided = LIST_SHOWN_NOT_PROVIDED in values
        chosen = [value for value in values if value and value != LIST_SHOWN_NOT_PROVIDED]
        options = [value for value in chosen if value != NOT_PROVIDED]
        if NOT_PROVIDED in chosen and options:  # the newest tick wins: options ticked over a "not provided" shown, or the reverse
            return options if shown_not_provided else NOT_PROVIDED
        return NOT_PROVIDED if chosen == [NOT_PROVIDED] else chosen
    if not values:
        return NOT_PROVIDED
    value = values[0]
    if question is None:
        return value
    if question.type == "text":
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value if value.strip() else NOT_PROVIDED
    if question.type == "integer":
        value = value.strip()
        if not value:
            return NOT_PROVIDED
        return int(value) if re.fullmatch(r"[-+]?[0-9]{1,30}", value) else value
    return value


def _shown(question: Question, value: Any) -> Any:
    """A value as its field shows it; a list not answered shows its \"not provided\" box ticked."""
    if question.type == "list":
        if isinstance(value, list):
            return {str(item) for item in value}
        return {NOT_PROVIDED} if value == NOT_PROVIDED else set()
    if value == NOT_PROVIDED and question.type in ("integer", "text"):
        return ""
    return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
