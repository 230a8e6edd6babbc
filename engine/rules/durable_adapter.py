"""The only door to durable-rules: compiling a rulebook into rulesets and running assessments.

Follows the design in ``docs/durable-rules.md``, which lists the measured traps it defends against:

- every rule is compiled from its disjunctive normal form: one durable rule per alternative
  ("conjunct"), named ``<rule id>#<k>`` (``<rule id>/<element>#<k>`` for a rule's element, whose
  condition is put in normal form on its own, so that what fired names the element not in place),
  each testing the discriminator ``kind == answers`` so that nothing can match the engine's own
  session-state fact;
- conjuncts are packed into rulesets of at most 60, which keeps a fact under the C core's limit
  of 64 pending alpha tests;
- field names and compared values are checked for 32-bit FNV-1a hash collisions, the only
  identity the C core knows;
- the C functions that durable's Host calls are driven directly: no Host, so no background timer
  threads, and no Python actions whose exceptions durable would swallow;
- one fixed session; an assessment asserts one fact per ruleset, collects what fired, and retracts
  it. A lock serialises assessments; after any failure the rulesets are rebuilt.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as core

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, VARIES, Questionnaire
from selfcheck.engine.common.errors import EngineError, InputError, RulebookError
from selfcheck.engine.rules.conditions import Atom, Choice, Compare, domain
from selfcheck.engine.rules.rulebook import Rulebook

MAX_CONJUNCTS_PER_RULESET = 60
MAX_FIELDS_PER_FACT = 240  # the C core refuses facts with more than 252 properties
DISCRIMINATOR = {"kind": "answers"}
SESSION = "selfcheck"
FACT_ID = "answers"
RESERVED_FIELDS = ("kind", "id", "sid", "$s")
_COMPARATORS = {"below": "$lt", "at_most": "$lte", "above": "$gt", "at_least": "$gte"}
_RESULT_NOT_HANDLED, _RESULT_OBSERVED = 1, 2
_TOKEN = re.compile(r"^[a-z][a-z0-9_]*$")
_generation = itertools.count()


def fnv1a_32(text: str) -> int:
    """The hash durable-rules identifies field names and string values by (ASCII input)."""
    value = 0x811C9DC5
    for byte in text.encode("ascii"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def field_name(questionnaire: Questionnaire, question_id: str, option: str | None = None) -> str:
    """A short field name: every firing returns its fact as JSON, so long names cost time."""
    name = f"q{questionnaire.index(question_id)}"
    return f"{name}o{questionnaire.questions[question_id].option_values.index(option)}" if option else name


@dataclass(frozen=True)
class RulesetPlan:
    """One durable ruleset: its definition and the answer fields its fact must carry."""

    definition: dict
    fields: tuple[tuple[str, str, str | None, str], ...]  # (field name, question id, list option, question type)
    draft: bool


@dataclass(frozen=True)
class CompiledRulebook:
    plans: tuple[RulesetPlan, ...]
    conjuncts: dict[str, tuple[str, tuple[Atom, ...]]]  # conjunct name -> (rule or observation id, atoms)
    elements: dict[str, str]  # conjunct name -> the element of its rule it belongs to (rules with elements only)


def compile_rulebook(rulebook: Rulebook) -> CompiledRulebook:
    """Translate every rule and observation (drafts packed apart) into durable-rules definitions; RulebookError if unsafe."""
    problems: list[InputError] = []
    conjuncts: dict[str, tuple[str, tuple[Atom, ...]]] = {}
    elements: dict[str, str] = {}
    plans = []
    # Rules addressed to all Parties share rulesets whose fact carries no answers: every firing
    # returns its fact as JSON, so small facts keep the per-firing cost down.
    for draft, conditional in ((False, False), (False, True), (True, False), (True, True)):
        batch: dict[str, dict] = {}
        for rule in (r for r in rulebook.rules + rulebook.observations if r.only_with_drafts == draft and (r.condition is not None) == conditional):
            if len(rule.conjuncts) > MAX_CONJUNCTS_PER_RULESET:
                problems.append(
                    rule.error(f"{rule.id}: the condition has {len(rule.conjuncts)} alternatives; at most {MAX_CONJUNCTS_PER_RULESET} fit one ruleset")
                )
                continue
            if len(batch) + len(rule.conjuncts) > MAX_CONJUNCTS_PER_RULESET:
                plans.append(_plan(batch, conjuncts, rulebook.questionnaire, draft))
                batch = {}
            for alternative in rule.alternatives:
                name, atoms = alternative.name, alternative.atoms
                conjuncts[name] = (rule.id, atoms)
                if alternative.element is not None:
                    elements[name] = alternative.element
                batch[name] = {"all": [{"m": {"$and": [DISCRIMINATOR] + [t for a in atoms for t in _tests(a, rulebook.questionnaire)]}}]}
        if batch:
            plans.append(_plan(batch, conjuncts, rulebook.questionnaire, draft))
    problems += _hash_problems(rulebook, plans)
    problems += [
        InputError(rulebook.meta.round, f"a ruleset reads {len(plan.fields)} fields; at most {MAX_FIELDS_PER_FACT} fit one fact")
        for plan in plans
        if len(plan.fields) > MAX_FIELDS_PER_FACT
    ]
    if problems:
        raise RulebookError(problems)
    return CompiledRulebook(tuple(plans), conjuncts, elements)


def _tests(atom: Atom, questionnaire: Questionnaire) -> list[dict]:
    if isinstance(atom, Choice):
        field = field_name(questionnaire, atom.question, atom.option)
        if len(atom.allowed) == 1:
            return [{field: next(iter(atom.allowed))}]
        return [{"$neq": {field: value}} for value in sorted(domain(atom, questionnaire) - atom.allowed)]
    field = field_name(questionnaire, atom.question)
    if isinstance(atom, Compare):
        return [{_COMPARATORS[atom.op]: {field: atom.number}}]
    return [{"$nex" if atom.missing else "$ex": {field: 1}}]


def _plan(batch: dict, conjuncts: dict, questionnaire: Questionnaire, draft: bool) -> RulesetPlan:
    fields = {}
    for name in batch:
        for atom in conjuncts[name][1]:
            option = atom.option if isinstance(atom, Choice) else None
            fields[field_name(questionnaire, atom.question, option)] = (atom.question, option, questionnaire.questions[atom.question].type)
    return RulesetPlan(dict(batch), tuple((f, *rest) for f, rest in sorted(fields.items())), draft)


def hash_collisions(names: set[str]) -> list[tuple[str, str]]:
    """Pairs of names the C core would take for one, since it knows them only by 32-bit hash."""
    seen: dict[int, str] = {}
    pairs = []
    for name in sorted(names):
        other = seen.setdefault(fnv1a_32(name), name)
        if other != name:
            pairs.append((other, name))
    return pairs


def _hash_problems(rulebook: Rulebook, plans: list[RulesetPlan]) -> list[InputError]:
    names = set(RESERVED_FIELDS) | {entry[0] for plan in plans for entry in plan.fields}
    values = {DISCRIMINATOR["kind"], NOT_PROVIDED, VARIES, "yes", "no"}
    for question in rulebook.questionnaire.questions.values():
        values.update(question.option_values)
    return [
        InputError(rulebook.meta.round, f"the {kind} {first!r} and {second!r} share a 32-bit hash in durable-rules; rename one")
        for kind, group in (("field names", names), ("answer values", values))
        for first, second in hash_collisions(group)
    ]


_FACT_HEAD = json.dumps({"sid": SESSION, "id": FACT_ID, **DISCRIMINATOR}, separators=(",", ":"))[:-1]


def encode(plan: RulesetPlan, answer_of: Callable[[str], Any]) -> str:
    """The JSON fact for one ruleset: only the fields it reads, plus the discriminator.

    A list answer becomes one yes/no flag per option; an integer not provided is left out, since
    durable-rules would compare the text "not_provided" with numbers. A free text is only ever
    tested for presence, so it is present as a flag and its words never reach the engine. Other
    answers were validated, so each is an int or an identifier-like token and is written without
    a JSON encoder per value.
    """
    parts = [_FACT_HEAD]
    for field, question_id, option, kind in plan.fields:
        answer = answer_of(question_id)
        if option is not None:
            parts.append(f',"{field}":"{NOT_PROVIDED if answer == NOT_PROVIDED else "yes" if option in answer else "no"}"')
        elif kind in ("integer", "text"):
            if answer != NOT_PROVIDED:
                parts.append(f',"{field}":{1 if kind == "text" else int(answer)}')
        elif _TOKEN.match(answer):
            parts.append(f',"{field}":"{answer}"')
        else:
            raise ValueError(f"unexpected answer {answer!r} to {question_id}")
    parts.append("}")
    return "".join(parts)


class DurableEngine:
    """The compiled rulebook loaded into durable-rules, used by one assessment at a time."""

    def __init__(self, compiled: CompiledRulebook):
        self.compiled = compiled
        self._lock = threading.Lock()
        self._handles: list[int] = []
        self._build()

    def _build(self) -> None:
        generation = next(_generation)
        self._handles = [core.create_ruleset(f"selfcheck-{generation}-{index}", json.dumps(plan.definition)) for index, plan in enumerate(self.compiled.plans)]

    def _rebuild(self) -> None:
        for handle in self._handles:
            try:
                core.delete_ruleset(handle)
            except Exception:  # a broken ruleset is dropped either way
                pass
        self._build()

    def facts_held(self) -> int:
        """Facts left in the session between assessments; anything but 0 would leak answers."""
        with self._lock:
            return sum(self._facts_in(handle) for handle in self._handles)

    @staticmethod
    def _facts_in(handle: int) -> int:
        try:
            return len(json.loads(core.get_facts(handle, SESSION)))
        except core.error as error:
            if "error code: 309" in str(error):  # no session yet: nothing was ever asserted there
                return 0
            raise

    def fired(self, answer_of: Callable[[str], Any], include_draft: bool = False) -> list[str]:
        """Names of the conjuncts that fired for these answers, in firing order."""
        with self._lock:
            try:
                names: list[str] = []
                for handle, plan in zip(self._handles, self.compiled.plans, strict=True):
                    if plan.draft and not include_draft:
                        continue
                    names += self._run(handle, encode(plan, answer_of))
                return names
            except Exception as error:
                self._rebuild()
                raise EngineError(f"durable-rules failed during an assessment ({error}); the engine was rebuilt") from error

    @staticmethod
    def _run(handle: int, fact: str) -> list[str]:
        result, state = core.assert_fact(handle, fact)
        if result == _RESULT_NOT_HANDLED:
            return []
        if result == _RESULT_OBSERVED:
            raise RuntimeError("a previous assessment's fact was still in the session")
        names = []
        pending = core.start_action_for_state(handle, state)
        message = pending[1] if pending else None
        while message:
            # the message is {"<conjunct name>": {...}}; names never contain quotes
            names.append(message[2 : message.index('"', 2)])
            message = core.complete_and_start_action(handle, state)
        core.retract_fact(handle, fact)
        return names
