"""The hostile-input catalogue: answers, amendments, rule files, special files and outputs that must be refused cleanly.

Each gets exit code 2 and one message on stderr naming the file, the line and what was expected;
nothing in a file is executed, no input is replaced, no output file is left behind, nothing hangs,
and no character a terminal would act on is printed raw.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import ALBANIA, ROOT, ROUND, SELFCHECK, run_selfcheck

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
    ("a wrong type", "a.yaml", HEAD + "answers:\n  legal.csam_terminology: 3\n", "expected one of yes, no, varies, not_provided"),
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
    ("an option that is not offered", "a.yaml", HEAD + "answers:\n  legal.extortion.offences.images: [fine]\n", "specific_offence"),
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
    # numbers Python would refuse to read, or read as infinity
    (
        "an integer of 5,000 digits",
        "a.yaml",
        HEAD + "answers:\n  legal.age_of_criminal_responsibility: " + "9" * 5000 + "\n",
        "numbers of more than 100 digits are refused",
    ),
    (
        "an integer of 5,000 digits in JSON",
        "a.json",
        '{"party": "T", "round": "lanzarote-2", "answers": {"legal.age_of_criminal_responsibility": ' + "9" * 5000 + "}}",
        "numbers of more than 100 digits are refused",
    ),
    ("an integer of 5,000 digits as a key", "a.yaml", HEAD + "answers:\n  ? " + "1" * 5000 + "\n  : yes\n", "numbers of more than 100 digits are refused"),
    ("a number too large to be finite", "a.yaml", HEAD + "answers:\n  legal.age_of_criminal_responsibility: 1e999\n", "expected a finite number"),
    (
        "a number too large to be finite in JSON",
        "a.json",
        '{"party": "T", "round": "lanzarote-2", "answers": {"legal.age_of_criminal_responsibility": 1e999}}',
        "expected a finite number",
    ),
    # characters: names are one printable line, free texts printable with line breaks and tabs
    ("a lone surrogate in JSON", "a.json", '{"party": "T\\ud800", "round": "lanzarote-2", "answers": {}}', "lone surrogate"),
    ("a lone surrogate in a JSON key", "a.json", '{"party": "T", "round": "lanzarote-2", "answers": {"\\udfff": "yes"}}', "lone surrogate"),
    ("a line break in the Party's name", "a.yaml", f'party: "Evil\\nround: injected"\nround: {ROUND}\nanswers: {{}}\n', "U+000A (LINE FEED)"),
    ("a line separator in the Party's name", "a.yaml", f'party: "Evil\\u2028land"\nround: {ROUND}\nanswers: {{}}\n', "U+2028 (LINE SEPARATOR)"),
    ("a next-line character in the Party's name", "a.yaml", f'party: "Evil\\u0085land"\nround: {ROUND}\nanswers: {{}}\n', "U+0085"),
    ("a control character in the Party's name", "a.json", f'{{"party": "Evil\\u0001land", "round": "{ROUND}", "answers": {{}}}}', "U+0001"),
    ("a terminal escape in the Party's name", "a.yaml", f'party: "\\e[2J\\e[31mEvil"\nround: {ROUND}\nanswers: {{}}\n', "U+001B (ESCAPE)"),
    ("a bidi override in the Party's name", "a.yaml", f'party: "Evil\\u202eland"\nround: {ROUND}\nanswers: {{}}\n', "U+202E"),
    (
        "a control character in a source",
        "a.yaml",
        HEAD + 'answers:\n  legal.csam_terminology: {value: yes, source: "Para. \\x0150"}\n',
        "the source holds U+0001",
    ),
    ("a paragraph separator in a text answer", "a.yaml", HEAD + 'answers:\n  legal.difficulties: "one\\u2029two"\n', "the answer holds U+2029"),
    ("a terminal escape in a key", "a.yaml", HEAD + 'answers:\n  "\\e]0;pwned\\a": yes\n', "unknown question"),
    ("a duplicate key holding a terminal escape", "a.yaml", HEAD + 'answers:\n  "\\e[2J": yes\n  "\\e[2J": no\n', "duplicate key"),
    ("a duplicate key holding a bell and a line separator", "a.yaml", HEAD + 'answers:\n  "a\\a\\Lb": yes\n  "a\\a\\Lb": no\n', "duplicate key"),
    # dates: YYYY-MM-DD only, as the message says
    ("a date without dashes", "a.yaml", HEAD + "as_of: '20240101'\nanswers: {}\n", "YYYY-MM-DD"),
    ("a week date", "a.yaml", HEAD + "as_of: 2024-W01-1\nanswers: {}\n", "YYYY-MM-DD"),
    ("a date with a time", "a.yaml", HEAD + "as_of: '2024-01-01T10:00'\nanswers: {}\n", "YYYY-MM-DD"),
]


AMENDMENTS = [
    ("an amendment in malformed YAML", BILL + "changes: {legal.csam_terminology: {value: yes, note: x}\n", "is not valid YAML"),
    ("an amendment changing an unknown question", BILL + "changes:\n  legal.nope: {value: yes, note: x}\n", "unknown question 'legal.nope'"),
    ("an amendment with a boolean answer", BILL + "changes:\n  legal.csam_terminology: {value: true, note: x}\n", "not true or false"),
    ("an amendment with an age out of range", BILL + "changes:\n  legal.age_of_criminal_responsibility: {value: 30, note: x}\n", "from 0 to 18"),
    ("an amendment without notes", BILL + "changes:\n  legal.csam_terminology: yes\n", "expected a mapping with value and note"),
    ("an amendment with no changes", BILL + "changes: {}\n", "at least one"),
    (
        "an amendment applying to a missing file",
        BILL.replace(str(ALBANIA), "nowhere.yaml") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n",
        "which is not a file",
    ),
    ("an amendment applying to itself", BILL.replace(str(ALBANIA), "bill.yaml") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n", "bill.yaml"),
    ("an amendment with a YAML tag", BILL + "changes: !!python/object/new:os.system [touch PWNED]\n", "tags are not accepted"),
    ("an amendment with an unknown field", BILL + "sponsor: someone\nchanges:\n  legal.csam_terminology: {value: yes, note: x}\n", "sponsor"),
    (
        "an amendment with a date that is not a date",
        BILL.replace("2024-01-01", "soon") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n",
        "YYYY-MM-DD",
    ),
    (
        "an amendment with a compact date",
        BILL.replace("2024-01-01", "'20240101'") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n",
        "YYYY-MM-DD",
    ),
    (
        "an amendment titled over two lines",
        BILL.replace("title: A bill", 'title: "A bill\\nreference: forged"') + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n",
        "U+000A (LINE FEED)",
    ),
    (
        "an amendment with a terminal escape in its reference",
        BILL.replace("Draft law 1/2024", '"\\e[31mDraft"') + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n",
        "U+001B (ESCAPE)",
    ),
    ("an amendment with a control character in a note", BILL + 'changes:\n  legal.csam_terminology: {value: yes, note: "x\\x07"}\n', "the note holds U+0007"),
    (
        "an amendment with a huge number",
        BILL + "changes:\n  legal.age_of_criminal_responsibility: {value: " + "1" * 5000 + ", note: x}\n",
        "numbers of more than 100 digits",
    ),
]

# (name, rule file to replace or add, its content, fragment of the message)
RULE_FILES = [
    ("a rule file in malformed YAML", "04-jurisdiction.yaml", "chapter: IV\nrules: [\n", "is not valid YAML"),
    ("a rule file with a YAML tag", "04-jurisdiction.yaml", "chapter: IV\nrules: !!python/object/apply:os.system [touch PWNED]\n", "tags are not accepted"),
    ("a rule file with aliases", "04-jurisdiction.yaml", "chapter: IV\nx: &x []\nrules: *x\n", "YAML alias"),
    ("a rule file with duplicate keys", "04-jurisdiction.yaml", "chapter: IV\nchapter: V\nrules: []\n", "duplicate key"),
    ("a rule file that is a list", "04-jurisdiction.yaml", "- chapter: IV\n", "expected a mapping with chapter and rules"),
    (
        "a rule reading an unknown question",
        "04-jurisdiction.yaml",
        "chapter: IV\nrules:\n  - {id: IV-4, level: require, block: specific, reason: r, basis: inferred, argument: a, on_no_information: silent, no_information: {basis: inferred, because: b}, text: t, cites: {convention: [x]}, when: {jurisdiction.nope: yes}}\n",
        "unknown question",
    ),
    (
        "a rule comparing a tri-state with a number",
        "04-jurisdiction.yaml",
        "chapter: IV\nrules:\n  - {id: IV-4, level: require, block: specific, reason: r, basis: inferred, argument: a, on_no_information: silent, no_information: {basis: inferred, because: b}, text: t, cites: {convention: [x]}, when: {jurisdiction.nationals_abroad: {below: 3}}}\n",
        "below compares numbers",
    ),
    (
        "a rule citing nothing",
        "04-jurisdiction.yaml",
        "chapter: IV\nrules:\n  - {id: IV-4, level: require, block: generic, basis: all_parties, reason: r, text: t, cites: {}}\n",
        "cites no source",
    ),
    ("a rule file far too large", "04-jurisdiction.yaml", "chapter: IV\nrules: []\n" + "# padding\n" * 300_000, "bytes are refused"),
    ("a rule file nested too deeply", "04-jurisdiction.yaml", "chapter: IV\nrules: " + "[" * 60 + "]" * 60 + "\n", "nested too deeply"),
    ("a stray rule file", "12-stray.yaml", "chapter: XII\nrules: []\n", "is not listed under chapters"),
]


# What a terminal acts on rather than shows: controls but tab and line feed, separators, bidi controls.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _check_refused(result, path, fragment: str, single_line: bool = True) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert not RAW_CONTROL.search(result.stderr), f"printed raw: {result.stderr!r}"
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
    assert message == (f"selfcheck: {path}:5:3: answers.legal.age_of_criminal_responsibility: expected a whole number from 0 to 18, or not_provided, got 19")


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


# -- special and endless files: refused at once, never read to their end, never waited on -----------


def _fifo(folder, name="pipe.yaml"):
    path = folder / name
    os.mkfifo(path)
    return path


SPECIAL_INPUTS = [
    ("validate /dev/zero", lambda tmp: ("validate", "/dev/zero"), "/dev/zero", "is a device, not a regular file"),
    ("validate /dev/urandom", lambda tmp: ("validate", "/dev/urandom"), "/dev/urandom", "is a device, not a regular file"),
    ("validate a FIFO", lambda tmp: ("validate", _fifo(tmp)), "pipe.yaml", "is a named pipe, not a regular file"),
    ("assess a FIFO", lambda tmp: ("assess", _fifo(tmp)), "pipe.yaml", "is a named pipe, not a regular file"),
    ("assess --amend /dev/zero", lambda tmp: ("assess", ALBANIA, "--amend", "/dev/zero"), "/dev/zero", "is a device, not a regular file"),
    ("report /dev/zero", lambda tmp: ("report", "/dev/zero"), "/dev/zero", "is a device, not a regular file"),
    ("diff against /dev/urandom", lambda tmp: ("diff", ALBANIA, "/dev/urandom"), "/dev/urandom", "is a device, not a regular file"),
    ("an amendment applying to /dev/zero", lambda tmp: ("validate", _bill(tmp, "/dev/zero")), "bill.yaml", "which is not a file"),
    ("an amendment applying to a FIFO", lambda tmp: ("assess", _bill(tmp, _fifo(tmp))), "bill.yaml", "which is not a file"),
    ("a link to /dev/zero", lambda tmp: ("validate", _link(tmp / "zero.yaml", "/dev/zero")), "zero.yaml", "is a device, not a regular file"),
]


def _bill(folder, target) -> str:
    path = folder / "bill.yaml"
    path.write_text(BILL.replace(str(ALBANIA), str(target)) + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n")
    return path


def _link(path, target):
    path.symlink_to(target)
    return path


@pytest.mark.parametrize("name, arguments, named, fragment", SPECIAL_INPUTS, ids=[c[0] for c in SPECIAL_INPUTS])
def test_a_special_or_endless_file_is_refused_at_once(tmp_path, name, arguments, named, fragment):
    result = run_selfcheck(*arguments(tmp_path), cwd=tmp_path)  # run_selfcheck times out after 120 s: a hang fails
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and fragment in result.stderr and named in result.stderr, result.stderr


def test_batch_over_dev_zero_fails_that_row_only(tmp_path):
    result = run_selfcheck("batch", "/dev/zero", ALBANIA, "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    rows = json.loads(result.stdout)["files"]
    assert "is a device, not a regular file" in rows[0]["error"] and rows[1]["error"] is None and rows[1]["party"] == "Albania"


def test_batch_fails_only_the_row_of_a_file_with_a_huge_integer(tmp_path):
    (tmp_path / "huge.json").write_text('{"party": "T", "round": "lanzarote-2", "answers": {"legal.age_of_criminal_responsibility": ' + "9" * 5000 + "}}")
    shutil.copy(ALBANIA, tmp_path / "albania.yaml")
    result = run_selfcheck("batch", tmp_path, "--format", "json", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    rows = {os.path.basename(row["file"]): row for row in json.loads(result.stdout)["files"]}
    assert "numbers of more than 100 digits" in rows["huge.json"]["error"] and rows["albania.yaml"]["party"] == "Albania"


SPECIAL_RULE_FILES = [
    ("a rule folder with a link to /dev/zero", lambda rules: _link(rules / "layout" / "zero.yaml", "/dev/zero"), "is a device, not a regular file"),
    ("a rule folder with a FIFO", lambda rules: _fifo(rules / "layout"), "is a named pipe, not a regular file"),
    ("a rule folder with a directory named x.yaml", lambda rules: (rules / "x.yaml").mkdir(), "is not listed under chapters"),
    (
        "a rule folder with a link to /dev/zero in a sub-folder",
        lambda rules: (rules / "sub").mkdir() or _link(rules / "sub" / "z.yaml", "/dev/zero"),
        "is a device, not a regular file",
    ),
    (
        "a rule file that is a link to /dev/zero",
        lambda rules: (rules / "04-jurisdiction.yaml").unlink() or _link(rules / "04-jurisdiction.yaml", "/dev/zero"),
        "no rule file 04-jurisdiction.yaml",
    ),
]


@pytest.mark.parametrize("name, make, fragment", SPECIAL_RULE_FILES, ids=[c[0] for c in SPECIAL_RULE_FILES])
def test_lint_refuses_special_files_in_a_rule_folder_at_once(tmp_path, name, make, fragment):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "layout").mkdir(exist_ok=True)
    make(rules)
    result = run_selfcheck("lint", "--rules", rules, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr and fragment in result.stderr, result.stderr


# -- outputs: never over an input, a link, a device or a pipe -------------------------------------


def _plan(tmp):
    bill = tmp / "bill.yaml"
    assert run_selfcheck("plan", tmp / "a.yaml", "-o", bill, cwd=tmp).returncode == 0
    return bill


OUTPUTS = [
    ("report A -o A", lambda tmp: ("report", "a.yaml", "-o", "a.yaml"), "a.yaml", "is an input of this command"),
    ("plan A -o A", lambda tmp: ("plan", "a.yaml", "-o", "a.yaml"), "a.yaml", "is an input of this command"),
    ("batch A -o A", lambda tmp: ("batch", "a.yaml", "-o", "a.yaml"), "a.yaml", "is an input of this command"),
    ("batch of a folder -o a file in it", lambda tmp: ("batch", ".", "-o", "a.yaml"), "a.yaml", "is an input of this command"),
    ("invert B -o B", lambda tmp: ("invert", _plan(tmp), "-o", "bill.yaml"), "bill.yaml", "is an input of this command"),
    ("invert B -o the answers B applies to", lambda tmp: ("invert", _plan(tmp), "-o", "a.yaml"), "a.yaml", "is an input of this command"),
    ("report of an amendment -o the answers it applies to", lambda tmp: ("report", _plan(tmp), "-o", "a.yaml"), "a.yaml", "is an input of this command"),
    (
        "report A -o A under another name (a hard link)",
        lambda tmp: os.link(tmp / "a.yaml", tmp / "same.md") or ("report", "a.yaml", "-o", "same.md"),
        "same.md",
        "is an input of this command",
    ),
    (
        "report -o a rule file it reads",
        lambda tmp: ("report", "a.yaml", "-o", RULES / "04-jurisdiction.yaml"),
        "04-jurisdiction.yaml",
        "is an input of this command",
    ),
    ("report -o /dev/null", lambda tmp: ("report", "a.yaml", "-o", "/dev/null"), "/dev/null", "is a device, not a regular file"),
    ("plan -o /dev/full", lambda tmp: ("plan", "a.yaml", "-o", "/dev/full"), "/dev/full", "is a device, not a regular file"),
    (
        "report -o a symbolic link",
        lambda tmp: _link(tmp / "link.md", tmp / "target.md") and ("report", "a.yaml", "-o", "link.md"),
        "link.md",
        "is a symbolic link",
    ),
    (
        "report -o a link to the input",
        lambda tmp: _link(tmp / "link.md", tmp / "a.yaml") and ("report", "a.yaml", "-o", "link.md"),
        "link.md",
        "is a symbolic link",
    ),
    ("batch -o a FIFO", lambda tmp: _fifo(tmp, "out.txt") and ("batch", "a.yaml", "-o", "out.txt"), "out.txt", "is a named pipe, not a regular file"),
    ("report -o a directory", lambda tmp: (tmp / "out").mkdir() or ("report", "a.yaml", "-o", "out"), "out", "is a directory"),
]


def _state(folder) -> dict:
    """Every entry of a folder as it is: a link's target, a file's bytes, or its kind."""
    state = {}
    for path in sorted(folder.iterdir()):
        if path.is_symlink():
            state[path.name] = ("link", os.readlink(path))
        elif path.is_file():
            state[path.name] = ("file", path.read_bytes())
        else:
            state[path.name] = ("other", path.stat().st_mode)
    return state


@pytest.mark.parametrize("name, arguments, named, fragment", OUTPUTS, ids=[c[0] for c in OUTPUTS])
def test_an_output_that_would_replace_an_input_a_link_or_a_device_is_refused_and_nothing_changes(tmp_path, name, arguments, named, fragment):
    shutil.copy(ALBANIA, tmp_path / "a.yaml")
    args = arguments(tmp_path)
    before, rules_before = _state(tmp_path), _state(RULES)
    result = run_selfcheck(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("selfcheck: ") and named in message and fragment in message, message
    assert _state(tmp_path) == before, "a file, link or device was changed"
    assert _state(RULES) == rules_before
    assert os.stat("/dev/null").st_mode & 0o170000 == 0o020000, "/dev/null is still a device"


def test_a_full_disk_on_stdout_gives_a_clear_message(tmp_path):
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(SELFCHECK), "report", ALBANIA], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "selfcheck: cannot write to standard output: No space left on device"


def test_a_closed_stdout_gives_a_clear_message(tmp_path):
    reading, writing = os.pipe()
    os.close(reading)
    try:
        result = subprocess.run([str(SELFCHECK), "report", ALBANIA], stdout=writing, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(writing)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "selfcheck: standard output was closed before everything was written"


def test_sigterm_during_a_write_leaves_no_part_file_and_the_old_file_whole(tmp_path):
    target = tmp_path / "factsheet.md"
    target.write_text("the previous factsheet")
    # A real process, stopped by a real SIGTERM while its data is on the way to disk.
    program = textwrap.dedent(f"""
        import time
        from selfcheck.engine.common import safe_files
        def slow_fsync(descriptor):
            print("writing", flush=True)
            time.sleep(60)
        safe_files.os.fsync = slow_fsync
        safe_files.write_atomically({str(target)!r}, b"new" * 100_000)
    """)
    writer = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    assert any(p.name.endswith(".part") for p in tmp_path.iterdir()), "the write is under way"
    writer.send_signal(signal.SIGTERM)
    assert writer.wait(timeout=30) == 128 + signal.SIGTERM
    assert "Traceback" not in writer.stderr.read()
    assert [p.name for p in tmp_path.iterdir()] == ["factsheet.md"], "no .part file is left behind"
    assert target.read_text() == "the previous factsheet"


# -- exit codes ------------------------------------------------------------------------------------

CRASH = textwrap.dedent("""
    import sys
    sys.argv[0] = "selfcheck"
    import selfcheck.engine.assessment.assess
    def crash(*args, **kwargs):
        raise RuntimeError("an unexpected failure")
    selfcheck.engine.assessment.assess.assess = crash
    from selfcheck import cli
    cli.main()
""")


def test_an_internal_error_has_its_own_exit_code_and_a_short_message(tmp_path):
    result = subprocess.run([sys.executable, "-c", CRASH, "assess", str(ALBANIA)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 4, "not 1, which says recommendations remain"
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "selfcheck: internal error (RuntimeError: an unexpected failure); this is a bug in selfcheck, not a problem of your files; "
        "run `selfcheck --debug ...` for the traceback"
    )


def test_debug_prints_the_traceback_of_an_internal_error(tmp_path):
    result = subprocess.run([sys.executable, "-c", CRASH, "--debug", "assess", str(ALBANIA)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 4
    assert "Traceback" in result.stderr and "RuntimeError: an unexpected failure" in result.stderr
