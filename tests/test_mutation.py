"""The mutation run (`make mutate`) can fail: weak cases leave survivors, strong ones kill them.

The fixture in tests/mutation/ is a tiny round of its own: a questionnaire, a rulebook of two rules
and an observation (written with two parts of which one is redundant, so that some mutants are
equivalent), and two case sets over the same baseline answers.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from conftest import ROUND
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.questionnaire import load_questionnaire
from selfcheck.engine.rule_testing.cases import load_cases, reference, run_case
from selfcheck.engine.rule_testing.counterfactual_cases import CounterfactualCases, SmallestChangeCase
from selfcheck.engine.rule_testing.mutation import Counterfactuals, Golden, RuleCases, SuiteFails, main, mutants, mutation_run, render
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.rules.conditions import Not, holds
from selfcheck.engine.rules.rulebook import load_rulebook

FIXTURE = Path(__file__).resolve().parent / "mutation"
QUESTIONNAIRE = load_questionnaire(FIXTURE / "questionnaire.yaml")
RULEBOOK = load_rulebook(FIXTURE / "rules", QUESTIONNAIRE)
BASELINE = Answers(
    party="Compliantia",
    round=QUESTIONNAIRE.round,
    values={
        "fixture.possession_criminalised": "yes",
        "fixture.age_of_responsibility": 14,
        "fixture.own_images_exempt": "yes",
        "fixture.sectors_equipped": ("education", "health", "social_protection", "sport"),
        "fixture.terminology": "yes",
    },
)


def _run(case_set: str, *extra_checks):
    checks = [RuleCases(load_cases(sorted((FIXTURE / case_set).glob("*.yaml")), RULEBOOK), BASELINE, RULEBOOK), *extra_checks]
    return mutation_run(RULEBOOK, checks, BASELINE.value)


def _described(mutant) -> str:
    return f"{mutant.item.id} {mutant.operator} {mutant.before} -> {mutant.after}"


def test_every_operator_makes_its_mutants_of_the_fixture():
    made = {_described(m) for item in RULEBOOK.rules + RULEBOOK.observations for m in mutants(item, QUESTIONNAIRE)}
    assert (
        "II-1 drop condition {all: [{fixture.possession_criminalised: yes}, {fixture.age_of_responsibility: {below: 18}}, {fixture.own_images_exempt: {not: yes}}]} -> (none)"
        in made
    )
    assert "II-2 negate {fixture.sectors_equipped: {lacks: health}} -> {not: {fixture.sectors_equipped: {lacks: health}}}" in made
    assert "II-1 replace value {fixture.own_images_exempt: {not: yes}} -> {fixture.own_images_exempt: {not: not_provided}}" in made
    assert "II-2 replace value {fixture.sectors_equipped: {lacks: health}} -> {fixture.sectors_equipped: {lacks: sport}}" in made
    # 18 is the question's maximum: the bound moves down only
    assert {m for m in made if "move bound" in m} == {
        "II-1 move bound {fixture.age_of_responsibility: {below: 18}} -> {fixture.age_of_responsibility: {below: 17}}"
    }
    assert "II-1 drop part {fixture.age_of_responsibility: {below: 18}} -> None" in made
    assert len(made) == 10 + 5 + 8  # II-1: 2 whole, 4 values, 1 bound, 3 parts; II-2: 2 whole, 3 options; II.terminology: 2 whole, 4 values, 2 parts


def test_weak_cases_leave_the_mutant_no_case_tells_apart_and_say_which_answers_would():
    result = _run("weak")
    survivors = {_described(mutant): verdict for mutant, verdict in result.survivors}
    dropped_age = "II-1 drop part {fixture.age_of_responsibility: {below: 18}} -> None"
    assert dropped_age in survivors
    assert survivors[dropped_age].given == {"fixture.age_of_responsibility": 18, "fixture.own_images_exempt": "no"}
    assert survivors[dropped_age].original_holds is False
    assert len(result.killed) < result.tested
    report = render(result, "baseline.yaml", threshold=95)
    assert "II-1 (02-legal-framework.yaml:3) drop part {fixture.age_of_responsibility: {below: 18}}" in report
    assert (
        "hint:     given {fixture.age_of_responsibility: 18, fixture.own_images_exempt: no} over baseline.yaml: the original does not fire, the mutant fires"
        in report
    )
    assert report.splitlines()[-1] == f"mutation score: {len(result.killed)}/{result.tested} killed"


def test_every_hint_tells_the_survivor_from_the_original():
    for mutant, verdict in _run("weak").survivors:
        answers = {**BASELINE.values, **verdict.given}
        assert holds(mutant.item.condition, answers.__getitem__) == verdict.original_holds
        assert holds(mutant.condition, answers.__getitem__) != verdict.original_holds, _described(mutant)


def test_strong_cases_kill_every_mutant_that_differs():
    result = _run("strong")
    assert not result.survivors, [_described(m) for m, _ in result.survivors]
    assert render(result, "baseline.yaml", threshold=95).splitlines()[-1] == f"mutation score: {result.tested}/{result.tested} killed"


def test_mutants_no_answers_tell_apart_are_recognised_as_equivalent_and_left_out_of_the_score():
    result = _run("strong")
    assert sorted(_described(m) for m in result.equivalent) == [
        "II.terminology drop part {fixture.terminology: no} -> None",
        "II.terminology replace value {fixture.terminology: no} -> {fixture.terminology: not_provided}",
    ]
    made = sum(len(mutants(item, QUESTIONNAIRE)) for item in RULEBOOK.rules + RULEBOOK.observations)
    assert result.tested == made - 2
    assert "Equivalent mutants (2)" in render(result, "baseline.yaml", threshold=95)


@pytest.mark.parametrize("case_set", ["weak", "strong"])
def test_re_evaluating_only_the_mutated_item_finds_what_running_every_case_on_the_mutant_rulebook_finds(case_set):
    cases = load_cases(sorted((FIXTURE / case_set).glob("*.yaml")), RULEBOOK)
    check = RuleCases(cases, BASELINE, RULEBOOK)
    for item in RULEBOOK.rules + RULEBOOK.observations:
        for mutant in mutants(item, QUESTIONNAIRE):
            mutated = dataclasses.replace(item, condition=mutant.condition)
            swap = lambda items: tuple(mutated if other is item else other for other in items)  # noqa: E731
            rulebook = dataclasses.replace(RULEBOOK, rules=swap(RULEBOOK.rules), observations=swap(RULEBOOK.observations))
            fails = any(run_case(case, BASELINE, rulebook, reference) for case in cases)
            assert bool(check.failures(item, mutant.condition)) == fails, _described(mutant)


def test_a_published_golden_kills_what_the_weak_cases_miss():
    sectors = {**BASELINE.values, "fixture.sectors_equipped": ("education", "social_protection", "sport")}
    golden_answers = BASELINE.model_copy(update={"values": sectors})
    published = FIXTURE / "published.yaml"
    survivors = {_described(m) for m, _ in _run("weak").survivors}
    assert "II-2 replace value {fixture.sectors_equipped: {lacks: health}} -> {fixture.sectors_equipped: {lacks: sport}}" in survivors
    with_golden = {_described(m) for m, _ in _run("weak", Golden(golden_answers, published, RULEBOOK)).survivors}
    assert "II-2 replace value {fixture.sectors_equipped: {lacks: health}} -> {fixture.sectors_equipped: {lacks: sport}}" not in with_golden


def test_a_rulebook_that_fails_its_own_cases_is_not_mutated():
    published = FIXTURE / "published.yaml"  # lists II-2, which the baseline does not draw
    with pytest.raises(SuiteFails, match=r"published golden: Compliantia: missing II-2 invite specific"):
        _run("strong", Golden(BASELINE, published, RULEBOOK))


def test_a_smallest_change_case_kills_a_mutant_of_its_rule():
    rulebook = rulebooks.rulebook(ROUND)
    compliant = rounds.rules_dir(ROUND) / "compliant-party.yaml"
    rule = next(rule for rule in rulebook.rules if rule.condition is not None and not rule.draft)
    case = SmallestChangeCase("fires", compliant, rule.id, "fires", exactly=None)
    expected = tuple(case.found(rule, case.starting_answers(), rulebook.questionnaire))
    check = Counterfactuals(
        CounterfactualCases(compliant, smallest_changes=(SmallestChangeCase("fires", compliant, rule.id, "fires", exactly=expected),)), rulebook
    )
    assert check.base_failures() == []
    assert check.failures(rule, Not(rule.condition)), f"negating {rule.id} goes unnoticed"


def test_the_command_exits_non_zero_below_its_threshold_and_ends_on_the_score(capsys):
    assert main(["--threshold", "0"]) == 0
    assert re.fullmatch(r"mutation score: \d+/\d+ killed", capsys.readouterr().out.splitlines()[-1])
    assert main(["--threshold", "100.1"]) == 1  # no score reaches it


def test_the_command_names_bad_input_and_exits_2(tmp_path, capsys):
    assert main(["--cases", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"mutate: {tmp_path}")


def test_a_rule_with_elements_is_mutated_element_by_element_and_its_cases_kill_every_such_mutant():
    from selfcheck.engine.rule_testing.cases import rulebook_baseline, rulebook_cases

    rulebook = rulebooks.rulebook(ROUND)
    vi1 = rulebook.by_id["VI-1"]
    made = mutants(vi1, rulebook.questionnaire)
    dropped = [m for m in made if m.operator == "drop element"]
    assert [m.before for m in dropped][3] == "{assistance.helpline_free_of_charge: {not: yes}}"
    assert len(dropped) == len(vi1.elements) == 5
    swapped = [m for m in made if m.operator == "swap question" and m.before == "{assistance.helpline_free_of_charge: {not: yes}}"]
    assert "{assistance.helpline_confidential: {not: yes}}" in {m.after for m in swapped}
    assert "{assistance.helplines_24_7: {not: yes}}" in {m.after for m in swapped}, "a question of the same section"
    checks = RuleCases(rulebook_cases(rulebook), rulebook_baseline(rulebook), rulebook)
    assert all(checks.failures(vi1, m.condition) for m in dropped + swapped)
