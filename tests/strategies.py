"""Hypothesis strategies for answer sets drawn from the questionnaire itself."""

from __future__ import annotations

from hypothesis import strategies as st

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Question, Questionnaire


def answer_to(question: Question) -> st.SearchStrategy:
    if question.type in ("tri_state", "one_of"):
        return st.sampled_from(question.accepted)
    if question.type == "integer":
        return st.one_of(st.just(NOT_PROVIDED), st.integers(question.minimum, question.maximum))
    if question.type == "list":
        lists = st.lists(st.sampled_from(question.option_values), unique=True).map(question.check)
        return st.one_of(st.just(NOT_PROVIDED), lists)
    return st.one_of(st.just(NOT_PROVIDED), free_texts())


def free_texts() -> st.SearchStrategy[str]:
    """Any text a free-text field accepts (engine.characters): printable characters, line breaks, tabs."""
    return st.text(_PRINTABLE | st.sampled_from("\n\t"), min_size=1).map(str.strip).filter(bool)


def names() -> st.SearchStrategy[str]:
    """Any text a name accepts: one line of printable characters."""
    return st.text(_PRINTABLE, min_size=1).map(str.strip).filter(bool)


# Refused: controls (Cc), surrogates (Cs), line and paragraph separators (Zl, Zp), bidi overrides and isolates.
_PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def answer_values(questionnaire: Questionnaire) -> st.SearchStrategy[dict]:
    """Any subset of the questions, each with any valid answer (left out means not_provided)."""
    return st.fixed_dictionaries({}, optional={q.id: answer_to(q) for q in questionnaire.questions.values()})


def answers_from(values: dict, questionnaire: Questionnaire) -> Answers:
    return Answers(party="Testland", round=questionnaire.round, values=values)
