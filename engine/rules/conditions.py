"""The condition language of the rules, its reference evaluator, and its disjunctive normal form.

A condition is written in YAML as a tree:

    all: [...] / any: [...] / not: <condition>      combinators
    <question id>: yes                              the answer is yes
    <question id>: [no, not_provided]               the answer is one of these
    <question id>: {not: yes}                       the answer is anything but yes
    <question id>: {below: 18}                      (integers: below, at_most, above, at_least)
    <question id>: {includes: health}               (lists: includes, lacks)
    <question id>: {not: not_provided}              (free text: only whether it was answered)

``holds`` evaluates the tree directly and is the reference the durable-rules path is tested
against. ``disjunctive_normal_form`` rewrites the tree into alternatives of simple atoms, which is
the only shape handed to durable-rules.

A yes/no question may be answered ``varies`` (by region or entity): yes in some places, no in
others. No condition names it; each test reads it. In a rule or an element (``somewhere``) a test
holds on it when it holds for yes or for no: an obligation not in place everywhere is not in place,
so the rule fails closed (``yes`` and ``no`` both hold, as both are true somewhere). In an
observation a test holds on it only when it holds for both: the Committee's words state a fact only
where the answer states it. ``not`` swaps the two readings, so that a negated test stays
fail-closed. The normal form reads it the same way, atom by atom.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, TRI_STATE, VARIES, Question, Questionnaire

COMPARISONS: dict[str, tuple[str, Callable[[int, int], bool]]] = {
    "below": ("is below", lambda answer, n: answer < n),
    "at_most": ("is at most", lambda answer, n: answer <= n),
    "above": ("is above", lambda answer, n: answer > n),
    "at_least": ("is at least", lambda answer, n: answer >= n),
}
OPPOSITE = {"below": "at_least", "at_least": "below", "above": "at_most", "at_most": "above"}
EXPANSION_LIMIT = 240


@dataclass(frozen=True)
class Test:
    """One question compared with one matcher."""

    question: str
    op: str  # "in", "not_in", a comparison, "includes" or "lacks"
    value: Any  # tuple of answers for in/not_in, int for comparisons, option for includes/lacks
    somewhere: bool = True  # an answer that varies by region: holds if it holds for yes or for no (else: for both)

    def holds(self, answer: Any) -> bool:
        if answer == VARIES and self.op in ("in", "not_in"):
            readings = (self.holds("yes"), self.holds("no"))
            return any(readings) if self.somewhere else all(readings)
        if self.op == "in":
            return answer in self.value
        if self.op == "not_in":
            return answer not in self.value
        if self.op in COMPARISONS:
            return isinstance(answer, int) and COMPARISONS[self.op][1](answer, self.value)
        included = answer != NOT_PROVIDED and self.value in answer
        return included if self.op == "includes" else not included


@dataclass(frozen=True)
class All:
    parts: tuple


@dataclass(frozen=True)
class Any_:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: Any


Condition = Test | All | Any_ | Not


def holds(condition: Condition | None, answer_of: Callable[[str], Any]) -> bool:
    """The reference evaluator: does the condition hold for these answers? (None: always.)"""
    if condition is None:
        return True
    if isinstance(condition, Test):
        return condition.holds(answer_of(condition.question))
    if isinstance(condition, All):
        return all(holds(part, answer_of) for part in condition.parts)
    if isinstance(condition, Any_):
        return any(holds(part, answer_of) for part in condition.parts)
    return not holds(condition.part, answer_of)


def deciding_tests(condition: Condition | None, answer_of: Callable[[str], Any], outcome: bool) -> list[Test]:
    """The tests whose results give the condition ``outcome`` for these answers (which it has):
    for a rule that does not fire, the answers that keep it from firing."""
    if condition is None:
        return []
    if isinstance(condition, Test):
        return [condition] if condition.holds(answer_of(condition.question)) == outcome else []
    if isinstance(condition, Not):
        return deciding_tests(condition.part, answer_of, not outcome)
    # an all() is decided by its parts that fail, an any() by those that hold; otherwise by every part
    deciding = [part for part in condition.parts if holds(part, answer_of) == outcome]
    return [test for part in deciding for test in deciding_tests(part, answer_of, outcome)]


def tests_in(condition: Condition | None) -> list[Test]:
    if condition is None:
        return []
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, Not):
        return tests_in(condition.part)
    return [test for part in condition.parts for test in tests_in(part)]


def written(condition: Condition) -> Any:
    """The condition as a rule file writes it: the inverse of ``parse_condition``."""
    if isinstance(condition, Not):
        return {"not": written(condition.part)}
    if isinstance(condition, (All, Any_)):
        return {"all" if isinstance(condition, All) else "any": [written(part) for part in condition.parts]}
    if condition.op in ("in", "not_in"):
        values = condition.value[0] if len(condition.value) == 1 else list(condition.value)
        return {condition.question: values if condition.op == "in" else {"not": values}}
    return {condition.question: {condition.op: condition.value}}


def condition_text(condition: Condition | None) -> str:
    """The condition on one line, in the rule language (YAML flow style); "(none)" for no condition."""
    if condition is None:
        return "(none)"

    def flow(data: Any) -> str:
        if isinstance(data, dict):
            return "{" + ", ".join(f"{key}: {flow(value)}" for key, value in data.items()) + "}"
        if isinstance(data, list):
            return "[" + ", ".join(flow(value) for value in data) + "]"
        return str(data)

    return flow(written(condition))


# -- parsing ------------------------------------------------------------------------------------


class ConditionError(Exception):
    def __init__(self, keys: tuple, message: str):
        self.keys = keys
        super().__init__(message)


def parse_condition(raw: Any, questionnaire: Questionnaire, keys: tuple = (), somewhere: bool = True) -> Condition:
    """Parse and type-check a condition against the questionnaire; ConditionError names the place.

    ``somewhere``: how its tests read an answer that varies by region (see the module's notes):
    True for a rule's or an element's condition, False for an observation's."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ConditionError(keys, "expected a mapping with one key: all, any, not, or a question id")
    ((key, body),) = raw.items()
    here = keys + (key,)
    if key in ("all", "any"):
        if not isinstance(body, list) or not body:
            raise ConditionError(here, f"expected a non-empty list of conditions under {key}")
        parts = tuple(parse_condition(part, questionnaire, here + (i,), somewhere) for i, part in enumerate(body))
        return All(parts) if key == "all" else Any_(parts)
    if key == "not":
        return Not(parse_condition(body, questionnaire, here, not somewhere))
    question = questionnaire.question(key) if isinstance(key, str) else None
    if question is None:
        raise ConditionError(here, f"unknown question {key!r}")
    return replace(_parse_matcher(question, body, here), somewhere=somewhere)


def _parse_matcher(question: Question, body: Any, keys: tuple) -> Test:
    if question.type == "text":
        # what a Party wrote is quoted, never interpreted: a rule may only ask whether it wrote something
        if body == NOT_PROVIDED or body == {"not": NOT_PROVIDED}:
            return Test(question.id, "in" if body == NOT_PROVIDED else "not_in", (NOT_PROVIDED,))
        raise ConditionError(
            keys, f"{question.id} is a free-text question; a condition can only ask whether it was answered: not_provided or {{not: not_provided}}"
        )
    if isinstance(body, dict):
        if len(body) != 1:
            raise ConditionError(keys, "expected one operator: not, below, at_most, above, at_least, includes or lacks")
        ((op, operand),) = body.items()
        if op == "not":
            return Test(question.id, "not_in", _answers(question, operand, keys + (op,)))
        if op in COMPARISONS:
            if question.type != "integer":
                raise ConditionError(keys + (op,), f"{op} compares numbers, but {question.id} is a {question.type} question")
            if not isinstance(operand, int) or isinstance(operand, bool):
                raise ConditionError(keys + (op,), f"expected a whole number after {op}, got {operand!r}")
            return Test(question.id, op, operand)
        if op in ("includes", "lacks"):
            if question.type != "list":
                raise ConditionError(keys + (op,), f"{op} applies to list questions, but {question.id} is a {question.type} question")
            if operand not in question.option_values:
                raise ConditionError(keys + (op,), f"expected one of {', '.join(question.option_values)}, got {operand!r}")
            return Test(question.id, op, operand)
        raise ConditionError(keys + (op,), f"unknown operator {op!r}")
    return Test(question.id, "in", _answers(question, body, keys))


def _answers(question: Question, operand: Any, keys: tuple) -> tuple:
    values = tuple(operand) if isinstance(operand, list) else (operand,)
    if question.type in ("integer", "list"):
        if values != (NOT_PROVIDED,):
            hint = "below, at_most, above, at_least" if question.type == "integer" else "includes, lacks"
            raise ConditionError(keys, f"{question.id} can be matched with not_provided or with {hint}, got {operand!r}")
        return values
    for value in values:
        if not isinstance(value, str) or value not in question.choices:
            raise ConditionError(keys, f"{question.id} is answered with {', '.join(question.choices)}; got {value!r}")
    if not values or len(set(values)) != len(values):
        raise ConditionError(keys, "expected distinct answers")
    return values


# -- disjunctive normal form -----------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Choice:
    """The answer (or, for a list question, one option's flag) is one of ``allowed``."""

    question: str
    option: str | None
    allowed: frozenset


@dataclass(frozen=True, order=True)
class Compare:
    question: str
    op: str
    number: int


@dataclass(frozen=True, order=True)
class Missing:
    """An integer or free-text answer is (or is not) not_provided."""

    question: str
    missing: bool


Atom = Choice | Compare | Missing


def disjunctive_normal_form(condition: Condition | None, questionnaire: Questionnaire) -> list[tuple[Atom, ...]]:
    """Alternatives (conjunctions of atoms), simplified; ``[()]`` for an unconditional rule."""
    if condition is None:
        return [()]
    conjuncts = []
    for conjunct in _dnf(condition, False, questionnaire):
        simple = _simplify(conjunct, questionnaire)
        if simple is not None and simple not in conjuncts:
            conjuncts.append(simple)
    # absorption: an alternative that contains another one adds nothing
    return [c for c in conjuncts if not any(o != c and set(o) <= set(c) for o in conjuncts)]


class TooComplex(Exception):
    pass


def _dnf(node: Condition, negate: bool, questionnaire: Questionnaire) -> list[tuple[Atom, ...]]:
    if isinstance(node, Not):
        return _dnf(node.part, not negate, questionnaire)
    if isinstance(node, Test):
        return [(atom,) for atom in _atoms(node, negate, questionnaire)]
    conjunctive = isinstance(node, All) != negate
    children = [_dnf(part, negate, questionnaire) for part in node.parts]
    if not conjunctive:
        return [c for child in children for c in child]
    product = 1
    for child in children:
        product *= len(child)
        if product > EXPANSION_LIMIT:
            raise TooComplex(f"the condition expands to more than {EXPANSION_LIMIT} alternatives; simplify it")
    return [tuple(itertools.chain.from_iterable(combo)) for combo in itertools.product(*children)]


def _atoms(test: Test, negate: bool, questionnaire: Questionnaire) -> list[Atom]:
    """The test as alternatives of single atoms (negation may turn one test into two)."""
    question = questionnaire.questions[test.question]  # a parsed test names a question of the questionnaire
    if question.type in ("integer", "text"):
        if test.op in COMPARISONS:
            if not negate:
                return [Compare(test.question, test.op, test.value)]
            return [Compare(test.question, OPPOSITE[test.op], test.value), Missing(test.question, True)]
        return [Missing(test.question, (test.op == "in") != negate)]
    if question.type == "list":
        if test.op in ("includes", "lacks"):
            allowed = {"yes"} if (test.op == "includes") != negate else {"no", NOT_PROVIDED}
            return [Choice(test.question, test.value, frozenset(allowed))]
        allowed = {NOT_PROVIDED} if (test.op == "in") != negate else {"yes", "no"}
        return [Choice(test.question, question.option_values[0], frozenset(allowed))]
    chosen = set(test.value) if test.op == "in" else set(question.choices) - set(test.value)
    if question.type == "tri_state" and (chosen & {"yes", "no"} if test.somewhere else chosen >= {"yes", "no"}):
        chosen.add(VARIES)  # as Test.holds reads an answer that varies by region
    if negate:
        chosen = set(question.accepted) - chosen
    return [Choice(test.question, None, frozenset(chosen))]


def conjunct_holds(conjunct: tuple[Atom, ...], answer_of: Callable[[str], Any]) -> bool:
    """Whether every atom of one alternative of the normal form holds for these answers."""
    return all(_atom_holds(atom, answer_of(atom.question)) for atom in conjunct)


def _atom_holds(atom: Atom, answer: Any) -> bool:
    if isinstance(atom, Compare):
        return isinstance(answer, int) and COMPARISONS[atom.op][1](answer, atom.number)
    if isinstance(atom, Missing):
        return (answer == NOT_PROVIDED) == atom.missing
    if atom.option is not None:  # a list answer, one option's flag as durable-rules sees it
        answer = NOT_PROVIDED if answer == NOT_PROVIDED else "yes" if atom.option in answer else "no"
    return answer in atom.allowed


def domain(atom: Choice, questionnaire: Questionnaire) -> frozenset:
    if atom.option is not None:
        return frozenset(TRI_STATE)
    return frozenset(questionnaire.questions[atom.question].accepted)


def _simplify(conjunct: tuple[Atom, ...], questionnaire: Questionnaire) -> tuple[Atom, ...] | None:
    """Merge atoms on the same field; None when the alternative can never hold."""
    choices: dict[tuple, frozenset] = {}
    others: set[Atom] = set()
    for atom in conjunct:
        if isinstance(atom, Choice):
            field = (atom.question, atom.option)
            choices[field] = choices.get(field, domain(atom, questionnaire)) & atom.allowed
            if not choices[field]:
                return None
        else:
            others.add(atom)
    compared = {atom.question for atom in others if isinstance(atom, Compare)}
    for atom in list(others):
        if isinstance(atom, Missing):
            if atom.missing and (atom.question in compared or Missing(atom.question, False) in others):
                return None
            if not atom.missing and atom.question in compared:
                others.discard(atom)
    kept = [Choice(q, o, allowed) for (q, o), allowed in choices.items() if allowed != domain(Choice(q, o, allowed), questionnaire)]
    return tuple(sorted(kept + list(others), key=repr))
