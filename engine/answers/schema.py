"""The JSON Schema of an answers file, generated from the questionnaire and checked in beside it."""

from __future__ import annotations

import json

from selfcheck.engine.answers.answer_file import RECOMMENDATION_ID
from selfcheck.engine.answers.questionnaire import VARIES, Questionnaire
from selfcheck.engine.common.characters import NAME_PATTERN, TEXT_PATTERN

NON_BLANK = {"type": "string", "pattern": TEXT_PATTERN}
NAME = {"type": "string", "pattern": NAME_PATTERN}
# A recommendation id as any rulebook writes it (IV-6, R1); the rulebook's own pattern is checked on reading.
RECOMMENDATION = {"type": "string", "pattern": RECOMMENDATION_ID.pattern}


def answers_schema(questionnaire: Questionnaire) -> dict:
    answers = {}
    for question in questionnaire.questions.values():
        value = question.json_schema()
        forms = [value, _long(value)]
        if question.type == "tri_state":  # an answer that varies by region or entity is long, with its note
            given = {"enum": [choice for choice in question.accepted if choice != VARIES]}
            forms = [given, _long(given), {**_long({"const": VARIES}), "required": ["value", "note"]}]
        answers[question.id] = {"title": f"{question.number} {question.prompt}", "description": question.help, "anyOf": forms}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://selfcheck.example/schemas/{questionnaire.round}/answers.schema.json",
        "title": f"Answers to the {questionnaire.round} questionnaire ({questionnaire.version})",
        "description": "An answer is given directly, or as {value, source, note, quote, inferred_from}. A question left out counts as not_provided.",
        "type": "object",
        "required": ["party", "round", "answers"],
        "additionalProperties": False,
        "properties": {
            "party": NAME,
            "round": {"const": questionnaire.round},
            "as_of": {"type": "string", "format": "date"},
            "answers": {"type": "object", "properties": answers, "additionalProperties": False},
        },
    }


def _long(value: dict) -> dict:
    """An answer written long: its value, with the texts beside it."""
    return {
        "type": "object",
        "properties": {
            "value": value,
            "source": NON_BLANK,
            "note": NON_BLANK,
            "quote": NON_BLANK,
            "inferred_from": {"anyOf": [RECOMMENDATION, {"type": "array", "items": RECOMMENDATION, "minItems": 1}]},
        },
        "required": ["value"],
        "additionalProperties": False,
    }


def schema_text(questionnaire: Questionnaire) -> str:
    """The schema as written to a file: the text `selfcheck schema` prints and `selfcheck init` writes."""
    return json.dumps(answers_schema(questionnaire), indent=2, ensure_ascii=False) + "\n"
