"""Fuzzing the answers loader and the assessor: the only exception that may escape is InputError."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ALBANIA, ROUND
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.rules import rulebooks

RULEBOOK = rulebooks.rulebook(ROUND)
QUESTION_IDS = sorted(RULEBOOK.questionnaire.questions)
ALBANIA_TEXT = ALBANIA.read_text(encoding="utf-8")
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["yes", "no", "not_provided", "lanzarote-2", "2024-02-30", "health", "specific_offence"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8) | st.sampled_from(["value", "source", "note"]), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(["party", "round", "as_of", "answers", "answer", ""]) | st.text(max_size=6)


def _load_and_assess(path: Path) -> None:
    try:
        answers = load_answers(path)
    except InputError as error:
        assert str(error).startswith(str(path)), str(error)
        return
    assess(answers, RULEBOOK, include_draft=True)


@FUZZ
@given(
    document=st.dictionaries(KEYS, VALUES, max_size=5),
    answers=st.dictionaries(st.sampled_from(QUESTION_IDS) | st.text(max_size=10), VALUES, max_size=8),
    suffix=st.sampled_from([".json", ".yaml"]),
)
def test_arbitrary_documents_either_load_and_assess_or_raise_input_error(document, answers, suffix):
    document = {**document, "answers": answers} if answers else document
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"fuzz{suffix}"
        try:
            path.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
        except (TypeError, ValueError, OverflowError):
            return
        _load_and_assess(path)


@FUZZ
@given(data=st.data())
def test_randomly_edited_albania_files_either_load_and_assess_or_raise_input_error(data):
    text = ALBANIA_TEXT
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(text)))
        insert = data.draw(
            st.text(max_size=4)
            | st.sampled_from(["\t", ":", "- ", "{", "]", "*a", "&a ", "!!python/name:os.system ", "\n  ", "'", '"', "\\", "\x00", "\ufeff"])
        )
        cut = data.draw(st.integers(0, 8))
        text = text[:position] + insert + text[position + cut :]
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "edited.yaml"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        _load_and_assess(path)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_either_load_and_assess_or_raise_input_error(raw):
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bytes.yaml"
        path.write_bytes(raw)
        _load_and_assess(path)


@FUZZ
@given(
    head=st.fixed_dictionaries(
        {
            "title": st.just("A bill") | VALUES,
            "reference": st.just("Draft law 1/2024") | VALUES,
            "date": st.sampled_from(["2024-01-01", "2024-02-30", "soon"]) | VALUES,
        },
        optional={"sponsor": VALUES},
    ),
    changes=st.dictionaries(
        st.sampled_from(QUESTION_IDS) | st.text(max_size=10),
        st.fixed_dictionaries({"value": VALUES, "note": st.just("a provision") | VALUES}) | VALUES,
        max_size=6,
    ),
    applies=st.booleans(),
)
def test_arbitrary_amendments_either_apply_and_assess_or_raise_input_error(head, changes, applies):
    from selfcheck.engine.answers.amendments import resolve

    document = {**head, "changes": changes}
    if applies:
        document["applies_to"] = str(ALBANIA)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bill.json"
        try:
            path.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
        except (TypeError, ValueError, OverflowError):
            return
        try:
            resolved = resolve(path)
        except InputError as error:
            assert str(error).startswith(str(path)), str(error)
            return
        assess(resolved.answers, RULEBOOK, include_draft=True)
