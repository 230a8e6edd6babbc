"""Per-rule cases, one YAML file per chapter in tests/lanzarote-2/, each case named as a sentence.

A case starts from the fictional compliant Party, changes the answers under ``given``, and states
which recommendations must fire and which must not, and which observations the Committee makes.
engine/cases.py reads and runs them; here they run on durable-rules, as the product does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROUND
from engine.cases import durable, load_cases, run_case

CASES = load_cases(Path(__file__).resolve().parent / ROUND)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_rule_case(case, rulebook, compliant):
    failures = run_case(case, compliant, rulebook, durable)
    assert not failures, f"{case.file.name}:{case.line}: " + "; ".join(failures)


def test_every_conditional_rule_has_a_case_where_it_fires_and_one_where_it_does_not(rulebook):
    fires = {rule_id for case in CASES for rule_id in case.fires}
    silent = {rule_id for case in CASES for rule_id in case.does_not_fire}
    conditional = {rule.id for rule in rulebook.rules if rule.condition is not None}
    assert not conditional - fires, f"no case shows these rules firing: {sorted(conditional - fires)}"
    assert not conditional - silent, f"no case shows these rules silent: {sorted(conditional - silent)}"


def test_every_observation_has_a_case_where_it_holds_and_one_where_it_does_not(rulebook):
    holds = {i for case in CASES for i in case.observes}
    silent = {i for case in CASES for i in case.does_not_observe}
    every = {observation.id for observation in rulebook.observations}
    assert not every - holds, f"no case shows these observations holding: {sorted(every - holds)}"
    assert not every - silent, f"no case shows these observations silent: {sorted(every - silent)}"
