"""Where a monitoring round's files live; its questionnaire, loaded once per process; answers read against it.

A round is two folders of data under a root: ``questionnaires/<round>/`` (the questionnaire, its
schema, parties, amendments, published factsheets) and ``rules/<round>/`` (the rulebook and its
cases, loaded by ``engine.rules.rulebooks``). The roots searched are the folders of the environment
variable SELFCHECK_PATH (separated like PATH), then the data shipped with selfcheck
(``engine.common.data``). A second round, or another convention, is such a pair of folders: no code
names one.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from selfcheck.engine.common.data import DATA_ROOT
from selfcheck.engine.common.errors import InputError

SEARCH_PATH = "SELFCHECK_PATH"


def roots() -> list[Path]:
    extra = [Path(folder) for folder in os.environ.get(SEARCH_PATH, "").split(os.pathsep) if folder]
    return extra + [DATA_ROOT]


def known_rounds() -> list[str]:
    return sorted({path.parent.name for root in roots() for path in (root / "questionnaires").glob("*/questionnaire.yaml")})


def root_of(round_id: str) -> Path:
    """The first root that holds the round's questionnaire (the shipped data when none does)."""
    return next((root for root in roots() if (root / "questionnaires" / round_id / "questionnaire.yaml").is_file()), DATA_ROOT)


def questionnaire_dir(round_id: str) -> Path:
    return root_of(round_id) / "questionnaires" / round_id


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
    return root_of(round_id) / "rules" / round_id


def default_round() -> str:
    """The round a command uses when not told: the one whose rulebook says ``default: true``, or the only one."""
    from selfcheck.engine.common.safe_files import read_document

    rounds = known_rounds()
    marked = [r for r in rounds if (rules_dir(r) / "rulebook.yaml").is_file() and read_document(rules_dir(r) / "rulebook.yaml").data.get("default") is True]
    if len(marked) == 1:
        return marked[0]
    if len(rounds) == 1:
        return rounds[0]
    raise InputError(DATA_ROOT, f"no round is marked default: true in its rulebook.yaml; give --round (known rounds: {', '.join(rounds) or 'none'})")


def check_answers(document):
    """An answers document read against the questionnaire of the round it names: (answers or None, problems)."""
    from selfcheck.engine.answers.answer_file import check_answers_document

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
    from selfcheck.engine.common.safe_files import read_document

    return answers_of(read_document(path))


@cache
def questionnaire(round_id: str):
    from selfcheck.engine.answers.questionnaire import load_questionnaire
    from selfcheck.engine.common import cache
    from selfcheck.engine.common.safe_files import read_document

    path = questionnaire_path(round_id)
    if not path.is_file():
        raise InputError(path, f"no questionnaire for round {round_id!r}; known rounds: {', '.join(known_rounds())}")
    loaded = cache.load(f"questionnaire-{round_id}", [path])
    if loaded is None:
        loaded = load_questionnaire(path)
        cache.store(f"questionnaire-{round_id}", [path], loaded)
    if loaded.round != round_id:  # answers of the folder's round would find no questionnaire of theirs, and no problem
        raise read_document(path).error(f"expected {round_id!r}, the name of the folder it lies in, got {loaded.round!r}", ("round",))
    return loaded
