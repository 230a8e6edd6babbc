"""The smallest changes of answers after which a rule stops firing, or starts.

Used to explain a finding ("what would make it go away") and to plan a path to compliance. The
search follows the shape of the condition instead of trying every answer to every question it reads
together: a rule with elements fires while any element is not in place, so it stops firing when each
unmet element is put in place, and elements that read no question in common are put in place each on
its own (the rule's smallest changes are every combination of theirs). Where any one part will do
(one test of an element's ``all``, one element to make a rule fire), the smallest are those of the
parts that need fewest. Only parts that read a question in common are searched together, branching
on the questions of a part still wrong; there an answer is tried once for all the answers the parts'
tests cannot tell apart. Every answer ``candidate_answers`` lists is still proposed wherever it
serves, and the reference evaluator is the judge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, combinations, product
from typing import Any

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Question, Questionnaire
from selfcheck.engine.rules.conditions import COMPARISONS, Any_, Condition, Not, Test, holds, tests_in
from selfcheck.engine.rules.rulebook import Conditional
from selfcheck.engine.rules.wording import ANY_TEXT

# VI-1 reads five answers, one per element, that must all change for a Party that answered none of them.
MAX_CHANGES = 6


def questions_read(rule: Conditional) -> list[str]:
    """The questions a rule's condition reads, in the order it reads them."""
    return list(dict.fromkeys(test.question for test in tests_in(rule.condition)))


def candidate_answers(question: Question, *conditions: Condition | None) -> list[Any]:
    """Answers worth trying for a question: its whole domain, or the numbers around the conditions' thresholds.

    Together they stand for every answer: a condition cannot tell apart two answers that are not both tried.
    """
    if question.type in ("tri_state", "one_of"):
        return list(question.choices)
    if question.type == "integer":
        minimum, maximum = question.bounds
        numbers = {minimum, maximum}
        for test in (test for condition in conditions for test in tests_in(condition)):
            if test.question == question.id and test.op in COMPARISONS:
                numbers.update(n for n in (test.value - 1, test.value, test.value + 1) if minimum <= n <= maximum)
        return sorted(numbers) + [NOT_PROVIDED]
    if question.type == "text":
        return [ANY_TEXT, NOT_PROVIDED]
    # A list is tested only option by option (includes, lacks) or as not provided, so options no
    # condition names are told apart by none: combining the named ones stands for every answer.
    named = {test.value for condition in conditions for test in tests_in(condition) if test.question == question.id and test.op in ("includes", "lacks")}
    options = [option for option in question.option_values if option in named]
    subsets = chain.from_iterable(combinations(options, size) for size in range(len(options) + 1))
    return [tuple(subset) for subset in subsets] + [NOT_PROVIDED]


def smallest_changes(
    rule: Conditional, answer_of: Callable[[str], Any], questionnaire: Questionnaire, fire: bool, keep: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """Every smallest set of answer changes after which the rule fires (``fire``) or does not.

    The answers to the questions in ``keep`` are left as they are. ``[{}]`` when the rule is
    already in the wanted state; ``[]`` when no change of at most MAX_CHANGES answers gets there
    (a rule addressed to all Parties can never be cleared). Sets come in the order of the questions
    the rule reads, then of ``candidate_answers``.
    """
    if holds(rule.condition, answer_of) == fire:
        return [{}]
    if rule.condition is None:
        return []
    questions = [q for q in questions_read(rule) if q not in keep]
    candidates = {q: [value for value in candidate_answers(questionnaire.questions[q], rule.condition) if value != answer_of(q)] for q in questions}
    found = _Search(answer_of, candidates).changes(rule.condition, fire, MAX_CHANGES) or []

    def order(changes: dict[str, Any]) -> tuple:
        chosen = sorted(changes, key=questions.index)
        return tuple(map(questions.index, chosen)), tuple(candidates[q].index(changes[q]) for q in chosen)

    return [{q: changes[q] for q in sorted(changes, key=questions.index)} for changes in sorted(found, key=order)]


@dataclass(frozen=True)
class _Search:
    answer_of: Callable[[str], Any]
    candidates: dict[str, list[Any]]  # the questions that may change, each with the answers to try, the current one left out

    def changes(self, condition: Condition, outcome: bool, budget: int) -> list[dict[str, Any]] | None:
        """Every smallest set of at most ``budget`` changes that gives ``condition`` the ``outcome``; None if none does."""
        if holds(condition, self.answer_of) == outcome:
            return [{}]
        if isinstance(condition, Not):
            return self.changes(condition.part, not outcome, budget)
        if isinstance(condition, Test):
            found = [{condition.question: value} for value in self.candidates.get(condition.question, ()) if condition.holds(value) == outcome]
            return found if found and budget >= 1 else None
        if isinstance(condition, Any_) == outcome:  # one part with the outcome gives it to the whole
            return self._any_part(condition.parts, outcome, budget)
        return self._every_part(condition.parts, outcome, budget)

    def _any_part(self, parts: tuple, outcome: bool, budget: int) -> list[dict[str, Any]] | None:
        found = [sets for sets in (self.changes(part, outcome, budget) for part in parts) if sets is not None]
        if not found:
            return None
        fewest = min(len(sets[0]) for sets in found)
        union = dict.fromkeys(frozenset(changes.items()) for sets in found if len(sets[0]) == fewest for changes in sets)
        return [dict(changes) for changes in union]

    def _every_part(self, parts: tuple, outcome: bool, budget: int) -> list[dict[str, Any]] | None:
        """Each group of parts reading questions in common changed on its own; the sets are every combination of the groups'."""
        combined: list[dict[str, Any]] = [{}]
        for group in self._groups(parts):
            if all(holds(part, self.answer_of) == outcome for part in group):
                continue
            sets = self.changes(group[0], outcome, budget) if len(group) == 1 else self._together(group, outcome, budget)
            if sets is None or len(combined[0]) + len(sets[0]) > budget:
                return None
            combined = [{**before, **changes} for before in combined for changes in sets]
        return combined

    def _groups(self, parts: tuple) -> list[list]:
        """The parts, grouped so that no two groups read in common a question that may change."""
        groups: list[tuple[set[str], list[int]]] = []
        for index, part in enumerate(parts):
            read = {test.question for test in tests_in(part) if test.question in self.candidates}
            joined = [group for group in groups if group[0] & read]
            groups = [group for group in groups if not group[0] & read]
            groups.append((read.union(*(g[0] for g in joined)), sorted([i for g in joined for i in g[1]] + [index])))
        return [[parts[i] for i in indices] for _, indices in sorted(groups, key=lambda group: group[1][0])]

    def _together(self, parts: list, outcome: bool, budget: int) -> list[dict[str, Any]] | None:
        """Parts reading questions in common: a search by size, each step changing a question of the first part still wrong.

        Every set that gives all parts the outcome changes a question of each part that has it not, so
        no smallest set is missed. Answers the parts' tests cannot tell apart are tried as one.
        """
        tests = [test for part in parts for test in tests_in(part) if test.question in self.candidates]
        alike = {q: _alike(self.candidates[q], [t for t in tests if t.question == q], self.answer_of(q)) for q in {t.question for t in tests}}
        read = [[q for q in dict.fromkeys(t.question for t in tests_in(part)) if q in alike] for part in parts]

        def answer_with(changes: dict[str, Any]) -> Callable[[str], Any]:
            return lambda q: changes[q] if q in changes else self.answer_of(q)

        for size in range(1, min(budget, len(alike)) + 1):
            found: dict[frozenset, None] = {}
            seen: set[frozenset] = set()

            def grow(changes: dict[str, Any]) -> None:
                key = frozenset(changes.items())
                if key in seen:
                    return
                seen.add(key)
                wrong = next((i for i, part in enumerate(parts) if holds(part, answer_with(changes)) != outcome), None)
                if wrong is None:
                    found[key] = None
                elif len(changes) < size:
                    for q in (q for q in read[wrong] if q not in changes):
                        for value in alike[q]:
                            grow({**changes, q: value})

            grow({})
            if found:
                return [dict(zip([q for q, _ in key], values, strict=True)) for key in found for values in product(*(alike[q][value] for q, value in key))]
        return None


def _alike(candidates: list[Any], tests: list[Test], current: Any) -> dict[Any, list[Any]]:
    """The candidates by what the tests make of them, each kind under its first: those the tests take for the current answer left out."""
    kinds: dict[tuple, list[Any]] = {}
    for value in candidates:
        kinds.setdefault(tuple(test.holds(value) for test in tests), []).append(value)
    kinds.pop(tuple(test.holds(current) for test in tests), None)
    return {values[0]: values for values in kinds.values()}
