"""Per-rule cases, one YAML file per chapter in tests/lanzarote-2/, each case named as a sentence.

A case starts from the fictional compliant Party, changes the answers under ``given``, and states
which recommendations must fire and which must not, and which observations the Committee makes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROUND, with_answers
from engine.assess import assess
from engine.documents import read_document

CASE_DIR = Path(__file__).resolve().parent / ROUND


def _cases():
    for path in sorted(CASE_DIR.glob("[0-9][0-9]-*.yaml")):
        document = read_document(path)
        for case in document.data["cases"]:
            yield pytest.param(document.data["chapter"], case, id=case["name"])


CASES = list(_cases())


@pytest.mark.parametrize("chapter, case", CASES)
def test_rule_case(chapter, case, rulebook, compliant):
    answers = with_answers(compliant, **{key.replace(".", "__"): _stored(value) for key, value in case["given"].items()})
    assessment = assess(answers, rulebook, include_draft=case.get("include_draft", False))
    fired = set(assessment.ids())
    observed = {observation.id for observation in assessment.observations}
    for rule_id in case.get("fires", []) + case.get("does_not_fire", []):
        assert rulebook.by_id[rule_id].chapter == chapter, f"{rule_id} is not a chapter {chapter} rule"
    for observation_id in case.get("observes", []) + case.get("does_not_observe", []):
        assert rulebook.observation_by_id[observation_id].chapter == chapter, f"{observation_id} is not a chapter {chapter} observation"
    missing = sorted(set(case.get("fires", [])) - fired)
    unexpected = sorted(set(case.get("does_not_fire", [])) & fired)
    assert not missing and not unexpected, f"did not fire: {missing}; fired although it should not: {unexpected}"
    missing = sorted(set(case.get("observes", [])) - observed)
    unexpected = sorted(set(case.get("does_not_observe", [])) & observed)
    assert not missing and not unexpected, f"not observed: {missing}; observed although it should not be: {unexpected}"


def _stored(value):
    return tuple(value) if isinstance(value, list) else value


def test_every_conditional_rule_has_a_case_where_it_fires_and_one_where_it_does_not(rulebook):
    fires = {rule_id for _, case in (p.values for p in CASES) for rule_id in case.get("fires", [])}
    silent = {rule_id for _, case in (p.values for p in CASES) for rule_id in case.get("does_not_fire", [])}
    conditional = {rule.id for rule in rulebook.rules if rule.condition is not None}
    assert not conditional - fires, f"no case shows these rules firing: {sorted(conditional - fires)}"
    assert not conditional - silent, f"no case shows these rules silent: {sorted(conditional - silent)}"


def test_every_observation_has_a_case_where_it_holds_and_one_where_it_does_not(rulebook):
    holds = {i for _, case in (p.values for p in CASES) for i in case.get("observes", [])}
    silent = {i for _, case in (p.values for p in CASES) for i in case.get("does_not_observe", [])}
    every = {observation.id for observation in rulebook.observations}
    assert not every - holds, f"no case shows these observations holding: {sorted(every - holds)}"
    assert not every - silent, f"no case shows these observations silent: {sorted(every - silent)}"


def test_every_case_starts_from_valid_answers(questionnaire):
    for _, case in (p.values for p in CASES):
        for question_id, value in case["given"].items():
            question = questionnaire.question(question_id)
            assert question is not None, f"{case['name']}: unknown question {question_id}"
            question.check(value)
