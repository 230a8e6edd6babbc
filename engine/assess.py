"""Assessing a Party's answers: the recommendations durable-rules fires and the observations that hold, with the reasons why."""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from .answers import Answers, NotInForce
from .conditions import Atom, Compare, COMPARISONS, Missing
from .markup import PARTY, clean, fill, plain
from .questionnaire import NOT_PROVIDED
from .rulebook import BLOCKS, LEVELS, Observation, Rulebook


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
    amendments: list[str] = []  # bills overlaid on the answers (``assess --amend``), in order
    law_as_of: datetime.date | None = None  # the date the law was taken at (--as-of); None: every bill given applies
    amendments_not_in_force: list[NotInForce] = []  # bills given but not in force on law_as_of


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
    engine = engine_for(rulebook)
    layout = _layout(rulebook)
    findings: dict[str, Finding] = {}
    observed: dict[str, Observed] = {}
    for name in engine.fired(answers.value, include_draft):
        item_id = engine.compiled.conjuncts[name][0]
        # the first alternative that held explains the finding
        if item_id in layout.shared:
            if item_id not in findings:
                findings[item_id] = _finding(layout, item_id, name, answers)
        elif item_id not in observed:
            text = plain(observation_text(rulebook.observation_by_id[item_id], answers))
            observed[item_id] = Observed.model_construct(**layout.observations[item_id], text=text, because=_because(layout, name, answers))
    return Assessment(
        party=answers.party,
        provenance=provenance(rulebook, answers),
        include_draft=include_draft,
        recommendations=sorted(findings.values(), key=lambda f: layout.order[f.id]),
        observations=sorted(observed.values(), key=lambda o: layout.order[o.id]),
    )


class _Layout:
    """What every finding of a rule shares, computed once per rulebook: assessing only fills in answers."""

    def __init__(self, rulebook: Rulebook):
        questionnaire = rulebook.questionnaire
        self.shared = {
            rule.id: dict(
                id=rule.id, level=rule.level, block=rule.block, chapter=rule.chapter, reason=rule.reason, draft=rule.draft,
                citations=Citations(recommendation=rule.id, **rule.cites.model_dump()),
            )
            for rule in rulebook.rules
        }
        self.texts = {rule.id: rule.text for rule in rulebook.rules}
        self.order = {
            rule.id: (rulebook.chapter_order[rule.chapter], BLOCKS.index(rule.block), LEVELS.index(rule.level), rule.number)
            for rule in rulebook.rules
        }
        self.order.update({observation.id: (index,) for index, observation in enumerate(rulebook.observations)})
        self.observations = {
            observation.id: dict(
                id=observation.id, tone=observation.tone, chapter=observation.chapter,
                citations=ObservationCitations(**observation.cites.model_dump()),
            )
            for observation in rulebook.observations
        }
        self.reasons: dict[str, list[tuple[str, str, str]]] = {}  # conjunct name -> (question, number, condition)
        for name, (_, atoms) in engine_for(rulebook).compiled.conjuncts.items():
            parts = []
            for atom in atoms:
                question = questionnaire.question(atom.question)
                choices = question.choices if question.type in ("tri_state", "one_of") else ()
                parts.append((question, describe_atom(atom, choices)))
            parts.sort(key=lambda part: questionnaire.index(part[0].id))
            self.reasons[name] = [(question.id, question.number, condition) for question, condition in parts]


@lru_cache(maxsize=8)
def _layout(rulebook: Rulebook) -> _Layout:
    return _Layout(rulebook)


def _because(layout: _Layout, conjunct: str, answers: Answers) -> list[Because]:
    because = []
    for question_id, number, condition in layout.reasons[conjunct]:
        answer = answers.value(question_id)
        because.append(Because.model_construct(question=question_id, number=number, condition=condition, answer=list(answer) if isinstance(answer, tuple) else answer))
    return because


def _finding(layout: _Layout, rule_id: str, conjunct: str, answers: Answers) -> Finding:
    text = layout.texts[rule_id].replace("{party}", answers.party)
    return Finding.model_construct(**layout.shared[rule_id], text=text, because=_because(layout, conjunct, answers))


def observation_text(observation: Observation, answers: Answers) -> str:
    """The observation's sentence for these answers, its markup kept: Party named, answers quoted."""

    def value_of(name: str) -> str:
        return answers.party if name == PARTY else str(answers.value(name))

    return clean(fill(observation.text, value_of))



def provenance(rulebook: Rulebook, answers: Answers) -> Provenance:
    return Provenance(
        round=rulebook.meta.round,
        report=rulebook.meta.report,
        rulebook_sha256=rulebook.digest,
        questionnaire_version=rulebook.questionnaire.version,
        answers_as_of=answers.as_of,
        amendments=list(answers.amendments),
        law_as_of=answers.law_as_of,
        amendments_not_in_force=list(answers.not_in_force),
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
