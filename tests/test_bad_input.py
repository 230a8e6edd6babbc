"""Bad input: one message on stderr naming the file, the place and what was expected; exit 2."""

from __future__ import annotations


import pytest

from conftest import ROUND, run_selfcheck

HEAD = f"party: Testland\nround: {ROUND}\n"

# (name, file name, content as text or bytes, fragment the message must contain)
CASES = [
    ("malformed YAML", "a.yaml", HEAD + "answers: {legal.csam_terminology: yes\n", "is not valid YAML"),
    ("malformed JSON", "a.json", '{"party": "Testland", "round": }', "is not valid JSON"),
    ("a list where a mapping is expected", "a.yaml", "- party\n- Testland\n", "expected a mapping"),
    ("answers given as a list", "a.yaml", HEAD + "answers:\n  - yes\n", "expected a mapping of question ids"),
    ("an unknown question id", "a.yaml", HEAD + "answers:\n  legal.csam_terminolgy: yes\n", "did you mean 'legal.csam_terminology'"),
    ("a wrong type", "a.yaml", HEAD + "answers:\n  legal.csam_terminology: 3\n", "expected one of yes, no, not_provided"),
    ("a boolean where tri-state is expected", "a.yaml", HEAD + "answers:\n  legal.csam_terminology: true\n", "write yes or no, not true or false"),
    ("an age out of range", "a.yaml", HEAD + "answers:\n  legal.age_of_criminal_responsibility: {value: 21, source: x}\n", "from 0 to 18"),
    ("a negative age", "a.json", '{"party": "T", "round": "lanzarote-2", "answers": {"legal.age_of_criminal_responsibility": -1}}', "from 0 to 18"),
    ("an empty file", "a.yaml", "", "is empty"),
    ("a file of blanks", "a.yaml", "  \n\n", "is empty"),
    ("a YAML tag that would construct Python objects", "a.yaml", HEAD + "answers: !!python/object/apply:os.system ['touch PWNED']\n", "tags are not accepted"),
    ("a custom YAML tag", "a.yaml", HEAD + "answers:\n  legal.csam_terminology: !yes yes\n", "tags are not accepted"),
    ("a YAML alias", "a.yaml", HEAD + "as_of: &d 2024-01-01\nanswers:\n  legal.csam_terminology: *d\n", "YAML alias"),
    ("a duplicate key", "a.yaml", HEAD + "answers:\n  legal.csam_terminology: yes\n  legal.csam_terminology: no\n", "duplicate key"),
    ("a duplicate JSON key", "a.json", '{"party": "T", "party": "U", "round": "lanzarote-2", "answers": {}}', "appears twice"),
    ("an unknown top-level field", "a.yaml", HEAD + "answer: {}\n", "unknown field 'answer'"),
    ("an unknown round", "a.yaml", "party: Testland\nround: lanzarote-9\nanswers: {}\n", "unknown round"),
    ("a missing party", "a.yaml", f"round: {ROUND}\nanswers: {{}}\n", "the Party's name"),
    ("an option that is not offered", "a.yaml", HEAD + "answers:\n  legal.extortion.to_obtain_images: fine\n", "specific_offence"),
    ("a list item that is not offered", "a.yaml", HEAD + "answers:\n  professionals.equipped_to_identify: [schools]\n", "a list drawn from"),
    ("an unknown field in a long-form answer", "a.yaml", HEAD + "answers:\n  legal.csam_terminology: {value: yes, sauce: Para. 50}\n", "unknown field 'sauce'"),
    ("a long-form answer without value", "a.yaml", HEAD + "answers:\n  legal.csam_terminology: {source: Para. 50}\n", "value is missing"),
    ("a date that is not a date", "a.yaml", HEAD + "as_of: last spring\nanswers: {}\n", "YYYY-MM-DD"),
    ("UTF-16 text", "a.yaml", (HEAD + "answers: {}\n").encode("utf-16"), "save it as UTF-8"),
    ("bytes that are not UTF-8", "a.yaml", HEAD.encode() + b"answers: {legal.education: \xff}\n", "not UTF-8"),
]


@pytest.mark.parametrize("name, filename, content, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_answers_file_gets_one_clear_message_and_exit_2(tmp_path, name, filename, content, fragment):
    path = tmp_path / filename
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for command in ("validate", "assess"):
        result = run_selfcheck(command, path, cwd=tmp_path)
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        message = result.stderr.strip()
        assert len(message.splitlines()) == 1, message
        assert message.startswith(f"selfcheck: {path}"), message
        assert fragment in message, message
    assert not (tmp_path / "PWNED").exists(), "a YAML tag ran code"


def test_the_message_names_the_line_and_the_question(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(HEAD + "answers:\n  legal.csam_terminology: yes\n  legal.age_of_criminal_responsibility: 19\n")
    message = run_selfcheck("assess", path).stderr.strip()
    assert message == (
        f"selfcheck: {path}:5:3: answers.legal.age_of_criminal_responsibility: "
        "expected a whole number from 0 to 18, or not_provided, got 19"
    )


def test_a_missing_file_is_named(tmp_path):
    result = run_selfcheck("assess", tmp_path / "nowhere.yaml")
    assert result.returncode == 2
    assert result.stderr.strip() == f"selfcheck: {tmp_path / 'nowhere.yaml'}: no such file; expected a YAML or JSON file"


def test_a_directory_is_not_a_file(tmp_path):
    result = run_selfcheck("validate", tmp_path)
    assert result.returncode == 2
    assert "is a directory" in result.stderr


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(HEAD + "answers:\n" + "  # padding\n" * 200_000)
    result = run_selfcheck("validate", path)
    assert result.returncode == 2
    assert "bytes are refused" in result.stderr


def test_deep_nesting_is_refused(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(HEAD + "answers:\n  legal.csam_terminology: " + "[" * 100 + "]" * 100 + "\n")
    result = run_selfcheck("validate", path)
    assert result.returncode == 2
    assert "nested too deeply" in result.stderr


def test_windows_line_endings_and_a_utf8_byte_order_mark_are_accepted(tmp_path):
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + "answers:\n  legal.csam_terminology: yes\n").replace("\n", "\r\n").encode())
    result = run_selfcheck("validate", path)
    assert result.returncode == 0, result.stderr
