"""A Party's answers to a round's questionnaire: validated, with the source each answer rests on."""

from __future__ import annotations

import datetime
import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from . import rounds
from .documents import Document, read_document
from .questionnaire import NOT_PROVIDED, Questionnaire

TOP_LEVEL = {"party": "the Party's name", "round": "the monitoring round", "as_of": "the date the answers describe", "answers": "the answers"}
ANSWER_FIELDS = ("value", "source", "note")


class Answers(BaseModel):
    """Every answer given; a question left out is answered ``not_provided``."""

    model_config = ConfigDict(frozen=True)

    party: str
    round: str
    as_of: datetime.date | None = None
    values: dict[str, Any]
    sources: dict[str, str] = {}
    notes: dict[str, str] = {}

    def value(self, question_id: str) -> Any:
        return self.values.get(question_id, NOT_PROVIDED)


def load_answers(path: str | Path) -> Answers:
    return answers_from_document(read_document(path))


def answers_from_document(document: Document) -> Answers:
    head = _check_head(document)
    questionnaire = rounds.questionnaire(head["round"])
    values, sources, notes = {}, {}, {}
    answers = document.data.get("answers", {})
    if not isinstance(answers, dict):
        raise document.error("expected a mapping of question ids to answers", ("answers",))
    for question_id, given in answers.items():
        keys = ("answers", question_id)
        question = questionnaire.question(question_id) if isinstance(question_id, str) else None
        if question is None:
            raise document.error(_unknown_question(question_id, questionnaire), keys)
        if isinstance(given, dict):
            unknown = set(given) - set(ANSWER_FIELDS)
            if unknown or "value" not in given:
                raise document.error(
                    "expected an answer, or a mapping with value and optionally source and note"
                    + (f"; unknown field {sorted(map(str, unknown))[0]!r}" if unknown else "; value is missing"),
                    keys,
                )
            for field in ("source", "note"):
                if field in given and not (isinstance(given[field], str) and given[field].strip()):
                    raise document.error(f"expected {field} to be a text", keys + (field,))
            if given.get("source"):
                sources[question_id] = given["source"].strip()
            if given.get("note"):
                notes[question_id] = given["note"].strip()
            keys, given = keys + ("value",), given["value"]
        try:
            values[question_id] = question.check(given)
        except ValueError as problem:
            raise document.error(str(problem), keys) from None
    return Answers(party=head["party"], round=head["round"], as_of=head["as_of"], values=values, sources=sources, notes=notes)


def _check_head(document: Document) -> dict:
    data = document.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        raise document.error(f"expected a mapping with {', '.join(TOP_LEVEL)}; got {kind}")
    for key in data:
        if key not in TOP_LEVEL:
            raise document.error(f"unknown field {key!r}; expected only {', '.join(TOP_LEVEL)}", (key,))
    for key in ("party", "round"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise document.error(f"expected {TOP_LEVEL[key]} as a text", (key,))
    if "answers" not in data:
        raise document.error("the field 'answers' is required: a mapping of question ids to answers")
    as_of = data.get("as_of")
    if isinstance(as_of, str):
        try:
            as_of = datetime.date.fromisoformat(as_of)
        except ValueError:
            pass
    if as_of is not None and type(as_of) is not datetime.date:
        raise document.error(f"expected a date written YYYY-MM-DD, got {as_of!r}", ("as_of",))
    if data["round"] not in rounds.known_rounds():
        raise document.error(f"unknown round {data['round']!r}; known rounds: {', '.join(rounds.known_rounds())}", ("round",))
    return {"party": data["party"].strip(), "round": data["round"], "as_of": as_of}


def _unknown_question(question_id: Any, questionnaire: Questionnaire) -> str:
    if not isinstance(question_id, str):
        return f"expected a question id as key, got {question_id!r}"
    close = difflib.get_close_matches(question_id, questionnaire.questions, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "; `selfcheck schema` lists the questions"
    return f"unknown question {question_id!r}{hint}"
