"""selfcheck init: a blank answers file a ministry fills in an editor, and rounds: what is installed."""

from __future__ import annotations

import json
import os

import yaml

from conftest import ROUND, run_selfcheck
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.engine.assessment.assess import assess


def test_init_writes_every_question_commented_and_answered_not_provided(tmp_path):
    run = run_selfcheck("init", "Ruritania", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    written = tmp_path / "ruritania.yaml"
    text = written.read_text()
    questionnaire = rounds.questionnaire(ROUND)
    for question in questionnaire.questions.values():
        assert f"\n  {question.id}: not_provided\n" in text
        assert f"  # {question.number} {' '.join(question.prompt.split()[:4])}" in text
    assert text.startswith(f"# yaml-language-server: $schema={ROUND}.schema.json\n")
    assert yaml.safe_load(text)["answers"] == dict.fromkeys(questionnaire.questions, "not_provided")


def test_the_blank_file_validates_and_assesses_as_answers_that_give_no_information(tmp_path, rulebook):
    assert run_selfcheck("init", "Ruritania", "-o", "blank.yaml", cwd=tmp_path).returncode == 0
    run = run_selfcheck("validate", "blank.yaml", cwd=tmp_path)
    assert run.returncode == 0 and f"0 of {len(rounds.questionnaire(ROUND).questions)} questions answered" in run.stdout
    blank = load_answers(tmp_path / "blank.yaml")
    nothing = blank.model_copy(update={"values": {}})
    assert assess(blank, rulebook).ids() == assess(nothing, rulebook).ids()


def test_the_schema_beside_it_is_the_round_s_and_is_shared_by_a_second_party(tmp_path):
    assert run_selfcheck("init", "Ruritania", cwd=tmp_path).returncode == 0
    assert run_selfcheck("init", "Freedonia", cwd=tmp_path).returncode == 0
    schema = json.loads((tmp_path / f"{ROUND}.schema.json").read_text())
    assert set(schema["properties"]["answers"]["properties"]) == set(rounds.questionnaire(ROUND).questions)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["freedonia.yaml", f"{ROUND}.schema.json", "ruritania.yaml"]


def test_init_never_writes_over_an_existing_answers_file(tmp_path):
    answers = tmp_path / "ruritania.yaml"
    answers.write_text("my answers\n")
    run = run_selfcheck("init", "Ruritania", cwd=tmp_path)
    assert run.returncode == 2 and "already exists" in run.stderr
    assert answers.read_text() == "my answers\n"


def test_init_refuses_a_foreign_file_where_the_schema_goes_and_writes_nothing(tmp_path):
    (tmp_path / f"{ROUND}.schema.json").write_text("{}\n")
    run = run_selfcheck("init", "Ruritania", cwd=tmp_path)
    assert run.returncode == 2 and "is not the schema of round" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{ROUND}.schema.json"]


def test_init_refuses_a_name_no_answers_file_could_hold(tmp_path):
    for name, said in (("Ruri\x07tania", "U+0007"), ("  ", "is empty")):
        run = run_selfcheck("init", name, "-o", "x.yaml", cwd=tmp_path)
        assert run.returncode == 2 and said in run.stderr and "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_of_an_unknown_round_names_the_known_ones(tmp_path):
    run = run_selfcheck("init", "Ruritania", "--round", "lanzarote-9", cwd=tmp_path)
    assert run.returncode == 2 and ROUND in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_rounds_lists_the_shipped_round_as_the_default_with_its_party():
    run = run_selfcheck("rounds", "--format", "json")
    assert run.returncode == 0, run.stderr
    listed = {entry["round"]: entry for entry in json.loads(run.stdout)}
    assert listed[ROUND]["default"] is True and listed[ROUND]["parties"] == ["Albania"] and listed[ROUND]["rules"] == 107


def test_init_refuses_a_named_pipe_where_the_schema_goes_without_waiting_on_it(tmp_path):
    os.mkfifo(tmp_path / f"{ROUND}.schema.json")
    run = run_selfcheck("init", "Ruritania", cwd=tmp_path)
    assert run.returncode == 2 and "is not the schema of round" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{ROUND}.schema.json"]
