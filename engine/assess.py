"""Assessing a Party's answers: the recommendations durable-rules fires, with the reasons why."""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from .answers import Answers
from .conditions import Atom, Choice, Compare, COMPARISONS, Missing
from .markup import PARTY, clean, fill, plain
from .questionnaire import NOT_PROVIDED
from .rulebook import BLOCKS, LEVELS, Observation, Rule, Rulebook


class Because(BaseModel):
    """One part of the alternative that held: the question, what it had to be, the answer given."""

    question: str
    number: str
    condition: str
    answer: Any


class Citations(BaseModel):
    recommendation: str
    report_paras: list[int | str]
    convention: list[str]
    opinion: list[str]
    other: list[str]


class Finding(BaseModel):
    id: str
    level: str
    block: str
    chapter: str
    text: str
    reason: str
    citations: Citations
    because: list[Because]
    draft: bool


class ObservationCitations(BaseModel):
    report_paras: list[int | str]
    convention: list[str]
    opinion: list[str]
    other: list[str]


class Observed(BaseModel):
    """An observation that holds for the answers: what the Committee would observe, and why."""

    id: str
    tone: str
    chapter: str
    text: str
    citations: ObservationCitations
    because: list[Because]


class Provenance(BaseModel):
    round: str
    report: str
    rulebook_sha256: str
    questionnaire_version: str
    answers_as_of: datetime.date | None


class Assessment(BaseModel):
    party: str
    provenance: Provenance
    include_draft: bool
    recommendations: list[Finding]
    observations: list[Observed] = []

    def ids(self) -> list[str]:
        return [finding.id for finding in self.recommendations]


@lru_cache(maxsize=8)
def engine_for(rulebook: Rulebook):
    """Compile a rulebook into durable-rules once per process."""
    from .durable_adapter import DurableEngine, compile_rulebook

    return DurableEngine(compile_rulebook(rulebook))


def assess(answers: Answers, rulebook: Rulebook, include_draft: bool = False) -> Assessment:
    fired = engine_for(rulebook).fired(answers.value, include_draft)
    conjuncts = engine_for(rulebook).compiled.conjuncts
    first_alternative: dict[str, tuple[Atom, ...]] = {}
    for name in fired:
        rule_id, atoms = conjuncts[name]
        first_alternative.setdefault(rule_id, atoms)
    findings = [
        _finding(rulebook.by_id[rule_id], atoms, answers, rulebook)
        for rule_id, atoms in first_alternative.items()
        if rule_id in rulebook.by_id
    ]
    findings.sort(key=lambda f: sort_key(f, rulebook))
    order = {observation.id: index for index, observation in enumerate(rulebook.observations)}
    observed = [
        _observed(rulebook.observation_by_id[observation_id], atoms, answers, rulebook)
        for observation_id, atoms in sorted(first_alternative.items(), key=lambda item: order.get(item[0], -1))
        if observation_id in rulebook.observation_by_id
    ]
    return Assessment(
        party=answers.party,
        provenance=provenance(rulebook, answers),
        include_draft=include_draft,
        recommendations=findings,
        observations=observed,
    )


def sort_key(finding: Finding, rulebook: Rulebook) -> tuple:
    """Factsheet order: chapter, specific before generic, require before request before invite, number."""
    return (
        rulebook.chapter_order[finding.chapter],
        BLOCKS.index(finding.block),
        LEVELS.index(finding.level),
        int(finding.id.split("-")[1]),
    )


def provenance(rulebook: Rulebook, answers: Answers) -> Provenance:
    return Provenance(
        round=rulebook.meta.round,
        report=rulebook.meta.report,
        rulebook_sha256=rulebook.digest,
        questionnaire_version=rulebook.questionnaire.version,
        answers_as_of=answers.as_of,
    )


def _finding(rule: Rule, atoms: tuple[Atom, ...], answers: Answers, rulebook: Rulebook) -> Finding:
    cites = rule.cites
    return Finding(
        id=rule.id,
        level=rule.level,
        block=rule.block,
        chapter=rule.chapter,
        text=rule.text.replace("{party}", answers.party),
        reason=rule.reason,
        citations=Citations(recommendation=rule.id, **cites.model_dump()),
        because=[_because(atom, answers, rulebook) for atom in sorted(atoms, key=lambda a: _number(a, rulebook))],
        draft=rule.draft,
    )


def observation_text(observation: Observation, answers: Answers) -> str:
    """The observation's sentence for these answers, its markup kept: Party named, answers quoted."""

    def value_of(name: str) -> str:
        return answers.party if name == PARTY else str(answers.value(name))

    return clean(fill(observation.text, value_of))


def _observed(observation: Observation, atoms: tuple[Atom, ...], answers: Answers, rulebook: Rulebook) -> Observed:
    return Observed(
        id=observation.id,
        tone=observation.tone,
        chapter=observation.chapter,
        text=plain(observation_text(observation, answers)),
        citations=ObservationCitations(**observation.cites.model_dump()),
        because=[_because(atom, answers, rulebook) for atom in sorted(atoms, key=lambda a: _number(a, rulebook))],
    )


def _number(atom: Atom, rulebook: Rulebook) -> tuple[int, ...]:
    return tuple(int(part) for part in rulebook.questionnaire.question(atom.question).number.split("."))


def _because(atom: Atom, answers: Answers, rulebook: Rulebook) -> Because:
    question = rulebook.questionnaire.question(atom.question)
    answer = answers.value(atom.question)
    return Because(
        question=atom.question,
        number=question.number,
        condition=describe_atom(atom, question.choices if question.type in ("tri_state", "one_of") else ()),
        answer=list(answer) if isinstance(answer, tuple) else answer,
    )


def describe_atom(atom: Atom, choices: tuple = ()) -> str:
    if isinstance(atom, Compare):
        return f"{COMPARISONS[atom.op][0]} {atom.number}"
    if isinstance(atom, Missing):
        return "is not_provided" if atom.missing else "is provided"
    allowed = set(atom.allowed)
    if atom.option is not None:
        words = {frozenset({"yes"}): f"includes {atom.option}", frozenset({"no", NOT_PROVIDED}): f"lacks {atom.option}",
                 frozenset({NOT_PROVIDED}): "is not_provided", frozenset({"yes", "no"}): "is provided"}
        return words[frozenset(allowed)]
    ordered = [c for c in choices if c in allowed]
    excluded = [c for c in choices if c not in allowed]
    if len(ordered) == 1:
        return f"is {ordered[0]}"
    if len(excluded) == 1:
        return f"is not {excluded[0]}"
    if len(excluded) == 2:
        return f"is neither {excluded[0]} nor {excluded[1]}"
    return f"is one of {', '.join(ordered)}"
