"""How rules are packed into durable-rules rulesets (engine.rules.durable_adapter.compile_rulebook),
on rulebooks made to the size of the limits, and what a rebuilt engine leaves behind."""

from __future__ import annotations

from types import SimpleNamespace

import durable_rules_engine as core
import pytest

from conftest import ROUND
from selfcheck.engine.answers import rounds
from selfcheck.engine.common.errors import InputError, RulebookError
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.rules.conditions import Choice
from selfcheck.engine.rules.durable_adapter import MAX_CONJUNCTS_PER_RULESET, DurableEngine, compile_rulebook, field_name

QUESTIONNAIRE = rounds.questionnaire(ROUND)
TRI_STATE = [question.id for question in QUESTIONNAIRE.questions.values() if question.type == "tri_state"]
LIST = "education.levels"  # primary, lower_secondary, upper_secondary


def rule(rule_id: str, alternatives: int, conditional: bool = True):
    """A rule whose condition has ``alternatives`` alternatives, each one tri-state question answered yes."""
    conjuncts = [(Choice(TRI_STATE[k], None, frozenset({"yes"})),) for k in range(alternatives)] if conditional else [()]
    return SimpleNamespace(
        id=rule_id,
        only_with_drafts=False,
        condition=object() if conditional else None,
        conjuncts=conjuncts,
        alternatives=[SimpleNamespace(name=f"{rule_id}#{k}", atoms=atoms, element=None) for k, atoms in enumerate(conjuncts)],
        error=lambda message: InputError("rules.yaml", message),
    )


def rulebook_of(*rules):
    return SimpleNamespace(rules=list(rules), observations=[], questionnaire=QUESTIONNAIRE, meta=SimpleNamespace(round=ROUND))


def test_a_rule_of_60_alternatives_fills_one_ruleset_and_one_of_61_is_refused():
    assert MAX_CONJUNCTS_PER_RULESET == 60
    (plan,) = compile_rulebook(rulebook_of(rule("A", 60))).plans
    assert len(plan.definition) == 60 and len(plan.fields) == 60
    with pytest.raises(RulebookError) as refused:
        compile_rulebook(rulebook_of(rule("A", 61), rule("B", 2), rule("C", 62)))
    assert [problem.problem for problem in refused.value.problems] == [
        "A: the condition has 61 alternatives; at most 60 fit one ruleset",
        "C: the condition has 62 alternatives; at most 60 fit one ruleset",
    ]


def test_rules_share_a_ruleset_until_the_next_one_would_not_fit():
    assert [len(plan.definition) for plan in compile_rulebook(rulebook_of(rule("A", 30), rule("B", 30))).plans] == [60]
    assert [len(plan.definition) for plan in compile_rulebook(rulebook_of(rule("A", 30), rule("B", 31))).plans] == [30, 31]


def test_rules_to_all_parties_are_not_given_to_durable_rules_and_hold_for_any_answers():
    compiled = compile_rulebook(rulebook_of(rule("A", 2), rule("B", 0, conditional=False), rule("C", 1)))
    assert compiled.always == (("B#0", False),)
    assert [(sorted(plan.definition), plan.fields) for plan in compiled.plans] == [
        (["A#0", "A#1", "C#0"], tuple(sorted((field_name(QUESTIONNAIRE, q), q, None, "tri_state") for q in TRI_STATE[:2]))),
    ]
    assert sorted(DurableEngine(compiled).fired(lambda question: "no")) == ["B#0"]


def test_a_list_options_field_is_named_after_the_question_and_the_option():
    name = field_name(QUESTIONNAIRE, LIST)
    assert name.isupper() or name.isalnum()
    assert field_name(QUESTIONNAIRE, LIST, "primary") == name + "a"
    assert field_name(QUESTIONNAIRE, LIST, "lower_secondary") == name + "b"


def test_field_names_count_questions_in_capitals_then_digits_and_options_in_small_letters():
    questions = {"list": SimpleNamespace(option_values=tuple(f"o{k}" for k in range(30)))}
    questionnaire = SimpleNamespace(questions=questions, index=lambda question_id: int(question_id) if question_id.isdigit() else 0)
    assert [field_name(questionnaire, str(k)) for k in (0, 25, 26, 35, 36, 37, 36 * 36 - 1, 36 * 36)] == ["A", "Z", "0", "9", "BA", "BB", "99", "BAA"]
    assert [field_name(questionnaire, "list", f"o{k}") for k in (0, 25, 26, 29)] == ["Aa", "Az", "Aba", "Abd"]


def test_a_rebuilt_engine_deletes_the_rulesets_it_had():
    engine = DurableEngine(compile_rulebook(rulebooks.rulebook(ROUND)))
    before = list(engine._handles)
    engine._rebuild()
    assert set(engine._handles).isdisjoint(before)
    for handle in before:
        with pytest.raises(core.error, match="error code: 111"):
            core.delete_ruleset(handle)


def test_durable_rules_fires_exactly_the_conditions_that_hold_for_every_kind_of_answer():
    from test_conditions import CONDITIONS, every_answer_set, parse

    from selfcheck.engine.answers.questionnaire import NOT_PROVIDED
    from selfcheck.engine.rules.conditions import disjunctive_normal_form, holds

    rules = []
    for number, raw in enumerate(CONDITIONS):
        conjuncts = disjunctive_normal_form(parse(raw), QUESTIONNAIRE)
        fake = rule(f"R{number}", 0)
        fake.condition, fake.conjuncts = parse(raw), conjuncts
        fake.alternatives = [SimpleNamespace(name=f"R{number}#{k}", atoms=atoms, element=None) for k, atoms in enumerate(conjuncts)]
        rules.append(fake)
    engine = DurableEngine(compile_rulebook(rulebook_of(*rules)))
    for answers in every_answer_set():
        answer_of = lambda question: answers.get(question, NOT_PROVIDED)  # noqa: E731
        fired = {name.partition("#")[0] for name in engine.fired(answer_of)}
        assert fired == {fake.id for fake in rules if holds(fake.condition, answer_of)}, answers
    assert engine.facts_held() == 0


def test_a_draft_rule_fires_only_when_drafts_are_asked_for_and_its_element_is_named():
    draft = rule("D", 1)
    draft.only_with_drafts = True
    draft.alternatives[0].element = "b"
    compiled = compile_rulebook(rulebook_of(rule("A", 1), draft))
    assert [plan.draft for plan in compiled.plans] == [False, True] and compiled.elements == {"D#0": "b"}
    engine = DurableEngine(compiled)
    assert engine.fired(lambda question: "yes") == ["A#0"]
    assert sorted(engine.fired(lambda question: "yes", include_draft=True)) == ["A#0", "D#0"]
    yes = {question: "yes" for question in TRI_STATE}
    assert engine.fired_for(yes) == ["A#0"]
    assert sorted(engine.fired_for(yes, include_draft=True)) == ["A#0", "D#0"]


def test_a_ruleset_reading_more_than_240_fields_is_refused():
    questions = {
        f"q.{i}": SimpleNamespace(type="tri_state", option_values=(), choices=("yes", "no", "not_provided"), accepted=("yes", "no", "varies", "not_provided"))
        for i in range(300)
    }
    questionnaire = SimpleNamespace(questions=questions, index=lambda question_id: int(question_id.split(".")[1]))

    def wide(fields: int):
        atoms = [Choice(f"q.{i}", None, frozenset({"yes"})) for i in range(fields)]
        conjuncts = [tuple(atoms[k : k + 5]) for k in range(0, fields, 5)]
        fake = rule("W", 0)
        fake.conjuncts = conjuncts
        fake.alternatives = [SimpleNamespace(name=f"W#{k}", atoms=atoms, element=None) for k, atoms in enumerate(conjuncts)]
        return SimpleNamespace(rules=[fake], observations=[], questionnaire=questionnaire, meta=SimpleNamespace(round=ROUND))

    (plan,) = compile_rulebook(wide(240)).plans
    assert len(plan.fields) == 240
    with pytest.raises(RulebookError) as refused:
        compile_rulebook(wide(241))
    (problem,) = refused.value.problems
    assert (problem.file, problem.problem) == (ROUND, "a ruleset reads 241 fields; at most 240 fit one fact")


def test_names_and_answer_values_that_durable_rules_would_take_for_one_are_refused():
    from selfcheck.engine.rules.durable_adapter import _hash_problems, fnv1a_32

    assert fnv1a_32("costarring") == fnv1a_32("liquid")  # a known FNV-1a 32-bit collision
    book = SimpleNamespace(meta=SimpleNamespace(round=ROUND))
    plans = [SimpleNamespace(fields=(("costarring", "a", None, "tri_state"),)), SimpleNamespace(fields=(("liquid", "b", None, "tri_state"),))]
    said = "share a 32-bit hash in durable-rules; rename one"
    assert [(problem.file, problem.problem) for problem in _hash_problems(book, plans, {"yes": "costarring", "no": "liquid", "varies": "v"})] == [
        (ROUND, f"the field names 'costarring' and 'liquid' {said}"),
        (ROUND, f"the answer values 'costarring' and 'liquid' {said}"),
    ]
    assert _hash_problems(book, [], {"yes": "a"}) == []


def test_compiling_a_rulebook_whose_names_durable_rules_would_take_for_one_refuses_it_naming_its_round(monkeypatch):
    from selfcheck.engine.rules import durable_adapter

    monkeypatch.setattr(durable_adapter, "fnv1a_32", lambda text: 0)  # every name collides with every other
    with pytest.raises(RulebookError) as refused:
        compile_rulebook(rulebook_of(rule("A", 1)))
    assert {problem.file for problem in refused.value.problems} == {ROUND}
    assert all("share a 32-bit hash in durable-rules" in problem.problem for problem in refused.value.problems)


def test_the_reference_evaluator_leaves_draft_rules_out_unless_asked():
    from selfcheck.engine.answers.answer_file import Answers
    from selfcheck.engine.rules.reference import reference_fired

    rulebook = rulebooks.rulebook(ROUND)
    answers = Answers(party="Ruritania", round=ROUND, values={"investigation.le_specialised_units": "no"})
    assert "III-2" in reference_fired(rulebook, answers, include_draft=True)
    assert "III-2" not in reference_fired(rulebook, answers)


def test_a_fact_carries_each_kind_of_answer_as_durable_rules_reads_it_whichever_encoder_writes_it():
    import json

    from test_conditions import LIST as LIST_Q
    from test_conditions import NUMBER, TEXT, TRI, every_answer_set, parse

    from selfcheck.engine.answers.questionnaire import NOT_PROVIDED
    from selfcheck.engine.rules.conditions import disjunctive_normal_form
    from selfcheck.engine.rules.durable_adapter import encode, encoder, value_codes

    raw = {"all": [{LIST_Q: {"includes": "primary"}}, {NUMBER: {"below": 14}}, {TEXT: {"not": NOT_PROVIDED}}, {TRI: "yes"}]}
    fake = rule("F", 0)
    fake.condition, fake.conjuncts = parse(raw), disjunctive_normal_form(parse(raw), QUESTIONNAIRE)
    fake.alternatives = [SimpleNamespace(name=f"F#{k}", atoms=atoms, element=None) for k, atoms in enumerate(fake.conjuncts)]
    (plan,) = compile_rulebook(rulebook_of(fake)).plans
    codes = value_codes(QUESTIONNAIRE)
    answers = {LIST_Q: ["primary"], NUMBER: 13, TEXT: "a practice", TRI: "yes"}
    fact = json.loads(encode(plan, lambda question: answers.get(question, NOT_PROVIDED)))
    assert fact == {
        "sid": "selfcheck",
        "id": "answers",
        "kind": "answers",
        field_name(QUESTIONNAIRE, LIST_Q, "primary"): codes["yes"],
        field_name(QUESTIONNAIRE, NUMBER): 13,
        field_name(QUESTIONNAIRE, TEXT): 1,
        field_name(QUESTIONNAIRE, TRI): codes["yes"],
    }
    write = encoder(plan)
    for given in every_answer_set():
        assert write(given.get) == encode(plan, lambda question: given.get(question, NOT_PROVIDED)), given
    for bad in ({NUMBER: "fourteen"}, {TRI: "perhaps"}):
        for writer in (write, lambda get: encode(plan, lambda question: get(question, NOT_PROVIDED))):
            with pytest.raises(ValueError, match=f"unexpected answer {next(iter(bad.values()))!r} to {next(iter(bad))}"):
                writer(bad.get)


def test_answer_values_reach_durable_rules_as_short_distinct_codes_the_most_frequent_first():
    from selfcheck.engine.rules.durable_adapter import value_codes

    codes = value_codes(QUESTIONNAIRE)
    assert [codes[value] for value in ("not_provided", "yes", "no", "varies")] == ["a", "b", "c", "d"]
    assert codes["health_education"] and codes["primary"] and len(set(codes.values())) == len(codes)
    many = SimpleNamespace(questions={"q": SimpleNamespace(type="one_of", accepted=tuple(f"v{i}" for i in range(60)), option_values=())})
    wide = value_codes(many)
    assert wide["v47"] == "Z" and wide["v48"] == "aa" and wide["v55"] == "ah"
