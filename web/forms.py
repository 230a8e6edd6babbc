"""The questionnaire as an HTML form, and a submitted form back into the data of an answers file.

Nothing here knows a question: fields come from questionnaire.yaml, and a submission becomes the
same data an answers file (or an amendment) holds, checked by the engine's own readers, so the
error beside a field is the message the CLI prints for a file.

Field names: ``a.<question id>`` the answer, ``s.<question id>`` its source, ``n.<question id>``
its note, ``q.<question id>`` the published sentence it quotes and ``i.<question id>`` the
recommendations it is inferred from (kept so that saving never drops them); ``party`` and
``as_of``; ``bill.*`` an amendment's title, reference, date and file name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from engine.errors import InputError
from engine.questionnaire import NOT_PROVIDED, Question, Questionnaire, Section

ANSWER, SOURCE, NOTE, QUOTE, INFERRED = "a.", "s.", "n.", "q.", "i."
TEXTS = {SOURCE: "source", NOTE: "note", QUOTE: "quote"}
HEAD = ("party", "as_of")
BILL = ("title", "reference", "date", "file")
CONTROL = ("csrf", "version")  # checked before the form is read
MAX_FIELDS = 2000


class Malformed(Exception):
    """A submission no form of ours would send: not the answers, the request itself is wrong."""


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


@dataclass
class FormState:
    party: str
    as_of: str
    sections: list[tuple[Section, list[Field]]]
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


def form_state(questionnaire: Questionnaire, data: dict, problems: list[InputError] = (), bill: dict[str, str] | None = None) -> FormState:
    """What the form shows for the data of an answers file, with each problem beside its field."""
    answers = data.get("answers") if isinstance(data.get("answers"), dict) else {}
    fields = {}
    for question_id, question in questionnaire.questions.items():
        given = answers.get(question_id, NOT_PROVIDED)
        long = given if isinstance(given, dict) else {"value": given}
        inferred = long.get("inferred_from")
        fields[question_id] = Field(
            question, _shown(question, long.get("value", NOT_PROVIDED)), _text(long.get("source")), _text(long.get("note")),
            _text(long.get("quote")), ", ".join(map(str, inferred)) if isinstance(inferred, list) else _text(inferred),
        )
    state = FormState(
        party=_text(data.get("party")),
        as_of=_text(data.get("as_of")),
        sections=[(section, [fields[q.id] for q in section.questions]) for section in questionnaire.sections],
        bill=dict(bill or {}),
    )
    for problem in problems:
        keys = problem.place.keys
        if len(keys) >= 2 and keys[0] in ("answers", "changes") and keys[1] in fields:
            fields[keys[1]].errors.append(problem.problem)
        elif len(keys) == 1 and keys[0] in HEAD:
            state.errors.setdefault(keys[0], []).append(problem.problem)
        elif len(keys) == 1 and keys[0] in BILL:
            state.errors.setdefault(f"bill.{keys[0]}", []).append(problem.problem)
        else:
            where = problem.place.describe()
            state.general.append(f"{where}: {problem.problem}" if where else problem.problem)
    return state


def submitted(questionnaire: Questionnaire, pairs: list[tuple[str, str]], round_id: str) -> tuple[dict, dict[str, str]]:
    """The data of an answers file the form stands for, and the bill fields; Malformed for a forged form."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        grouped[name].append(value)
    question_ids = list(questionnaire.questions)
    for name, values in grouped.items():
        prefix, rest = name[:2], name[2:]
        if prefix in (ANSWER, SOURCE, NOTE, QUOTE, INFERRED) and rest:
            question = questionnaire.question(rest)
            if question is None and rest not in question_ids:
                question_ids.append(rest)  # for the engine to name: unknown question, did you mean ...
            several = prefix == ANSWER and question is not None and question.type == "list"
        elif name in HEAD + CONTROL or name.removeprefix("bill.") in BILL and name.startswith("bill."):
            several = False
        else:
            raise Malformed(f"unexpected field {name[:80]!r}")
        if len(values) > 1 and not several:
            raise Malformed(f"the field {name[:80]!r} was sent {len(values)} times")
    answers = {}
    for question_id in question_ids:
        value = _value(questionnaire.question(question_id), grouped.get(ANSWER + question_id))
        texts = {}
        for prefix, text in TEXTS.items():
            given = _single(grouped, prefix + question_id).strip()
            if given:
                texts[text] = given
        inferred = [rule_id.strip() for rule_id in _single(grouped, INFERRED + question_id).split(",") if rule_id.strip()]
        if inferred:
            texts["inferred_from"] = inferred
        if value != NOT_PROVIDED or texts:
            answers[question_id] = {"value": value, **texts} if texts else value
    data = {"party": _single(grouped, "party"), "round": round_id, "answers": answers}
    if _single(grouped, "as_of").strip():
        data["as_of"] = _single(grouped, "as_of").strip()
    bill = {key: _single(grouped, f"bill.{key}").strip() for key in BILL}
    return data, bill


def _single(grouped: dict[str, list[str]], name: str) -> str:
    return grouped.get(name, [""])[0]


def _value(question: Question | None, values: list[str] | None) -> Any:
    """A field's text as an answers file would hold it; what the question accepts is the engine's to say."""
    if question is not None and question.type == "list":
        if values is None:
            return NOT_PROVIDED
        chosen = [value for value in values if value]  # an empty hidden field marks the list as sent
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
