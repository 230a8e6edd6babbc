"""A round is loaded once per version of its files and of the engine's code, and kept in the user's cache folder."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess

import pytest

from conftest import ALBANIA, SELFCHECK
from selfcheck.engine.common import cache


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "a.yaml").write_text("chapter: I\n")
    return [folder]


def test_an_entry_stored_for_some_files_is_found_while_they_stay_the_same(cache_home, sources):
    cache.store("round-x", sources, {"loaded": 1})
    assert cache.load("round-x", sources) == {"loaded": 1}
    assert [p.name.startswith("round-x-") for p in entries(cache_home)] == [True]


def test_a_changed_or_added_file_names_another_entry_and_both_versions_stay(cache_home, sources):
    cache.store("round-x", sources, "before")
    (sources[0] / "a.yaml").write_text("chapter: II\n")
    assert cache.load("round-x", sources) is None
    (sources[0] / "b.yaml").write_text("chapter: III\n")
    assert cache.load("round-x", sources) is None
    cache.store("round-x", sources, "after")
    assert cache.load("round-x", sources) == "after"
    assert len(entries(cache_home)) == 2, "another checkout or branch keeps its entry"
    (sources[0] / "b.yaml").unlink()
    (sources[0] / "a.yaml").write_text("chapter: I\n")
    assert cache.load("round-x", sources) == "before"


def test_at_most_keep_entries_of_a_name_stay_the_least_recently_used_going_first(cache_home, sources, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 2)
    for version in ("one", "two", "three"):
        (sources[0] / "a.yaml").write_text(f"chapter: {version}\n")
        cache.store("round-x", sources, version)
    assert len(entries(cache_home)) == 2
    assert cache.load("round-x", sources) == "three"


def test_two_checkouts_of_the_same_files_share_one_entry_which_names_each_ones_own_paths(cache_home, tmp_path):
    checkouts = []
    for name in ("one", "two"):
        folder = tmp_path / name / "rules"
        folder.mkdir(parents=True)
        (folder / "a.yaml").write_text("chapter: I\n")
        checkouts.append(folder)
    cache.store("round-x", [checkouts[0]], {"file": str(checkouts[0] / "a.yaml"), "folder": checkouts[0]})
    assert cache.load("round-x", [checkouts[1]]) == {"file": str(checkouts[1] / "a.yaml"), "folder": checkouts[1]}
    assert len(entries(cache_home)) == 1


def entries(cache_home):
    return sorted((cache_home / "selfcheck").glob("*.pickle"))


def test_the_engines_code_is_part_of_the_key(cache_home, sources, monkeypatch, tmp_path):
    cache.store("round-x", sources, "old code")
    engine_copy = tmp_path / "engine"
    shutil.copytree(cache.ENGINE, engine_copy)
    changed = engine_copy / "assessment" / "assess.py"
    changed.write_text(changed.read_text() + "\n# changed\n")
    monkeypatch.setattr(cache, "ENGINE", engine_copy)
    assert cache.load("round-x", sources) is None


def test_a_damaged_entry_is_passed_over(cache_home, sources):
    cache.store("round-x", sources, "value")
    entry = entries(cache_home)[0]
    entry.write_bytes(pickle.dumps("value")[:5])
    assert cache.load("round-x", sources) is None


def test_a_cache_folder_that_cannot_be_written_is_passed_over(tmp_path, monkeypatch, sources):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    cache.store("round-x", sources, "value")
    assert cache.load("round-x", sources) is None


def test_a_source_that_is_not_a_regular_file_makes_no_entry_and_no_hang(cache_home, sources):
    os.mkfifo(sources[0] / "pipe.yaml")
    cache.store("round-x", sources, "value")
    assert cache.load("round-x", sources) is None


def test_a_command_gives_the_same_result_from_a_fresh_load_from_its_cache_and_from_a_damaged_cache(tmp_path):
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def assess() -> str:
        result = subprocess.run([str(SELFCHECK), "assess", str(ALBANIA), "--format", "json"], capture_output=True, text=True, env=environment, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    fresh = assess()
    entries = sorted((tmp_path / "cache" / "selfcheck").glob("*.pickle"))
    assert [entry.name.split("-")[0] for entry in entries] == ["questionnaire", "rulebook"]
    assert assess() == fresh, "from the cache"
    for entry in entries:
        entry.write_bytes(b"damaged")
        assert assess() == fresh, f"a damaged entry is loaded afresh: {entry.name}"
        assert entry.read_bytes() != b"damaged", "and replaced"
