"""The factsheet layout is checked against the rulebook as it loads, each problem placed in its file."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT, ROUND, run_selfcheck
from selfcheck.engine.common.errors import RulebookError
from selfcheck.engine.documents.layout import load_layout
from selfcheck.engine.rules.rulebook import load_rulebook

RULES = ROOT / "rules" / ROUND
CHAPTER_IV = "factsheet/04-jurisdiction.yaml"

BROKEN = [
    ("an unknown recommendation", "statement: [IV-4]", "statement: [IV-44]", "no recommendation IV-44 in chapter IV"),
    ("a recommendation of another chapter", "recommend: [IV-5]", "recommend: [IV-5, V-3]", "no recommendation V-3 in chapter IV"),
    (
        "a recommendation in the wrong part",
        "recommend: [IV-5]",
        "recommend: [IV-5]\n          nested: false\n        - recommend: [IV-7]",
        "IV-7 is a generic recommendation, placed in the specific part",
    ),
    ("a recommendation printed twice", "statement: [IV-9]", "statement: [IV-4]", "IV-4 is printed twice"),
    ("a recommendation left out", "statement: [IV-9]", "statement: [IV-4]\n          repeat: true", "the layout does not place IV-9"),
    (
        "an unknown observation",
        "observe: [IV.territoriality, IV.territoriality-not-provided]",
        "observe: [IV.territoriality, IV.teritoriality-not-provided]",
        "no observation IV.teritoriality-not-provided",
    ),
    (
        "a wording that does not cite its recommendation",
        "habitual residence in {party}.[^IV-4]",
        "habitual residence in {party}.",
        "the wording must cite IV-4 with a footnote",
    ),
    (
        "a wording citing what it does not print",
        "habitual residence in {party}.[^IV-4]",
        "habitual residence in {party}.[^IV-4, IV-5]",
        "the wording cites IV-5, which it does not print",
    ),
    (
        "an unknown placeholder",
        "Therefore, the Committee **requires** {party}:",
        "Therefore, the Committee **requires** {country}:",
        "unknown placeholder {country}",
    ),
    (
        "a block of no known kind",
        "- observe: [IV.territoriality, IV.territoriality-not-provided]",
        "- observed: [IV.territoriality, IV.territoriality-not-provided]",
        "expected a block with one of observe, recommend, statement, section",
    ),
    (
        "an answer that is not a free text of the chapter",
        "practices: {answer: jurisdiction.promising_practices}",
        "practices: {answer: legal.promising_practices}",
        "legal.promising_practices is not a free-text question of chapter IV",
    ),
]


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


@pytest.mark.parametrize("name, old, new, fragment", BROKEN, ids=[b[0] for b in BROKEN])
def test_layout_lint_catches(rules_copy, questionnaire, name, old, new, fragment):
    path = rules_copy / CHAPTER_IV
    text = path.read_text()
    assert old in text, f"the test no longer matches {CHAPTER_IV}"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(RulebookError) as caught:
        load_layout(load_rulebook(rules_copy, questionnaire))
    assert fragment in str(caught.value)
    assert f"{CHAPTER_IV}:" in str(caught.value), "the problem names the layout file and its line"


def test_a_layout_file_not_named_after_a_chapter_is_refused(rules_copy, questionnaire):
    (rules_copy / "factsheet" / "12-extra.yaml").write_text("chapter: XII\n")
    with pytest.raises(RulebookError, match="12-extra.yaml: is not named after a chapter's rule file"):
        load_layout(load_rulebook(rules_copy, questionnaire))


def test_a_chapter_without_layout_prints_its_observations_then_its_recommendations_by_level(rules_copy, questionnaire, albania):
    from selfcheck.engine.assessment.assess import assess
    from selfcheck.engine.documents.factsheet import build_factsheet
    from selfcheck.engine.documents.rendering import render

    (rules_copy / CHAPTER_IV).unlink()
    rulebook = load_rulebook(rules_copy, questionnaire)
    markdown = render(build_factsheet(assess(albania, rulebook), albania, rulebook, load_layout(rulebook)), "markdown").decode()
    chapter = markdown[markdown.index("## IV. Jurisdiction rules") : markdown.index("## V. International cooperation")]
    assert "### Observations and recommendations of the Lanzarote Committee on Jurisdiction rules specific to Albania" in chapter
    assert (
        chapter.index("Albania reported to the Committee")
        < chapter.index("The Committee **requires** Albania:")
        < chapter.index("The Committee **requests** Albania:")
    )
    assert (
        "### Generic recommendations of the Lanzarote Committee on Jurisdiction rules\n\nThe Committee **invites** all Parties, including Albania:" in chapter
    )


def test_selfcheck_lint_checks_the_layout_too(rules_copy):
    path = rules_copy / CHAPTER_IV
    path.write_text(path.read_text().replace("statement: [IV-4]", "statement: [IV-44]"))
    result = run_selfcheck("lint", "--rules", rules_copy)
    assert result.returncode == 2 and "no recommendation IV-44 in chapter IV" in result.stderr


CHAPTER_X = "factsheet/10-higher-education-and-training.yaml"
RUN_IN_AFTER = "run_in_after: [X.lack-of-action]"


@pytest.mark.parametrize(
    "new, fragment",
    [
        ("run_in_after: [IV.territoriality]", "no observation IV.territoriality in chapter X"),
        ("run_in_after: [X.no-such-finding]", "no observation X.no-such-finding in chapter X"),
    ],
    ids=["an observation of another chapter", "an unknown observation"],
)
def test_layout_lint_catches_a_run_in_that_follows(rules_copy, questionnaire, new, fragment):
    path = rules_copy / CHAPTER_X
    text = path.read_text()
    assert RUN_IN_AFTER in text, f"the test no longer matches {CHAPTER_X}"
    path.write_text(text.replace(RUN_IN_AFTER, new, 1))
    with pytest.raises(RulebookError, match=fragment):
        load_layout(load_rulebook(rules_copy, questionnaire))


def test_layout_lint_catches_observations_to_follow_without_a_run_in(rules_copy, questionnaire):
    path = rules_copy / CHAPTER_X
    text = path.read_text()
    run_in = '      run_in: "Therefore, the Committee **requires** {party}:"\n'
    assert run_in in text, f"the test no longer matches {CHAPTER_X}"
    path.write_text(text.replace(run_in, "", 1))
    with pytest.raises(RulebookError, match="run_in_after names the observations a run_in continues, so it needs a run_in"):
        load_layout(load_rulebook(rules_copy, questionnaire))


def test_a_run_in_continues_only_the_finding_the_recommendations_follow_from(tmp_path):
    compliant = (RULES / "compliant-party.yaml").read_text(encoding="utf-8")
    silent = tmp_path / "silent.yaml"  # silent on any action taken, and training optional: X-4 rests on the second
    silent.write_text(
        compliant.replace("  professionals.action_taken: yes\n", "").replace("professionals.training_compulsory: yes", "professionals.training_compulsory: no")
    )
    report = run_selfcheck("report", silent, "--format", "markdown").stdout
    assert "did not provide information as to whether legislative or other measures were taken" in report
    assert "Therefore, the Committee **requires**" not in report and "\n\nThe Committee **requires** Compliantia:\n" in report
    acted_not = tmp_path / "no-action.yaml"
    acted_not.write_text(compliant.replace("professionals.action_taken: yes", "professionals.action_taken: no"))
    report = run_selfcheck("report", acted_not, "--format", "markdown").stdout
    assert "continuous training. Therefore, the Committee **requires** Compliantia:" in report


def test_the_introduction_says_a_party_took_part_in_the_round_only_where_its_answers_say_so(tmp_path):
    compliant = (RULES / "compliant-party.yaml").read_text(encoding="utf-8")
    for answer, said in (("yes", True), ("no", False), ("not_provided", False)):
        path = tmp_path / f"{answer}.yaml"
        path.write_text(compliant.replace("answers:\n", f"answers:\n  convention.monitored_in_round: {answer}\n", 1))
        report = run_selfcheck("report", path, "--format", "markdown").stdout
        assert "launched took part" in report
        assert ("took part, including Compliantia." in report) is said
        assert ("prepared by the Lanzarote Committee Secretariat as a practical tool to be used by Compliantia" in report) is said


def test_layout_lint_catches_an_introduction_text_whose_condition_names_no_question(rules_copy, questionnaire):
    path = rules_copy / "factsheet" / "factsheet.yaml"
    text = path.read_text()
    assert "when: {convention.monitored_in_round: yes}" in text
    path.write_text(text.replace("when: {convention.monitored_in_round: yes}", "when: {convention.monitored: yes}", 1))
    with pytest.raises(RulebookError) as caught:
        load_layout(load_rulebook(rules_copy, questionnaire))
    assert "factsheet/factsheet.yaml:" in str(caught.value) and "convention.monitored" in str(caught.value)


def test_the_committees_lead_never_introduces_only_bullets_selfcheck_worded(tmp_path):
    compliant = (RULES / "compliant-party.yaml").read_text(encoding="utf-8")
    lacking = tmp_path / "lacking.yaml"  # only the bullet on police units for offences by children holds, in selfcheck's words
    for question in ("le_specialised_units", "prosecution_units_for_child_offenders", "victim_identification_units"):
        compliant = compliant.replace(f"investigation.{question}: yes", f"investigation.{question}: no")
    lacking.write_text(compliant.replace("training.law_enforcement_csea: yes", "training.law_enforcement_csea: no"))
    report = run_selfcheck("report", lacking, "--format", "markdown").stdout
    assert "already in line with some of its recommendations" not in report
    assert "Compliantia reported that it has:\n\n- \\[worded by selfcheck\\] units, sections or persons within law enforcement" in report


def test_layout_lint_asks_for_a_drafted_lead_where_selfchecks_observations_sit_under_the_committees(rules_copy, questionnaire):
    path = rules_copy / "factsheet" / "03-investigations-and-prosecution.yaml"
    text = path.read_text()
    drafted = '      drafted_lead: "{party} reported that it has:"   # where only selfcheck\'s bullets hold\n'
    assert drafted in text
    path.write_text(text.replace(drafted, "", 1))
    with pytest.raises(RulebookError, match="III.law-enforcement-specialised-in-child-offenders, III.law-enforcement-training-modules are worded by selfcheck"):
        load_layout(load_rulebook(rules_copy, questionnaire))
