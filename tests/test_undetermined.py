"""A recommendation neither drawn nor cleared: an element silent on no information reads a question left unanswered."""

from __future__ import annotations

import json
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ALBANIA, run_selfcheck, with_answers
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.assessment.counterfactual import candidate_answers
from selfcheck.engine.rules import conditions
from strategies import answer_values, answers_from


def open_items(assessment) -> dict[str, list[tuple[str | None, list[str]]]]:
    found: dict[str, list[tuple[str | None, list[str]]]] = {}
    for item in assessment.undetermined:
        found.setdefault(item.recommendation, []).append((item.element, item.questions))
    return found


def test_a_compliant_party_leaves_nothing_open(compliant, rulebook):
    assert assess(compliant, rulebook).undetermined == []


def test_a_party_silent_on_a_definition_of_csam_in_law_is_neither_invited_nor_cleared_of_ii_3(compliant, rulebook):
    assessment = assess(with_answers(compliant, legal__csam_definition_in_law=NOT_PROVIDED), rulebook)
    assert "II-3" not in assessment.ids()
    [item] = [i for i in assessment.undetermined if i.recommendation == "II-3"]
    assert (item.element, item.questions, item.level) == ("definition-in-law", ["S8.4"], "invite")
    assert item.words == f"{item.missing}, if S8.4 shows it (left unanswered)"


def test_answering_the_question_settles_it_either_way(compliant, rulebook):
    for answer, drawn in (("yes", False), ("no", True)):
        assessment = assess(with_answers(compliant, legal__csam_definition_in_law=answer), rulebook)
        assert ("II-3" in assessment.ids()) is drawn
        assert "II-3" not in open_items(assessment)


def test_an_element_another_answer_already_puts_in_place_is_not_open(compliant, rulebook):
    # unmet only where nationals abroad are within jurisdiction and dual criminality is kept: a Party
    # without that jurisdiction cannot keep the condition on it (SC-IV-1 asks for the jurisdiction)
    silent = {"jurisdiction.dual_criminality.other_csam_offences": NOT_PROVIDED}
    without = with_answers(compliant, jurisdiction__nationals_abroad="no", **{k.replace(".", "__"): v for k, v in silent.items()})
    assert "IV-7" not in open_items(assess(without, rulebook))
    with_jurisdiction = with_answers(compliant, **{k.replace(".", "__"): v for k, v in silent.items()})
    assert open_items(assess(with_jurisdiction, rulebook))["IV-7"] == [("other-csam-offences", ["S12.6"])]


def test_a_recommendation_drawn_for_another_element_is_not_listed_as_open(compliant, rulebook):
    answers = with_answers(compliant, jurisdiction__nationals_abroad="no", jurisdiction__nationals_abroad_threshold=NOT_PROVIDED)
    assessment = assess(answers, rulebook)
    assert "SC-IV-1" in assessment.ids()
    assert "SC-IV-1" not in open_items(assessment)


def test_a_draft_rule_is_listed_only_when_drafts_are_included(rulebook, compliant):
    drafts = {rule.id for rule in rulebook.rules if rule.draft}
    blank = answers_from({}, rulebook.questionnaire)
    assert not drafts & set(open_items(assess(blank, rulebook)))
    silent_drafts = {rule.id for rule in rulebook.rules if rule.draft and any(e.on_no_information == "silent" for e in rule.elements)}
    if silent_drafts:  # a rulebook whose drafts all fire on no information has nothing to show here
        assert silent_drafts & set(open_items(assess(blank, rulebook, include_draft=True)))


def test_albania_is_told_which_of_selfchecks_own_obligations_its_answers_leave_open(albania, rulebook):
    found = open_items(assess(albania, rulebook))
    assert found == {
        "SC-IV-1": [("every-offence", ["S12.11"])],
        "SC-V-1": [("complaint-at-residence", ["S16.1"])],
        "SC-XI-1": [("mechanism", ["S5.3"]), ("civil-society", ["S5.4"])],
    }
    # why: the published factsheet says nothing of these points, so its reconstructed answers leave them out
    by_number = {question.number: question.id for question in rulebook.questionnaire.questions.values()}
    left_out = {by_number[number] for elements in found.values() for _, numbers in elements for number in numbers}
    assert not left_out & set(albania.values), "each open point is one Albania's answers leave unanswered"


def test_assess_report_and_json_show_what_is_left_open():
    text = run_selfcheck("assess", ALBANIA).stdout
    assert "3 more neither drawn nor cleared" in text
    assert "SC-V-1 (require) victims of an offence committed in another Party cannot complain where they" in text
    data = json.loads(run_selfcheck("assess", ALBANIA, "--format", "json").stdout)
    assert [item["recommendation"] for item in data["undetermined"]] == ["SC-IV-1", "SC-V-1", "SC-XI-1", "SC-XI-1"]
    report = run_selfcheck("report", ALBANIA, "--format", "markdown").stdout
    annex = report[report.index("Recommendations neither drawn nor cleared") :]
    assert "SC-IV-1 (require): jurisdiction over nationals abroad stops below a penalty threshold (“Is that jurisdiction" in annex
    assert "– not provided)" in annex.split("\n\n")[1]


def _could_draw(rule, answers, rulebook) -> bool:
    """Brute force: some answers to the unanswered questions its silent elements read draw the rule."""
    questionnaire = rulebook.questionnaire
    read = {t.question for e in rule.elements if e.on_no_information == "silent" for t in conditions.tests_in(e.condition)}
    unanswered = sorted(q for q in read if answers.value(q) == NOT_PROVIDED and questionnaire.questions[q].silence_means != "none")
    tried = [[a for a in candidate_answers(questionnaire.questions[q], rule.condition) if a != NOT_PROVIDED] for q in unanswered]
    for trial in product(*tried):
        changed = answers.model_copy(update={"values": {**answers.values, **dict(zip(unanswered, trial, strict=True))}})
        if rule.id in assess(changed, rulebook).ids():
            return True
    return False


@settings(max_examples=40)
@given(data=st.data())
def test_a_rule_neither_drawn_nor_listed_open_stays_away_whatever_the_unanswered_questions_say(rulebook, data):
    answers = answers_from(data.draw(answer_values(rulebook.questionnaire)), rulebook.questionnaire)
    assessment = assess(answers, rulebook)
    drawn, open_ = set(assessment.ids()), set(open_items(assessment))
    assert not drawn & open_, "a recommendation drawn is not also open"
    for rule in rulebook.rules_in_force():
        if rule.id in drawn or not any(e.on_no_information == "silent" for e in rule.elements):
            continue
        assert _could_draw(rule, answers, rulebook) == (rule.id in open_), rule.id
