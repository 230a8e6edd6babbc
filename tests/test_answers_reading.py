"""Reading an answers file: each problem named at its place, and the guard that nothing is written
unless it reads back as given."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from conftest import ROUND
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.answer_file import Answers, answers_text, check_answers_document, in_words, read_date, render_answers
from selfcheck.engine.common.errors import EngineError
from selfcheck.engine.common.safe_files import document_from_text

QUESTIONNAIRE = rounds.questionnaire(ROUND)
TRI = "civil_society.involved_in_prevention"
NUMBER = "legal.age_of_criminal_responsibility"
TEXT = "awareness.promising_practices"
HEAD = f"party: Ruritania\nround: {ROUND}\n"


def read(text: str):
    return check_answers_document(document_from_text(Path("answers.yaml"), text), QUESTIONNAIRE)


def problems_of(text: str) -> list[tuple[str, tuple, int | None, str]]:
    answers, problems = read(text)
    assert answers is None
    return [(str(problem.file), problem.place.keys, problem.place.line, problem.problem) for problem in problems]


def only_problem(text: str) -> tuple[tuple, int | None, str]:
    (problem,) = problems_of(text)
    return problem[1:]


def test_a_short_and_a_long_answer_are_read_with_their_texts():
    answers, problems = read(
        HEAD + f"as_of: 2024-05-01\nanswers:\n  {TRI}: yes\n  {NUMBER}:\n    value: 14\n    source: ' Art. 12 '\n    note: checked\n"
        f"    quote: The law says so.\n    inferred_from: [IV-4, III-15]\n"
    )
    assert problems == []
    assert answers == Answers(
        party="Ruritania",
        round=ROUND,
        as_of=datetime.date(2024, 5, 1),
        values={TRI: "yes", NUMBER: 14},
        sources={NUMBER: "Art. 12"},
        notes={NUMBER: "checked"},
        quotes={NUMBER: "The law says so."},
        inferred_from={NUMBER: ("IV-4", "III-15")},
    )


def test_answers_that_are_not_a_mapping_are_refused_at_answers():
    for given in ("[yes, no]", "yes", "null"):
        assert only_problem(HEAD + f"answers: {given}\n") == (("answers",), 3, "expected a mapping of question ids to answers")


def test_answers_missing_are_refused():
    assert problems_of(HEAD) == [("answers.yaml", (), None, "the field 'answers' is required: a mapping of question ids to answers")]


def test_an_inferred_from_that_is_empty_or_not_a_text_is_refused():
    expected = "expected a recommendation id such as IV-4, or a list of them, got "
    for given, described in (("[]", "a list []"), ("7", "7"), ("[IV-4, 7]", "a list"), ('"IV 4"', "'IV 4'"), ("''", "''")):
        keys, line, problem = only_problem(HEAD + f"answers:\n  {TRI}:\n    value: yes\n    inferred_from: {given}\n")
        assert (keys, line) == (("answers", TRI, "inferred_from"), 6)
        assert problem.startswith(expected), problem
        assert described in problem
    answers, _ = read(HEAD + f"answers:\n  {TRI}:\n    value: yes\n    inferred_from: IV-4\n")
    assert answers.inferred_from == {TRI: ("IV-4",)} and answers.values == {TRI: "yes"}


def test_the_problems_of_a_long_answer_are_named_where_they_stand():
    long = HEAD + f"answers:\n  {TRI}:\n"
    assert only_problem(long + "    value: maybe\n") == (("answers", TRI, "value"), 5, "expected one of yes, no, varies, not_provided, got 'maybe'")
    assert only_problem(long + "    value: yes\n    source: 12\n") == (("answers", TRI, "source"), 6, "expected source to be a text")
    assert only_problem(long + "    value: yes\n    note: '  '\n") == (("answers", TRI, "note"), 6, "expected note to be a text")
    expected = "an answer, or a mapping with value and optionally source, note, quote and inferred_from"
    assert only_problem(long + "    value: yes\n    sauce: Art. 3\n") == (("answers", TRI), 4, f"expected {expected}; unknown field 'sauce'")
    assert only_problem(long + "    source: Art. 3\n") == (("answers", TRI), 4, f"expected {expected}; value is missing")
    keys, line, problem = only_problem(long + '    value: yes\n    quote: "a\\u0007b"\n')
    assert (keys, line) == (("answers", TRI, "quote"), 6) and problem.startswith("the quote holds ") and "at character 2" in problem


def test_every_bad_answer_is_listed_in_the_order_of_the_file():
    text = HEAD + f'answers:\n  {TRI}: perhaps\n  no.such.question: yes\n  {NUMBER}: -3\n  {TEXT}: "a\\u0007"\n'
    listed = problems_of(text)
    assert [(keys, line) for _, keys, line, _ in listed] == [
        (("answers", TRI), 4),
        (("answers", "no.such.question"), 5),
        (("answers", NUMBER), 6),
        (("answers", TEXT), 7),
    ]
    assert listed[1][3] == "unknown question 'no.such.question'; `selfcheck schema` lists the questions"
    assert listed[3][3].startswith("the answer holds ")


def test_an_unknown_question_close_to_a_known_one_is_named():
    assert only_problem(HEAD + "answers:\n  civil_society.involved_in_prevent: yes\n")[2] == (
        f"unknown question 'civil_society.involved_in_prevent'; did you mean {TRI!r}?"
    )
    assert only_problem(HEAD + "answers:\n  3: yes\n")[2] == "expected a question id as key, got 3"


def test_the_head_of_the_file_is_checked_field_by_field():
    assert problems_of("- yes\n") == [("answers.yaml", (), None, "expected a mapping with party, round, as_of, answers; got a list")]
    assert problems_of("yes\n")[0][3] == "expected a mapping with party, round, as_of, answers; got a single str value"
    listed = problems_of(f"party: ' '\nround: {ROUND}\nas_of: 2024-13-01\nanswers: {{}}\nextra: 1\n")
    assert [(keys, problem) for _, keys, _, problem in listed] == [
        (("extra",), "unknown field 'extra'; expected only party, round, as_of, answers"),
        (("party",), "expected the Party's name as a text"),
        (("as_of",), "expected a date written YYYY-MM-DD, got '2024-13-01'"),
    ]
    assert problems_of(f'party: "Ruri\\u0007nia"\nround: {ROUND}\nanswers: {{}}\n')[0][3].startswith("the Party's name holds ")
    answers, problems = read("party: Ruritania\nround: other-round\nanswers: {}\n")
    assert answers is None and problems == []  # the caller names the unknown round


def test_a_date_is_read_only_as_year_month_day():
    for text, expected in (("2024-05-01", datetime.date(2024, 5, 1)), ("'2024-05-01'", datetime.date(2024, 5, 1))):
        assert read_date(document_from_text(Path("a.yaml"), f"as_of: {text}\n"), ("as_of",)) == expected
    for text in ("'2024-5-1'", "2024-05-01T10:00:00", "'2024-02-30'", "20240501"):
        with pytest.raises(Exception, match="expected a date written YYYY-MM-DD"):
            read_date(document_from_text(Path("a.yaml"), f"as_of: {text}\n"), ("as_of",))


def test_answers_that_would_not_read_back_as_given_are_not_written():
    given = Answers(party="Ruritania", round=ROUND, values={TRI: "yes"}, notes={TRI: " padded "})
    with pytest.raises(EngineError) as refused:
        answers_text(given, QUESTIONNAIRE, [], Path("out.yaml"))
    assert str(refused.value) == "out.yaml: the answers would not read back as given; nothing was written"
    kept = Answers(party="Ruritania", round=ROUND, values={TRI: "yes"}, notes={TRI: "padded"})
    text = answers_text(kept, QUESTIONNAIRE, ["made by a test"], Path("out.yaml"))
    assert text.startswith("# made by a test\nparty: ")
    assert read(text) == (kept, [])


def test_words_are_listed_with_and():
    assert in_words(("value",)) == "value"
    assert in_words(("value", "source")) == "value and source"
    assert in_words(("value", "source", "note")) == "value, source and note"


def test_an_answer_not_given_is_not_provided():
    answers = Answers(party="Ruritania", round=ROUND, values={TRI: "yes"})
    assert answers.value(TRI) == "yes" and answers.value(NUMBER) == "not_provided"


def test_a_change_that_must_carry_a_note_is_refused_in_short_form_naming_the_long_one():
    from selfcheck.engine.answers.answer_file import read_answer
    from selfcheck.engine.common.errors import InputError

    document = document_from_text(Path("bill.yaml"), f"changes:\n  {TRI}: yes\n")
    with pytest.raises(InputError) as refused:
        read_answer(document, QUESTIONNAIRE, ("changes", TRI), "yes", texts=("note",), required=("note",))
    assert (refused.value.place.keys, refused.value.place.line) == (("changes", TRI), 2)
    assert refused.value.problem == "expected a mapping with value and note, got 'yes'"
    with pytest.raises(InputError) as refused:
        read_answer(document, QUESTIONNAIRE, ("changes", TRI), {"value": "yes"}, texts=("note", "source"), required=("note",))
    assert refused.value.problem == "expected a mapping with value and note and optionally source; note is missing"
    assert read_answer(document, QUESTIONNAIRE, ("aims", TRI), "yes", texts=()) == ("yes", {})


def test_answers_are_written_with_their_comments_one_per_line_and_every_short_answer_of_a_section():
    answers = Answers(party="Ruritania", round=ROUND, values={TRI: "yes", "civil_society.awareness_activities_for_adults": "no"})
    text = render_answers(answers, QUESTIONNAIRE, ["", "made by a test"])
    assert text.startswith("#\n# made by a test\nparty: ")
    assert f"  {TRI}: yes\n  civil_society.awareness_activities_for_adults: no\n" in text
    assert read(text) == (answers, [])


def test_a_name_with_a_control_character_is_refused_at_its_field():
    keys, line, problem = only_problem(f'party: "Ruri\\u0007nia"\nround: {ROUND}\nanswers: {{}}\n')
    assert (keys, line) == (("party",), 1) and problem.startswith("the Party's name holds ")


def test_an_answer_that_varies_by_region_needs_a_note_named_at_the_answer():
    from selfcheck.engine.answers.answer_file import VARIES_WITHOUT_NOTE, read_answer

    assert only_problem(HEAD + f"answers:\n  {TRI}: varies\n") == (("answers", TRI), 4, VARIES_WITHOUT_NOTE)
    assert only_problem(HEAD + f"answers:\n  {TRI}:\n    value: varies\n    source: Art. 3\n") == (("answers", TRI), 4, VARIES_WITHOUT_NOTE)
    answers, problems = read(HEAD + f"answers:\n  {TRI}:\n    value: varies\n    note: only in the north\n")
    assert problems == [] and answers.value(TRI) == "varies" and answers.notes == {TRI: "only in the north"}
    document = document_from_text(Path("plan.yaml"), f"aims:\n  {TRI}: varies\n")
    assert read_answer(document, QUESTIONNAIRE, ("aims", TRI), "varies", texts=()) == ("varies", {})
    assert VARIES_WITHOUT_NOTE.startswith("an answer that varies by region or entity needs a note")
