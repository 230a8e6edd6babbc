"""Where a monitoring round's questionnaire, rulebook and templates live, and loading them once per process.

A round is two folders of data under a root: ``questionnaires/<round>/`` (the questionnaire, its
schema, parties, amendments, published factsheets) and ``rules/<round>/`` (the rulebook and its
cases). The roots searched are the folders of the environment variable SELFCHECK_PATH (separated
like PATH), then the data shipped with selfcheck: installed from a wheel, ``selfcheck_data`` beside
the engine; in a source checkout, the checkout itself. A second round, or another convention, is
such a pair of folders: no code names one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import InputError

_SOURCE = Path(__file__).resolve().parent.parent
# A wheel installs the data as the package selfcheck_data beside the engine; a checkout has it at its top.
DATA_ROOT = _SOURCE / "selfcheck_data" if (_SOURCE / "selfcheck_data").is_dir() else _SOURCE
TEMPLATES = DATA_ROOT / "templates"
SEARCH_PATH = "SELFCHECK_PATH"


def roots() -> list[Path]:
    extra = [Path(folder) for folder in os.environ.get(SEARCH_PATH, "").split(os.pathsep) if folder]
    return extra + [DATA_ROOT]


def known_rounds() -> list[str]:
    return sorted({path.parent.name for root in roots() for path in (root / "questionnaires").glob("*/questionnaire.yaml")})


def _root(round_id: str) -> Path:
    """The first root that holds the round's questionnaire (the shipped data when none does)."""
    return next((root for root in roots() if (root / "questionnaires" / round_id / "questionnaire.yaml").is_file()), DATA_ROOT)


def questionnaire_dir(round_id: str) -> Path:
    return _root(round_id) / "questionnaires" / round_id


def questionnaire_path(round_id: str) -> Path:
    return questionnaire_dir(round_id) / "questionnaire.yaml"


def schema_path(round_id: str) -> Path:
    return questionnaire_dir(round_id) / "answers.schema.json"


def published_dir(round_id: str) -> Path:
    """The factsheets the Committee published for the round, and what each prints (the goldens)."""
    return questionnaire_dir(round_id) / "published"


def parties_dir(round_id: str) -> Path:
    return questionnaire_dir(round_id) / "parties"


def rules_dir(round_id: str) -> Path:
    return _root(round_id) / "rules" / round_id


@dataclass(frozen=True)
class Installed:
    """One round as `selfcheck rounds` lists it."""

    round: str
    title: str
    report: str
    default: bool
    rules: int
    parties: list[str]
    root: Path


def installed() -> list[Installed]:
    """Every round found, with what its rulebook says of itself; a round that does not load says why."""
    default = default_round() if known_rounds() else None
    found = []
    for round_id in known_rounds():
        book = rulebook(round_id)
        parties = sorted(load_answers(path).party for path in parties_dir(round_id).glob("*.yaml"))
        found.append(Installed(round_id, book.meta.title, book.meta.report, round_id == default, len(book.rules), parties, _root(round_id)))
    return found


def default_round() -> str:
    """The round a command uses when not told: the one whose rulebook says ``default: true``, or the only one."""
    from .documents import read_document

    rounds = known_rounds()
    marked = [r for r in rounds if (rules_dir(r) / "rulebook.yaml").is_file() and read_document(rules_dir(r) / "rulebook.yaml").data.get("default") is True]
    if len(marked) == 1:
        return marked[0]
    if len(rounds) == 1:
        return rounds[0]
    raise InputError(DATA_ROOT, f"no round is marked default: true in its rulebook.yaml; give --round (known rounds: {', '.join(rounds) or 'none'})")


def check_answers(document):
    """An answers document read against the questionnaire of the round it names: (answers or None, problems)."""
    from .answers import check_answers_document

    data = document.data
    named = data.get("round") if isinstance(data, dict) else None
    known = named in known_rounds() if isinstance(named, str) else False
    answers, problems = check_answers_document(document, questionnaire(named) if known else None)
    if isinstance(named, str) and named.strip() and not known:
        problems.append(document.error(f"unknown round {named!r}; known rounds: {', '.join(known_rounds())}", ("round",)))
    return answers, problems


def answers_of(document):
    """The answers of a document, or InputError for its first problem."""
    answers, problems = check_answers(document)
    if problems:
        raise problems[0]
    return answers


def load_answers(path: str | Path):
    from .documents import read_document

    return answers_of(read_document(path))


@cache
def questionnaire(round_id: str):
    from .documents import read_document
    from .questionnaire import load_questionnaire

    path = questionnaire_path(round_id)
    if not path.is_file():
        raise InputError(path, f"no questionnaire for round {round_id!r}; known rounds: {', '.join(known_rounds())}")
    stored = _stored(round_id)
    loaded = stored[0] if stored else load_questionnaire(path)
    if loaded.round != round_id:  # answers of the folder's round would find no questionnaire of theirs, and no problem
        raise read_document(path).error(f"expected {round_id!r}, the name of the folder it lies in, got {loaded.round!r}", ("round",))
    return loaded


@cache
def rulebook(round_id: str):
    from . import cache
    from .rulebook import load_rulebook

    stored = _stored(round_id)
    if stored:
        return stored[1]
    loaded = load_rulebook(rules_dir(round_id), questionnaire(round_id))
    cache.store(f"round-{round_id}", _sources(round_id), (loaded.questionnaire, loaded))
    return loaded


def rulebook_at(round_id: str, directory: Path | None):
    """The round's rulebook, or the copy in ``directory`` (a draft being edited) read against the round's questionnaire."""
    from .rulebook import load_rulebook

    return load_rulebook(directory, questionnaire(round_id)) if directory else rulebook(round_id)


@cache
def _stored(round_id: str):
    """The round's questionnaire and rulebook as loaded by an earlier run from the same files and code
    (one pair, so that the rulebook's questionnaire is the questionnaire), or None (engine/cache.py)."""
    from . import cache

    return cache.load(f"round-{round_id}", _sources(round_id))


def _sources(round_id: str) -> list[Path]:
    return [questionnaire_path(round_id), rules_dir(round_id)]
