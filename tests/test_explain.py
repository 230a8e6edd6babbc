"""`selfcheck explain`: why a recommendation fires or not, and the smallest answer changes that would turn it."""

from __future__ import annotations

import json
import re

from conftest import ALBANIA, COMPLIANT, run_selfcheck


def _json(*args) -> dict:
    result = run_selfcheck("explain", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_albania_is_required_to_drop_dual_criminality_for_each_group_of_offences_and_one_answer_changes_that_only_by_losing_jurisdiction():
    result = run_selfcheck("explain", ALBANIA, "IV-6")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("IV-6 fires for Albania: require, specific to Albania (chapter IV. Jurisdiction rules)")
    assert "[not in place] dual criminality is required for sexual abuse by nationals abroad (S12.2, S12.5," in text
    assert "[holds] S12.5 jurisdiction.dual_criminality.sexual_abuse is not no" in text
    assert "answer: yes (source: Para. 222" in text
    assert "Citations: Recommendation IV-6; report para 222; Convention Art. 25(4), Art. 25(5)" in text
    assert "What would make it go away - change one answer:\n  - S12.2 jurisdiction.nationals_abroad: yes -> no" in text
    assert "Basis: printed - a published factsheet prints the reason, in the Committee's words for the Party it\n  monitored:" in text
    assert 'Para. 222: "[the Party] reported to the Committee' in text, "the Committee's words for the Party it monitored, never the Party assessed"
    assert "Provenance: round lanzarote-2, report T-ES(2022)02, rule files sha256" in text


def test_the_json_explanation_gives_the_condition_the_answers_and_the_change():
    explanation = _json(ALBANIA, "IV-6")
    assert explanation["fires"] is True and explanation["level"] == "require" and explanation["block"] == "specific"
    assert explanation["basis"] == "printed" and explanation["grounds"][0]["para"] == "Para. 222"
    assert explanation["applies_because"] == "answer" and explanation["inferred"] is False
    condition = explanation["condition"]
    assert condition["kind"] == "any" and [part["kind"] for part in condition["parts"]] == ["all"] * 5, "one part for each element"
    test = condition["parts"][0]["parts"][1]
    assert (test["kind"], test["question"], test["condition"], test["answer"], test["holds"]) == (
        "test",
        "jurisdiction.dual_criminality.sexual_abuse",
        "is not no",
        "yes",
        True,
    )
    nationals = condition["parts"][0]["parts"][0]
    assert [[{"question": "jurisdiction.nationals_abroad", "number": "S12.2", "prompt": nationals["prompt"], "from": "yes", "to": "no"}]] == explanation[
        "changes"
    ]
    assert [c["question"] for c in explanation["because"]] == ["jurisdiction.nationals_abroad", "jurisdiction.dual_criminality.child_prostitution"]
    provenance = explanation["provenance"]
    assert provenance["report"] == "T-ES(2022)02" and provenance["answers_as_of"] == "2022-03-10" and len(provenance["rulebook_sha256"]) == 64


def test_a_nested_condition_shows_each_part_with_the_answer_and_every_single_change_that_clears_it():
    explanation = _json(ALBANIA, "II-6")
    condition = explanation["condition"]
    assert condition["kind"] == "any" and [p["kind"] for p in condition["parts"][0]["parts"]] == ["test", "any", "test"]
    age = condition["parts"][0]["parts"][1]["parts"]
    assert [(p["condition"], p["holds"]) for p in age] == [("is below 18", True), ("is not_provided", False)]
    changes = [{c["question"]: c["to"] for c in change} for change in explanation["changes"]]
    assert {"legal.possession.criminalised": "no"} in changes and {"legal.age_of_criminal_responsibility": 18} in changes


def test_a_recommendation_that_does_not_fire_says_what_would_make_it_fire():
    explanation = _json(COMPLIANT, "IV-6")
    assert explanation["fires"] is False and explanation["because"] == []
    targets = {change[0]["to"] for change in explanation["changes"]}
    assert targets == {"not_provided", "yes"}, "answering yes, or giving no information, makes it fire"
    assert len(explanation["changes"]) == 9, "for each group of offences, and for keeping it in the declared cases without the declaration"
    text = run_selfcheck("explain", COMPLIANT, "IV-6").stdout
    assert "IV-6 does not fire for Compliantia" in text and "What would make it fire - change one answer, any one of these ways:" in text


def test_a_recommendation_to_all_parties_cannot_be_answered_away():
    explanation = _json(ALBANIA, "III-30")
    assert explanation["addressed_to_all"] is True and explanation["condition"] is None and explanation["changes"] == []
    assert "no answer makes a recommendation to all Parties go away" in run_selfcheck("explain", ALBANIA, "III-30").stdout


def test_an_observation_is_explained_the_same_way():
    explanation = _json(ALBANIA, "IV.dual-criminality")
    assert explanation["kind"] == "observation" and explanation["tone"] == "negative" and explanation["fires"] is True
    assert explanation["text"].startswith("Albania reported to the Committee that its criminal laws apply")
    assert explanation["citations"]["report_paras"] == [222]


def test_an_unknown_id_is_one_message_with_suggestions_and_exit_2():
    result = run_selfcheck("explain", ALBANIA, "IV-66")
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert "no recommendation or observation 'IV-66' in lanzarote-2; did you mean IV-6" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_draft_is_explained_as_a_draft():
    text = run_selfcheck("explain", ALBANIA, "III-13").stdout
    assert "III-13 does not fire for Albania" in text and "A draft: inferred, not printed in any published factsheet" in text
    assert "Basis: inferred" in text


def test_a_party_is_told_what_its_own_answers_leave_missing_and_never_given_the_committees_finding_for_another_party(tmp_path):
    answers = tmp_path / "ruritania.yaml"
    compliant = COMPLIANT.read_text(encoding="utf-8").replace("assistance.helpline_free_of_charge: yes", "assistance.helpline_free_of_charge: no")
    answers.write_text(re.sub(r"(?m)^party: .*$", "party: Ruritania", compliant), encoding="utf-8")
    text = run_selfcheck("explain", answers, "VI-1").stdout
    assert "Why it is addressed to Ruritania: helplines are not free of charge (S6.6)." in text
    assert "Ruritania has legislation" not in text and "[the Party] has legislation" in text
    data = json.loads(run_selfcheck("assess", answers, "--format", "json").stdout)
    [finding] = [f for f in data["recommendations"] if f["id"] == "VI-1"]
    assert all("Ruritania" not in ground["quote"] for ground in finding["grounds"])
    assert [unmet["element"] for unmet in finding["unmet"]] == ["free-of-charge"]
