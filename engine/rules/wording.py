"""How outputs word an answer and a condition on one answer, in one way for every command
(assess, explain, diff, plan, batch, follow-up, the rulebook for review)."""

from __future__ import annotations

from typing import Any

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, VARIES, Question
from selfcheck.engine.rules.conditions import COMPARISONS, Atom, Choice, Compare, Missing, Test

# A condition only asks whether a free text was written, so any words stand for all of them (counterfactuals).
ANY_TEXT = "(any text)"


def answer_text(answer: Any, limit: int | None = 70) -> str:
    """An answer as one phrase: a list in brackets, a long text cut at ``limit`` characters (None: whole)."""
    if isinstance(answer, (list, tuple)):
        return "[" + ", ".join(answer) + "]" if answer else "[] (none)"
    if answer == ANY_TEXT:
        return "an answer in words"
    if answer == VARIES:
        return "varies by region or entity"
    text = str(answer)
    return text if limit is None or len(text) <= limit or answer == NOT_PROVIDED else text[: limit - 3] + "..."


def describe_test(test: Test, question_type: str) -> str:
    """What a test of the rule language asks of its answer, in words: 'is not no', 'is below 18'."""
    if test.op in COMPARISONS:
        return f"{COMPARISONS[test.op][0]} {test.value}"
    if test.op in ("includes", "lacks"):
        return f"{test.op} {test.value}"
    if question_type == "text":
        return ANSWERED[test.op == "not_in"]
    return _one_of(list(test.value), negated=test.op == "not_in")


def wanted_words(test: Test, question: Question) -> str:
    """What a test asks of its answer in the question's own words, never a negation of a negation:
    'yes or not provided' where the rule says 'is not no', 'answered', '“Article 20(3)” ticked'."""
    if test.op in COMPARISONS:
        return describe_test(test, question.type)
    labels = {option.value: option.label for option in question.options}

    def word(value: Any) -> str:
        return "not provided" if value == NOT_PROVIDED else labels.get(value, str(value))

    if test.op in ("includes", "lacks"):
        return f"“{word(test.value)}” " + ("ticked" if test.op == "includes" else "not ticked")
    if question.type == "text" or question.type not in ("tri_state", "one_of"):
        return "answered" if test.op == "not_in" else "not answered"
    values = list(test.value)
    allowed = values if test.op == "in" else [choice for choice in question.choices if choice not in values]
    return " or ".join(map(word, allowed))


def describe_atom(atom: Atom, choices: tuple = ()) -> str:
    """What one atom of the compiled normal form asks, in the same words as ``describe_test``."""
    if isinstance(atom, Compare):
        return f"{COMPARISONS[atom.op][0]} {atom.number}"
    if isinstance(atom, Missing):
        return ANSWERED[not atom.missing]
    assert isinstance(atom, Choice)
    allowed = set(atom.allowed)
    if atom.option is not None:
        words = {
            frozenset({"yes"}): f"includes {atom.option}",
            frozenset({"no", NOT_PROVIDED}): f"lacks {atom.option}",
            frozenset({NOT_PROVIDED}): ANSWERED[False],
            frozenset({"yes", "no"}): ANSWERED[True],
            frozenset({"no"}): f"is answered and lacks {atom.option}",
            frozenset({"yes", NOT_PROVIDED}): f"includes {atom.option} or is not_provided",
        }
        return words[frozenset(allowed)]
    included = [c for c in choices if c in allowed]
    excluded = [c for c in choices if c not in allowed]
    if len(excluded) < len(included):
        return _one_of(excluded, negated=True)
    return _one_of(included, negated=False)


ANSWERED = {False: "is not_provided", True: "is answered"}


def _one_of(values: list[str], negated: bool) -> str:
    if not negated:
        return f"is {values[0]}" if len(values) == 1 else f"is one of {', '.join(values)}"
    if len(values) == 1:
        return f"is not {values[0]}"
    return f"is neither {values[0]} nor {values[1]}" if len(values) == 2 else f"is none of {', '.join(values)}"
