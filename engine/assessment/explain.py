"""Why a recommendation (or an observation) applies to a Party or not, and what answers would change that.

Whether it fires comes from durable-rules, through ``assess``; the condition is then walked part by
part with the reference evaluator to show each answer against what it had to be, and
``counterfactual.smallest_changes`` finds the fewest answer changes that would turn it around.
``explain_text`` writes an explanation for people.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, Field

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, VARIES
from selfcheck.engine.assessment.assess import (
    Assessment,
    Because,
    Finding,
    Ground,
    NoInformation,
    Provenance,
    assess,
    element_questions,
    observation_text,
    provenance,
    quoted_grounds,
    reserved_words,
)
from selfcheck.engine.assessment.counterfactual import smallest_changes
from selfcheck.engine.common.errors import EngineError, InputError
from selfcheck.engine.common.models import Citations
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.rules.conditions import All, Condition, Not, Test, holds
from selfcheck.engine.rules.markup import plain
from selfcheck.engine.rules.rulebook import Observation, Rule, Rulebook
from selfcheck.engine.rules.wording import describe_test, wanted_words


class ConditionPart(BaseModel):
    """A node of the condition: all / any / not of parts, or one test of one answer."""

    kind: str  # all, any, not, test
    holds: bool
    parts: list[ConditionPart] = []
    question: str | None = None
    number: str | None = None
    prompt: str | None = None
    condition: str | None = None  # for the rule's reader: 'is not no'
    wanted: str | None = None  # for people, in the question's words: 'yes or not provided'
    answer: Any = None
    source: str | None = None
    note: str | None = None  # where an answer varies by region or entity, the note saying where


class ElementState(BaseModel):
    """An element of a recommendation against the answers: in place, or not."""

    element: str
    fact: str  # the element in place, in people's words
    missing: str  # how it is named when not in place
    questions: list[str]  # the numbers of the questions it reads
    in_place: bool
    words: str  # when not in place: "helplines are not free of charge (S6.6)"; else the fact
    on_no_information: str  # fires or silent
    no_information: NoInformation
    provision: Citations
    condition: ConditionPart  # when it is not in place, with the answers
    reserved_by: str | None = None  # in place only because the Party made the reservation this article permits
    unanswered: list[str] = []  # not shown unmet only because these questions (numbers) are unanswered: not shown met either


class Change(BaseModel):
    question: str
    number: str
    prompt: str
    from_: Any = Field(serialization_alias="from")
    to: Any


class Explanation(BaseModel):
    party: str
    provenance: Provenance
    id: str
    kind: str  # recommendation or observation
    chapter: str
    level: str | None = None
    block: str | None = None
    tone: str | None = None
    draft: bool = False
    text: str
    reason: str | None = None
    basis: str  # printed, all_parties or inferred (a drafted observation is inferred)
    grounds: list[Ground] = []
    argument: str | None = None
    on_no_information: str | None = None  # fires or silent
    no_information: NoInformation | None = None  # what no information does to it, and on what basis
    applies_because: str | None = None  # answer, no_information or all_parties, when it fires
    inferred: bool = False  # it fires on a reason selfcheck infers
    fires: bool
    addressed_to_all: bool
    condition: ConditionPart | None
    because: list[Because]
    citations: Citations
    # the smallest sets of answer changes after which it would stop firing (or start)
    changes: list[list[Change]]
    elements: list[ElementState] = []  # a recommendation with elements: it fires when any is not in place
    own: bool = False  # under selfcheck's own id: an obligation of the Convention no published factsheet numbers


def explain(answers: Answers, rulebook: Rulebook, item_id: str, include_draft: bool = False, assessment: Assessment | None = None) -> Explanation:
    """``assessment``, when given, is that of these answers with ``include_draft``: explaining every
    recommendation of a page then takes one assessment, not one per recommendation."""
    item = rulebook.by_id.get(item_id) or rulebook.observation_by_id.get(item_id)
    if item is None:
        known = list(rulebook.by_id) + list(rulebook.observation_by_id)
        close = difflib.get_close_matches(item_id, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `selfcheck assess --format json` lists them"
        raise InputError(rulebook.directory, f"no recommendation or observation {item_id!r} in {rulebook.meta.round}{hint}")
    observation = isinstance(item, Observation)
    rule = None if isinstance(item, Observation) else item
    if assessment is None or (item.draft and not include_draft):
        assessment = assess(answers, rulebook, include_draft=include_draft or item.draft)
    findings = [] if observation else [f for f in assessment.recommendations if f.id == item_id]
    found = [o for o in assessment.observations if o.id == item_id] if observation else findings
    fires = bool(found)
    if fires != holds(item.condition, answers.value):
        raise EngineError(f"durable-rules and the reference evaluator disagree on {item_id} for these answers")
    elements = [] if rule is None else _elements(rule, answers, rulebook)
    unmet_by_engine = {unmet.element for unmet in findings[0].unmet} if findings else set()
    if unmet_by_engine != {state.element for state in elements if not state.in_place}:
        raise EngineError(f"durable-rules and the reference evaluator disagree on which elements of {item_id} are not in place for these answers")
    questionnaire = rulebook.questionnaire
    changes = [
        [_change(question_id, answers.value(question_id), value, rulebook) for question_id, value in change.items()]
        for change in smallest_changes(item, answers.value, questionnaire, fire=not fires)
    ]
    cites = item.cites
    finding = findings[0] if findings else None
    rule_fields = (
        {}
        if rule is None
        else dict(
            grounds=quoted_grounds(rule, rulebook.vocabulary.quoted_party),
            on_no_information=rule.on_no_information,
            no_information=_no_information(rule, finding),
            applies_because=finding.applies_because if finding else None,
            inferred=finding.inferred if finding else rule.basis == "inferred",
        )
    )
    return Explanation(
        party=answers.party,
        provenance=provenance(rulebook, answers),
        id=item.id,
        kind="observation" if observation else "recommendation",
        chapter=item.chapter,
        level=None if rule is None else rule.level,
        block=None if rule is None else (finding.block if finding else rule.block),
        tone=item.tone if isinstance(item, Observation) else None,
        draft=item.draft,
        text=plain(observation_text(item, answers)) if isinstance(item, Observation) else item.text.replace("{party}", answers.party),
        reason=None if rule is None else rule.reason,
        basis=item.basis,
        argument=item.argument,
        **rule_fields,
        fires=fires,
        addressed_to_all=item.condition is None,
        condition=_part(item.condition, answers, rulebook) if item.condition is not None else None,
        because=found[0].because if found else [],
        citations=rulebook.vocabulary.citations_of(cites, None if observation or (rule is not None and rule.own) else item.id),
        changes=changes,
        elements=elements,
        own=rule is not None and rule.own,
    )


def _no_information(rule: Rule, finding: Finding | None) -> NoInformation | None:
    """Why no information has the effect it has: the finding's (an element's, if it applies on no information), else the rule's."""
    if finding is not None and finding.no_information is not None:
        return NoInformation(**finding.no_information.model_dump())
    return NoInformation(**rule.no_information.model_dump()) if rule.no_information else None


def _elements(rule: Rule, answers: Answers, rulebook: Rulebook) -> list[ElementState]:
    states = []
    for element in rule.elements:
        in_place = not holds(element.condition, answers.value)
        questions = element_questions(element, rulebook)
        reserved = in_place and element.unreserved is not None and holds(element.unreserved, answers.value)
        if reserved:
            words = reserved_words(element, questions)
        else:
            words = element.fact if in_place else f"{element.missing} ({', '.join(questions)})"
        condition = _part(element.condition, answers, rulebook)
        unanswered = [] if not in_place or reserved else _unanswered(condition)
        states.append(
            ElementState(
                element=element.id,
                fact=element.fact,
                missing=element.missing,
                questions=questions,
                in_place=in_place,
                words=words,
                on_no_information=element.on_no_information,
                no_information=NoInformation(**element.no_information.model_dump()),
                provision=rulebook.vocabulary.citations_of(element.provision),
                condition=condition,
                reserved_by=element.spec.reserved_by if reserved else None,
                unanswered=unanswered,
            )
        )
    return states


def _unanswered(part: ConditionPart) -> list[str]:
    """The numbers of the questions a condition reads that were left unanswered, in reading order."""
    if part.kind == "test":
        return [part.number] if part.number and part.answer == NOT_PROVIDED else []
    return list(dict.fromkeys(number for child in part.parts for number in _unanswered(child)))


def _part(condition: Condition, answers: Answers, rulebook: Rulebook) -> ConditionPart:
    if isinstance(condition, Test):
        question = rulebook.questionnaire.questions[condition.question]
        answer = answers.value(condition.question)
        return ConditionPart(
            kind="test",
            holds=condition.holds(answer),
            question=question.id,
            number=question.number,
            prompt=question.prompt,
            condition=describe_test(condition, question.type),
            wanted=wanted_words(condition, question),
            answer=list(answer) if isinstance(answer, tuple) else answer,
            source=answers.sources.get(question.id),
            note=answers.notes.get(question.id) if answer == VARIES else None,
        )
    if isinstance(condition, Not):
        return ConditionPart(kind="not", holds=holds(condition, answers.value), parts=[_part(condition.part, answers, rulebook)])
    kind = "all" if isinstance(condition, All) else "any"
    parts = [_part(part, answers, rulebook) for part in condition.parts]
    return ConditionPart(kind=kind, holds=holds(condition, answers.value), parts=parts)


def _change(question_id: str, before: Any, after: Any, rulebook: Rulebook) -> Change:
    question = rulebook.questionnaire.questions[question_id]
    return Change(question=question_id, number=question.number, prompt=question.prompt, from_=_shown(before), to=_shown(after))


def _shown(answer: Any) -> Any:
    return list(answer) if isinstance(answer, tuple) else answer


def explain_for(answers: Answers, item_id: str, include_draft: bool = False) -> tuple[Explanation, Rulebook]:
    rulebook = rulebooks.rulebook(answers.round)
    return explain(answers, rulebook, item_id, include_draft), rulebook
