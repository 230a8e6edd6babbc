"""The smallest changes of answers after which a rule stops firing, or starts.

Used to explain a finding ("what would make it go away") and to plan a path to compliance. The
search is exhaustive over the questions a rule reads, smallest sets first, with the reference
evaluator as judge; for the rulebook's conditions (a handful of questions each) it is instant.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain, combinations, product
from typing import Any

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Question, Questionnaire
from selfcheck.engine.rules.conditions import COMPARISONS, Condition, holds, tests_in
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
    (a rule addressed to all Parties can never be cleared).
    """
    if holds(rule.condition, answer_of) == fire:
        return [{}]
    questions = [q for q in questions_read(rule) if q not in keep]
    for size in range(1, min(MAX_CHANGES, len(questions)) + 1):
        found = []
        for chosen in combinations(questions, size):
            alternatives = [[value for value in candidate_answers(questionnaire.questions[q], rule.condition) if value != answer_of(q)] for q in chosen]
            for values in product(*alternatives):
                changes = dict(zip(chosen, values, strict=True))
                if holds(rule.condition, lambda q: changes.get(q, answer_of(q))) == fire:
                    found.append(changes)
        if found:
            return found
    return []
