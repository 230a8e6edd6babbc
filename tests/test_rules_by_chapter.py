"""Per-rule cases, beside each chapter's rule file in rules/lanzarote-2/, each case named as a sentence.

A case starts from the rulebook's baseline (the fictional compliant Party), changes the answers
under ``given``, and states which recommendations must fire and which must not, and which
observations the Committee makes. engine/rule_testing/cases.py reads and runs them, as `selfcheck test` does;
here they run on durable-rules, as the product does.
"""

from __future__ import annotations

import re

import pytest

from conftest import ROUND
from selfcheck.engine.rule_testing.cases import coverage, durable, rulebook_baseline, rulebook_cases, run_case
from selfcheck.engine.rules import rulebooks

RULEBOOK = rulebooks.rulebook(ROUND)
CASES = rulebook_cases(RULEBOOK)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_rule_case(case, rulebook, compliant):
    failures = run_case(case, compliant, rulebook, durable)
    assert not failures, f"{case.file.name}:{case.line}: " + "; ".join(failures)


def test_the_cases_start_from_the_baseline_the_rulebook_names(compliant):
    assert rulebook_baseline(RULEBOOK) == compliant


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


def test_every_alternative_of_every_condition_is_exercised_by_a_case(rulebook, compliant):
    missing = [name for name, exercised in coverage(CASES, compliant, rulebook).items() if not exercised]
    assert not missing, f"no case fires through these alternatives: {missing}"


def test_selfcheck_test_runs_the_cases_beside_the_rules_and_reports_coverage_per_alternative():
    from conftest import run_selfcheck

    result = run_selfcheck("test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(CASES)} cases: {len(CASES)} passed, 0 failed" in result.stdout
    assert "every one of the" in result.stdout and "alternatives of the conditions is exercised by a case" in result.stdout
    assert "elements of" in result.stdout and "is checked alone, with no information and all in place" in result.stdout


def test_selfcheck_test_on_a_draft_copy_names_a_failing_case_and_an_unexercised_alternative(tmp_path):
    import shutil

    from conftest import ROOT, run_selfcheck

    draft = tmp_path / "my-draft"
    shutil.copytree(ROOT / "rules" / ROUND, draft)
    rules = draft / "04-jurisdiction.yaml"
    rules.write_text(
        rules.read_text().replace(
            "        unmet: {all: [{jurisdiction.nationals_abroad: {not: no}}, {jurisdiction.victim_report_required.nationals: {not: no}}]}\n"
            '        provision: {convention: ["Art. 25(6)", "Art. 25(1)(d)"]}\n'
            "        on_no_information: fires\n",
            "        unmet: {all: [{jurisdiction.nationals_abroad: {not: no}}, {jurisdiction.victim_report_required.nationals: yes}]}  # edited\n"
            '        provision: {convention: ["Art. 25(6)", "Art. 25(1)(d)"]}\n'
            "        on_no_information: silent\n",
            1,
        )
    )
    cases = draft / "04-jurisdiction.cases.yaml"
    text = cases.read_text()
    for doomed in (  # the only cases firing IV-5 through the nationals' answer go
        "  - name: A Party that makes prosecution of its nationals' offences abroad depend on a victim's report is required",
        "  - name: A reservation under Article 25(3) does not excuse the condition for nationals",
    ):
        start = text.index(doomed)
        end = text.index("  - name:", start + 1)
        text = text[:start] + text[end:]
    cases.write_text(text)
    result = run_selfcheck("test", "--rules", draft)
    assert result.returncode == 1
    assert "FAIL 04-jurisdiction.cases.yaml:" in result.stdout
    assert "A Party silent on the condition for its nationals only is required alike" in result.stdout
    assert "did not fire: IV-5" in result.stdout
    assert "no case fires through:\n  IV-5#0" in result.stdout


def test_every_element_is_checked_alone_with_no_information_and_all_in_place(rulebook, compliant):
    from selfcheck.engine.rule_testing.cases import element_coverage

    checks = element_coverage(CASES, compliant, rulebook)
    assert ("VI-1/free-of-charge", "alone") in checks and ("VI-1", "all in place") in checks
    assert not [key for key, checked in checks.items() if not checked]


def test_selfcheck_test_names_an_element_no_case_checks_alone(tmp_path):
    import shutil

    from conftest import ROOT, run_selfcheck

    draft = tmp_path / "my-draft"
    shutil.copytree(ROOT / "rules" / ROUND, draft)
    cases = draft / "06-assistance-to-victims.cases.yaml"
    text = cases.read_text()
    start = text.index("  - name: A Party whose helplines are not free of charge is required")
    end = text.index("  - name: A Party silent on whether its helplines are free of charge")
    text = text[:start] + text[end:]
    start = text.index("  - name: Round-the-clock helplines cooperating with other bodies do not answer VI-1")
    end = text.index("  # Observations")
    cases.write_text(text[:start] + text[end:])  # the cases with free of charge alone not in place go
    result = run_selfcheck("test", "--rules", draft)
    assert result.returncode == 1, "an element no case checks alone fails the run"
    assert re.search(r"checks of the \d+ elements of \d+ rules made; missing:", result.stdout)
    assert "  VI-1/free-of-charge (alone): no case where it alone is not in place, on an answer given, expects VI-1 to fire" in result.stdout
