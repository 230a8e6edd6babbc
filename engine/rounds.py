"""Where a monitoring round's questionnaire and rulebook live, and loading them once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import InputError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"
RULES = PROJECT_ROOT / "rules"
DEFAULT_ROUND = "lanzarote-2"


def known_rounds() -> list[str]:
    return sorted(p.parent.name for p in QUESTIONNAIRES.glob("*/questionnaire.yaml"))


def questionnaire_path(round_id: str) -> Path:
    return QUESTIONNAIRES / round_id / "questionnaire.yaml"


def schema_path(round_id: str) -> Path:
    return QUESTIONNAIRES / round_id / "answers.schema.json"


def published_dir(round_id: str) -> Path:
    """The factsheets the Committee published for the round, and what each prints (the goldens)."""
    return QUESTIONNAIRES / round_id / "published"


def rules_dir(round_id: str) -> Path:
    return RULES / round_id


@lru_cache(maxsize=None)
def questionnaire(round_id: str):
    from .questionnaire import load_questionnaire

    path = questionnaire_path(round_id)
    if not path.is_file():
        raise InputError(path, f"no questionnaire for round {round_id!r}; known rounds: {', '.join(known_rounds())}")
    stored = _stored(round_id)
    return stored[0] if stored else load_questionnaire(path)


@lru_cache(maxsize=None)
def rulebook(round_id: str):
    from . import cache
    from .rulebook import load_rulebook

    stored = _stored(round_id)
    if stored:
        return stored[1]
    loaded = load_rulebook(rules_dir(round_id), questionnaire(round_id))
    cache.store(f"round-{round_id}", _sources(round_id), (loaded.questionnaire, loaded))
    return loaded


@lru_cache(maxsize=None)
def _stored(round_id: str):
    """The round's questionnaire and rulebook as loaded by an earlier run from the same files and code
    (one pair, so that the rulebook's questionnaire is the questionnaire), or None (engine/cache.py)."""
    from . import cache

    return cache.load(f"round-{round_id}", _sources(round_id))


def _sources(round_id: str) -> list[Path]:
    return [questionnaire_path(round_id), rules_dir(round_id)]
