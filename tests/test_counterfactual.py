"""The smallest answer changes that clear or trigger a rule are correct and truly smallest."""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROUND
from engine import rounds
from engine.conditions import holds
from engine.counterfactual import smallest_changes
from strategies import answer_values, answers_from

RULEBOOK = rounds.rulebook(ROUND)
CONDITIONAL = [rule for rule in RULEBOOK.rules if rule.condition is not None]
# Drawing a whole answer set is slow on a busy machine; the other property tests allow it too.
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_albania_clears_iv6_only_by_dropping_dual_criminality(rulebook, albania):
    changes = smallest_changes(rulebook.by_id["IV-6"], albania.value, rulebook.questionnaire, fire=False)
    assert changes == [{"jurisdiction.dual_criminality.core_offences": "no"}]


def test_albania_clears_ii6_by_one_change_of_scope_but_not_by_one_exemption(rulebook, albania):
    changes = smallest_changes(rulebook.by_id["II-6"], albania.value, rulebook.questionnaire, fire=False)
    assert {"legal.possession.criminalised": "no"} in changes
    assert {"legal.age_of_criminal_responsibility": 18} in changes
    assert all(len(change) == 1 for change in changes)


def test_a_recommendation_addressed_to_all_parties_cannot_be_cleared(rulebook, albania):
    assert smallest_changes(rulebook.by_id["III-30"], albania.value, rulebook.questionnaire, fire=False) == []


def test_a_rule_already_silent_needs_no_change_to_stay_silent(rulebook, compliant):
    assert smallest_changes(rulebook.by_id["IV-6"], compliant.value, rulebook.questionnaire, fire=False) == [{}]


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
