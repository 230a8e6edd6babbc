"""Shared fixtures: the real round's questionnaire and rulebook, answer builders, and the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.engine.rules import rulebooks

# HYPOTHESIS_PROFILE=thorough for a long local run; CI uses the default.
settings.register_profile("default", max_examples=300)
settings.register_profile("thorough", max_examples=5000)
# make mutate-code: the same example counts; a slow mutant is judged by mutmut's timeout, not by a deadline
settings.register_profile("mutation", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
ROUND = "lanzarote-2"
ALBANIA = ROOT / "questionnaires" / ROUND / "parties" / "albania.yaml"
COMPLIANT = ROOT / "rules" / ROUND / "compliant-party.yaml"  # the baseline of the rule cases
COUNTERFACTUAL_CASES = Path(__file__).resolve().parent / ROUND / "counterfactuals.yaml"
SELFCHECK = Path(sys.executable).parent / "selfcheck"


@pytest.fixture(scope="session")
def questionnaire():
    return rounds.questionnaire(ROUND)


@pytest.fixture(scope="session")
def rulebook():
    return rulebooks.rulebook(ROUND)


@pytest.fixture(scope="session")
def albania() -> Answers:
    return load_answers(ALBANIA)


@pytest.fixture(scope="session")
def compliant() -> Answers:
    return load_answers(COMPLIANT)


def with_answers(base: Answers, **changes) -> Answers:
    """``base`` with some answers replaced; keys use __ for the dots of question ids."""
    values = dict(base.values)
    values.update({key.replace("__", "."): value for key, value in changes.items()})
    return base.model_copy(update={"values": values})


def run_selfcheck(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed command in a child process; ``env`` adds to this process's environment."""
    return subprocess.run([str(SELFCHECK), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def team_template() -> Path | None:
    """No team: a module of team tests overrides this with a team's folder, made once (Argon2 is slow on purpose)."""
    return None


@pytest.fixture
def data_dir(tmp_path, team_template):
    """A data folder for the web questionnaire holding a copy of Albania's answers, or of ``team_template``'s folder."""
    from web_client import data_dir_with_albania

    if team_template is None:
        return data_dir_with_albania(tmp_path)
    folder = tmp_path / "parties"
    shutil.copytree(team_template, folder)
    return folder


@pytest.fixture
def client(data_dir):
    """The web questionnaire over ``data_dir``, driven over HTTP without a server."""
    from web_client import client_for

    with client_for(data_dir) as client:
        yield client


# -- a real browser: Debian's Chromium, headless, driven by Playwright ------------------------------


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from web_client import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(tmp_path):
    """``selfcheck serve`` on a free port over a copy of Albania's answers: its URL and folder."""
    from web_client import data_dir_with_albania, serving

    data_dir = data_dir_with_albania(tmp_path)
    with serving(data_dir) as (url, _):
        yield url, data_dir


@pytest.fixture
def page(browser):
    """A fresh browser page; the dialogs it dismisses are kept in ``page.dialogs``."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()
