"""Rulebooks as data: loading the rule files of a round and linting them as they load.

A rulebook directory holds ``rulebook.yaml`` (the round, the report, the chapters and the file of
each) and one YAML file of rules per chapter. Every problem found is reported at once, each with
its file and line; a rulebook with problems is never used.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .conditions import Condition, ConditionError, TooComplex, disjunctive_normal_form, parse_condition
from .documents import Document, read_document
from .errors import InputError, Place, RulebookError
from .questionnaire import Questionnaire, pydantic_input_error

LEVELS = ("require", "request", "invite")
BLOCKS = ("specific", "generic")
RULE_ID = r"^([IVX]+)-([1-9][0-9]*)$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citations(Strict):
    report_paras: list[int | str] = []
    convention: list[str] = []
    opinion: list[str] = []
    other: list[str] = []

    def is_empty(self) -> bool:
        return not (self.report_paras or self.convention or self.opinion)


class RuleSpec(Strict):
    """One recommendation as written in a rule file."""

    id: str = Field(pattern=RULE_ID)
    level: Literal["require", "request", "invite"]
    block: Literal["specific", "generic"]
    reason: str = Field(min_length=1, description="Why the Committee addresses the recommendation")
    when: Any = None
    text: str = Field(min_length=1)
    cites: Citations
    draft: bool = False


@dataclass(frozen=True)
class Rule:
    """A checked rule: its spec, the chapter and place it came from, its parsed condition and DNF."""

    spec: RuleSpec
    chapter: str
    file: str
    line: int | None
    condition: Condition | None
    conjuncts: tuple

    id = property(lambda self: self.spec.id)
    level = property(lambda self: self.spec.level)
    block = property(lambda self: self.spec.block)
    text = property(lambda self: self.spec.text)
    reason = property(lambda self: self.spec.reason)
    cites = property(lambda self: self.spec.cites)
    draft = property(lambda self: self.spec.draft)

    @property
    def number(self) -> int:
        return int(self.id.split("-")[1])

    @property
    def source(self) -> str:
        return f"{Path(self.file).name}:{self.line}" if self.line else Path(self.file).name

    def error(self, problem: str) -> InputError:
        return InputError(self.file, problem, Place(("rules", self.id), self.line))


class ChapterEntry(Strict):
    chapter: str = Field(pattern=r"^[IVX]+$")
    title: str
    file: str = Field(pattern=r"^[a-z0-9-]+\.yaml$")


class RulebookMeta(Strict):
    round: str
    title: str
    report: str
    adopted: str
    levels: dict[Literal["require", "request", "invite"], str]
    chapters: list[ChapterEntry]


@dataclass(frozen=True, eq=False)  # identity equality: an engine is cached per rulebook object
class Rulebook:
    meta: RulebookMeta
    rules: tuple[Rule, ...]
    questionnaire: Questionnaire
    digest: str  # sha256 of rulebook.yaml and the rule files, for provenance

    @cached_property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def chapter_order(self) -> dict[str, int]:
        return {entry.chapter: index for index, entry in enumerate(self.meta.chapters)}

    def rules_in_force(self, include_draft: bool = False) -> list[Rule]:
        return [rule for rule in self.rules if include_draft or not rule.draft]


def load_rulebook(directory: Path, questionnaire: Questionnaire) -> Rulebook:
    meta_document = read_document(directory / "rulebook.yaml")
    try:
        meta = RulebookMeta.model_validate(meta_document.data)
    except ValidationError as error:
        raise pydantic_input_error(meta_document, error) from None
    if meta.round != questionnaire.round:
        raise meta_document.error(f"expected round {questionnaire.round!r}, got {meta.round!r}", ("round",))
    problems: list[InputError] = []
    rules: list[Rule] = []
    digest = hashlib.sha256(meta_document.file.read_bytes())
    for index, entry in enumerate(meta.chapters):
        path = directory / entry.file
        if not path.is_file():
            problems.append(meta_document.error(f"no rule file {entry.file} beside rulebook.yaml", ("chapters", index, "file")))
            continue
        document = read_document(path)
        digest.update(path.read_bytes())
        rules += _load_chapter(document, entry.chapter, questionnaire, problems)
    listed = {entry.file for entry in meta.chapters}
    for stray in sorted(p.name for p in directory.glob("*.yaml") if p.name != "rulebook.yaml" and p.name not in listed):
        problems.append(InputError(directory / stray, "is not listed under chapters in rulebook.yaml; list it or remove it"))
    problems += _cross_rule_problems(rules)
    if problems:
        raise RulebookError(problems)
    return Rulebook(meta=meta, rules=tuple(rules), questionnaire=questionnaire, digest=digest.hexdigest())


def _load_chapter(document: Document, chapter: str, questionnaire: Questionnaire, problems: list) -> list[Rule]:
    data = document.data
    if not isinstance(data, dict) or set(data) != {"chapter", "rules"} or not isinstance(data["rules"], list):
        problems.append(document.error("expected a mapping with chapter and rules (a list of rules)"))
        return []
    if data["chapter"] != chapter:
        problems.append(document.error(f"expected chapter {chapter} as listed in rulebook.yaml, got {data['chapter']!r}", ("chapter",)))
        return []
    rules = []
    for index, raw in enumerate(data["rules"]):
        keys = ("rules", index)
        try:
            spec = RuleSpec.model_validate(raw)
        except ValidationError as error:
            problem = pydantic_input_error(document, error)
            problems.append(document.error(problem.problem, keys + problem.place.keys))
            continue
        problem = _rule_problem(spec, chapter)
        if problem:
            problems.append(document.error(problem, keys + ("id",)))
            continue
        condition, conjuncts = None, [()]
        if spec.when is not None:
            try:
                condition = parse_condition(spec.when, questionnaire, ())
                conjuncts = disjunctive_normal_form(condition, questionnaire)
            except ConditionError as error:
                problems.append(document.error(f"{spec.id}: {error}", keys + ("when",) + error.keys))
                continue
            except TooComplex as error:
                problems.append(document.error(f"{spec.id}: {error}", keys + ("when",)))
                continue
            if not conjuncts:
                problems.append(document.error(f"{spec.id}: the condition can never hold, so the rule never fires", keys + ("when",)))
                continue
        line = document.place(keys).line
        rules.append(Rule(spec, chapter, str(document.file), line, condition, tuple(conjuncts)))
    return rules


def _rule_problem(spec: RuleSpec, chapter: str) -> str | None:
    if re.match(RULE_ID, spec.id).group(1) != chapter:
        return f"{spec.id} belongs to chapter {spec.id.split('-')[0]}, not to chapter {chapter}"
    if spec.cites.is_empty():
        return f"{spec.id} cites no source; give report_paras, convention articles or opinion paragraphs"
    if spec.block == "specific" and spec.when is None:
        return f"{spec.id} is in the specific block but has no condition; say which answers address it to a Party"
    return None


def _cross_rule_problems(rules: list[Rule]) -> list[InputError]:
    problems = []
    first: dict[str, Rule] = {}
    for rule in rules:
        earlier = first.setdefault(rule.id, rule)
        if earlier is not rule:
            if earlier.level != rule.level:
                problem = f"{rule.id} is given at two levels ({earlier.level} at {earlier.source}, {rule.level} here)"
            else:
                problem = f"duplicate id {rule.id}; it is already defined at {earlier.source}"
            problems.append(rule.error(problem))
    return problems
