"""The condition language on its own: what it accepts, what it refuses (and where), how it evaluates,
and that the normal form handed to durable-rules means the same as the tree it came from."""

from __future__ import annotations

import itertools

import pytest

from conftest import ROUND
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED
from selfcheck.engine.rules import conditions
from selfcheck.engine.rules.conditions import (
    EXPANSION_LIMIT,
    All,
    Any_,
    Choice,
    Compare,
    ConditionError,
    Missing,
    Not,
    TooComplex,
    condition_text,
    conjunct_holds,
    deciding_tests,
    disjunctive_normal_form,
    holds,
    parse_condition,
    written,
)

Atom = conditions.Test  # a name pytest does not collect
QUESTIONNAIRE = rounds.questionnaire(ROUND)
TRI, TRI2 = "civil_society.involved_in_prevention", "civil_society.awareness_activities_for_adults"
ONE = "education.framework"  # sexuality_education, health_education, other_subject, non_formal_only
LIST = "education.levels"  # primary, lower_secondary, upper_secondary
NUMBER = "legal.age_of_criminal_responsibility"
TEXT = "awareness.promising_practices"

# Answers to try every condition on: each kind of answer to each kind of question, not_provided included.
ANSWERS = {
    TRI: ["yes", "no", "varies", NOT_PROVIDED],
    TRI2: ["yes", NOT_PROVIDED],
    ONE: ["sexuality_education", "health_education", "non_formal_only", NOT_PROVIDED],
    LIST: [[], ["primary"], ["lower_secondary", "upper_secondary"], ["primary", "lower_secondary", "upper_secondary"], NOT_PROVIDED],
    NUMBER: [0, 13, 14, 15, 18, NOT_PROVIDED],
    TEXT: ["a practice", NOT_PROVIDED],
}
CONDITIONS = [
    {TRI: "yes"},
    {TRI: ["no", NOT_PROVIDED]},
    {TRI: ["yes", "no"]},
    {TRI: {"not": NOT_PROVIDED}},
    {TRI: {"not": "yes"}},
    {"not": {TRI: "yes"}},
    {"not": {"not": {TRI: "no"}}},
    {ONE: ["health_education", "sexuality_education"]},
    {ONE: {"not": ["health_education", NOT_PROVIDED]}},
    {"not": {ONE: "non_formal_only"}},
    {LIST: {"includes": "primary"}},
    {LIST: {"lacks": "upper_secondary"}},
    {"not": {LIST: {"includes": "lower_secondary"}}},
    {"not": {LIST: {"lacks": "primary"}}},
    {LIST: NOT_PROVIDED},
    {LIST: {"not": NOT_PROVIDED}},
    {"not": {LIST: NOT_PROVIDED}},
    {"not": {LIST: {"not": NOT_PROVIDED}}},
    {NUMBER: {"below": 14}},
    {NUMBER: {"at_most": 14}},
    {NUMBER: {"above": 14}},
    {NUMBER: {"at_least": 14}},
    {"not": {NUMBER: {"below": 14}}},
    {"not": {NUMBER: {"at_most": 14}}},
    {"not": {NUMBER: {"above": 14}}},
    {"not": {NUMBER: {"at_least": 14}}},
    {NUMBER: NOT_PROVIDED},
    {NUMBER: {"not": NOT_PROVIDED}},
    {"not": {NUMBER: NOT_PROVIDED}},
    {TEXT: NOT_PROVIDED},
    {TEXT: {"not": NOT_PROVIDED}},
    {"not": {TEXT: {"not": NOT_PROVIDED}}},
    {"all": [{TRI: "yes"}, {NUMBER: {"below": 15}}]},
    {"any": [{TRI: "yes"}, {NUMBER: {"below": 15}}]},
    {"not": {"all": [{TRI: "yes"}, {TRI2: "yes"}]}},
    {"not": {"any": [{TRI: "yes"}, {LIST: {"includes": "primary"}}]}},
    {"all": [{NUMBER: {"at_least": 14}}, {NUMBER: {"not": NOT_PROVIDED}}]},
    {"all": [{NUMBER: {"below": 14}}, {NUMBER: NOT_PROVIDED}]},
    {"all": [{NUMBER: NOT_PROVIDED}, {NUMBER: {"not": NOT_PROVIDED}}]},
    {"any": [{NUMBER: NOT_PROVIDED}, {"not": {NUMBER: {"above": 14}}}]},
    {"all": [{TRI: "yes"}, {TRI: "no"}]},
    {"all": [{TRI: ["yes", "no"]}, {TRI: ["no", NOT_PROVIDED]}]},
    {"any": [{TRI: "yes"}, {TRI: ["no", NOT_PROVIDED]}]},
    {"all": [{LIST: {"includes": "primary"}}, {LIST: {"lacks": "primary"}}]},
    {"all": [{LIST: {"includes": "primary"}}, {"not": {LIST: NOT_PROVIDED}}]},
    {"any": [{"all": [{TRI: "yes"}, {TRI2: "yes"}]}, {TRI: "yes"}]},
    {"all": [{"any": [{TRI: "yes"}, {ONE: "health_education"}]}, {"any": [{TRI2: "yes"}, {TEXT: NOT_PROVIDED}]}]},
]


def parse(raw, somewhere: bool = True):
    return parse_condition(raw, QUESTIONNAIRE, somewhere=somewhere)


def every_answer_set():
    names = list(ANSWERS)
    for combination in itertools.product(*(ANSWERS[name] for name in names)):
        yield dict(zip(names, combination, strict=True))


def refusal(raw) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        parse(raw)
    return caught.value


@pytest.mark.parametrize("somewhere", [True, False], ids=["rule", "observation"])
@pytest.mark.parametrize("raw", CONDITIONS)  # ids by position: a mutant must not rename the tests
def test_the_normal_form_handed_to_durable_rules_holds_exactly_when_the_condition_does(raw, somewhere):
    condition = parse(raw, somewhere)
    alternatives = disjunctive_normal_form(condition, QUESTIONNAIRE)
    for answers in every_answer_set():
        answer_of = lambda question: answers.get(question, NOT_PROVIDED)  # noqa: E731
        assert holds(condition, answer_of) == any(conjunct_holds(alternative, answer_of) for alternative in alternatives), answers


@pytest.mark.parametrize("raw", CONDITIONS)  # ids by position: a mutant must not rename the tests
def test_a_condition_written_back_reads_the_same(raw):
    condition = parse(raw)
    assert parse(written(condition)) == condition


def test_the_not_combinator_is_evaluated():
    condition = parse({"not": {TRI: "yes"}})
    assert condition == Not(Atom(TRI, "in", ("yes",), False))  # negated, an answer that varies reads the other way
    assert not holds(condition, {TRI: "yes"}.get)
    assert holds(condition, {TRI: "no"}.get) and holds(condition, {TRI: "varies"}.get)
    assert disjunctive_normal_form(condition, QUESTIONNAIRE) == [(Choice(TRI, None, frozenset({"no", "varies", NOT_PROVIDED})),)]


def test_a_condition_is_read_as_a_rules_unless_said_otherwise():
    assert parse_condition({TRI: "yes"}, QUESTIONNAIRE) == Atom(TRI, "in", ("yes",), True)
    assert holds(parse_condition({TRI: "yes"}, QUESTIONNAIRE), {TRI: "varies"}.get)
    assert not holds(parse_condition({TRI: "yes"}, QUESTIONNAIRE, somewhere=False), {TRI: "varies"}.get)


def test_no_condition_always_holds_and_is_written_none():
    assert holds(None, {}.get)
    assert disjunctive_normal_form(None, QUESTIONNAIRE) == [()]
    assert condition_text(None) == "(none)"
    assert conditions.tests_in(None) == [] and deciding_tests(None, {}.get, True) == []


def test_conditions_are_written_on_one_line_in_the_rule_language():
    assert condition_text(parse({TRI: "yes"})) == f"{{{TRI}: yes}}"
    assert condition_text(parse({TRI: ["no", NOT_PROVIDED]})) == f"{{{TRI}: [no, not_provided]}}"
    assert condition_text(parse({"not": {ONE: {"not": "health_education"}}})) == f"{{not: {{{ONE}: {{not: health_education}}}}}}"
    assert condition_text(parse({"any": [{NUMBER: {"below": 14}}, {LIST: {"includes": "primary"}}]})) == (
        f"{{any: [{{{NUMBER}: {{below: 14}}}}, {{{LIST}: {{includes: primary}}}}]}}"
    )
    assert condition_text(parse({"all": [{TEXT: {"not": NOT_PROVIDED}}]})) == f"{{all: [{{{TEXT}: {{not: not_provided}}}}]}}"


def test_each_matcher_tests_what_it_names():
    assert Atom(NUMBER, "below", 14).holds(13) and not Atom(NUMBER, "below", 14).holds(14)
    assert Atom(NUMBER, "at_most", 14).holds(14) and not Atom(NUMBER, "at_most", 14).holds(15)
    assert Atom(NUMBER, "above", 14).holds(15) and not Atom(NUMBER, "above", 14).holds(14)
    assert Atom(NUMBER, "at_least", 14).holds(14) and not Atom(NUMBER, "at_least", 14).holds(13)
    assert not Atom(NUMBER, "below", 14).holds(NOT_PROVIDED) and not Atom(NUMBER, "at_least", 14).holds(NOT_PROVIDED)
    assert Atom(LIST, "includes", "primary").holds(["primary"]) and not Atom(LIST, "includes", "primary").holds(NOT_PROVIDED)
    assert Atom(LIST, "lacks", "primary").holds(NOT_PROVIDED) and Atom(LIST, "lacks", "primary").holds([])
    assert not Atom(LIST, "lacks", "primary").holds(["primary"])
    assert Atom(TRI, "not_in", ("yes",)).holds("no") and not Atom(TRI, "not_in", ("yes",)).holds("yes")


def test_the_tests_deciding_a_rule_are_those_that_keep_it_from_firing():
    condition = parse({"all": [{TRI: "yes"}, {TRI2: "yes"}, {"not": {NUMBER: {"below": 14}}}]})
    answers = {TRI: "yes", TRI2: "no", NUMBER: 12}.get
    assert not holds(condition, answers)
    assert deciding_tests(condition, answers, False) == [Atom(TRI2, "in", ("yes",)), Atom(NUMBER, "below", 14, False)]
    either = parse({"any": [{TRI: "yes"}, {TRI2: "yes"}]})
    assert deciding_tests(either, {TRI: "no", TRI2: "yes"}.get, True) == [Atom(TRI2, "in", ("yes",))]
    assert conditions.tests_in(condition) == [Atom(TRI, "in", ("yes",)), Atom(TRI2, "in", ("yes",)), Atom(NUMBER, "below", 14, False)]


def test_a_list_question_matched_with_not_provided_reaches_durable_rules_as_its_first_options_flag():
    first = QUESTIONNAIRE.questions[LIST].option_values[0]
    assert disjunctive_normal_form(parse({LIST: NOT_PROVIDED}), QUESTIONNAIRE) == [(Choice(LIST, first, frozenset({NOT_PROVIDED})),)]
    answered = [(Choice(LIST, first, frozenset({"yes", "no"})),)]
    assert disjunctive_normal_form(parse({LIST: {"not": NOT_PROVIDED}}), QUESTIONNAIRE) == answered
    assert disjunctive_normal_form(parse({"not": {LIST: NOT_PROVIDED}}), QUESTIONNAIRE) == answered
    assert disjunctive_normal_form(parse({LIST: {"lacks": "primary"}}), QUESTIONNAIRE) == [(Choice(LIST, "primary", frozenset({"no", NOT_PROVIDED})),)]


def test_integers_reach_durable_rules_as_comparisons_and_presence():
    assert disjunctive_normal_form(parse({NUMBER: {"below": 14}}), QUESTIONNAIRE) == [(Compare(NUMBER, "below", 14),)]
    assert disjunctive_normal_form(parse({"not": {NUMBER: {"below": 14}}}), QUESTIONNAIRE) == [
        (Compare(NUMBER, "at_least", 14),),
        (Missing(NUMBER, True),),
    ]
    assert disjunctive_normal_form(parse({NUMBER: {"not": NOT_PROVIDED}}), QUESTIONNAIRE) == [(Missing(NUMBER, False),)]
    # a comparison already says the number was given
    both = parse({"all": [{NUMBER: {"above": 14}}, {NUMBER: {"not": NOT_PROVIDED}}]})
    assert disjunctive_normal_form(both, QUESTIONNAIRE) == [(Compare(NUMBER, "above", 14),)]


def test_alternatives_that_can_never_hold_or_add_nothing_are_dropped():
    assert disjunctive_normal_form(parse({"all": [{NUMBER: NOT_PROVIDED}, {NUMBER: {"not": NOT_PROVIDED}}]}), QUESTIONNAIRE) == []
    assert disjunctive_normal_form(parse({"all": [{NUMBER: {"below": 14}}, {NUMBER: NOT_PROVIDED}]}), QUESTIONNAIRE) == []
    # yes and no hold together only where the answer varies, which a rule reads as both and an observation as neither
    assert disjunctive_normal_form(parse({"all": [{TRI: "yes"}, {TRI: "no"}]}), QUESTIONNAIRE) == [(Choice(TRI, None, frozenset({"varies"})),)]
    assert disjunctive_normal_form(parse({"all": [{TRI: "yes"}, {TRI: "no"}]}, somewhere=False), QUESTIONNAIRE) == []
    assert disjunctive_normal_form(parse({TRI: ["yes", "no", NOT_PROVIDED]}), QUESTIONNAIRE) == [()]
    narrowed = parse({"all": [{TRI: ["yes", "no"]}, {TRI: {"not": "yes"}}]})
    assert disjunctive_normal_form(narrowed, QUESTIONNAIRE) == [(Choice(TRI, None, frozenset({"no", "varies"})),)]
    absorbed = parse({"any": [{"all": [{TRI: "yes"}, {TRI2: "yes"}]}, {TRI: "yes"}]})
    assert disjunctive_normal_form(absorbed, QUESTIONNAIRE) == [(Choice(TRI, None, frozenset({"yes", "varies"})),)]
    repeated = parse({"any": [{TRI: "yes"}, {TRI: "yes"}]})
    assert disjunctive_normal_form(repeated, QUESTIONNAIRE) == [(Choice(TRI, None, frozenset({"yes", "varies"})),)]


def test_the_number_of_alternatives_is_limited():
    def alternatives(count: int) -> dict:
        return {"all": [{"any": [{TRI: "yes"}] * count}]}

    assert EXPANSION_LIMIT == 240
    assert disjunctive_normal_form(parse(alternatives(EXPANSION_LIMIT)), QUESTIONNAIRE) == [(Choice(TRI, None, frozenset({"yes", "varies"})),)]
    with pytest.raises(TooComplex, match="more than 240 alternatives; simplify it"):
        disjunctive_normal_form(parse(alternatives(EXPANSION_LIMIT + 1)), QUESTIONNAIRE)
    sixteen = {"any": [{TRI: "yes"}] * 16}
    with pytest.raises(TooComplex):
        disjunctive_normal_form(parse({"all": [sixteen, sixteen]}), QUESTIONNAIRE)


def test_an_answer_the_question_does_not_offer_is_refused():
    error = refusal({TRI: "yess"})
    assert error.keys == (TRI,)
    assert str(error) == f"{TRI} is answered with yes, no, not_provided; got 'yess'"
    assert refusal({ONE: {"not": ["health_education", "sport"]}}).keys == (ONE, "not")


def test_an_empty_all_or_any_is_refused_rather_than_firing_for_every_party():
    for key in ("all", "any"):
        error = refusal({key: []})
        assert error.keys == (key,) and str(error) == f"expected a non-empty list of conditions under {key}"
        assert refusal({key: {TRI: "yes"}}).keys == (key,)


def test_a_comparison_with_a_truth_value_or_a_text_is_refused():
    for operand in (True, "18", 14.5):
        error = refusal({NUMBER: {"below": operand}})
        assert error.keys == (NUMBER, "below") and str(error) == f"expected a whole number after below, got {operand!r}"


def test_a_comparison_of_a_question_that_is_not_a_number_is_refused():
    error = refusal({TRI: {"at_least": 3}})
    assert error.keys == (TRI, "at_least") and str(error) == f"at_least compares numbers, but {TRI} is a tri_state question"


def test_includes_and_lacks_apply_to_list_questions_and_their_options_only():
    error = refusal({TRI: {"includes": "yes"}})
    assert error.keys == (TRI, "includes") and str(error) == f"includes applies to list questions, but {TRI} is a tri_state question"
    error = refusal({LIST: {"lacks": "university"}})
    assert error.keys == (LIST, "lacks") and str(error) == "expected one of primary, lower_secondary, upper_secondary, got 'university'"


def test_a_list_or_a_number_is_matched_only_with_not_provided_or_its_operators():
    error = refusal({LIST: "primary"})
    assert error.keys == (LIST,) and str(error) == f"{LIST} can be matched with not_provided or with includes, lacks, got 'primary'"
    error = refusal({NUMBER: [14]})
    assert str(error) == f"{NUMBER} can be matched with not_provided or with below, at_most, above, at_least, got [14]"
    assert refusal({NUMBER: {"not": 14}}).keys == (NUMBER, "not")


def test_a_free_text_is_only_asked_whether_it_was_answered():
    error = refusal({TEXT: "a practice"})
    assert error.keys == (TEXT,)
    assert str(error) == f"{TEXT} is a free-text question; a condition can only ask whether it was answered: not_provided or {{not: not_provided}}"
    assert refusal({TEXT: {"not": "a practice"}}).keys == (TEXT,)


def test_the_same_answer_twice_or_no_answer_is_refused():
    assert str(refusal({TRI: ["yes", "yes"]})) == "expected distinct answers"
    assert refusal({TRI: []}).keys == (TRI,)
    assert str(refusal({TRI: [["yes"]]})) == f"{TRI} is answered with yes, no, not_provided; got ['yes']"


def test_a_mapping_of_two_keys_is_an_error_not_a_crash():
    error = refusal({TRI: "yes", TRI2: "no"})
    assert error.keys == () and str(error) == "expected a mapping with one key: all, any, not, or a question id"
    error = refusal({NUMBER: {"below": 14, "above": 3}})
    assert error.keys == (NUMBER,) and str(error) == "expected one operator: not, below, at_most, above, at_least, includes or lacks"
    assert refusal({NUMBER: {}}).keys == (NUMBER,)
    assert refusal([{TRI: "yes"}]).keys == ()
    assert refusal("yes").keys == ()


def test_an_unknown_question_or_operator_is_named_where_it_stands():
    error = refusal({"all": [{TRI: "yes"}, {"any": [{"no.such.question": "yes"}]}]})
    assert error.keys == ("all", 1, "any", 0, "no.such.question") and str(error) == "unknown question 'no.such.question'"
    assert refusal({1: "yes"}).keys == (1,)
    error = refusal({"not": {NUMBER: {"under": 14}}})
    assert error.keys == ("not", NUMBER, "under") and str(error) == "unknown operator 'under'"


def test_the_normal_form_names_only_fields_of_the_questionnaire():
    condition = parse({"all": [{ONE: {"not": "health_education"}}, {LIST: {"includes": "upper_secondary"}}]})
    (alternative,) = disjunctive_normal_form(condition, QUESTIONNAIRE)
    assert set(alternative) == {
        Choice(ONE, None, frozenset(QUESTIONNAIRE.questions[ONE].choices) - {"health_education"}),
        Choice(LIST, "upper_secondary", frozenset({"yes"})),
    }
    assert conditions.domain(Choice(LIST, "primary", frozenset()), QUESTIONNAIRE) == frozenset({"yes", "no", NOT_PROVIDED})


def test_combinators_build_the_tree_they_name():
    assert parse({"all": [{TRI: "yes"}, {TRI2: "yes"}]}) == All((Atom(TRI, "in", ("yes",)), Atom(TRI2, "in", ("yes",))))
    assert parse({"any": [{TRI: "yes"}]}) == Any_((Atom(TRI, "in", ("yes",)),))
    assert parse({LIST: NOT_PROVIDED}) == Atom(LIST, "in", (NOT_PROVIDED,))
    assert parse({TEXT: {"not": NOT_PROVIDED}}) == Atom(TEXT, "not_in", (NOT_PROVIDED,))
    assert parse({TEXT: NOT_PROVIDED}) == Atom(TEXT, "in", (NOT_PROVIDED,))
