"""Properties of diff, amendments and plan, checked on generated answers and amendments."""

from __future__ import annotations

import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROUND
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import Amendment, apply, invert
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.drafting.diff import compare
from selfcheck.engine.drafting.plan import plan
from selfcheck.engine.rules import rulebooks
from strategies import answer_to, answer_values, answers_from

QUESTIONNAIRE = rounds.questionnaire(ROUND)
RULEBOOK = rulebooks.rulebook(ROUND)
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEVEL_SETS = [("require",), ("require", "request"), ("require", "request", "invite"), ("invite",)]


@st.composite
def amendments(draw) -> Amendment:
    """A bill changing a few answers (at least one), each to any valid answer."""
    questions = draw(st.lists(st.sampled_from(sorted(QUESTIONNAIRE.questions)), min_size=1, max_size=8, unique=True))
    changes = {q: draw(answer_to(QUESTIONNAIRE.question(q))) for q in questions}
    return Amendment(
        title="A generated bill",
        reference="No. 1",
        date=datetime.date(2024, 1, 1),
        applies_to=Path("generated.yaml"),
        changes=changes,
        notes={q: "a provision" for q in changes},
    )


def _side(entries) -> dict:
    """Entries by id, with what they are (a level and block, or an observation's tone) and why."""
    return {
        e.id: (getattr(e, "level", None) or e.tone, getattr(e, "block", None), [(c.question, c.before, c.after) for c in e.answer_changes]) for e in entries
    }


@SETTINGS
@given(values=answer_values(QUESTIONNAIRE), include_draft=st.booleans())
def test_a_diff_of_answers_with_themselves_is_empty(values, include_draft):
    answers = answers_from(values, QUESTIONNAIRE)
    comparison = compare(answers, answers, RULEBOOK, include_draft)
    assert comparison.diff.resolved == comparison.diff.new == comparison.diff.changed == []
    observations = comparison.diff.observations
    assert observations.dropped == observations.added == observations.reworded == []
    assert comparison.diff.unchanged == len(comparison.base.recommendations)
    assert comparison.still_applying == ()


@SETTINGS
@given(values=answer_values(QUESTIONNAIRE), amendment=amendments())
def test_a_diff_mirrors_the_diff_the_other_way(values, amendment):
    base = answers_from(values, QUESTIONNAIRE)
    other = apply(base, amendment)
    forward, backward = compare(base, other, RULEBOOK).diff, compare(other, base, RULEBOOK).diff
    swapped = lambda side: {i: (level, block, [(q, after, before) for q, before, after in changes]) for i, (level, block, changes) in side.items()}  # noqa: E731
    assert _side(forward.resolved) == swapped(_side(backward.new))
    assert _side(forward.new) == swapped(_side(backward.resolved))
    assert {m.id: (m.level_before, m.block_before, m.level, m.block) for m in forward.changed} == {
        m.id: (m.level, m.block, m.level_before, m.block_before) for m in backward.changed
    }
    assert forward.unchanged == backward.unchanged
    assert _side(forward.observations.dropped) == swapped(_side(backward.observations.added))
    assert _side(forward.observations.added) == swapped(_side(backward.observations.dropped))
    assert {o.id for o in forward.observations.reworded} == {o.id for o in backward.observations.reworded}


@SETTINGS
@given(values=answer_values(QUESTIONNAIRE), amendment=amendments())
def test_applying_an_amendment_and_then_its_inverse_restores_the_original_assessment(values, amendment):
    original = answers_from(values, QUESTIONNAIRE)
    restored = apply(apply(original, amendment), invert(amendment, original))
    assert all(restored.value(q) == original.value(q) for q in QUESTIONNAIRE.questions)
    assert assess(restored, RULEBOOK, include_draft=True).recommendations == assess(original, RULEBOOK, include_draft=True).recommendations


@SETTINGS
@given(values=answer_values(QUESTIONNAIRE), levels=st.sampled_from(LEVEL_SETS))
def test_the_plans_amendment_applied_clears_every_recommendation_it_claims_to(values, levels):
    answers = answers_from(values, QUESTIONNAIRE)
    result = plan(answers, Path("generated.yaml"), RULEBOOK, levels)
    before = assess(answers, RULEBOOK)
    after = set(assess(apply(answers, result.amendment), RULEBOOK).ids()) if result.changes else set(before.ids())
    assert not set(result.cleared) & after, f"still there: {sorted(set(result.cleared) & after)}"
    at_levels = {f.id for f in before.recommendations if f.level in levels}
    assert set(result.cleared) | {f.id for f in result.uncleared} | {f.id for f in result.not_together} == at_levels
    assert {f.id for f in result.not_together} <= after, "what the plan says it does not clear is still there"
    assert {f.id for f in result.new} == after - set(before.ids())
    assert all(RULEBOOK.by_id[f.id].condition is None for f in result.uncleared), "only rules addressed to all Parties resist"
    if "varies" not in values.values():  # without an answer read both ways, every change set agrees with the others
        assert not result.not_together
