"""Every rule states its basis, and what a published factsheet prints is proven word for word.

`selfcheck lint` checks each quoted ground of a rule, each observation the factsheets print, and
each quote of the answers reconstructed from a factsheet, against the published text; drafts and
observations worded by selfcheck never apply to a Party whose factsheet is published. The
outputs say which recommendations rest on an inferred reason, and which apply only because no
information was given.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import ALBANIA, ROOT, ROUND, run_selfcheck, with_answers
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.common.safe_files import read_document
from selfcheck.engine.documents.published import PublishedFactsheet, check_answer_quotes, check_quotes, load_published, quoted
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.rules.rulebook import load_rulebook

RULES = ROOT / "rules" / ROUND
PUBLISHED = rounds.published_dir(ROUND)


@pytest.fixture(scope="module")
def published() -> list[PublishedFactsheet]:
    return load_published(PUBLISHED)


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def _edit(rules_dir, file: str, old: str, new: str) -> None:
    path = rules_dir / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


def _quote_problems(rules_dir, questionnaire, published) -> str:
    return "\n".join(str(p) for p in check_quotes(load_rulebook(rules_dir, questionnaire), published))


# -- quotes are matched as the Committee printed them -------------------------------------------


def test_a_quote_is_matched_whatever_its_line_breaks_quote_marks_and_footnote_markers(published):
    (albania,) = published
    assert albania.contains("The Committee observes that Albania does not have a legislative definition to describe\n  “child sexual abuse material” (CSAM)")
    assert albania.contains("there are helplines for children that are accessible 24 hours a day, 7 days a week in Albania[^69] and that")
    assert albania.contains("the distribution by children of CSGSIV of *other* children")
    assert not albania.contains("Albania has a legislative definition")
    assert quoted("a  “b”[^12]\nc") == 'a "b" c'


def test_the_shipped_rulebook_and_albanias_answers_pass_every_quote_check(rulebook, published):
    assert check_quotes(rulebook, published) == []
    assert check_answer_quotes(published[0], rulebook) == []


def test_a_ground_changed_by_one_word_is_caught(rules_copy, questionnaire, published):
    _edit(rules_copy, "06-assistance-to-victims.yaml", "do not specifically provide", "do specifically provide")
    problems = _quote_problems(rules_copy, questionnaire, published)
    assert "VI-1: grounds[0] (Para. 285) is not in any published factsheet, word for word" in problems
    assert "06-assistance-to-victims.yaml:" in problems


def test_a_printed_observation_reworded_is_caught(rules_copy, questionnaire, published):
    _edit(rules_copy, "11-research.yaml", "{party} has affirmed that no research", "{party} has affirmed that little research")
    assert "XI.no-research: Albania's factsheet does not print it word for word" in _quote_problems(rules_copy, questionnaire, published)


def test_a_draft_that_fires_for_albania_is_caught(rules_copy, questionnaire, published):
    path = rules_copy / "03-investigations-and-prosecution.yaml"
    text = path.read_text()
    start, end = text.index("  - id: III-13\n"), text.index("  - id: III-14\n")
    draft = (
        text[start:end]
        .replace("training.law_enforcement_ict: no", "training.law_enforcement_ict: {not: yes}")
        .replace("on_no_information: silent", "on_no_information: fires")
    )
    path.write_text(text[:start] + draft + text[end:])
    assert "III-13 is a draft, yet it fires for Albania" in _quote_problems(rules_copy, questionnaire, published)


def test_an_observation_worded_by_selfcheck_that_holds_for_albania_is_caught(rules_copy, questionnaire, published):
    _edit(
        rules_copy,
        "11-research.yaml",
        "  - id: XI.no-research\n    tone: negative\n",
        "  - id: XI.no-research\n    tone: negative\n    draft: true\n    argument: Worded anew.\n",
    )
    assert "XI.no-research is worded by selfcheck, yet it holds for Albania" in _quote_problems(rules_copy, questionnaire, published)


def test_an_observation_no_published_factsheet_prints_must_be_marked_as_worded_by_selfcheck(rules_copy, questionnaire, published):
    _edit(rules_copy, "11-research.yaml", "    tone: no_information\n    draft: true\n", "    tone: no_information\n")
    assert "XI.research-not-provided holds for no Party whose factsheet is published; mark it draft: true" in _quote_problems(
        rules_copy, questionnaire, published
    )


def test_selfcheck_lint_fails_with_exit_2_on_a_misquoted_ground(rules_copy):
    _edit(
        rules_copy,
        "04-jurisdiction.yaml",
        "does not establish jurisdiction over offences\n          established",
        "does not establish any jurisdiction over offences\n          established",
    )
    result = run_selfcheck("lint", "--rules", rules_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "IV-4: grounds[0] (Para. 217) is not in any published factsheet" in result.stderr


# -- Albania's answers rest on facts -----------------------------------------------------------


def test_every_answer_of_albania_rests_on_a_quote_or_on_printed_recommendations():
    answers = read_document(ALBANIA).data["answers"]
    bare = [q for q, a in answers.items() if not (isinstance(a, dict) and (a.get("quote") or a.get("inferred_from")))]
    assert not bare, f"answers with neither quote nor inferred_from: {bare}"
    assert answers["legal.age_of_criminal_responsibility"]["value"] == 14


def test_the_rule_maintainers_page_gives_the_counts_of_quoted_and_inferred_answers():
    answers = read_document(ALBANIA).data["answers"]
    quotes = sum(1 for a in answers.values() if "quote" in a)
    inferred = sum(1 for a in answers.values() if "inferred_from" in a)
    page = " ".join((ROOT / "docs" / "rule-maintainers.md").read_text().split())
    assert f"{quotes} of its {len(answers)} answers quote the factsheet" in page
    assert f"{inferred} are inferred from the recommendations it prints" in page


def test_a_misquoted_answer_and_an_inference_from_an_unprinted_recommendation_are_caught(tmp_path, rulebook, published):
    (albania,) = published
    text = ALBANIA.read_text().replace("relies upon prosecutorial\n      practice or case law.", "relies upon case law.", 1)
    text = text.replace("inferred_from: II-8", "inferred_from: III-27", 1)
    copy = tmp_path / "albania.yaml"
    copy.write_text(text)
    problems = [str(p) for p in check_answer_quotes(PublishedFactsheet(albania.party, albania.file, albania.text, albania.recommendations, copy), rulebook)]
    assert any("legal.csam_definition_in_law: the quote is not in Albania's published factsheet" in p for p in problems)
    assert any("legal.sharing.own_images_prosecution_excluded: inferred_from III-27, which Albania's factsheet does not print" in p for p in problems)


def test_inferred_from_must_name_recommendation_ids(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("party: X\nround: lanzarote-2\nanswers:\n  investigation.covert_operations: {value: no, inferred_from: the III-28 one}\n")
    result = run_selfcheck("validate", path)
    assert result.returncode == 2
    assert "expected a recommendation id such as IV-4" in result.stderr


# -- no information, drafts, and a blank file -----------------------------------------------------


def test_a_blank_answers_file_does_not_produce_albanias_factsheet(rulebook, albania):
    blank = Answers(party="Albania", round=ROUND, values={})
    got, expected = assess(blank, rulebook), assess(albania, rulebook)
    missing = set(expected.ids()) - set(got.ids())
    assert {"II-3", "III-26", "IV-7", "IV-8", "IX-7"} <= missing, "the invitations that follow an observation stay silent on a blank file"
    assert {o.id for o in got.observations} != {o.id for o in expected.observations}
    assert all(f.applies_because in ("no_information", "all_parties") for f in got.recommendations)


def test_no_draft_fires_for_albania_and_drafts_appear_marked_for_a_party_whose_answers_call_for_them(rulebook, albania):
    with_drafts = assess(albania, rulebook, include_draft=True)
    assert not any(f.draft for f in with_drafts.recommendations)
    other = with_answers(albania, investigation__icse_connected="yes", investigation__icse_used_and_contributed="no", jurisdiction__nationals_abroad="no")
    drafts = {f.id for f in assess(other, rulebook, include_draft=True).recommendations if f.draft}
    assert drafts == {"III-27"}
    assert not any(f.draft for f in assess(other, rulebook).recommendations)


@pytest.mark.parametrize(
    ("own_id", "answers"),
    [
        ("SC-IV-1", {"jurisdiction__nationals_abroad": "no"}),
        ("SC-III-1", {"investigation__victim_identification_units": "no"}),
        ("SC-V-1", {"cooperation__complaints_in_state_of_residence": "no"}),
        ("SC-II-1", {"legal__extortion__offences__sexual_favours": ("not_prosecuted",)}),
        ("SC-XI-1", {"research__data_mechanism": "no"}),
        ("SC-III-2", {"investigation__le_specialised_units": "no", "training__law_enforcement_csea": "no"}),
    ],
)
def test_an_obligation_no_factsheet_numbers_is_shown_by_default_under_selfchecks_own_id(rulebook, albania, own_id, answers):
    other = with_answers(albania, **answers)
    findings = {f.id: f for f in assess(other, rulebook).recommendations}
    own = findings[own_id]
    assert own.own and own.inferred and not own.draft and own.level == "require" and own.block == "specific"
    assert own.citations.recommendation is None, "an id of selfcheck's own is no Recommendation of the Committee"
    assert not any(f.own for f in assess(albania, rulebook, include_draft=True).recommendations)


def test_selfchecks_own_ids_are_every_rule_under_its_own_pattern_and_none_is_a_draft(rulebook):
    own = [rule for rule in rulebook.rules if rule.own]
    assert {rule.id for rule in own} >= {"SC-II-1", "SC-III-1", "SC-IV-1", "SC-V-1"}
    assert all(rule.id.startswith("SC-") and not rule.spec.draft for rule in own)
    assert not {"III-22", "V-17"} & {rule.id for rule in rulebook.rules}, "the drafts the own ids replace are gone"


def test_iv6_is_not_asked_of_a_party_without_jurisdiction_over_its_nationals(rulebook, albania):
    findings = {f.id for f in assess(with_answers(albania, jurisdiction__nationals_abroad="no"), rulebook).recommendations}
    assert "SC-IV-1" in findings and "IV-6" not in findings, "IV-6 removes a condition on a jurisdiction the Party does not have"


def test_what_no_information_does_is_said_per_rule_and_separated_from_answers(rulebook, albania):
    findings = {f.id: f for f in assess(albania, rulebook).recommendations}
    assert findings["IV-5"].applies_because == "no_information" and findings["IV-5"].no_information.basis == "printed"
    assert findings["IV-4"].applies_because == "answer", "no reservation reported is not missing information"
    assert findings["III-15"].applies_because == "no_information" and findings["III-15"].inferred, "not read back from an answer inferred from it"
    assert findings["II-8"].applies_because == "answer"
    blank = assess(Answers(party="B", round=ROUND, values={}), rulebook)
    vi1 = next(f for f in blank.recommendations if f.id == "VI-1")
    assert vi1.applies_because == "no_information" and vi1.inferred and vi1.no_information.basis == "inferred"


# -- placement of recommendations to all Parties -----------------------------------------------------


def test_recommendations_to_all_parties_apply_to_every_party_and_move_only_in_the_factsheet(rulebook, albania):
    researched = with_answers(albania, research__csgsiv_research="yes", legal__csam_definition_in_law="yes")
    blocks = {f.id: f.block for f in assess(researched, rulebook).recommendations}
    assert blocks["XI-1"] == blocks["II-1"] == "generic"
    blocks = {f.id: f.block for f in assess(albania, rulebook).recommendations}
    assert blocks["XI-1"] == blocks["II-1"] == "specific"


def test_a_party_that_undertook_research_gets_xi_in_the_generic_part_of_its_factsheet(tmp_path):
    text = ALBANIA.read_text().replace("  research.csgsiv_research:\n    value: no\n", "  research.csgsiv_research:\n    value: yes\n")
    path = tmp_path / "researched.yaml"
    path.write_text(text.replace("quote: >-\n      Albania has affirmed", "note: >-\n      Albania has affirmed"))
    report = run_selfcheck("report", path).stdout
    research = report[report.index("## XI. Research") : report.index("## About this self-assessment")]
    assert "Therefore" not in research
    assert "### Generic recommendations of the Lanzarote Committee on research" in research
    assert "The Committee **invites** all Parties, including Albania:" in research


# -- the rulebook as a lawyer reviews it, and every output saying what is inferred ----------------------


def test_selfcheck_rules_gives_every_rule_and_observation_a_basis(rulebook):
    result = run_selfcheck("rules", "--format", "json", "--include-draft")
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    rulebook = rulebooks.rulebook(ROUND)
    assert (len(view["rules"]), len(view["observations"])) == (len(rulebook.rules), len(rulebook.observations))
    for rule in view["rules"]:
        assert {"id", "level", "block", "chapter", "draft", "basis", "grounds", "condition", "questions"} <= set(rule)
        assert rule["basis"] in ("printed", "all_parties", "inferred")
        assert rule["grounds"] if rule["basis"] == "printed" else True, rule["id"]
        assert rule["argument"] if rule["basis"] == "inferred" else True, rule["id"]
        assert (rule["condition"] is None) == (rule["basis"] == "all_parties"), rule["id"]
    iv6 = next(rule for rule in view["rules"] if rule["id"] == "IV-6")
    assert iv6["questions"][:3] == [
        "jurisdiction.nationals_abroad",
        "jurisdiction.dual_criminality.sexual_abuse",
        "jurisdiction.dual_criminality.sexual_abuse_declared_cases_only",
    ]
    assert "convention.reservations" in iv6["questions"], "the element a declaration under Article 25(5) excludes reads it"
    assert iv6["condition"].startswith(
        "any of (all of (S12.2 jurisdiction.nationals_abroad is not no; S12.5 jurisdiction.dual_criminality.sexual_abuse is not no; "
    )
    assert "S8.1 convention.reservations lacks art_25_5" in iv6["condition"]
    for observation in view["observations"]:
        assert observation["basis"] == ("inferred" if observation["draft"] else "printed")
        assert bool(observation["grounds"]) != observation["draft"]
    plain = json.loads(run_selfcheck("rules", "--format", "json").stdout)
    own = [rule.id for rule in rulebook.rules if rule.own]
    assert len(plain["rules"]) == 94 + len(own), "the 94 the Committee printed for Albania, and selfcheck's own"
    assert [rule["id"] for rule in plain["rules"] if rule["own"]] == own
    vi1 = next(rule for rule in view["rules"] if rule["id"] == "VI-1")
    assert [element["id"] for element in vi1["elements"]] == ["specific-support", "advice-to-ict-victims", "confidential", "free-of-charge", "languages"]
    assert vi1["elements"][3]["questions"] == ["assistance.helpline_free_of_charge"]
    assert vi1["elements"][3]["provisions"][0]["title"].startswith("Helplines")


def test_selfcheck_rules_in_text_reads_as_a_lawyer_reviews_it():
    text = run_selfcheck("rules").stdout
    assert "VI-1  require, specific, chapter VI; basis: printed" in text
    assert 'Para. 285: "although {party} has legislation containing adequate provisions' in text
    assert "VII-1  require, specific, chapter VII; basis: inferred" in text
    assert "no information: fires (printed)" in text


def test_every_output_says_which_recommendations_rest_on_an_inferred_reason():
    as_json = json.loads(run_selfcheck("assess", ALBANIA, "--format", "json").stdout)["recommendations"]
    inferred = sorted(f["id"] for f in as_json if f["inferred"])
    assert inferred == ["III-15", "III-16", "III-18", "III-28", "IV-7", "IV-8", "VII-1", "VII-2"]
    summary = run_selfcheck("assess", ALBANIA).stdout
    assert "8 rest on a reason selfcheck infers" in summary and summary.count("[inferred] ") == 8
    explanation = run_selfcheck("explain", ALBANIA, "VII-1").stdout
    assert "Basis: inferred - no published factsheet prints the reason" in explanation
    report = run_selfcheck("report", ALBANIA).stdout
    annex = report[report.index("## About this self-assessment") :]
    assert "it is not a document of the Lanzarote Committee" in annex
    assert all(re.search(rf"^- {rule_id} \(", annex, re.M) for rule_id in inferred)


def test_observations_worded_by_selfcheck_are_marked_wherever_they_appear(tmp_path):
    path = tmp_path / "silent.yaml"
    path.write_text("party: Silentia\nround: lanzarote-2\nanswers: {}\n")
    report = run_selfcheck("report", path).stdout
    assert "\\[worded by selfcheck\\] Silentia did not provide information as to whether research was undertaken" in report
    assert "Observations worded by selfcheck on the Committee's pattern" in report
    observations = json.loads(run_selfcheck("assess", path, "--format", "json").stdout)["observations"]
    assert {o["id"]: o["draft"] for o in observations}["XI.research-not-provided"] is True


def test_the_partys_own_difficulties_print_in_its_own_voice_and_the_committees_in_the_committees(tmp_path):
    path = tmp_path / "ruritania.yaml"
    path.write_text(
        "party: Ruritania\nround: lanzarote-2\nanswers:\n"
        "  civil_society.difficulties: There are too few psychologists for children.\n"
        "  civil_society.promising_practices: A chat line run by students.\n"
    )
    report = run_selfcheck("report", path).stdout
    assert "Ruritania reported the following difficulty: There are too few psychologists for children." in report
    assert "The Committee observes that There are too few" not in report
    assert "Practices Ruritania reported as promising:" in report
    assert "The Committee highlights Ruritania's practice" not in report
    albania = run_selfcheck("report", ALBANIA).stdout
    assert "The Committee observes that there is a lack of specialised assistance to child victims" in albania


def test_lint_reports_the_quote_checks_it_made():
    result = run_selfcheck("lint")
    assert result.returncode == 0, result.stderr
    assert "29 quoted grounds and the answers of Albania found word for word" in result.stdout


def test_the_rulebook_names_no_party():
    for path in sorted(RULES.rglob("*.yaml")):
        assert "Albania" not in path.read_text(), f"{path.name} names a Party"
