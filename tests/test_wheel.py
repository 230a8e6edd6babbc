"""The product installed from its wheel works anywhere: no checkout, no SELFCHECK_PATH.

Builds the wheel, installs it into a fresh virtual environment in a temporary folder, and from an
empty folder lists the rounds, writes a blank answers file, validates, assesses, reports in Word
and serves the questionnaire over HTTP.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import ROOT, ROUND

LEFT_BEHIND = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "*.lock")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The selfcheck command of a fresh virtual environment holding only the wheel and its dependencies."""
    place = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools packs what an earlier build left in build/lib, removed files included.
    source = place / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_BEHIND))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", place / "dist", source],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (place / "dist").glob("selfcheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        f"selfcheck/rules/{ROUND}/rulebook.yaml",
        f"selfcheck/questionnaires/{ROUND}/questionnaire.yaml",
        "selfcheck/templates/plain-report.yaml",
        "selfcheck/web/templates/base.html",
        "selfcheck/web/static/style.css",
        "selfcheck/engine/rules/durable_adapter.py",
        "selfcheck/cli.py",
        "selfcheck/commands/assessing.py",
    ):
        assert shipped in names, shipped
    # one import name: nothing but the package selfcheck and its dist-info
    assert {name.split("/")[0] for name in names} == {"selfcheck", "selfcheck-0.1.0.dist-info"}, names
    venv.create(place / "venv", with_pip=True)
    pip = subprocess.run([place / "venv" / "bin" / "pip", "install", "--quiet", wheel], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr
    return place / "venv" / "bin" / "selfcheck"


def _run(command: Path, *args, cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("SELFCHECK_PATH", "VIRTUAL_ENV", "PYTHONPATH")}
    return subprocess.run([command, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120, env=env)


def test_the_installed_wheel_assesses_and_reports_from_an_empty_folder(installed, tmp_path):
    rounds = _run(installed, "rounds", cwd=tmp_path)
    assert rounds.returncode == 0, rounds.stderr
    assert f"{ROUND} (default)" in rounds.stdout and "site-packages/selfcheck" in rounds.stdout and str(ROOT) not in rounds.stdout
    for args in (("init", "Ruritania"), ("validate", "ruritania.yaml"), ("lint",), ("test",)):
        run = _run(installed, *args, cwd=tmp_path)
        assert run.returncode == 0, (args, run.stderr)
    answers = tmp_path / "ruritania.yaml"
    blank = _run(installed, "assess", answers, cwd=tmp_path)
    assert blank.returncode == 0 and "Ruritania - lanzarote-2" in blank.stdout and " IV-6 " in blank.stdout
    answers.write_text(answers.read_text().replace("jurisdiction.nationals_abroad: not_provided", "jurisdiction.nationals_abroad: no"))
    assessed = _run(installed, "assess", answers, cwd=tmp_path)
    assert assessed.returncode == 0 and " IV-6 " not in assessed.stdout  # no jurisdiction over nationals: no dual criminality to remove
    report = _run(installed, "report", answers, "--format", "docx", "-o", "ruritania.docx", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert any("FACTSHEET" in p.text and "RURITANIA" in p.text for p in docx.Document(str(tmp_path / "ruritania.docx")).paragraphs)


def test_the_installed_wheel_puts_one_import_name_into_site_packages(installed, tmp_path):
    python = installed.parent / "python"
    for name in ("engine", "web", "cli", "selfcheck_data"):
        found = _run(python, "-c", f"import {name}", cwd=tmp_path)
        assert found.returncode == 1 and f"No module named '{name}'" in found.stderr, (name, found.stderr)
    assert _run(python, "-c", "import selfcheck.engine.assessment.assess, selfcheck.web.app, selfcheck.cli", cwd=tmp_path).returncode == 0


def test_the_installed_wheel_serves_the_questionnaire_of_a_folder(installed, tmp_path):
    assert _run(installed, "init", "Ruritania", cwd=tmp_path).returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([installed, "serve", ".", "--port", str(port)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode() if server.poll() is not None else "no answer"
                time.sleep(0.2)
        assert "Ruritania" in page
    finally:
        server.terminate()
        server.wait(timeout=30)
