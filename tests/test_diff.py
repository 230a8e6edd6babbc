"""selfcheck diff: each shipped amendment resolves exactly the recommendations its bill answers.

What each amendment must resolve is data, in tests/lanzarote-2/counterfactuals.yaml, which the
mutation run (`make mutate`) checks too.
"""

from __future__ import annotations

import json

import pytest

from conftest import ALBANIA, COMPLIANT, COUNTERFACTUAL_CASES, ROOT, ROUND, run_selfcheck
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import load_amendment
from selfcheck.engine.rule_testing.counterfactual_cases import Change, load_counterfactual_cases

AMENDMENTS = ROOT / "questionnaires" / ROUND / "amendments"
COUNTERFACTUALS = load_counterfactual_cases(COUNTERFACTUAL_CASES, rounds.questionnaire(ROUND))


def _diff(*args: str) -> dict:
    result = run_selfcheck("diff", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_shipped_amendment_has_a_counterfactual_case():
    cased = sorted(case.amendment.resolve() for case in COUNTERFACTUALS.amendments)
    assert cased == sorted(path.resolve() for path in AMENDMENTS.glob("*.yaml"))


@pytest.mark.parametrize("case", COUNTERFACTUALS.amendments, ids=[case.name for case in COUNTERFACTUALS.amendments])
def test_a_shipped_amendment_resolves_exactly_what_its_bill_answers(case):
    applies_to = load_amendment(case.amendment, rounds.questionnaire(ROUND)).applies_to
    diff = _diff(applies_to, case.amendment)
    assert list(diff) == ["resolved", "new", "changed", "unchanged", "observations", "law_as_of", "amendments_not_in_force"]
    assert diff["law_as_of"] is None and diff["amendments_not_in_force"] == []
    change = Change(
        resolved={entry["id"]: entry["level"] for entry in diff["resolved"]},
        new=frozenset(entry["id"] for entry in diff["new"]),
        moved=frozenset(entry["id"] for entry in diff["changed"]),
        dropped=frozenset(entry["id"] for entry in diff["observations"]["dropped"]),
        added=frozenset(entry["id"] for entry in diff["observations"]["added"]),
    )
    assert not case.failures(change), "; ".join(case.failures(change))
    assert diff["observations"]["reworded"] == []
    amendment_changes = set(_changes_in(case.amendment))
    for entry in diff["resolved"]:
        responsible = {change["question"] for change in entry["answer_changes"]}
        assert responsible and responsible <= amendment_changes, entry["id"]
        assert all(change["note"] for change in entry["answer_changes"]), "each change carries the provision's note"
        assert entry["citations"]["recommendation"] == entry["id"]


def test_the_diff_names_the_answer_behind_each_resolved_recommendation():
    diff = _diff(ALBANIA, AMENDMENTS / "albania-dual-criminality-article-25-4.yaml")
    changes = diff["resolved"][0]["answer_changes"]
    assert [(c["question"], c["number"], c["before"], c["after"]) for c in changes] == [
        ("jurisdiction.dual_criminality.sexual_abuse", "S12.5", "yes", "no"),
        ("jurisdiction.dual_criminality.child_prostitution", "S12.14", "yes", "no"),
        ("jurisdiction.dual_criminality.production", "S12.15", "yes", "no"),
        ("jurisdiction.dual_criminality.pornographic_performances", "S12.16", "yes", "no"),
    ], "one change for each group of offences of Article 25(4)"
    assert all(change["note"].startswith("Article 6(3) new") for change in changes)


def test_a_bill_that_answers_part_of_a_recommendation_says_it_still_applies():
    result = run_selfcheck("diff", ALBANIA, AMENDMENTS / "albania-children-sharing-own-images.yaml")
    assert result.returncode == 0, result.stderr
    assert "still addressed although answers they read changed: II-6" in result.stdout
    assert "Resolved (1):" in result.stdout and "II-8" in result.stdout


def test_comparing_a_file_with_itself_finds_no_difference():
    diff = _diff(ALBANIA, ALBANIA)
    assert diff == {
        "resolved": [],
        "new": [],
        "changed": [],
        "unchanged": 94,
        "observations": {"dropped": [], "added": [], "reworded": []},
        "law_as_of": None,
        "amendments_not_in_force": [],
    }


def test_two_answers_files_are_compared_both_ways():
    forward, backward = _diff(ALBANIA, COMPLIANT), _diff(COMPLIANT, ALBANIA)
    assert {e["id"] for e in forward["resolved"]} == {e["id"] for e in backward["new"]}
    assert len(forward["resolved"]) - len(forward["new"]) == 94 - 65  # the compliant Party draws only the 65 to all Parties
    assert forward["unchanged"] == backward["unchanged"]


def test_the_markdown_diff_is_ready_for_a_pull_request():
    result = run_selfcheck("diff", ALBANIA, AMENDMENTS / "albania-jurisdiction-habitual-residents.yaml", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("### selfcheck diff: 2 resolved, 0 new, 0 changed, 92 unchanged")
    assert "- **IV-4** *require, specific*" in result.stdout
    assert "`jurisdiction.habitual_residents_abroad`: no -> yes" in result.stdout


def test_fail_on_new_passes_when_a_bill_creates_nothing():
    result = run_selfcheck("diff", ALBANIA, AMENDMENTS / "albania-dual-criminality-article-25-4.yaml", "--fail-on", "new")
    assert result.returncode == 0, result.stderr


def test_fail_on_new_fails_when_the_other_side_draws_a_new_recommendation():
    result = run_selfcheck("diff", COMPLIANT, ALBANIA, "--fail-on", "new", "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["new"], "the diff is still printed"
    assert result.stderr.startswith("selfcheck: --fail-on new: II-6, II-8, II-9, II-3, ")


def test_fail_on_require_fails_while_a_require_recommendation_remains_but_not_for_those_addressed_to_all_parties():
    remaining = run_selfcheck("diff", ALBANIA, AMENDMENTS / "albania-dual-criminality-article-25-4.yaml", "--fail-on", "require")
    assert remaining.returncode == 1 and "IV-4" in remaining.stderr and "IV-6" not in remaining.stderr
    assert "III-30" not in remaining.stderr and "IX-3" not in remaining.stderr
    compliant = run_selfcheck("diff", ALBANIA, COMPLIANT, "--fail-on", "request")
    assert compliant.returncode == 0, compliant.stderr


def test_fail_on_request_counts_require_recommendations_too():
    result = run_selfcheck("diff", ALBANIA, AMENDMENTS / "albania-children-sharing-own-images.yaml", "--fail-on", "request")
    assert result.returncode == 1
    assert "II-6" in result.stderr and "IV-4" in result.stderr


def test_an_amendment_is_compared_only_with_the_answers_it_applies_to():
    other = AMENDMENTS / "albania-dual-criminality-article-25-4.yaml"
    result = run_selfcheck("diff", COMPLIANT, other)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        f"selfcheck: {other}: applies to {ALBANIA}, not to {COMPLIANT}; compare an amendment with the answers it applies to, or change its applies_to"
    )


def test_two_drafts_of_the_same_answers_can_be_compared():
    diff = _diff(AMENDMENTS / "albania-dual-criminality-article-25-4.yaml", AMENDMENTS / "albania-jurisdiction-habitual-residents.yaml")
    assert [e["id"] for e in diff["resolved"]] == ["IV-4", "IV-5"]
    assert [e["id"] for e in diff["new"]] == ["IV-6"]


def _changes_in(path) -> dict:
    from selfcheck.engine.common.safe_files import read_document

    return read_document(path).data["changes"]


def test_the_diff_lists_the_observations_a_bill_makes_obsolete_with_the_answers_behind_them():
    diff = _diff(ALBANIA, AMENDMENTS / "albania-jurisdiction-habitual-residents.yaml")
    dropped = {o["id"]: o for o in diff["observations"]["dropped"]}
    assert set(dropped) == {"IV.no-jurisdiction-over-habitual-residents", "IV.victim-report-not-provided"}
    assert [c["question"] for c in dropped["IV.no-jurisdiction-over-habitual-residents"]["answer_changes"]] == ["jurisdiction.habitual_residents_abroad"]
    assert diff["observations"]["added"] == [] and diff["observations"]["reworded"] == []


def test_an_observation_that_quotes_a_changed_answer_is_listed_as_reworded(tmp_path):
    bill = tmp_path / "age.yaml"
    bill.write_text(
        f"title: Age of criminal responsibility\nreference: Draft 2/2024\ndate: 2024-01-01\napplies_to: {ALBANIA}\n"
        "changes:\n  legal.age_of_criminal_responsibility: {value: 16, note: new Article 12}\n"
    )
    reworded = _diff(ALBANIA, bill)["observations"]["reworded"]
    assert [o["id"] for o in reworded] and all("16" in o["text"] for o in reworded)
