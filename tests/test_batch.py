"""selfcheck batch: many files at once, a summary per file, a bad file skipped and reported."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from conftest import ALBANIA, COMPLIANT, ROOT, ROUND, run_selfcheck

AMENDMENTS = ROOT / "questionnaires" / ROUND / "amendments"


@pytest.fixture
def folder(tmp_path):
    """Two Parties and one file with a wrong answer."""
    shutil.copy(ALBANIA, tmp_path / "albania.yaml")
    shutil.copy(COMPLIANT, tmp_path / "compliantia.yaml")
    (tmp_path / "broken.yaml").write_text(f"party: Brokenland\nround: {ROUND}\nanswers:\n  legal.csam_terminology: [maybe]\n")
    (tmp_path / "notes.txt").write_text("not an answers file, and not picked up")
    return tmp_path


def test_a_bad_file_is_reported_and_skipped_and_the_others_still_run(folder):
    result = run_selfcheck("batch", folder, "--format", "json")
    assert result.returncode == 2, "exit 2 says some file failed"
    summary = json.loads(result.stdout)
    assert [row["file"].rsplit("/", 1)[-1] for row in summary["files"]] == ["albania.yaml", "broken.yaml", "compliantia.yaml"]
    assert (summary["assessed"], summary["failed"]) == (2, 1)
    albania, broken, compliantia = summary["files"]
    assert albania["levels"] == {"require": 13, "request": 12, "invite": 69}
    assert albania["blocks"] == {"specific": 30, "generic": 64} and albania["total"] == 94
    assert albania["most_urgent_level"] == "require" and albania["most_urgent"] == [
        "III-15",
        "III-30",
        "IV-4",
        "IV-5",
        "IV-6",
        "VI-1",
        "VI-3",
        "VII-1",
        "IX-3",
        "X-4",
        "X-5",
        "X-6",
        "X-7",
    ]
    assert compliantia["most_urgent"] == ["III-30", "IX-3"]
    assert "broken.yaml:4:3" in broken["error"] and "expected one of yes, no, varies, not_provided" in broken["error"]
    assert f"selfcheck: {folder / 'broken.yaml'}:4:3" in result.stderr
    assert "Traceback" not in result.stderr


def test_batch_shows_progress_on_stderr_and_a_table_on_stdout():
    result = run_selfcheck("batch", AMENDMENTS, ALBANIA)
    assert result.returncode == 0, result.stderr
    assert "assessing" in result.stderr and "5/5" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["file", "party", "require", "request", "invite", "specific", "generic", "total", "ids", "at", "require", "level"]
    assert lines[-1] == "5 of 5 files assessed"
    (habitual,) = [line for line in lines if "habitual-residents" in line]
    assert habitual.split()[1:9] == ["Albania", "11", "12", "69", "28", "64", "92", "III-15"]


def test_batch_writes_csv_to_a_file_and_nothing_to_stdout(tmp_path):
    out = tmp_path / "summary.csv"
    result = run_selfcheck("batch", AMENDMENTS, "--format", "csv", "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 4 and all(row["party"] == "Albania" and row["error"] == "" for row in rows)
    dual = next(row for row in rows if "dual-criminality" in row["file"])
    assert dual["amended by"].startswith("Removing dual criminality") and "IV-6" not in dual["ids at require level"].split()
    assert [p.name for p in tmp_path.iterdir()] == ["summary.csv"], "no temporary file is left behind"


def test_an_unwritable_output_is_bad_input(tmp_path):
    result = run_selfcheck("batch", ALBANIA, "-o", tmp_path / "missing" / "summary.txt")
    assert result.returncode == 2
    assert "cannot be written" in result.stderr


def test_a_folder_with_nothing_to_assess_is_refused(tmp_path):
    result = run_selfcheck("batch", tmp_path)
    assert result.returncode == 2 and "holds no .yaml, .yml, .json file" in result.stderr


def test_a_follow_up_file_kept_beside_the_answers_is_not_taken_for_answers(tmp_path):
    shutil.copy(ALBANIA, tmp_path / "albania.yaml")
    assert run_selfcheck("follow-up", "init", tmp_path / "albania.yaml", "-o", tmp_path / "albania.follow-up.yaml").returncode == 0
    shutil.copy(tmp_path / "albania.follow-up.yaml", tmp_path / "follow-up-copy.yaml")  # named otherwise, it is assessed and refused
    result = run_selfcheck("batch", tmp_path, "--format", "json")
    summary = json.loads(result.stdout)
    assert [row["file"].rsplit("/", 1)[-1] for row in summary["files"]] == ["albania.yaml", "follow-up-copy.yaml"]
    assert summary["files"][1]["error"] and result.returncode == 2


def test_batch_in_several_processes_keeps_the_files_order_the_rows_and_the_exit_code(folder):
    for many in range(3):
        shutil.copy(ALBANIA, folder / f"copy-{many}.yaml")
    one = run_selfcheck("batch", folder, "--format", "json", "--jobs", "1")
    several = run_selfcheck("batch", folder, "--format", "json", "--jobs", "3")
    assert (one.returncode, several.returncode) == (2, 2)
    assert several.stdout == one.stdout
    names = [row["file"].rsplit("/", 1)[-1] for row in json.loads(several.stdout)["files"]]
    assert names == sorted(names) and len(names) == 6
    assert f"selfcheck: {folder / 'broken.yaml'}:4:3" in several.stderr and "6/6" in several.stderr


def test_batch_in_several_processes_exits_0_when_every_file_is_assessed():
    result = run_selfcheck("batch", AMENDMENTS, ALBANIA, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout == run_selfcheck("batch", AMENDMENTS, ALBANIA, "--jobs", "1").stdout
