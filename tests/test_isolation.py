"""No assessment sees another's answers: concurrency, bounded sessions, recovery after failure."""

from __future__ import annotations

import json
import random
import threading

import durable_rules_engine as core
import pytest

from conftest import ROUND
from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.assessment.assess import assess, engine_for
from selfcheck.engine.common.errors import EngineError
from selfcheck.engine.rules import durable_adapter, rulebooks
from selfcheck.engine.rules.durable_adapter import MAX_CONJUNCTS_PER_RULESET, SESSION

RULEBOOK = rulebooks.rulebook(ROUND)
THREADS, PER_THREAD = 8, 500


def _answer_sets(count: int) -> list[Answers]:
    rng = random.Random(7)
    sets = []
    for index in range(count):
        values = {}
        for question in RULEBOOK.questionnaire.questions.values():
            if question.type in ("tri_state", "one_of") and rng.random() < 0.8:
                values[question.id] = rng.choice(question.choices)
            elif question.type == "integer" and rng.random() < 0.8:
                values[question.id] = rng.randint(question.minimum, question.maximum)
            elif question.type == "list" and rng.random() < 0.8:
                values[question.id] = tuple(o for o in question.option_values if rng.random() < 0.5)
        sets.append(Answers(party=f"Party {index}", round=ROUND, values=values))
    return sets


def test_8_threads_of_500_assessments_each_give_the_results_of_running_them_one_by_one():
    sets = _answer_sets(THREADS * PER_THREAD)
    sequential = [assess(answers, RULEBOOK, include_draft=True).model_dump() for answers in sets]
    concurrent: list = [None] * len(sets)
    failures: list = []

    def worker(offset: int) -> None:
        try:
            for index in range(offset, len(sets), THREADS):
                concurrent[index] = assess(sets[index], RULEBOOK, include_draft=True).model_dump()
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(offset,)) for offset in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    mismatches = [index for index, (a, b) in enumerate(zip(sequential, concurrent, strict=True)) if a != b]
    assert not mismatches, f"{len(mismatches)} assessments differ, first {sets[mismatches[0]].party}"
    assert engine_for(RULEBOOK).facts_held() == 0


def test_every_assessment_uses_the_one_fixed_session_so_sessions_never_accumulate(monkeypatch):
    seen_sessions = set()
    real_assert = durable_adapter.core.assert_fact

    def recording(handle, fact):
        seen_sessions.add(json.loads(fact)["sid"])
        return real_assert(handle, fact)

    monkeypatch.setattr(durable_adapter.core, "assert_fact", recording)
    for answers in _answer_sets(300):
        assess(answers, RULEBOOK, include_draft=True)
    assert seen_sessions == {SESSION}


def test_the_1025th_session_of_a_ruleset_is_a_hard_failure_in_durable_rules():
    """Why the adapter never mints a session per assessment."""
    handle = core.create_ruleset("sessions-demo", json.dumps({"r": {"all": [{"m": {"kind": "answers"}}]}}))
    with pytest.raises(MemoryError):
        for session in range(1100):
            core.assert_fact(handle, json.dumps({"sid": f"s{session}", "id": "f", "kind": "answers"}))


def test_a_fact_matching_more_than_64_alpha_tests_makes_durable_rules_fail():
    """Why rulesets hold at most 60 conjuncts."""
    rules = {f"r{i}": {"all": [{"m": {"$and": [{"kind": "answers"}, {"$neq": {f"f{i}": "yes"}}]}}]} for i in range(100)}
    handle = core.create_ruleset("stack-demo", json.dumps(rules))
    fact = json.dumps({"sid": "s", "id": "f", "kind": "answers", **{f"f{i}": "no" for i in range(100)}})
    with pytest.raises(Exception, match="303"):
        result, state = core.assert_fact(handle, fact)
        while core.start_action_for_state(handle, state):
            core.complete_and_start_action(handle, state)


def test_a_full_ruleset_of_60_conjuncts_all_matching_one_fact_fires_all_60():
    engine = engine_for(RULEBOOK)
    assert max(len(plan.definition) for plan in engine.compiled.plans) == MAX_CONJUNCTS_PER_RULESET
    # 60 conjuncts that each match any fact, as the adapter compiles them: one ruleset, one fact, 60 firings
    full = durable_adapter.RulesetPlan({f"r{i}#0": {"all": [{"m": {"$and": [{"kind": "answers"}]}}]} for i in range(MAX_CONJUNCTS_PER_RULESET)}, (), False)
    demo = durable_adapter.DurableEngine(durable_adapter.CompiledRulebook((full,), {}, {}))
    assert sorted(demo.fired(Answers(party="Silentland", round=ROUND, values={}).value)) == sorted(full.definition)
    assert demo.facts_held() == 0


def test_durable_rules_own_host_swallows_action_errors_which_is_why_the_adapter_runs_no_actions():
    from durable.engine import Host

    class Quiet(Host):
        def _run(self):  # no timer threads in the demonstration either
            pass

        def get_action(self, name):
            def fail(c):
                raise ValueError("lost")

            return fail

    host = Quiet()
    host.set_rulesets({"swallow-demo": {"r": {"all": [{"m": {"kind": "answers"}}], "run": "fail"}}})
    state = host.assert_fact("swallow-demo", {"sid": "s", "kind": "answers"})
    assert "lost" in state["exception"], "durable-rules reports the error only inside the state"
    for plan in engine_for(RULEBOOK).compiled.plans:
        assert all("run" not in rule for rule in plan.definition.values())


def test_a_failing_assessment_raises_and_the_next_one_is_unaffected(monkeypatch, albania):
    expected = assess(albania, RULEBOOK).model_dump()
    real_start = durable_adapter.core.start_action_for_state

    def broken(handle, state):
        raise RuntimeError("Could not start action, error code: 307")

    monkeypatch.setattr(durable_adapter.core, "start_action_for_state", broken)
    with pytest.raises(EngineError, match="307"):
        assess(albania, RULEBOOK)
    monkeypatch.setattr(durable_adapter.core, "start_action_for_state", real_start)
    assert assess(albania, RULEBOOK).model_dump() == expected
    assert engine_for(RULEBOOK).facts_held() == 0
