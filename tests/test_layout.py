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
