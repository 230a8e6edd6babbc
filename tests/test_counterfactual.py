"""The smallest answer changes that clear or trigger a rule are correct, truly smallest, and all of them.

The expected ones are data, in tests/lanzarote-2/counterfactuals.yaml, which `make mutate` checks too.
"""

from __future__ import annotations

from itertools import combinations
from math import prod

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import COUNTERFACTUAL_CASES, ROUND
from exhaustive import every_smallest_change
from selfcheck.engine.assessment.counterfactual import MAX_CHANGES, candidate_answers, questions_read, smallest_changes
from selfcheck.engine.drafting.plan import load_preferences
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


def _candidates(item, answers) -> dict:
    questionnaire = RULEBOOK.questionnaire
    return {q: [v for v in candidate_answers(questionnaire.question(q), item.condition) if v != answers.value(q)] for q in questions_read(item)}


# Trying every change of II-12's four extortion lists (33 answers each) takes seconds an example: it is left
# to the search, which clears its elements one by one, and to its cases.
TRIED = [
    item
    for item in [*CONDITIONAL, *(o for o in RULEBOOK.observations if o.condition is not None)]
    if prod(len(values) + 1 for values in _candidates(item, answers_from({}, RULEBOOK.questionnaire)).values()) < 10_000
]
LAST_RESORT = frozenset(load_preferences(ROUND).last_resort)


@SETTINGS
@given(values=answer_values(RULEBOOK.questionnaire), item=st.sampled_from(TRIED), fire=st.booleans(), keep=st.sampled_from([frozenset(), LAST_RESORT]))
def test_the_smallest_changes_are_every_smallest_set_that_trying_every_change_finds(values, item, fire, keep):
    answers = answers_from(values, RULEBOOK.questionnaire)
    candidates = {q: values for q, values in _candidates(item, answers).items() if q not in keep}
    expected = every_smallest_change(candidates, answers.value, lambda answer_of: holds(item.condition, answer_of) == fire, MAX_CHANGES)
    assert smallest_changes(item, answers.value, RULEBOOK.questionnaire, fire, keep) == expected
