"""A rulebook of another shape runs through every command without a change to the code.

tests/rounds/ holds a fictional round, model-1: levels urge and encourage, blocks national and
general, ids R1..R5 with no chapter in them, citations of articles and of a guidance note, a
drafted observation, and no factsheet layout. SELFCHECK_PATH points the commands at it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx

from conftest import ROOT, run_selfcheck

FIXTURE = Path(__file__).resolve().parent / "rounds"
ROUND = "model-1"
UTOPIA = FIXTURE / "questionnaires" / ROUND / "parties" / "utopia.yaml"
ENV = {"SELFCHECK_PATH": str(FIXTURE)}


def selfcheck(*args, cwd: Path = ROOT):
    return run_selfcheck(*args, cwd=cwd, env=ENV)


def test_the_other_rulebook_passes_lint_and_says_it_has_no_factsheet_layout():
    run = selfcheck("lint", "--round", ROUND)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("model-1: 5 rules (5 in force, 0 draft) and 1 observations over 3 questions")
    assert "no factsheet layout (plain reports)" in run.stdout and "no published factsheet" in run.stdout


def test_its_cases_pass_and_cover_every_alternative_of_its_conditions():
    run = selfcheck("test", "--round", ROUND)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "9 cases: 9 passed, 0 failed" in run.stdout
    assert "every one of the 5 alternatives of the conditions is exercised by a case" in run.stdout


def test_a_wrong_condition_in_a_draft_copy_of_it_fails_its_cases(tmp_path):
    draft = tmp_path / "draft"
    shutil.copytree(FIXTURE / "rules" / ROUND, draft)
    rules = draft / "b-training.yaml"
    rules.write_text(rules.read_text().replace("training.sectors: {lacks: police}", "training.sectors: {lacks: health}"))
    run = selfcheck("test", "--round", ROUND, "--rules", draft)
    assert run.returncode == 1, run.stderr
    assert "A Party that trains no school staff is encouraged to (R5)" in run.stdout


def test_its_party_is_assessed_with_its_own_levels_blocks_and_citations():
    run = selfcheck("assess", UTOPIA, "--format", "json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    found = {(f["id"], f["level"], f["block"]) for f in result["recommendations"]}
    assert found == {("R1", "urge", "national"), ("R2", "encourage", "national"), ("R3", "encourage", "general"), ("R5", "encourage", "national")}
    r2 = next(f for f in result["recommendations"] if f["id"] == "R2")
    assert {kind: r2["citations"][kind] for kind in ("articles", "guidance")} == {"articles": [4], "guidance": [12]}
    assert [o["id"] for o in result["observations"]] == ["A.no-hotline"]


def test_the_text_summary_keeps_its_columns_for_longer_level_names():
    run = selfcheck("assess", UTOPIA)
    rows = [line for line in run.stdout.splitlines() if re.match(r"    (urge|encourage) ", line)]
    assert len(rows) == 4
    assert len({line.index(" R") for line in rows}) == 1, rows


def test_explain_cites_with_the_rulebook_s_own_words():
    run = selfcheck("explain", UTOPIA, "R2")
    assert run.returncode == 0, run.stderr
    assert "R2 fires for Utopia: encourage, for Utopia (chapter A. Reporting)" in run.stdout
    assert "Citations: Point R2; Article 4; Guidance note § 12" in run.stdout
    assert "S1.2 reporting.minimum_age: 16 -> 13" in run.stdout


def test_diff_resolves_the_point_an_answer_change_answers(tmp_path):
    amended = tmp_path / "utopia-with-hotline.yaml"
    amended.write_text(UTOPIA.read_text().replace("reporting.hotline: no", "reporting.hotline: yes"))
    run = selfcheck("diff", UTOPIA, amended, "--format", "json")
    assert run.returncode == 0, run.stderr
    diff = json.loads(run.stdout)
    assert [entry["id"] for entry in diff["resolved"]] == ["R1"]
    assert diff["new"] == [] and diff["changed"] == []
    failing = selfcheck("diff", amended, UTOPIA, "--fail-on", "urge")
    assert failing.returncode == 1 and "R1" in failing.stdout


def test_rules_lists_it_for_review():
    run = selfcheck("rules", "--round", ROUND, "--format", "json")
    assert run.returncode == 0, run.stderr
    review = json.loads(run.stdout)
    assert [rule["id"] for rule in review["rules"]] == ["R1", "R2", "R3", "R4", "R5"]
    assert {rule["level"] for rule in review["rules"]} == {"urge", "encourage"}


def test_its_report_is_a_plain_report_in_its_own_words(tmp_path):
    run = selfcheck("report", UTOPIA, "--format", "markdown")
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert text.startswith("> **National self-assessment prepared with selfcheck from the answers of Utopia.")
    assert "\n# SELF-ASSESSMENT – UTOPIA\n" in text
    assert "### Reporting: recommendations for Utopia" in text
    assert "The Board urges Utopia:\n\n- to set up a national hotline where anyone can report abuse." in text
    assert "The Board encourages every Party, Utopia included:" in text
    assert "[^1]: Point R1." in text
    assert "\\[worded by selfcheck\\] The Board is concerned that Utopia has no national hotline." in text
    assert "Lanzarote" not in text and "Committee" not in text
    word = tmp_path / "utopia.docx"
    assert selfcheck("report", UTOPIA, "--format", "docx", "-o", word).returncode == 0
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert "A. Reporting" in paragraphs and "to train school staff to receive reports." in paragraphs


def test_rounds_lists_it_beside_the_shipped_round():
    run = selfcheck("rounds")
    assert run.returncode == 0, run.stderr
    assert "model-1: Safe reporting channels for children" in run.stdout
    assert f"Parties with answers: Utopia; from {FIXTURE}" in run.stdout
    assert re.search(r"^lanzarote-2 \(default\): ", run.stdout, re.M)


def test_a_round_folder_whose_questionnaire_names_another_round_is_refused_at_that_line(tmp_path):
    # it used to read the answers of the folder's round with no questionnaire and no problem: an internal error
    folder = tmp_path / "questionnaires" / "model-2"
    shutil.copytree(FIXTURE / "questionnaires" / ROUND, folder)
    answers = tmp_path / "utopia.yaml"
    answers.write_text(UTOPIA.read_text().replace(f"round: {ROUND}", "round: model-2"))
    run = run_selfcheck("assess", answers, env={"SELFCHECK_PATH": str(tmp_path)})
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip() == f"selfcheck: {folder / 'questionnaire.yaml'}:2:1: round: expected 'model-2', the name of the folder it lies in, got 'model-1'"


def test_no_python_module_names_a_round_id():
    named = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in [*ROOT.glob("engine/**/*.py"), *ROOT.glob("web/**/*.py"), *ROOT.glob("commands/*.py"), ROOT / "cli.py"]
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"lanzarote-2|model-1", line)
    ]
    assert not named, named
