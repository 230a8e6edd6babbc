"""The checked-in JSON Schema of answers files is current, and agrees with the validator."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conftest import ROUND, run_selfcheck
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.rounds import answers_of
from selfcheck.engine.answers.schema import answers_schema
from selfcheck.engine.common import data
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import Document

QUESTIONNAIRE = rounds.questionnaire(ROUND)
SCHEMA = answers_schema(QUESTIONNAIRE)
VALIDATOR = Draft202012Validator(SCHEMA)


def test_the_checked_in_schema_is_the_one_selfcheck_generates():
    checked_in = json.loads(rounds.schema_path(ROUND).read_text(encoding="utf-8"))
    assert checked_in == SCHEMA, f"regenerate it: selfcheck schema > {rounds.schema_path(ROUND).relative_to(data.DATA_ROOT)}"


def test_selfcheck_schema_prints_it():
    result = run_selfcheck("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout) == SCHEMA


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


ANY_VALUE = st.one_of(
    st.sampled_from(["yes", "no", "not_provided", "", " ", "Yes", "specific_offence", "health", "education"]),
    st.booleans(),
    st.none(),
    st.integers(-3, 25),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-2, max_value=20),
    st.lists(st.sampled_from(["health", "education", "schools", "health"]), max_size=4),
    st.text(max_size=5),
    st.fixed_dictionaries(
        {"value": st.sampled_from(["yes", 14, "not_provided"])}, optional={"source": st.sampled_from(["Para. 1", "", 3]), "extra": st.just(1)}
    ),
)
QUESTION_IDS = st.sampled_from(sorted(QUESTIONNAIRE.questions) + ["legal.unknown"])


@settings(deadline=None)
@given(answers=st.dictionaries(QUESTION_IDS, ANY_VALUE, max_size=6))
def test_the_schema_and_the_validator_accept_the_same_answers(answers):
    document = {"party": "Testland", "round": ROUND, "as_of": "2024-01-01", "answers": answers}
    schema_accepts = VALIDATOR.is_valid(document)
    try:
        answers_of(Document(file="generated.yaml", data=document))
        validator_accepts = True
    except InputError:
        validator_accepts = False
    assert schema_accepts == validator_accepts, f"schema says {schema_accepts}, validator says {validator_accepts}"


def test_albanias_answers_satisfy_the_schema():
    from conftest import ALBANIA
    from selfcheck.engine.common.safe_files import read_document

    data = read_document(ALBANIA).data
    data["as_of"] = data["as_of"].isoformat()
    assert VALIDATOR.is_valid(data), [e.message for e in VALIDATOR.iter_errors(data)]
