"""A Party's answers to a round's questionnaire: validated, with the source each answer rests on."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, VARIES, Questionnaire, _describe
from selfcheck.engine.common.characters import name_problem, text_problem
from selfcheck.engine.common.errors import EngineError, InputError
from selfcheck.engine.common.safe_files import YAML_UNSAFE, Document, document_from_text, yaml_scalar

TOP_LEVEL = {"party": "the Party's name", "round": "the monitoring round", "as_of": "the date the answers describe", "answers": "the answers"}
ANSWER_TEXTS = ("source", "note")  # beside the value, in the long form of an answer (and of an amendment's change)
# An answer reconstructed from a published document says what it rests on: the sentence that states
# the fact (quote), or the recommendations that show it (inferred_from).
EVIDENCE_TEXTS = ANSWER_TEXTS + ("quote",)
# A recommendation id as any rulebook writes one; whether the rulebook has it, lint checks.
# A follow-up kept beside its answers file (albania.yaml, albania.follow-up.yaml) is not an answers file.
FOLLOW_UP_SUFFIX = ".follow-up.yaml"
RECOMMENDATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
VARIES_WITHOUT_NOTE = (
    "an answer that varies by region or entity needs a note saying where it is in place and where not: write it as a mapping with value: varies and note"
)


class NotInForce(BaseModel):
    """An amendment given but not applied, because it is not in force on the date the law is taken at."""

    model_config = ConfigDict(frozen=True)

    amendment: str  # the bill's label
    state: str  # not_adopted, adopted_not_in_force or no_longer_in_force (engine.in_force)
    adopted: datetime.date | None = None
    in_force: datetime.date | None = None
    in_force_until: datetime.date | None = None


class Answers(BaseModel):
    """Every answer given; a question left out is answered ``not_provided``."""

    model_config = ConfigDict(frozen=True)

    party: str
    round: str
    as_of: datetime.date | None = None
    values: dict[str, Any]
    sources: dict[str, str] = {}
    notes: dict[str, str] = {}
    quotes: dict[str, str] = {}  # the published sentence an answer rests on, word for word
    inferred_from: dict[str, tuple[str, ...]] = {}  # the printed recommendations an answer is inferred from
    amendments: tuple[str, ...] = ()  # the bills overlaid on the answers given, in order
    law_as_of: datetime.date | None = None  # --as-of: only the bills in force on this date are overlaid
    not_in_force: tuple[NotInForce, ...] = ()  # the bills given but not in force on law_as_of

    def value(self, question_id: str) -> Any:
        return self.values.get(question_id, NOT_PROVIDED)


def check_answers_document(document: Document, questionnaire: Questionnaire | None) -> tuple[Answers | None, list[InputError]]:
    """The answers, or every problem found, in the order of the document (the first is what the CLI reports).

    ``questionnaire`` is that of the round the document names (None when that round is unknown,
    which the caller reports: selfcheck.engine.answers.rounds.check_answers). A form marks each problem beside its
    field, so one bad answer does not hide the next.
    """
    problems = _check_head(document)
    data = document.data
    if not isinstance(data, dict) or questionnaire is None or data.get("round") != questionnaire.round:
        return None, problems
    values: dict[str, Any] = {}
    texts: dict[str, dict[str, str]] = {name: {} for name in EVIDENCE_TEXTS}
    inferred_from: dict[str, tuple[str, ...]] = {}
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        return None, problems + [document.error("expected a mapping of question ids to answers", ("answers",))]
    for question_id, given in answers.items():
        keys = ("answers", question_id)
        try:
            if isinstance(given, dict) and "inferred_from" in given:
                inferred_from[question_id] = _recommendation_ids(document, keys + ("inferred_from",), given["inferred_from"])
                given = {key: text for key, text in given.items() if key != "inferred_from"}
            values[question_id], found = read_answer(document, questionnaire, keys, given, EVIDENCE_TEXTS, extra=("inferred_from",))
        except InputError as problem:
            problems.append(problem)
            continue
        for name, text in found.items():
            texts[name][question_id] = text
    if problems:
        return None, problems
    as_of = read_date(document, ("as_of",)) if data.get("as_of") is not None else None
    answers_read = Answers(
        party=data["party"].strip(),
        round=data["round"],
        as_of=as_of,
        values=values,
        sources=texts["source"],
        notes=texts["note"],
        quotes=texts["quote"],
        inferred_from=inferred_from,
    )
    return answers_read, []


def _recommendation_ids(document: Document, keys: tuple, given: Any) -> tuple[str, ...]:
    ids = given if isinstance(given, list) else [given]
    if not ids or not all(isinstance(i, str) and RECOMMENDATION_ID.match(i) for i in ids):
        raise document.error(f"expected a recommendation id such as IV-4, or a list of them, got {_describe(given)}", keys)
    return tuple(ids)


def render_answers(answers: Answers, questionnaire: Questionnaire, comments: Iterable[str] = ()) -> str:
    """An answers file for ``answers``, in the questionnaire's order under a comment per section.

    Written as our reader reads it back: yes and no as text, no tags, texts quoted or, when they
    run over several lines, as literal blocks; each answer with its source and note.
    """
    lines = [f"# {line}".rstrip() for line in comments]
    lines += [f"party: {yaml_scalar(answers.party)}", f"round: {yaml_scalar(answers.round)}"]
    if answers.as_of:
        lines.append(f"as_of: {answers.as_of.isoformat()}")
    lines.append("answers:" if answers.values else "answers: {}")
    for section in questionnaire.sections:
        written = [q.id for q in section.questions if q.id in answers.values]
        if written:
            lines += [""] * (lines[-1] != "answers:") + [f"  # {section.number}. {section.title} (chapter {section.chapter})"]
        for question_id in written:
            value = yaml_value(answers.value(question_id), "      ")
            texts = [
                (name, yaml_scalar(given[question_id]))
                for name, given in (("source", answers.sources), ("note", answers.notes), ("quote", answers.quotes), ("inferred_from", answers.inferred_from))
                if question_id in given
            ]
            if not texts:
                lines.append(f"  {question_id}: {value}")
                continue
            lines += [f"  {question_id}:", f"    value: {value}"]
            lines += [f"    {name}: {text}" for name, text in texts]
    return "\n".join(lines) + "\n"


def answers_text(answers: Answers, questionnaire: Questionnaire, comments: Iterable[str], path: Path) -> str:
    """The answers file to write at ``path``, read back first: it must give exactly ``answers``, or
    nothing is written (EngineError)."""
    text = render_answers(answers, questionnaire, comments)
    again, problems = check_answers_document(document_from_text(path, text), questionnaire)
    if problems or again != answers:
        raise EngineError(f"{path}: the answers would not read back as given; nothing was written")
    return text


def yaml_value(value: Any, indent: str) -> str:
    """A text of several lines as a literal block, when YAML keeps every character of it as it is."""
    if isinstance(value, str) and "\n" in value and value == value.strip() and not YAML_UNSAFE.search(value):
        return "|-\n" + "\n".join(indent + line if line else "" for line in value.split("\n"))
    return yaml_scalar(value)


def read_answer(
    document: Document,
    questionnaire: Questionnaire,
    keys: tuple,
    given: Any,
    texts: tuple[str, ...] = ANSWER_TEXTS,
    required: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
) -> tuple[Any, dict[str, str]]:
    """One answer at ``keys`` (its last key the question id), checked: its value and its texts.

    An answer is written short (the value alone) or long (a mapping with value and ``texts``); a
    field in ``required`` makes the long form obligatory. Shared by answers files and amendments.
    """
    question_id = keys[-1]
    question = questionnaire.question(question_id) if isinstance(question_id, str) else None
    if question is None:
        raise document.error(_unknown_question(question_id, questionnaire), keys)
    found: dict[str, str] = {}
    if isinstance(given, dict) or required:
        optional = tuple(text for text in texts + extra if text not in required)
        shape = f"a mapping with {in_words(('value',) + required)}" + (f" and optionally {in_words(optional)}" if optional else "")
        expected = shape if required else f"an answer, or {shape}"
        if not isinstance(given, dict):
            raise document.error(f"expected {expected}, got {_describe(given)}", keys)
        unknown = sorted(map(str, set(given) - {"value", *texts}))
        missing = [field for field in ("value",) + required if field not in given]
        if unknown or missing:
            raise document.error(f"expected {expected}; " + (f"unknown field {unknown[0]!r}" if unknown else f"{missing[0]} is missing"), keys)
        for field in texts:
            if field in given and not (isinstance(given[field], str) and given[field].strip()):
                raise document.error(f"expected {field} to be a text", keys + (field,))
            if given.get(field) and text_problem(given[field]):
                raise document.error(f"the {field} {text_problem(given[field])}", keys + (field,))
            if given.get(field):
                found[field] = given[field].strip()
        keys, given = keys + ("value",), given["value"]
    if question.type == "text" and isinstance(given, str) and text_problem(given):
        raise document.error(f"the answer {text_problem(given)}", keys)
    try:
        value = question.check(given)
    except ValueError as problem:
        raise document.error(str(problem), keys) from None
    if value == VARIES and "note" in texts and "note" not in found:
        raise document.error(VARIES_WITHOUT_NOTE, keys[:-1] if keys[-1] == "value" else keys)
    return value, found


def read_date(document: Document, keys: tuple) -> datetime.date:
    """The date at ``keys`` of a mapping document, written YYYY-MM-DD (quoted or not)."""
    value = document.data.get(keys[0])
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            pass
    if type(value) is not datetime.date:
        raise document.error(f"expected a date written YYYY-MM-DD, got {value!r}", keys)
    return value


def in_words(words: tuple[str, ...]) -> str:
    """('a', 'b', 'c') -> 'a, b and c'."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def _check_head(document: Document) -> list[InputError]:
    data = document.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        return [document.error(f"expected a mapping with {', '.join(TOP_LEVEL)}; got {kind}")]
    problems = [document.error(f"unknown field {key!r}; expected only {', '.join(TOP_LEVEL)}", (key,)) for key in data if key not in TOP_LEVEL]
    for key in ("party", "round"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(document.error(f"expected {TOP_LEVEL[key]} as a text", (key,)))
        elif name_problem(data[key]):
            problems.append(document.error(f"{TOP_LEVEL[key]} {name_problem(data[key])}", (key,)))
    if "answers" not in data:
        problems.append(document.error("the field 'answers' is required: a mapping of question ids to answers"))
    if data.get("as_of") is not None:
        try:
            read_date(document, ("as_of",))
        except InputError as problem:
            problems.append(problem)
    return problems


def _unknown_question(question_id: Any, questionnaire: Questionnaire) -> str:
    if not isinstance(question_id, str):
        return f"expected a question id as key, got {question_id!r}"
    close = difflib.get_close_matches(question_id, questionnaire.questions, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "; `selfcheck schema` lists the questions"
    return f"unknown question {question_id!r}{hint}"
