"""A round's rulebook, loaded once per process (and kept in the user's cache between runs), and the
rounds installed, as `selfcheck rounds` lists them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.rounds import questionnaire


@cache
def rulebook(round_id: str):
    from selfcheck.engine.common import cache
    from selfcheck.engine.rules.rulebook import load_rulebook

    # The entry refers to the round's questionnaire, loaded on its own, so that the rulebook's questionnaire is the questionnaire.
    shared = {"questionnaire": questionnaire(round_id)}
    stored = cache.load(f"rulebook-{round_id}", _sources(round_id), shared)
    if stored is not None:
        return stored
    loaded = load_rulebook(rounds.rules_dir(round_id), shared["questionnaire"])
    cache.store(f"rulebook-{round_id}", _sources(round_id), loaded, shared)
    return loaded


def rulebook_at(round_id: str, directory: Path | None):
    """The round's rulebook, or the copy in ``directory`` (a draft being edited) read against the round's questionnaire."""
    from selfcheck.engine.rules.rulebook import load_rulebook

    return load_rulebook(directory, questionnaire(round_id)) if directory else rulebook(round_id)


def _sources(round_id: str) -> list[Path]:
    """What a cached rulebook was built from: the questionnaire, the rule files and the convention indexes beside them."""
    conventions = rounds.root_of(round_id) / "conventions"
    return [rounds.questionnaire_path(round_id), rounds.rules_dir(round_id)] + ([conventions] if conventions.is_dir() else [])


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
    known = rounds.known_rounds()
    default = rounds.default_round() if known else None
    found = []
    for round_id in known:
        book = rulebook(round_id)
        parties = sorted(rounds.load_answers(path).party for path in rounds.parties_dir(round_id).glob("*.yaml"))
        found.append(Installed(round_id, book.meta.title, book.meta.report, round_id == default, len(book.rules), parties, rounds.root_of(round_id)))
    return found
