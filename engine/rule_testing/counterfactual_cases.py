"""Counterfactual cases: what changing answers must do to the recommendations, as data.

One file holds two kinds, each case named as a sentence; paths are relative to the file:

    amendments:                 # a bill applied to the answers it applies to
      - name: Removing dual criminality resolves IV-6
        amendment: ../amendments/albania-dual-criminality-article-25-4.yaml
        resolves: {IV-6: require}             # exactly these go away, at these levels
        no_longer_observed: [IV.dual-criminality]
        # and nothing else changes: nothing new, moved, or newly observed
    smallest_changes:           # what `explain` and `plan` would propose
      - name: Albania clears IV-6 only by dropping dual criminality
        answers: ../parties/albania.yaml
        rule: IV-6
        goal: silent                          # or fires
        exactly: [{jurisdiction.dual_criminality.sexual_abuse: no}]   # the change sets, in any order
        among: [...]                          # change sets that must be among those found
        size: 1                               # how many answers every change set changes

The tests check them through selfcheck; the mutation run checks them against every mutant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from selfcheck.engine.answers.amendments import load_amendment, resolve
from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.questionnaire import Questionnaire, pydantic_input_error
from selfcheck.engine.assessment.counterfactual import smallest_changes
from selfcheck.engine.common.models import Strict
from selfcheck.engine.common.safe_files import Document, read_document
from selfcheck.engine.rule_testing.cases import Outcome
from selfcheck.engine.rules.rulebook import Rule, Rulebook
from selfcheck.engine.rules.wording import ANY_TEXT


class _AmendmentSpec(Strict):
    name: str = Field(min_length=1)
    amendment: str
    resolves: dict[str, str]  # id -> the level the base had it at
    no_longer_observed: list[str] = []


class _SmallestSpec(Strict):
    name: str = Field(min_length=1)
    answers: str
    rule: str
    goal: Literal["silent", "fires"]
    exactly: list[dict[str, Any]] | None = None
    among: list[dict[str, Any]] = []
    size: int | None = Field(None, ge=0)


class _File(Strict):
    amendments: list[_AmendmentSpec] = []
    smallest_changes: list[_SmallestSpec] = []


@dataclass(frozen=True)
class Change:
    """How the findings for two sets of answers differ."""

    resolved: dict[str, str]  # id -> level, on the first side only
    new: frozenset[str] = frozenset()  # on the second side only
    moved: frozenset[str] = frozenset()  # on both sides at another level or block
    dropped: frozenset[str] = frozenset()  # observations made for the first side only
    added: frozenset[str] = frozenset()  # observations made for the second side only


def change_between(before: Outcome, after: Outcome, rulebook: Rulebook) -> Change:
    return Change(
        resolved={rule_id: rulebook.by_id[rule_id].level for rule_id in before.fired - after.fired},
        new=after.fired - before.fired,
        dropped=before.observed - after.observed,
        added=after.observed - before.observed,
    )


@dataclass(frozen=True)
class AmendmentCase:
    name: str
    amendment: Path
    resolves: dict[str, str]
    no_longer_observed: frozenset[str]

    def sides(self, questionnaire: Questionnaire) -> tuple[Answers, Answers]:
        """The answers the amendment applies to, and those answers amended."""
        return resolve(load_amendment(self.amendment, questionnaire).applies_to).answers, resolve(self.amendment).answers

    def failures(self, change: Change) -> list[str]:
        failures = []
        if change.resolved != self.resolves:
            failures.append(f"resolves {_levels(change.resolved)}, expected {_levels(self.resolves)}")
        for what, ids in (("makes new", change.new), ("moves", change.moved), ("makes newly observed", change.added)):
            if ids:
                failures.append(f"{what} {', '.join(sorted(ids))}, expected nothing")
        if change.dropped != self.no_longer_observed:
            failures.append(f"drops the observations {_ids(change.dropped)}, expected {_ids(self.no_longer_observed)}")
        return failures


@dataclass(frozen=True)
class SmallestChangeCase:
    name: str
    answers: Path
    rule: str
    goal: str
    exactly: tuple[dict, ...] | None
    among: tuple[dict, ...] = ()
    size: int | None = None

    def starting_answers(self) -> Answers:
        return resolve(self.answers).answers

    def found(self, rule: Rule, answers: Answers, questionnaire: Questionnaire) -> list[dict[str, Any]]:
        return smallest_changes(rule, answers.value, questionnaire, fire=self.goal == "fires")

    def failures(self, found: list[dict[str, Any]]) -> list[str]:
        failures = []
        if self.exactly is not None and sorted(map(_key, found)) != sorted(map(_key, self.exactly)):
            failures.append(f"found {_sets(found)}, expected exactly {_sets(self.exactly)}")
        missing = [change for change in self.among if _key(change) not in set(map(_key, found))]
        if missing:
            failures.append(f"found {_sets(found)}, which lacks {_sets(missing)}")
        wrong_size = [change for change in found if self.size is not None and len(change) != self.size]
        if wrong_size:
            failures.append(f"found {_sets(wrong_size)}, expected each to change {self.size} answer(s)")
        return failures


@dataclass(frozen=True)
class CounterfactualCases:
    file: Path
    amendments: tuple[AmendmentCase, ...] = ()
    smallest_changes: tuple[SmallestChangeCase, ...] = ()


def load_counterfactual_cases(path: Path, questionnaire: Questionnaire) -> CounterfactualCases:
    """The cases of ``path``, their files found and their answers checked; InputError names a bad one."""
    document = read_document(path)
    try:
        spec = _File.model_validate(document.data)
    except ValidationError as error:
        raise pydantic_input_error(document, error) from None
    folder = Path(path).parent
    amendments = tuple(
        AmendmentCase(
            case.name, _file(document, folder, case.amendment, ("amendments", i, "amendment")), dict(case.resolves), frozenset(case.no_longer_observed)
        )
        for i, case in enumerate(spec.amendments)
    )
    smallest = []
    for i, case in enumerate(spec.smallest_changes):
        keys = ("smallest_changes", i)
        if case.exactly is None and not case.among and case.size is None:
            raise document.error(f"{case.name!r} expects nothing; give exactly, among or size", keys)
        stored = {
            part: tuple(_stored(document, questionnaire, change, keys + (part, j)) for j, change in enumerate(getattr(case, part) or []))
            for part in ("exactly", "among")
        }
        smallest.append(
            SmallestChangeCase(
                case.name,
                _file(document, folder, case.answers, keys + ("answers",)),
                case.rule,
                case.goal,
                stored["exactly"] if case.exactly is not None else None,
                stored["among"],
                case.size,
            )
        )
    return CounterfactualCases(Path(path), amendments, tuple(smallest))


def _file(document: Document, folder: Path, name: str, keys: tuple) -> Path:
    path = folder / name
    if not path.is_file():
        raise document.error(f"no file {path}; give a path relative to this file", keys)
    return path


def _stored(document: Document, questionnaire: Questionnaire, change: dict, keys: tuple) -> dict:
    stored = {}
    for question_id, value in change.items():
        question = questionnaire.question(question_id)
        if question is None:
            raise document.error(f"unknown question {question_id!r}", keys + (question_id,))
        if question.type == "text" and value == ANY_TEXT:
            stored[question_id] = value  # what smallest_changes proposes for a free text
            continue
        try:
            stored[question_id] = question.check(value)
        except ValueError as problem:
            raise document.error(str(problem), keys + (question_id,)) from None
    return stored


def _key(change: dict) -> tuple:
    return tuple(sorted((question, repr(value)) for question, value in change.items()))


def _sets(changes) -> str:
    def one(change: dict) -> str:
        return "{" + ", ".join(f"{q}: {list(v) if isinstance(v, tuple) else v}" for q, v in change.items()) + "}"

    return "[" + ", ".join(one(change) for change in changes) + "]"


def _levels(resolved: dict[str, str]) -> str:
    return "{" + ", ".join(f"{i}: {level}" for i, level in sorted(resolved.items())) + "}"


def _ids(ids) -> str:
    return "[" + ", ".join(sorted(ids)) + "]"
