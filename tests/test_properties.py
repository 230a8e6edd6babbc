"""Properties that must hold for every answer set, checked on generated ones."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import COMPLIANT, ROUND
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED
from selfcheck.engine.answers.rounds import answers_of, load_answers
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.common.safe_files import Document
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.rules.conditions import Choice, Compare, Missing, holds
from selfcheck.engine.rules.reference import reference_fired, reference_observed
from strategies import answer_values, answers_from

QUESTIONNAIRE = rounds.questionnaire(ROUND)
RULEBOOK = rulebooks.rulebook(ROUND)
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
EVERYTHING_NOT_PROVIDED: dict = {}
COMPLIANT_VALUES = dict(load_answers(COMPLIANT).values)
# Questions that say whether the law reaches a conduct at all, or a number with no compliant
# direction: criminalising possession or distribution is what the Convention asks, and it is what
# makes the exemptions of II-6 and the last-resort limit of II-9 necessary. Liability for sharing
# one's own images makes the non-prosecution of II-8 necessary; jurisdiction over nationals abroad
# (Article 25(1)(d)) is what dual criminality (IV-6 to IV-8) conditions; withdrawing a reservation
# brings back what it excluded (IV-4).
SCOPE_QUESTIONS = {
    "legal.possession.criminalised",
    "legal.sharing.others_images_criminalised",
    "legal.age_of_criminal_responsibility",
    "legal.sharing.own_images_liable",
    "jurisdiction.nationals_abroad",
    "convention.reservations",
}
NOTHING_COMPLIANT = {q.id: "no" if q.type == "tri_state" else NOT_PROVIDED for q in QUESTIONNAIRE.questions.values()}


@SETTINGS
@given(values=answer_values(QUESTIONNAIRE), include_draft=st.booleans())
@example(values=EVERYTHING_NOT_PROVIDED, include_draft=True)
@example(values=NOTHING_COMPLIANT, include_draft=True)
def test_durable_rules_and_the_reference_evaluator_agree(values, include_draft):
    answers = answers_from(values, QUESTIONNAIRE)
    assessment = assess(answers, RULEBOOK, include_draft=include_draft)
    fired = assessment.ids()
    assert len(fired) == len(set(fired)), "a recommendation was reported twice"
    assert set(fired) == reference_fired(RULEBOOK, answers, include_draft)
    observed = [observation.id for observation in assessment.observations]
    assert len(observed) == len(set(observed)), "an observation was reported twice"
    assert set(observed) == reference_observed(RULEBOOK, answers)
    for finding in assessment.recommendations:  # and on which elements are not in place
        rule = RULEBOOK.by_id[finding.id]
        assert [unmet.element for unmet in finding.unmet] == [e.id for e in rule.elements if holds(e.condition, answers.value)], finding.id


@SETTINGS
@given(values=answer_values(QUESTIONNAIRE), data=st.data())
def test_the_result_does_not_depend_on_the_order_of_answers(values, data):
    shuffled = data.draw(st.permutations(list(values)))
    results = []
    for keys in (list(values), shuffled):
        document = Document(file="generated.yaml", data={"party": "Testland", "round": ROUND, "answers": {k: _written(values[k]) for k in keys}})
        results.append(assess(answers_of(document), RULEBOOK, include_draft=True).model_dump())
    assert results[0] == results[1]


@SETTINGS
@given(values=answer_values(QUESTIONNAIRE), data=st.data())
def test_an_omitted_answer_behaves_exactly_as_not_provided(values, data):
    omitted = data.draw(st.sets(st.sampled_from(sorted(QUESTIONNAIRE.questions))))
    explicit = {**values, **{q: NOT_PROVIDED for q in omitted}}
    left_out = {q: v for q, v in explicit.items() if q not in omitted}
    first = assess(answers_from(explicit, QUESTIONNAIRE), RULEBOOK, include_draft=True)
    second = assess(answers_from(left_out, QUESTIONNAIRE), RULEBOOK, include_draft=True)
    assert first.model_dump() == second.model_dump()


@SETTINGS
@given(values=answer_values(QUESTIONNAIRE), data=st.data())
def test_making_one_answer_compliant_never_adds_a_recommendation(values, data):
    compliant = COMPLIANT_VALUES
    question = data.draw(st.sampled_from(sorted(q for q in compliant if q not in SCOPE_QUESTIONS)))
    before = set(assess(answers_from(values, QUESTIONNAIRE), RULEBOOK).ids())
    after = set(assess(answers_from({**values, question: compliant[question]}, QUESTIONNAIRE), RULEBOOK).ids())
    assert after <= before, f"answering {question} as a compliant Party added {sorted(after - before)}"


def test_every_rule_fires_for_the_answers_its_first_alternative_describes():
    for rule in RULEBOOK.rules:
        values = _described(rule.conjuncts[0])
        fired = assess(answers_from(values, QUESTIONNAIRE), RULEBOOK, include_draft=True).ids()
        assert rule.id in fired, f"{rule.id} did not fire for {values}"


def test_every_observation_holds_for_the_answers_its_first_alternative_describes():
    for observation in RULEBOOK.observations:
        values = _described(observation.conjuncts[0])
        observed = [o.id for o in assess(answers_from(values, QUESTIONNAIRE), RULEBOOK).observations]
        assert observation.id in observed, f"{observation.id} did not hold for {values}"


def test_a_fully_compliant_party_draws_only_the_recommendations_addressed_to_all_parties(compliant):
    fired = set(assess(compliant, RULEBOOK).ids())
    unconditional = {rule.id for rule in RULEBOOK.rules_in_force() if rule.condition is None}
    assert fired == unconditional, f"conditional rules fired for the compliant Party: {sorted(fired - unconditional)}"


def _written(value):
    if value == "varies":  # as an answers file writes it: with the note it needs
        return {"value": value, "note": "in some regions only"}
    return list(value) if isinstance(value, tuple) else value


def _described(conjunct):
    """The answers an alternative describes; the options of one list question, each its own atom
    (includes one, lacks another), make one answer together."""
    values = {}
    for atom in conjunct:
        value = _satisfying(atom)
        if isinstance(atom, Choice) and atom.option is not None and value != NOT_PROVIDED:
            value = tuple(sorted({*values.get(atom.question, ()), *value}))
        values[atom.question] = value
    return values


def _satisfying(atom):
    question = QUESTIONNAIRE.question(atom.question)
    if isinstance(atom, Compare):
        return {"below": atom.number - 1, "at_most": atom.number, "above": atom.number + 1, "at_least": atom.number}[atom.op]
    if isinstance(atom, Missing):
        return NOT_PROVIDED if atom.missing else ("some words" if question.type == "text" else question.minimum)
    assert isinstance(atom, Choice)
    value = sorted(atom.allowed)[0]
    if atom.option is None:
        return value
    return {"yes": (atom.option,), "no": (), NOT_PROVIDED: NOT_PROVIDED}[value]


@SETTINGS
@given(values=answer_values(QUESTIONNAIRE), data=st.data())
def test_an_answer_that_varies_by_region_fires_a_rule_where_yes_or_no_would_and_states_only_what_both_would(values, data):
    """Fail closed: a rule fires on "varies" wherever it fires on yes or on no; an observation holds
    on it only where it holds on both (the Committee's words state only what the answer states)."""
    question = data.draw(st.sampled_from(sorted(q.id for q in QUESTIONNAIRE.questions.values() if q.type == "tri_state")))
    results = {}
    for value in ("yes", "no", "varies"):
        assessment = assess(answers_from({**values, question: value}, QUESTIONNAIRE), RULEBOOK, include_draft=True)
        results[value] = (set(assessment.ids()), {observation.id for observation in assessment.observations})
    assert results["varies"][0] >= results["yes"][0] | results["no"][0], question
    assert results["varies"][1] <= results["yes"][1] & results["no"][1], question


def test_each_test_reads_an_answer_that_varies_as_the_reference_evaluator_and_the_normal_form_both_do():
    from selfcheck.engine.rules.conditions import conjunct_holds, disjunctive_normal_form, parse_condition

    q = "assistance.helpline_free_of_charge"
    # (condition, holds on varies in a rule, holds on varies in an observation)
    shapes = [
        ({q: "yes"}, True, False),
        ({q: "no"}, True, False),
        ({q: {"not": "yes"}}, True, False),
        ({q: ["yes", "no"]}, True, True),
        ({q: "not_provided"}, False, False),
        ({"not": {q: "yes"}}, True, False),  # a negated test stays fail-closed in a rule
        ({"not": {q: "not_provided"}}, True, True),
        ({"all": [{q: "yes"}, {q: "no"}]}, True, False),  # yes somewhere and no elsewhere
        ({"not": {"any": [{q: "yes"}, {q: "not_provided"}]}}, True, False),
    ]
    for raw, in_rule, in_observation in shapes:
        for somewhere, expected in ((True, in_rule), (False, in_observation)):
            condition = parse_condition(raw, QUESTIONNAIRE, (), somewhere)
            conjuncts = disjunctive_normal_form(condition, QUESTIONNAIRE)
            for answer in QUESTIONNAIRE.questions[q].accepted:
                reference = holds(condition, lambda _: answer)
                assert reference == any(conjunct_holds(c, lambda _: answer) for c in conjuncts), (raw, somewhere, answer)
            assert holds(condition, lambda _: "varies") == expected, (raw, somewhere)
