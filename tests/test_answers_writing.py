"""Writing answers files (the web questionnaire saves through this) and listing every problem of one."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ALBANIA, ROUND
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.answer_file import Answers, render_answers
from selfcheck.engine.answers.rounds import answers_of, check_answers, load_answers
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import document_from_text, read_document
from strategies import answer_values, free_texts, names

QUESTIONNAIRE = rounds.questionnaire(ROUND)
TEXTS = free_texts()


def _read_back(text: str) -> Answers:
    return answers_of(document_from_text(Path("answers.yaml"), text))


def test_albanias_answers_written_out_read_back_the_same_with_their_sources():
    albania = load_answers(ALBANIA)
    text = render_answers(albania, QUESTIONNAIRE, ["Albania's answers"])
    assert _read_back(text) == albania
    assert text.startswith(
        '# Albania\'s answers\nparty: "Albania"\nround: "lanzarote-2"\nas_of: 2022-03-10\nanswers:\n'
        "  # 1. Awareness-raising or educational activities, tools, materials or measures (chapter VIII)\n"
    )
    assert '  jurisdiction.habitual_residents_abroad:\n    value: no\n    source: "Para. 217"\n    quote: "The Committee observes' in text
    assert '  legal.sharing.own_images_prosecution_excluded:\n    value: no\n    source: "fn. 11"\n    inferred_from: ["II-8"]\n' in text


def test_a_text_of_several_lines_is_written_as_a_literal_block():
    answers = Answers(party="Testland", round=ROUND, values={"legal.difficulties": "first line\n\n  second: line # not a comment"})
    text = render_answers(answers, QUESTIONNAIRE)
    assert "  legal.difficulties: |-\n      first line\n\n        second: line # not a comment\n" in text
    assert _read_back(text) == answers


@settings(deadline=None, max_examples=150)
@given(
    values=answer_values(QUESTIONNAIRE),
    party=names(),
    texts=st.dictionaries(st.sampled_from(sorted(QUESTIONNAIRE.questions)), TEXTS),
    as_of=st.none() | st.dates(),
)
def test_any_answers_with_any_texts_read_back_exactly_as_written(values, party, texts, as_of):
    values = {**{question: "not_provided" for question in texts}, **values}
    answers = Answers(
        party=party,
        round=ROUND,
        as_of=as_of,
        values=values,
        sources=texts,
        # an answer that varies by region or entity comes with its note
        notes={**{q: "in some regions only" for q, v in values.items() if v == "varies"}, **{q: t[::-1].strip() or "x" for q, t in texts.items()}},
        quotes={q: t.upper().strip() or "X" for q, t in texts.items()},
        inferred_from={q: ("IV-4", "II-12") for q in texts},
    )
    assert _read_back(render_answers(answers, QUESTIONNAIRE)) == answers


def test_every_problem_of_an_answers_document_is_listed_the_first_being_the_one_the_cli_reports(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"party: ' '\nround: {ROUND}\nas_of: soon\nanswers:\n  legal.csam_terminology: 3\n"
        "  legal.age_of_criminal_responsibility: 40\n  legal.csam_definition_in_law: yes\n"
    )
    document = read_document(path)
    answers, problems = check_answers(document)
    assert answers is None
    assert [(p.place.keys, p.place.line) for p in problems] == [
        (("party",), 1),
        (("as_of",), 3),
        (("answers", "legal.csam_terminology"), 5),
        (("answers", "legal.age_of_criminal_responsibility"), 6),
    ]
    assert "expected a whole number from 0 to 18, or not_provided, got 40" in problems[3].problem
    with pytest.raises(InputError) as refused:  # the CLI's one message is the first problem
        answers_of(document)
    assert str(refused.value) == str(problems[0])


def test_a_good_document_has_no_problems_and_keeps_its_date():
    answers, problems = check_answers(read_document(ALBANIA))
    assert problems == [] and answers.as_of == datetime.date(2022, 3, 10)
