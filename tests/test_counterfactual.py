"""The smallest answer changes that clear or trigger a rule are correct and truly smallest.

The expected ones are data, in tests/lanzarote-2/counterfactuals.yaml, which `make mutate` checks too.
"""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import COUNTERFACTUAL_CASES, ROUND
from selfcheck.engine.assessment.counterfactual import smallest_changes
from selfcheck.engine.rule_testing.counterfactual_cases import load_counterfactual_cases
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.rules.conditions import holds
from strategies import answer_values, answers_from

RULEBOOK = rulebooks.rulebook(ROUND)
CONDITIONAL = [rule for rule in RULEBOOK.rules if rule.condition is not None]
# Drawing a whole answer set is slow on a busy machine; the other property tests allow it too.
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


CASES = load_counterfactual_cases(COUNTERFACTUAL_CASES, RULEBOOK.questionnaire).smallest_changes


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_smallest_changes_are_those_expected(case):
    found = case.found(RULEBOOK.by_id[case.rule], case.starting_answers(), RULEBOOK.questionnaire)
    assert not case.failures(found), "; ".join(case.failures(found))


@SETTINGS
@given(values=answer_values(RULEBOOK.questionnaire), rule=st.sampled_from(CONDITIONAL), fire=st.booleans())
def test_every_change_set_found_works_and_none_of_its_parts_would(values, rule, fire):
    answers = answers_from(values, RULEBOOK.questionnaire)
    for changes in smallest_changes(rule, answers.value, RULEBOOK.questionnaire, fire):
        assert holds(rule.condition, lambda q: changes.get(q, answers.value(q))) == fire
        for size in range(len(changes)):
            for part in combinations(changes, size):
                kept = {q: changes[q] for q in part}
                assert holds(rule.condition, lambda q: kept.get(q, answers.value(q))) != fire, f"{kept} already suffices"
