"""Elements, selfcheck's own obligations, the Convention index and the questions the rules read:
the load refuses what is wrong with them, and lint proves what the published factsheets allow."""

from __future__ import annotations

import dataclasses
import json
import shutil
from typing import NamedTuple

import pytest

from conftest import ROOT, ROUND, run_selfcheck
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.questionnaire import load_questionnaire
from selfcheck.engine.common.errors import RulebookError
from selfcheck.engine.documents.published import check_quotes, load_published
from selfcheck.engine.rules.convention import load_convention_index
from selfcheck.engine.rules.questions_read import question_problems
from selfcheck.engine.rules.rulebook import load_rulebook

RULES = ROOT / "rules" / ROUND
INDEX = load_convention_index(ROOT / "conventions" / "lanzarote.yaml")

VI3 = """  - id: VI-3
    level: require
    block: specific
    basis: inferred
    reason: Support does not cover recovery.
    argument: Article 14(1).
    no_information: {basis: inferred, because: A requirement a Party does not show it meets.}
    elements:
      - id: specific-support
        fact: Support is specific to child victims.
        missing: support is not specific to child victims
        unmet: {assistance.specific_support: {not: yes}}
        provision: {convention: ["Art. 14(1)"]}
        on_no_information: fires
      - id: short-and-long-term
        fact: Support covers recovery in the short and the long term.
        missing: support does not cover recovery in the short and the long term
        unmet: {assistance.support_short_and_long_term: {not: yes}}
        provision: {convention: ["Art. 14(1)"]}
        on_no_information: fires
    text: to assist child victims in their recovery
    cites:
      convention: ["Art. 14(1)"]
"""

SC = """  - id: SC-IV-2
    level: require
    block: specific
    basis: inferred
    reason: No jurisdiction over habitual residents.
    argument: Article 25(1)(e).
    when:
      jurisdiction.habitual_residents_abroad: no
    on_no_information: silent
    no_information: {basis: inferred, because: Only what the Party reported.}
    text: to establish jurisdiction over habitual residents
    cites:
      convention: ["Art. 25(1)(d)"]
"""


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


class Place(NamedTuple):
    """A test rule and where it goes: in place of the rules of ``file`` from ``first`` up to ``following``
    (before ``first`` when the two are the same)."""

    rule: str
    file: str
    first: str
    following: str


ASSISTANCE = Place(VI3, "06-assistance-to-victims.yaml", "VI-3", "VI-4")
OWN = Place(SC, "04-jurisdiction.yaml", "IV-4", "IV-4")


def _put(rules_dir, place: Place, rule: str) -> None:
    path = rules_dir / place.file
    text = path.read_text()
    start, end = text.index(f"  - id: {place.first}\n"), text.index(f"  - id: {place.following}\n")
    path.write_text(text[:start] + rule + "\n" + text[end:])


def _problems(rules_dir, questionnaire) -> str:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(rules_dir, questionnaire)
    return str(caught.value)


SECOND_PROVISION = 'provision: {convention: ["Art. 14(1)"]}\n        on_no_information: fires\n    text'
CITES = '    cites:\n      convention: ["Art. 14(1)"]'

# The rules the load refuses, each under a sentence saying what is wrong with it (the test's id):
# the test rule and its place, the changes (old, new) that break it, and what the load's message says.
REFUSED = {
    "a rule with both a condition and elements": (
        ASSISTANCE,
        [("    elements:\n", "    when: {assistance.specific_support: no}\n    elements:\n")],
        "gives both when and elements",
    ),
    "two elements of one name": (ASSISTANCE, [("id: short-and-long-term", "id: specific-support")], "two elements are named specific-support"),
    "an element whose no-information effect its condition contradicts": (
        ASSISTANCE,
        [("on_no_information: fires\n    text", "on_no_information: silent\n    text")],
        "VI-3/short-and-long-term: says on_no_information: silent",
    ),
    "an element resting on nothing": (
        ASSISTANCE,
        [(SECOND_PROVISION, "provision: {}\n        on_no_information: fires\n    text")],
        "VI-3/short-and-long-term cites no source",
    ),
    "an element whose no-information effect nobody explains": (
        ASSISTANCE,
        [("    no_information: {basis: inferred, because: A requirement a Party does not show it meets.}\n", "")],
        "say why no information has its effect",
    ),
    "a rule-level effect beside elements": (
        ASSISTANCE,
        [("    no_information:", "    on_no_information: fires\n    no_information:")],
        "each element says what no information does",
    ),
    "an element reading an unknown question": (
        ASSISTANCE,
        [("assistance.support_short_and_long_term", "assistance.support_forever")],
        "unknown question 'assistance.support_forever'",
    ),
    "an element provision the Convention does not have": (
        ASSISTANCE,
        [(SECOND_PROVISION, SECOND_PROVISION.replace("14(1)", "14(7)"))],
        "VI-3/short-and-long-term: provision.convention 'Art. 14(7)' names Art. 14(7), which the Lanzarote Convention does not have",
    ),
    "a rule citing a point the Convention does not have": (
        ASSISTANCE,
        [(CITES, CITES.replace("14(1)", "14(1)(z)"))],
        "cites.convention 'Art. 14(1)(z)' names Art. 14(1)(z)",
    ),
    "a range running past the last point": (ASSISTANCE, [(CITES, CITES.replace("Art. 14(1)", "Art. 20(1)(b)-(h)"))], "names Art. 20(1)(g)"),
    "a citation not written as one": (ASSISTANCE, [(CITES, CITES.replace("Art. 14(1)", "Article 14"))], "is not written as Art. N"),
}


def test_the_example_with_elements_loads_and_fires_when_any_element_is_not_in_place(rules_copy, questionnaire):
    _put(rules_copy, ASSISTANCE, VI3)
    rule = load_rulebook(rules_copy, questionnaire).by_id["VI-3"]
    assert [element.id for element in rule.elements] == ["specific-support", "short-and-long-term"]
    assert [alternative.name for alternative in rule.alternatives] == ["VI-3/specific-support#0", "VI-3/short-and-long-term#0"]
    assert rule.on_no_information == "fires" and rule.no_information is None


IV4 = """  - id: IV-4
    level: require
    block: specific
    basis: inferred
    reason: No jurisdiction over habitual residents.
    argument: Article 25(1)(e).
    no_information: {basis: inferred, because: A requirement a Party does not show it meets.}
    elements:
      - id: habitual-residents
        fact: Jurisdiction over habitual residents.
        missing: no jurisdiction over habitual residents abroad
        unmet: {jurisdiction.habitual_residents_abroad: {not: yes}}
        provision: {convention: ["Art. 25(1)(e)"]}
        reserved_by: Art. 25(3)
        on_no_information: fires
    text: to establish jurisdiction over habitual residents
    cites:
      convention: ["Art. 25(1)(e)"]
"""

JURISDICTION = Place(IV4, "04-jurisdiction.yaml", "IV-4", "IV-5")
REFUSED |= {
    "an element reserved by a reservation the Convention does not permit to what it cites": (
        JURISDICTION,
        [("reserved_by: Art. 25(3)", "reserved_by: Art. 25(5)")],
        "reserved_by Art. 25(5) is no reservation",
    ),
    "an element reserved by a reservation no answer records": (
        JURISDICTION,
        [("reserved_by: Art. 25(3)", "reserved_by: Art. 25(9)")],
        "no option of the questionnaire records a reservation under Art. 25(9)",
    ),
    "an own obligation's element reserved by a reservation": (
        JURISDICTION,
        [("id: IV-4", "id: SC-IV-2"), ('["Art. 25(1)(e)"]}', '["Art. 25(1)(d)", "Art. 25(1)(e)"]}')],
        "admits a reservation",
    ),
}


def test_a_reserved_element_is_never_required_and_the_assessment_names_the_article(tmp_path):
    answers = tmp_path / "reserving.yaml"
    answers.write_text(
        "party: Ruritania\nround: lanzarote-2\nanswers:\n"
        "  convention.reservations: [art_25_3, art_25_5]\n"
        "  jurisdiction.nationals_abroad: yes\n"
        "  jurisdiction.habitual_residents_abroad: no\n"
        "  jurisdiction.dual_criminality.sexual_abuse: yes\n"
        "  jurisdiction.dual_criminality.sexual_abuse_declared_cases_only: yes\n"
        "  jurisdiction.dual_criminality.child_prostitution: no\n"
        "  jurisdiction.dual_criminality.production: no\n"
        "  jurisdiction.dual_criminality.pornographic_performances: no\n"
    )
    assessed = json.loads(run_selfcheck("assess", answers, "--format", "json").stdout)
    ids = {finding["id"] for finding in assessed["recommendations"]}
    assert "IV-4" not in ids and "IV-6" not in ids
    reserved = {(item["recommendation"], item["element"]): item for item in assessed["reserved"]}
    assert reserved[("IV-4", "habitual-residents")]["reserved_by"] == "Art. 25(3)"
    assert reserved[("IV-6", "sexual-abuse-declared-cases")]["reserved_by"] == "Art. 25(5)"
    assert ("IV-5", "habitual-residents") in reserved, "silence on the condition for residents is not asked of a Party that reserved 25(3)"
    text = run_selfcheck("assess", answers).stdout
    assert "Not required, for the Party made the reservation the Convention permits (Article 48):" in text
    assert (
        "IV-4 no jurisdiction over offences committed abroad by habitual residents (S8.1, S12.3): not required while the reservation under Art. 25(3) is maintained"
        in " ".join(text.split())
    )
    explained = " ".join(run_selfcheck("explain", answers, "IV-4").stdout.split())
    assert "[reserved] no jurisdiction over offences committed abroad by habitual residents (S8.1, S12.3): not required while" in explained


def test_without_the_reservation_the_same_answers_are_required(tmp_path):
    answers = tmp_path / "not-reserving.yaml"
    answers.write_text(
        "party: Ruritania\nround: lanzarote-2\nanswers:\n"
        "  jurisdiction.nationals_abroad: yes\n"
        "  jurisdiction.habitual_residents_abroad: no\n"
        "  jurisdiction.dual_criminality.sexual_abuse_declared_cases_only: yes\n"
    )
    assessed = json.loads(run_selfcheck("assess", answers, "--format", "json").stdout)
    iv6 = next(finding for finding in assessed["recommendations"] if finding["id"] == "IV-6")
    assert "sexual-abuse-declared-cases" in {unmet["element"] for unmet in iv6["unmet"]}
    assert "IV-4" in {finding["id"] for finding in assessed["recommendations"]} and assessed["reserved"] == []


REFUSED |= {
    "an own obligation that admits a reservation": (OWN, [('["Art. 25(1)(d)"]', '["Art. 25(1)(e)"]')], "admits a reservation (Art. 25(3))"),
    "an own obligation resting on an endeavour": (OWN, [('["Art. 25(1)(d)"]', '["Art. 25(2)"]')], "is no obligation (its duty is endeavour)"),
    "an own obligation at a lower level": (OWN, [("level: require", "level: invite")], "says level require"),
    "an own obligation hidden as a draft": (OWN, [("level: require", "draft: true\n    level: require")], "is no draft"),
    "an own obligation with a printed reason": (
        OWN,
        [("    basis: inferred\n", "    basis: printed\n    grounds:\n      - para: Para. 217\n        quote: x\n")],
        "basis inferred",
    ),
}


@pytest.mark.parametrize("place, changes, says", REFUSED.values(), ids=REFUSED.keys())
def test_the_load_refuses(rules_copy, questionnaire, place, changes, says):
    rule = place.rule
    for old, new in changes:
        assert old in rule, f"the case changes what its rule has: {old!r}"
        rule = rule.replace(old, new)
    _put(rules_copy, place, rule)
    problems = _problems(rules_copy, questionnaire)
    assert says in problems
    assert f"{place.file}:" in problems, "the problem names the rule file and line"


def test_an_own_obligation_that_fires_for_albania_is_caught_like_a_draft(rules_copy, questionnaire):
    fires = SC.replace("jurisdiction.habitual_residents_abroad: no", "jurisdiction.habitual_residents_abroad: {not: yes}")
    fires = fires.replace('["Art. 25(1)(d)"]', '["Art. 25(6)"]').replace("on_no_information: silent", "on_no_information: fires")
    _put(rules_copy, OWN, fires)
    problems = check_quotes(load_rulebook(rules_copy, questionnaire), load_published(rounds.published_dir(ROUND)))
    assert any("SC-IV-2 is selfcheck's own obligation, yet it fires for Albania" in str(problem) for problem in problems)


def test_a_question_no_rule_reads_any_more_is_listed_with_its_place(rules_copy, questionnaire):
    path = rules_copy / "06-assistance-to-victims.yaml"
    text = path.read_text()
    start, end = text.index("      - id: free-of-charge\n"), text.index("      - id: languages\n")
    path.write_text(text[:start] + text[end:])
    problems = [str(p) for p in question_problems(load_rulebook(rules_copy, questionnaire), rounds.questionnaire_path(ROUND))]
    assert len(problems) == 1
    assert "questionnaire.yaml:" in problems[0] and "S6.6 assistance.helpline_free_of_charge is read by no rule, element or observation" in problems[0]


def test_the_shipped_questionnaire_has_no_dead_question_and_every_served_provision_exists(rulebook):
    assert question_problems(rulebook, rounds.questionnaire_path(ROUND)) == []


def test_a_question_declared_context_that_a_rule_reads_is_listed(tmp_path):
    source = rounds.questionnaire_path(ROUND).read_text()
    marked = source.replace(
        '        serves: ["Convention Art. 13"]\n      - id: assistance.helpline_confidential',
        '        serves: ["Convention Art. 13"]\n        informs: context\n        why: Asked for the reply.\n      - id: assistance.helpline_confidential',
    )
    assert marked != source
    path = tmp_path / "questionnaire.yaml"
    path.write_text(marked)
    problems = [str(p) for p in question_problems(load_rulebook(RULES, load_questionnaire(path)), path)]
    assert any("says informs: context, yet VI-1/advice-to-ict-victims read it" in p for p in problems)


def test_the_convention_index_lists_every_article_and_the_reservations_article_48_permits():
    articles = {key.split("(")[0].split(",")[0] for key in INDEX.provisions}
    assert articles == {f"Art. {n}" for n in range(1, 51)}
    reservable = {key: provision.reservation for key, provision in INDEX.provisions.items() if provision.reservation}
    assert reservable == {
        "Art. 20(1)(a)": "Art. 20(3)",
        "Art. 20(1)(e)": "Art. 20(3)",
        "Art. 20(1)(f)": "Art. 20(4)",
        "Art. 21(1)(c)": "Art. 21(2)",
        "Art. 24(2)": "Art. 24(3)",
        "Art. 25(1)(e)": "Art. 25(3)",
        "Art. 25(4)": "Art. 25(5)",
    }
    assert INDEX.reservations("Art. 25(1)(d)") == [] and INDEX.reservations("Art. 25(1)") == ["Art. 25(3)"]
    assert INDEX.provisions_cited("Art. 25(1)(a)-(c)") == ["Art. 25(1)(a)", "Art. 25(1)(b)", "Art. 25(1)(c)"]
    assert INDEX.title("Art. 30(5), first indent").startswith("Effective investigation and prosecution")


def test_selfcheck_rules_prints_each_cited_provisions_title():
    result = run_selfcheck("rules")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Convention Art. 25(1)(d): Offences committed by one of its nationals" in text
    assert "Convention Art. 25(1)(e): Offences committed by a person habitually resident in its territory (a reservation is permitted: Art. 25(3))" in text


def _compliant_party_but(tmp_path, question: str, answer: str):
    """The baseline Party's answers file with one answer changed from yes."""
    baseline = (ROOT / "rules" / ROUND / "compliant-party.yaml").read_text()
    assert f"{question}: yes\n" in baseline
    answers = tmp_path / f"{question}.yaml"
    answers.write_text(baseline.replace(f"{question}: yes\n", f"{question}: {answer}\n"))
    return answers


def test_explain_names_the_elements_not_in_place_in_peoples_words(tmp_path):
    answers = _compliant_party_but(tmp_path, "assistance.helpline_free_of_charge", "no")
    text = run_selfcheck("explain", answers, "VI-1").stdout
    assert "[not in place] helplines are not free of charge (S6.6)" in text
    assert "[in place] Callers can be advised confidentially" in text
    summary = run_selfcheck("assess", answers).stdout
    assert "not in place: helplines are not free of charge (S6.6)" in summary


def test_the_table_in_the_rulebooks_readme_is_the_one_the_rule_files_make(rulebook):
    from selfcheck.engine.rules.table import elements_table, with_table

    readme = rulebook.directory / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert with_table(text, elements_table(rulebook), readme) == text, "the table is stale: run scripts/rules-table"
    assert "| VI-1 | require | `free-of-charge`: The helplines are free of charge for the caller. | S6.6 | Convention Art. 13 |" in text
    assert "| SC-IV-1 (selfcheck's own) | require |" in text


def test_rules_table_check_fails_on_a_stale_table_and_writes_nothing(tmp_path, monkeypatch):
    from selfcheck.engine.rules import table

    readme = tmp_path / "README.md"
    readme.write_text(f"# Rules\n\n{table.BEGIN}\n| an old table |\n{table.END}\n", encoding="utf-8")
    rulebook = load_rulebook(RULES, rounds.questionnaire(ROUND))
    monkeypatch.setattr("selfcheck.engine.rules.rulebooks.rulebook", lambda _: dataclasses.replace(rulebook, directory=tmp_path))
    before = readme.read_text()
    assert table.main(["--check"]) == 1 and readme.read_text() == before
    assert table.main([]) == 0 and "| VI-1 | require |" in readme.read_text()
    assert table.main(["--check"]) == 0


def test_explain_labels_an_own_obligation_as_selfchecks_inference(tmp_path):
    answers = _compliant_party_but(tmp_path, "jurisdiction.nationals_abroad", "no")
    text = run_selfcheck("explain", answers, "SC-IV-1").stdout
    assert "SC-IV-1 fires for Compliantia: require" in text
    assert "[selfcheck's inference] an obligation of the Lanzarote Convention, to which no reservation is" in text
    summary = run_selfcheck("assess", answers).stdout
    assert "[selfcheck's inference]" in summary and "1 marked [selfcheck's inference] under ids of selfcheck's own" in summary


def test_explain_shows_an_element_silent_on_no_information_as_unanswered_not_in_place(tmp_path):
    answers = _compliant_party_but(tmp_path, "cooperation.complaints_in_state_of_residence", "not_provided")
    text = run_selfcheck("explain", answers, "SC-V-1").stdout
    assert "SC-V-1 does not fire for Compliantia" in text
    assert "[unanswered] not shown either way, for S16.1 is unanswered: Victims of an offence" in text
    assert "[in place]" not in text
    answered = run_selfcheck("explain", ROOT / "rules" / ROUND / "compliant-party.yaml", "SC-V-1").stdout
    assert "[in place] Victims of an offence" in answered and "[unanswered]" not in answered
