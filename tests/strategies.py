"""Hypothesis strategies for answer sets drawn from the questionnaire itself."""

from __future__ import annotations

from hypothesis import strategies as st

from engine.answers import Answers
from engine.questionnaire import NOT_PROVIDED, Question, Questionnaire


def answer_to(question: Question) -> st.SearchStrategy:
    if question.type in ("tri_state", "one_of"):
        return st.sampled_from(question.choices)
    if question.type == "integer":
        return st.one_of(st.just(NOT_PROVIDED), st.integers(question.minimum, question.maximum))
    if question.type == "list":
        lists = st.lists(st.sampled_from(question.option_values), unique=True).map(question.check)
        return st.one_of(st.just(NOT_PROVIDED), lists)
    return st.one_of(st.just(NOT_PROVIDED), st.text(min_size=1).filter(str.strip).map(str.strip))


def answer_values(questionnaire: Questionnaire) -> st.SearchStrategy[dict]:
    """Any subset of the questions, each with any valid answer (left out means not_provided)."""
    return st.fixed_dictionaries({}, optional={q.id: answer_to(q) for q in questionnaire.questions.values()})


def answers_from(values: dict, questionnaire: Questionnaire) -> Answers:
    return Answers(party="Testland", round=questionnaire.round, values=values)
