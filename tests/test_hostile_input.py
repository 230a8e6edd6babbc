"""The hostile-input catalogue: answers, amendments and rule files that must be refused cleanly.

Each gets exit code 2 and one message on stderr naming the file, the line and what was expected;
nothing in a file is executed, and no output file is left behind.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import ALBANIA, ROOT, ROUND, run_selfcheck

HEAD = f"party: Testland\nround: {ROUND}\n"
BILL = f"title: A bill\nreference: Draft law 1/2024\ndate: 2024-01-01\napplies_to: {ALBANIA}\n"
RULES = ROOT / "rules" / ROUND
BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"

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
    ("an option that is not offered", "a.yaml", HEAD + "answers:\n  legal.extortion.prosecution.images: fine\n", "specific_offence"),
    ("a list item that is not offered", "a.yaml", HEAD + "answers:\n  professionals.equipped_to_identify: [schools]\n", "a list drawn from"),
    ("an unknown field in a long-form answer", "a.yaml", HEAD + "answers:\n  legal.csam_terminology: {value: yes, sauce: Para. 50}\n", "unknown field 'sauce'"),
    ("a long-form answer without value", "a.yaml", HEAD + "answers:\n  legal.csam_terminology: {source: Para. 50}\n", "value is missing"),
    ("a date that is not a date", "a.yaml", HEAD + "as_of: last spring\nanswers: {}\n", "YYYY-MM-DD"),
    ("UTF-16 text", "a.yaml", (HEAD + "answers: {}\n").encode("utf-16"), "save it as UTF-8"),
    ("bytes that are not UTF-8", "a.yaml", HEAD.encode() + b"answers: {legal.education: \xff}\n", "not UTF-8"),
    ("a number far out of range", "a.yaml", HEAD + "answers:\n  legal.age_of_criminal_responsibility: 1000000000000000000000\n", "from 0 to 18"),
    ("a fractional age", "a.yaml", HEAD + "answers:\n  legal.age_of_criminal_responsibility: 14.5\n", "from 0 to 18"),
    ("NaN in JSON", "a.json", '{"party": "T", "round": "lanzarote-2", "answers": {"legal.age_of_criminal_responsibility": NaN}}', "not a number"),
    ("a JSON array", "a.json", '[{"party": "T"}]', "expected a mapping"),
    ("two YAML documents", "a.yaml", HEAD + "answers: {}\n---\n" + HEAD + "answers: {}\n", "single document"),
    ("aliases that expand exponentially", "a.yaml", HEAD + BILLION_LAUGHS + "answers: {}\n", "YAML alias"),
    ("a complex mapping key", "a.yaml", HEAD + "answers:\n  ? [a, b]\n  : yes\n", "keys must be plain text"),
    ("a text answer that is empty", "a.yaml", HEAD + "answers:\n  legal.difficulties: '   '\n", "a text, or not_provided"),
]


AMENDMENTS = [
    ("an amendment in malformed YAML", BILL + "changes: {legal.csam_terminology: {value: yes, note: x}\n", "is not valid YAML"),
    ("an amendment changing an unknown question", BILL + "changes:\n  legal.nope: {value: yes, note: x}\n", "unknown question 'legal.nope'"),
    ("an amendment with a boolean answer", BILL + "changes:\n  legal.csam_terminology: {value: true, note: x}\n", "not true or false"),
    ("an amendment with an age out of range", BILL + "changes:\n  legal.age_of_criminal_responsibility: {value: 30, note: x}\n", "from 0 to 18"),
    ("an amendment without notes", BILL + "changes:\n  legal.csam_terminology: yes\n", "expected a mapping with value and note"),
    ("an amendment with no changes", BILL + "changes: {}\n", "at least one"),
    ("an amendment applying to a missing file", BILL.replace(str(ALBANIA), "nowhere.yaml") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n", "which is not a file"),
    ("an amendment applying to itself", BILL.replace(str(ALBANIA), "bill.yaml") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n", "bill.yaml"),
    ("an amendment with a YAML tag", BILL + "changes: !!python/object/new:os.system [touch PWNED]\n", "tags are not accepted"),
    ("an amendment with an unknown field", BILL + "sponsor: someone\nchanges:\n  legal.csam_terminology: {value: yes, note: x}\n", "sponsor"),
    ("an amendment with a date that is not a date", BILL.replace("2024-01-01", "soon") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n", "YYYY-MM-DD"),
]

# (name, rule file to replace or add, its content, fragment of the message)
RULE_FILES = [
    ("a rule file in malformed YAML", "04-jurisdiction.yaml", "chapter: IV\nrules: [\n", "is not valid YAML"),
    ("a rule file with a YAML tag", "04-jurisdiction.yaml", "chapter: IV\nrules: !!python/object/apply:os.system [touch PWNED]\n", "tags are not accepted"),
    ("a rule file with aliases", "04-jurisdiction.yaml", "chapter: IV\nx: &x []\nrules: *x\n", "YAML alias"),
    ("a rule file with duplicate keys", "04-jurisdiction.yaml", "chapter: IV\nchapter: V\nrules: []\n", "duplicate key"),
    ("a rule file that is a list", "04-jurisdiction.yaml", "- chapter: IV\n", "expected a mapping with chapter and rules"),
    ("a rule reading an unknown question", "04-jurisdiction.yaml", "chapter: IV\nrules:\n  - {id: IV-4, level: require, block: specific, reason: r, basis: inferred, argument: a, on_no_information: silent, no_information: {basis: inferred, because: b}, text: t, cites: {convention: [x]}, when: {jurisdiction.nope: yes}}\n", "unknown question"),
    ("a rule comparing a tri-state with a number", "04-jurisdiction.yaml", "chapter: IV\nrules:\n  - {id: IV-4, level: require, block: specific, reason: r, basis: inferred, argument: a, on_no_information: silent, no_information: {basis: inferred, because: b}, text: t, cites: {convention: [x]}, when: {jurisdiction.nationals_abroad: {below: 3}}}\n", "below compares numbers"),
    ("a rule citing nothing", "04-jurisdiction.yaml", "chapter: IV\nrules:\n  - {id: IV-4, level: require, block: generic, basis: all_parties, reason: r, text: t, cites: {}}\n", "cites no source"),
    ("a rule file far too large", "04-jurisdiction.yaml", "chapter: IV\nrules: []\n" + "# padding\n" * 300_000, "bytes are refused"),
    ("a rule file nested too deeply", "04-jurisdiction.yaml", "chapter: IV\nrules: " + "[" * 60 + "]" * 60 + "\n", "nested too deeply"),
    ("a stray rule file", "12-stray.yaml", "chapter: XII\nrules: []\n", "is not listed under chapters"),
]


def _check_refused(result, path, fragment: str, single_line: bool = True) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    if single_line:
        assert len(message.splitlines()) == 1, message
        assert message.startswith(f"selfcheck: {path}"), message
    else:
        assert f"{path}:" in message, message
    assert fragment in message, message


@pytest.mark.parametrize("name, filename, content, fragment", CASES, ids=[c[0] for c in CASES])
def test_a_hostile_answers_file_gets_one_clear_message_and_exit_2(tmp_path, name, filename, content, fragment):
    path = tmp_path / filename
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for command in ("validate", "assess"):
        _check_refused(run_selfcheck(command, path, cwd=tmp_path), path, fragment)
    assert not (tmp_path / "PWNED").exists(), "a YAML tag ran code"


@pytest.mark.parametrize("name, content, fragment", AMENDMENTS, ids=[c[0] for c in AMENDMENTS])
def test_a_hostile_amendment_gets_one_clear_message_and_exit_2(tmp_path, name, content, fragment):
    path = tmp_path / "bill.yaml"
    path.write_text(content, encoding="utf-8")
    for command in (("validate", path), ("assess", path), ("diff", ALBANIA, path)):
        _check_refused(run_selfcheck(*command, cwd=tmp_path), path, fragment)
    assert not (tmp_path / "PWNED").exists(), "a YAML tag ran code"


@pytest.mark.parametrize("name, filename, content, fragment", RULE_FILES, ids=[c[0] for c in RULE_FILES])
def test_a_hostile_rule_file_gets_a_clear_message_and_exit_2(tmp_path, name, filename, content, fragment):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / filename).write_text(content, encoding="utf-8")
    _check_refused(run_selfcheck("lint", "--rules", rules, cwd=tmp_path), rules / filename, fragment, single_line=False)
    assert not (tmp_path / "PWNED").exists(), "a YAML tag ran code"


def test_the_catalogue_holds_at_least_30_hostile_inputs():
    assert len(CASES) + len(AMENDMENTS) + len(RULE_FILES) >= 30


def test_a_bad_input_leaves_no_output_file_behind(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "answers:\n  legal.csam_terminology: maybe\n")
    target = tmp_path / "plan.yaml"
    result = run_selfcheck("plan", bad, "-o", target)
    assert result.returncode == 2
    assert list(tmp_path.iterdir()) == [bad], "a half-written or temporary file was left behind"


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
    path.write_text(HEAD + "answers:\n" + "  # padding\n" * 400_000)
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
