"""selfcheck plan: the smallest set of answer changes that clears a Party's recommendations."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ALBANIA, COMPLIANT, ROUND, run_selfcheck, with_answers
from exhaustive import every_smallest_change
from selfcheck.engine.answers.amendments import apply, resolve
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.assessment.counterfactual import candidate_answers, questions_read
from selfcheck.engine.drafting.plan import load_preferences, plan
from selfcheck.engine.rules.conditions import holds

UNCLEARABLE = {"III-30": "require", "V-3": "request", "IX-3": "require"}  # addressed to all Parties


def _albania_plan(rulebook, albania, levels=("require", "request")):
    return plan(albania, ALBANIA, rulebook, levels)


def test_the_plan_for_albania_clears_every_require_and_request_recommendation_an_answer_can_clear(rulebook, albania):
    result = _albania_plan(rulebook, albania)
    wanted = {f.id for f in assess(albania, rulebook).recommendations if f.level in ("require", "request")}
    assert set(result.cleared) == wanted - set(UNCLEARABLE)
    assert {f.id: f.level for f in result.uncleared} == UNCLEARABLE
    assert result.new == () and result.not_together == ()


def test_every_change_albanias_plan_proposes_is_needed_and_together_they_clear_what_it_claims(rulebook, albania):
    result = _albania_plan(rulebook, albania)
    assert not set(result.cleared) & set(assess(apply(albania, result.amendment), rulebook).ids())
    for question in result.changes:
        fewer = {q: value for q, value in result.changes.items() if q != question}
        amended = albania.model_copy(update={"values": {**albania.values, **fewer}})
        assert set(result.cleared) & set(assess(amended, rulebook).ids()), f"{question}: the plan clears as much without it"


def test_the_plan_is_as_small_as_any_change_of_answers_that_clears_the_same_recommendations(rulebook, compliant):
    # share the lack of action (one change for four), X-4 asks for compulsory training too,
    # and VI-1's free-of-charge element is independent of them
    answers = with_answers(compliant, professionals__action_taken="no", professionals__training_compulsory="no", assistance__helpline_free_of_charge="no")
    result = plan(answers, Path("small.yaml"), rulebook, ("require",))
    rules = [rulebook.by_id[rule_id] for rule_id in result.cleared]
    assert {rule.id for rule in rules} == {"X-4", "X-5", "X-6", "X-7", "VI-1"} and result.not_together == ()
    assert {f.id: f.level for f in result.uncleared} == {i: level for i, level in UNCLEARABLE.items() if level == "require"}
    assert len(result.changes) == _fewest_changes_clearing(rules, answers, rulebook.questionnaire) == 3


def _fewest_changes_clearing(rules, answers, questionnaire) -> int:
    """By trying every set of changes, smallest first, to the questions the rules read (no answer narrowing the law)."""
    questions = sorted({q for rule in rules for q in questions_read(rule)} - set(load_preferences(ROUND).last_resort))
    conditions = [rule.condition for rule in rules]
    candidates = {q: [v for v in candidate_answers(questionnaire.question(q), *conditions) if v != answers.value(q)] for q in questions}
    (fewest, *_) = every_smallest_change(candidates, answers.value, lambda answer_of: not any(holds(c, answer_of) for c in conditions), len(questions))
    return len(fewest)


def test_the_plan_lists_for_every_recommendation_the_changes_that_would_resolve_it(rulebook, albania):
    for target in _albania_plan(rulebook, albania).targets:
        rule = rulebook.by_id[target.finding.id]
        assert target.options, target.finding.id
        for option in target.options:
            amended = albania.model_copy(update={"values": {**albania.values, **option}})
            assert rule.id not in assess(amended, rulebook).ids()
            assert set(option) <= set(questions_read(rule))


def test_the_plan_exempts_children_rather_than_decriminalising_possession_or_raising_the_age(rulebook, albania):
    result = _albania_plan(rulebook, albania)
    (ii6,) = [t for t in result.targets if t.finding.id == "II-6"]
    assert ii6.options == (
        {
            "legal.possession.exempt_own_images": "yes",
            "legal.possession.exempt_with_consent": "yes",
            "legal.possession.exempt_passive_receipt": "yes",
            "legal.possession.exemptions_from_age_of_criminal_responsibility": "yes",
        },
    )
    assert {"legal.possession.criminalised": "no"} in ii6.last_resort
    assert not set(result.changes) & set(load_preferences(ROUND).last_resort)
    assert result.changes["legal.sharing.prosecuted_as_last_resort"] == "yes", "II-9 by last resort, not by decriminalising"


def test_the_plan_aims_at_the_answers_of_a_fully_compliant_party(rulebook, compliant):
    preferences = load_preferences(ROUND)
    assert all(compliant.value(q) == value for q, value in preferences.aims.items())
    read = {q for rule in rulebook.rules if rule.condition is not None for q in questions_read(rule)}
    assert read <= set(preferences.aims) | set(preferences.last_resort), "every question a rule reads has an aim or is a last resort"


def test_the_written_plan_diffed_against_albania_resolves_every_require_and_request_recommendation(tmp_path, rulebook, albania):
    path = tmp_path / "drafts" / "plan.yaml"
    path.parent.mkdir()
    result = run_selfcheck("plan", ALBANIA, "-o", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"{len(_albania_plan(rulebook, albania).changes)} answer changes clear 22 require/request recommendations" in result.stderr
    text = path.read_text()
    assert "#   II-6   request  legal.possession.exempt_own_images: yes," in text
    assert "No change of answers clears III-30 (require), V-3 (request), IX-3 (require)" in text
    assert "They create no new recommendation." in text
    assert resolve(path).answers_file.resolve() == ALBANIA.resolve()
    diff = json.loads(run_selfcheck("diff", ALBANIA, path, "--format", "json").stdout)
    assert diff["new"] == [] and diff["changed"] == []
    assert {e["level"] for e in diff["resolved"]} == {"require", "request"} and len(diff["resolved"]) == 22
    ci = run_selfcheck("diff", ALBANIA, path, "--fail-on", "request", "--fail-on", "new")
    assert ci.returncode == 0, ci.stderr


def test_the_plan_prints_to_stdout_an_amendment_relative_to_the_current_directory(tmp_path):
    result = run_selfcheck("plan", ALBANIA, "--clear", "require", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (tmp_path / "plan.yaml").write_text(result.stdout)
    diff = json.loads(run_selfcheck("diff", ALBANIA, tmp_path / "plan.yaml", "--format", "json").stdout)
    required = [e for e in diff["resolved"] if e["level"] == "require"]
    assert len(required) == 11
    # X-1 shares the lack of action with but reads the knowledge its own text asks for:
    # clearing the requirements does not clear it
    assert {e["id"] for e in diff["resolved"] if e["level"] == "request"} == set()


def test_the_plan_can_clear_invitations_too(rulebook, albania):
    result = _albania_plan(rulebook, albania, ("require", "request", "invite"))
    assert {"II-12", "IV-7", "IV-8"} <= set(result.cleared) and result.new == ()
    assert {result.changes[f"legal.extortion.offences.{purpose}"] for purpose in ("images", "sexual_favours")} == {("specific_offence",)}


def test_an_unknown_level_to_clear_is_refused_with_exit_2():
    result = run_selfcheck("plan", ALBANIA, "--clear", "require,urge")
    assert result.returncode == 2 and "expected levels among require, request, invite" in result.stderr


def test_a_plan_needs_no_change_when_nothing_is_left_to_clear(rulebook, compliant):
    result = plan(compliant, Path("compliant.yaml"), rulebook, ("require", "request"))
    assert result.changes == {} and result.cleared == ()


def test_the_plan_writes_nothing_when_nothing_is_left_to_clear(tmp_path):
    result = run_selfcheck("plan", COMPLIANT, "-o", tmp_path / "plan.yaml")
    assert result.returncode == 0 and result.stdout == ""
    assert "nothing written" in result.stderr and not (tmp_path / "plan.yaml").exists()
