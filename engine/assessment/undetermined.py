"""What an assessment cannot tell: recommendations neither drawn nor cleared, for a question left unanswered.

An element that stays silent on no information does not make its recommendation apply while the
questions it reads are unanswered; but nor do the answers show it in place. A recommendation whose
only reason for staying away is such a silence is not cleared: the outputs list it, with the
questions to answer, so that a Party never reads silence as compliance.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import Any

from pydantic import BaseModel

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED
from selfcheck.engine.assessment.counterfactual import candidate_answers
from selfcheck.engine.rules.conditions import Condition, holds, tests_in
from selfcheck.engine.rules.rulebook import Rulebook


class Undetermined(BaseModel):
    """A recommendation the answers neither draw nor clear: one of its elements reads questions left unanswered."""

    recommendation: str
    level: str
    element: str | None  # None: the rule has no elements, its condition as a whole is undetermined
    missing: str | None  # in people's words, what would be missing: no definition of CSAM in law
    questions: list[str]  # the numbers of the questions left unanswered that decide it: S2.1
    words: str  # both together, for people: no definition of CSAM in law, if S2.1 shows it (left unanswered)


@dataclass(frozen=True)
class _Silent:
    """A condition that stays silent on no information: an element's, or a rule's without elements."""

    rule: str
    level: str
    draft: bool
    element: str | None
    missing: str | None
    condition: Condition
    questions: tuple[tuple[str, str, tuple[Any, ...]], ...]  # (question id, number, answers worth trying)


@lru_cache(maxsize=8)
def _silent(rulebook: Rulebook) -> tuple[_Silent, ...]:
    questionnaire = rulebook.questionnaire
    found = []
    for rule in rulebook.rules:
        parts = [(e.id, e.missing, e.condition) for e in rule.elements if e.on_no_information == "silent"]
        if not rule.elements and rule.condition is not None and rule.on_no_information == "silent":
            parts.append((None, None, rule.condition))
        for element, missing, condition in parts:
            read = sorted({test.question for test in tests_in(condition)}, key=questionnaire.index)
            questions = []
            for question_id in read:
                question = questionnaire.questions[question_id]
                if question.silence_means == "none":  # silence is an answer: none
                    continue
                tried = tuple(answer for answer in candidate_answers(question, condition) if answer != NOT_PROVIDED)
                questions.append((question_id, question.number, tried))
            found.append(_Silent(rule.id, rule.level, rule.draft, element, missing, condition, tuple(questions)))
    return tuple(found)


def undetermined(rulebook: Rulebook, answers: Answers, drawn: set[str], include_draft: bool) -> list[Undetermined]:
    """The recommendations not drawn that some answer to the questions left unanswered would draw."""
    found = []
    for silent in _silent(rulebook):
        if silent.rule in drawn or (silent.draft and not include_draft):
            continue
        unanswered = [(question_id, number, tried) for question_id, number, tried in silent.questions if answers.value(question_id) == NOT_PROVIDED]
        if not unanswered or not _could_hold(silent.condition, answers, unanswered):
            continue
        numbers = [number for _, number, _ in unanswered]
        asked = ", ".join(numbers)
        words = f"{silent.missing}, if {asked} shows it (left unanswered)" if silent.missing else f"applies for some answers to {asked} (left unanswered)"
        found.append(
            Undetermined(recommendation=silent.rule, level=silent.level, element=silent.element, missing=silent.missing, questions=numbers, words=words)
        )
    return found


def _could_hold(condition: Condition, answers: Answers, unanswered: list[tuple[str, str, tuple[Any, ...]]]) -> bool:
    """Whether some answers to the unanswered questions, the others as given, make the condition hold."""
    for trial in product(*(tried for _, _, tried in unanswered)):
        given = dict(zip((question_id for question_id, _, _ in unanswered), trial, strict=True))
        if holds(condition, lambda question_id: given[question_id] if question_id in given else answers.value(question_id)):
            return True
    return False
