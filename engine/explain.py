"""Why a recommendation (or an observation) applies to a Party or not, and what answers would change that.

Whether it fires comes from durable-rules, through ``assess``; the condition is then walked part by
part with the reference evaluator to show each answer against what it had to be, and
``counterfactual.smallest_changes`` finds the fewest answer changes that would turn it around.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, Field

from . import rounds
from .answers import Answers
from .assess import Assessment, Because, Ground, NoInformation, Provenance, assess, observation_text, provenance
from .conditions import COMPARISONS, All, Condition, Not, Test, holds
from .counterfactual import ANY_TEXT, MAX_CHANGES, smallest_changes
from .errors import EngineError, InputError
from .markup import plain
from .questionnaire import NOT_PROVIDED
from .rulebook import Observation, Rulebook
from .plaintext import wrap
from .summary import provenance_law_lines



class ConditionPart(BaseModel):
    """A node of the condition: all / any / not of parts, or one test of one answer."""

    kind: str  # all, any, not, test
    holds: bool
    parts: list[ConditionPart] = []
    question: str | None = None
    number: str | None = None
    prompt: str | None = None
    condition: str | None = None
    answer: Any = None
    source: str | None = None


class Change(BaseModel):
    question: str
    number: str
    prompt: str
    from_: Any = Field(serialization_alias="from")
    to: Any


class Citations(BaseModel):
    recommendation: str | None
    report_paras: list[int | str]
    convention: list[str]
    opinion: list[str]
    other: list[str]


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


def explain(answers: Answers, rulebook: Rulebook, item_id: str, include_draft: bool = False, assessment: Assessment | None = None) -> Explanation:
    """``assessment``, when given, is that of these answers with ``include_draft``: explaining every
    recommendation of a page then takes one assessment, not one per recommendation."""
    item = rulebook.by_id.get(item_id) or rulebook.observation_by_id.get(item_id)
    if item is None:
        known = list(rulebook.by_id) + list(rulebook.observation_by_id)
        close = difflib.get_close_matches(item_id, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `selfcheck assess --format json` lists them"
        raise InputError(rulebook.directory or rulebook.meta.round, f"no recommendation or observation {item_id!r} in {rulebook.meta.round}{hint}")
    observation = isinstance(item, Observation)
    if assessment is None or (item.draft and not include_draft):
        assessment = assess(answers, rulebook, include_draft=include_draft or item.draft)
    found = [o for o in assessment.observations if o.id == item_id] if observation else [f for f in assessment.recommendations if f.id == item_id]
    fires = bool(found)
    if fires != holds(item.condition, answers.value):
        raise EngineError(f"durable-rules and the reference evaluator disagree on {item_id} for these answers")
    questionnaire = rulebook.questionnaire
    changes = [
        [_change(question_id, answers.value(question_id), value, rulebook) for question_id, value in change.items()]
        for change in smallest_changes(item, answers.value, questionnaire, fire=not fires)
    ]
    cites = item.cites
    finding = found[0] if found and not observation else None
    rule_fields = {} if observation else dict(
        grounds=[Ground(para=g.para, quote=g.quote.replace("{party}", answers.party)) for g in item.grounds],
        on_no_information=item.on_no_information,
        no_information=NoInformation(**item.no_information.model_dump()) if item.no_information else None,
        applies_because=finding.applies_because if finding else None,
        inferred=finding.inferred if finding else item.basis == "inferred",
    )
    return Explanation(
        party=answers.party,
        provenance=provenance(rulebook, answers),
        id=item.id,
        kind="observation" if observation else "recommendation",
        chapter=item.chapter,
        level=None if observation else item.level,
        block=None if observation else (finding.block if finding else item.block),
        tone=item.tone if observation else None,
        draft=item.draft,
        text=plain(observation_text(item, answers)) if observation else item.text.replace("{party}", answers.party),
        reason=None if observation else item.reason,
        basis=item.basis,
        argument=item.argument,
        **rule_fields,
        fires=fires,
        addressed_to_all=item.condition is None,
        condition=_part(item.condition, answers, rulebook) if item.condition is not None else None,
        because=found[0].because if found else [],
        citations=Citations(recommendation=None if observation else item.id, **cites.model_dump()),
        changes=changes,
    )


def _part(condition: Condition, answers: Answers, rulebook: Rulebook) -> ConditionPart:
    if isinstance(condition, Test):
        question = rulebook.questionnaire.question(condition.question)
        answer = answers.value(condition.question)
        return ConditionPart(
            kind="test",
            holds=condition.holds(answer),
            question=question.id,
            number=question.number,
            prompt=question.prompt,
            condition=describe_test(condition, question.type),
            answer=list(answer) if isinstance(answer, tuple) else answer,
            source=answers.sources.get(question.id),
        )
    if isinstance(condition, Not):
        return ConditionPart(kind="not", holds=holds(condition, answers.value), parts=[_part(condition.part, answers, rulebook)])
    kind = "all" if isinstance(condition, All) else "any"
    parts = [_part(part, answers, rulebook) for part in condition.parts]
    return ConditionPart(kind=kind, holds=holds(condition, answers.value), parts=parts)


def describe_test(test: Test, question_type: str) -> str:
    if test.op in COMPARISONS:
        return f"{COMPARISONS[test.op][0]} {test.value}"
    if test.op in ("includes", "lacks"):
        return f"{test.op} {test.value}"
    if question_type == "text":
        return "is not_provided" if test.op == "in" else "is answered"
    values = list(test.value)
    if test.op == "in":
        return f"is {values[0]}" if len(values) == 1 else f"is one of {', '.join(values)}"
    if len(values) == 1:
        return f"is not {values[0]}"
    return f"is neither {values[0]} nor {values[1]}" if len(values) == 2 else f"is none of {', '.join(values)}"


def _change(question_id: str, before: Any, after: Any, rulebook: Rulebook) -> Change:
    question = rulebook.questionnaire.question(question_id)
    return Change(question=question_id, number=question.number, prompt=question.prompt, from_=_shown(before), to=_shown(after))


def _shown(answer: Any) -> Any:
    return list(answer) if isinstance(answer, tuple) else answer


# -- text -----------------------------------------------------------------------------------------


def render_explanation(explanation: Explanation, rulebook: Rulebook) -> str:
    e = explanation
    titles = {entry.chapter: entry.title for entry in rulebook.meta.chapters}
    state = ("fires" if e.fires else "does not fire") if e.kind == "recommendation" else ("holds" if e.fires else "does not hold")
    what = f"{e.level}, {'specific to ' + e.party if e.block == 'specific' else 'addressed to all Parties'}" if e.kind == "recommendation" else f"{e.tone.replace('_', ' ')} observation"
    lines = [f"{e.id} {state} for {e.party}: {what} (chapter {e.chapter}. {titles[e.chapter]})"]
    if e.draft and e.kind == "recommendation":
        lines.append("  A draft: inferred, not printed in any published factsheet; it fires only with --include-draft.")
    elif e.draft:
        lines.append("  Worded by selfcheck on the Committee's pattern: no published factsheet prints it.")
    lines += ["", wrap(e.text, "  ", "  ")]
    if e.reason:
        lines += ["", wrap(f"Why it is addressed: {e.reason}", "", "  ")]
    lines += ["", *_basis_lines(e)]
    lines.append("")
    if e.condition is None:
        lines.append("Condition: none - it is addressed to all Parties, whatever their answers.")
    else:
        lines.append(f"Condition, with {e.party}'s answers:")
        lines += _condition_lines(e.condition, "  ")
    lines += ["", wrap("Citations: " + citation_text(e.citations), "", "  "), ""]
    lines += _change_lines(e)
    p = e.provenance
    lines += ["", wrap(
        f"Provenance: round {p.round}, report {p.report}, rule files sha256 {p.rulebook_sha256}, questionnaire "
        f"{p.questionnaire_version}, answers as of {p.answers_as_of or 'an unstated date'}", "", "  ",
    )]
    lines += [wrap(line, "  ", "    ") for line in provenance_law_lines(p)]
    return "\n".join(lines) + "\n"


BASIS_WORDS = {
    "printed": "printed - a published factsheet prints the reason:",
    "all_parties": "addressed to all Parties by the report.",
    "inferred": "inferred - no published factsheet prints the reason; selfcheck's argument follows.",
}


def _basis_lines(e: Explanation) -> list[str]:
    lines = [f"Basis: {BASIS_WORDS[e.basis]}"]
    lines += [wrap(f'{ground.para}: "{ground.quote}"', "  ", "    ") for ground in e.grounds]
    if e.argument:
        lines.append(wrap(f"Argument: {e.argument}", "  ", "    "))
    if e.on_no_information:
        n = e.no_information
        effect = "it fires" if e.on_no_information == "fires" else "it stays silent"
        lines.append(wrap(f"With no information on its questions, {effect} ({n.basis}): {n.because}", "", "  "))
    if e.applies_because == "no_information":
        lines.append(wrap(f"It applies to {e.party} because no information was given on a question it reads, not because of an answer.", "", "  "))
    return lines


def _condition_lines(part: ConditionPart, indent: str) -> list[str]:
    mark = "[holds]" if part.holds else "[fails]"
    if part.kind == "test":
        head = f"{indent}{mark} {part.number} {part.question} {part.condition}"
        answer = f"answer: {answer_text(part.answer)}" + (f" (source: {part.source})" if part.source else "")
        return [head, wrap(answer, indent + "        ", indent + "          ")]
    words = {"all": "all of:", "any": "any of:", "not": "not:"}[part.kind]
    lines = [f"{indent}{mark} {words}"]
    for child in part.parts:
        lines += _condition_lines(child, indent + "  ")
    return lines


def _change_lines(e: Explanation) -> list[str]:
    goal = "go away" if e.fires else ("fire" if e.kind == "recommendation" else "hold")
    if e.addressed_to_all:
        return ["What would change it: nothing - no answer makes a recommendation to all Parties go away."]
    if not e.changes:
        return [f"What would make it {goal}: no change of up to {MAX_CHANGES} answers would."]
    if e.changes == [[]]:
        return [f"What would make it {goal}: it already does."]
    count = len(e.changes[0])
    size = "one answer" if count == 1 else f"{count} answers together"
    lines = [f"What would make it {goal} - change {size}{', any one of these ways' if len(e.changes) > 1 else ''}:"]
    for change in e.changes:
        described = "; and ".join(f"{c.number} {c.question}: {answer_text(c.from_)} -> {answer_text(c.to)}" for c in change)
        lines.append(wrap(described, "  - ", "    "))
    return lines


def citation_text(citations: Citations) -> str:
    parts = [f"Recommendation {citations.recommendation}"] if citations.recommendation else []
    if citations.report_paras:
        parts.append("report para" + ("s " if len(citations.report_paras) > 1 else " ") + ", ".join(map(str, citations.report_paras)))
    if citations.convention:
        parts.append("Convention " + ", ".join(citations.convention))
    parts += citations.opinion + citations.other
    return "; ".join(parts)


def answer_text(answer: Any) -> str:
    if isinstance(answer, list):
        return "[" + ", ".join(answer) + "]" if answer else "[] (none)"
    if answer == ANY_TEXT:
        return "an answer in words"
    text = str(answer)
    return text if len(text) <= 70 or answer == NOT_PROVIDED else text[:67] + "..."



def explain_for(answers: Answers, item_id: str, include_draft: bool = False) -> tuple[Explanation, Rulebook]:
    rulebook = rounds.rulebook(answers.round)
    return explain(answers, rulebook, item_id, include_draft), rulebook
