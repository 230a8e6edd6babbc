"""The durable-rules adapter defends against the engine's measured traps (docs/durable-rules.md)."""

from __future__ import annotations

import threading

import pytest

from selfcheck.engine.assessment.assess import assess, engine_for
from selfcheck.engine.common.errors import EngineError
from selfcheck.engine.rules import durable_adapter
from selfcheck.engine.rules.durable_adapter import DISCRIMINATOR, MAX_CONJUNCTS_PER_RULESET, DurableEngine, compile_rulebook
from selfcheck.engine.rules.reference import reference_fired


def test_every_compiled_conjunct_tests_the_discriminator(rulebook):
    for plan in compile_rulebook(rulebook).plans:
        for name, definition in plan.definition.items():
            (pattern,) = definition["all"]
            assert DISCRIMINATOR in pattern["m"]["$and"], f"{name} could match durable's own state fact"


def test_rulesets_hold_at_most_60_conjuncts_so_a_fact_stays_under_64_alpha_tests(rulebook):
    compiled_rulebook = compile_rulebook(rulebook)
    plans = compiled_rulebook.plans
    assert all(len(plan.definition) <= MAX_CONJUNCTS_PER_RULESET for plan in plans)
    compiled = rulebook.rules + rulebook.observations
    assert sum(len(plan.definition) for plan in plans) + len(compiled_rulebook.always) == sum(len(rule.conjuncts) for rule in compiled)


def test_only_conditions_go_to_durable_rules_and_every_item_without_one_fires_for_any_answers(rulebook):
    compiled = compile_rulebook(rulebook)
    unconditional = {item.id for item in rulebook.rules + rulebook.observations if item.condition is None}
    assert {compiled.conjuncts[name][0] for name, _ in compiled.always} == unconditional
    assert all(compiled.conjuncts[name][0] not in unconditional for plan in compiled.plans for name in plan.definition)
    fired = DurableEngine(compiled).fired(lambda question: "not_provided", include_draft=True)
    assert {name for name, _ in compiled.always} <= set(fired)


def test_the_fact_encoders_generated_per_ruleset_write_what_encode_writes(rulebook, albania, compliant):
    from conftest import with_answers

    compiled = compile_rulebook(rulebook)
    odd = with_answers(compliant, legal__age_of_criminal_responsibility="not_provided")
    for plan in compiled.plans:
        generated = durable_adapter.encoder(plan)
        for answers in (albania, compliant, odd):
            assert generated(answers.values.get) == durable_adapter.encode(plan, answers.value)
        with pytest.raises(ValueError, match="unexpected answer"):
            generated(lambda question, default: 'no","kind":"other')


def test_a_generated_fact_encoder_reads_each_question_once_and_never_falls_back_to_encode(rulebook, albania, compliant):
    # encode, its fallback for answers it cannot write, would read every field's question again
    for plan in compile_rulebook(rulebook).plans:
        generated = durable_adapter.encoder(plan)
        for answers in (albania, compliant):
            read: list[str] = []
            fact = generated(lambda question, default: read.append(question) or answers.values.get(question, default))
            assert sorted(read) == sorted({question for _, question, _, _ in plan.fields})
            assert fact == durable_adapter.encode(plan, answers.value)


def test_no_compiled_test_is_an_or(rulebook):
    text = str([plan.definition for plan in compile_rulebook(rulebook).plans])
    assert "$or" not in text, "an $or fires once per true branch; rules must be compiled to DNF"


def test_building_and_using_the_engine_starts_no_background_thread(rulebook, albania):
    before = threading.active_count()
    engine = DurableEngine(compile_rulebook(rulebook))
    engine.fired(albania.value)
    assert threading.active_count() == before


def test_no_fact_stays_in_the_session_after_an_assessment(rulebook, albania, compliant):
    for answers in (albania, compliant, albania):
        assess(answers, rulebook, include_draft=True)
        assert engine_for(rulebook).facts_held() == 0


def test_the_same_answers_twice_fire_the_same_rules(rulebook, albania):
    first = assess(albania, rulebook).model_dump()
    assert assess(albania, rulebook).model_dump() == first


def test_an_integer_not_provided_is_never_compared_as_text(rulebook, compliant):
    from conftest import with_answers

    answers = with_answers(compliant, legal__age_of_criminal_responsibility="not_provided", legal__possession__exempt_own_images="no")
    fired = assess(answers, rulebook).ids()
    assert "II-6" in fired and set(fired) == reference_fired(rulebook, answers)


def test_a_failure_inside_an_assessment_is_surfaced_and_the_engine_stays_usable(rulebook, albania, monkeypatch):
    engine = DurableEngine(compile_rulebook(rulebook))
    expected = engine.fired(albania.value)
    real_assert = durable_adapter.core.assert_fact
    calls = {"n": 0}

    def failing_once(handle, fact):
        calls["n"] += 1
        if calls["n"] == 2:  # fail in the second ruleset, after the first one kept a fact
            raise RuntimeError("Could not assert fact, error code: 303")
        return real_assert(handle, fact)

    monkeypatch.setattr(durable_adapter.core, "assert_fact", failing_once)
    with pytest.raises(EngineError, match="error code: 303"):
        engine.fired(albania.value)
    monkeypatch.setattr(durable_adapter.core, "assert_fact", real_assert)
    assert engine.fired(albania.value) == expected
    assert engine.facts_held() == 0


def test_a_previous_fact_left_in_the_session_is_detected_not_silently_reused(rulebook, albania):
    engine = DurableEngine(compile_rulebook(rulebook))
    plan, handle = engine.compiled.plans[0], engine._handles[0]
    durable_adapter.core.assert_fact(handle, durable_adapter.encode(plan, albania.value))
    with pytest.raises(EngineError, match=r"\(a previous assessment's fact was still in the session\)"):
        engine.fired(albania.value)
    assert engine.fired(albania.value) == DurableEngine(compile_rulebook(rulebook)).fired(albania.value)


def test_concurrent_assessments_give_the_results_of_sequential_ones(rulebook, albania, compliant):
    inputs = [albania, compliant] * 20
    expected = [assess(answers, rulebook).ids() for answers in inputs]
    results: list = [None] * len(inputs)

    def work(offset: int) -> None:
        for index in range(offset, len(inputs), 4):
            results[index] = assess(inputs[index], rulebook).ids()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected
