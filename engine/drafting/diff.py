"""Comparing two sets of answers: the recommendations a change resolves, creates or moves.

Findings are matched by recommendation id. ``changed`` holds an id found on both sides at a
different level or block; the answer changes shown with an entry are the answers that differ
between the two sides among the questions its rule reads. Observations are matched by id too:
``dropped`` (made for BASE only), ``added`` (for OTHER only) and ``reworded`` (made for both, but
their words quote an answer that changed). ``diff_text`` writes a comparison for people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from selfcheck.engine.answers.amendments import ensure_comparable, resolve
from selfcheck.engine.answers.answer_file import Answers, NotInForce
from selfcheck.engine.assessment.assess import Assessment, Finding, Observed, assess
from selfcheck.engine.assessment.counterfactual import questions_read
from selfcheck.engine.common.models import Citations, Recommended
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.rules.rulebook import Rulebook


class AnswerChange(BaseModel):
    question: str
    number: str
    before: Any
    after: Any
    source: str | None = None  # where the new answer comes from: for an amendment, the bill
    note: str | None = None  # for an amendment, the provision that changes the answer


class Entry(Recommended):
    """A recommendation on one side only: as BASE had it (resolved) or as OTHER has it (new)."""

    draft: bool
    answer_changes: list[AnswerChange]


class Moved(Entry):
    """A recommendation on both sides at a different level or block; level and block are OTHER's."""

    level_before: str
    block_before: str


class ObservationEntry(BaseModel):
    """An observation as one side makes it."""

    id: str
    tone: str
    chapter: str
    text: str
    citations: Citations
    answer_changes: list[AnswerChange]


class ObservationsDiff(BaseModel):
    dropped: list[ObservationEntry]
    added: list[ObservationEntry]
    reworded: list[ObservationEntry]  # as OTHER words it


class Diff(BaseModel):
    resolved: list[Entry]
    new: list[Entry]
    changed: list[Moved]
    unchanged: int
    observations: ObservationsDiff
    law_as_of: datetime.date | None = None  # --as-of: the date the law was taken at on both sides
    amendments_not_in_force: list[NotInForce] = []  # bills of either side not in force on it


@dataclass(frozen=True)
class Comparison:
    """A diff with what the renderers and ``--fail-on`` need beside it."""

    diff: Diff
    base: Assessment
    other: Assessment
    base_label: str
    other_label: str
    still_applying: tuple[str, ...]  # unchanged ids whose rule reads an answer that changed


def compare(base: Answers, other: Answers, rulebook: Rulebook, include_draft: bool = False, labels: tuple[str, str] = ("BASE", "OTHER")) -> Comparison:
    before = assess(base, rulebook, include_draft)
    after = assess(other, rulebook, include_draft)
    found_before = {finding.id: finding for finding in before.recommendations}
    found_after = {finding.id: finding for finding in after.recommendations}
    changed_questions = {q for q in set(base.values) | set(other.values) if base.value(q) != other.value(q)}

    def changes(item: Finding | Observed) -> list[AnswerChange]:
        rule = rulebook.by_id[item.id] if isinstance(item, Finding) else rulebook.observation_by_id[item.id]
        read = [q for q in questions_read(rule) if q in changed_questions]
        read.sort(key=rulebook.questionnaire.index)
        return [
            AnswerChange(
                question=q,
                number=rulebook.questionnaire.questions[q].number,
                before=_plain(base.value(q)),
                after=_plain(other.value(q)),
                source=other.sources.get(q),
                note=other.notes.get(q),
            )
            for q in read
        ]

    def entry(finding: Finding) -> Entry:
        return Entry(**finding.model_dump(include=set(Entry.model_fields) - {"answer_changes"}), answer_changes=changes(finding))

    def observation(observed: Observed) -> ObservationEntry:
        fields = set(ObservationEntry.model_fields) - {"answer_changes"}
        return ObservationEntry(**observed.model_dump(include=fields), answer_changes=changes(observed))

    made_before = {o.id: o for o in before.observations}
    made_after = {o.id: o for o in after.observations}

    both = [i for i in found_after if i in found_before]
    moved = [i for i in both if (found_before[i].level, found_before[i].block) != (found_after[i].level, found_after[i].block)]
    diff = Diff(
        resolved=[entry(found_before[i]) for i in found_before if i not in found_after],
        new=[entry(found_after[i]) for i in found_after if i not in found_before],
        changed=[Moved(**entry(found_after[i]).model_dump(), level_before=found_before[i].level, block_before=found_before[i].block) for i in moved],
        unchanged=len(both) - len(moved),
        observations=ObservationsDiff(
            dropped=[observation(o) for i, o in made_before.items() if i not in made_after],
            added=[observation(o) for i, o in made_after.items() if i not in made_before],
            reworded=[observation(o) for i, o in made_after.items() if i in made_before and made_before[i].text != o.text],
        ),
        law_as_of=other.law_as_of,
        amendments_not_in_force=list(dict.fromkeys(base.not_in_force + other.not_in_force)),
    )
    still = tuple(i for i in both if i not in moved and changes(found_after[i]))
    return Comparison(diff, before, after, labels[0], labels[1], still)


def compare_files(base: Path, other: Path, include_draft: bool = False, as_of: datetime.date | None = None) -> Comparison:
    """``selfcheck diff BASE OTHER``: the answers both files stand for (the law as in force on
    ``as_of``, if given), refused unless comparable."""
    sides = resolve(base, as_of), resolve(other, as_of)
    ensure_comparable(sides[0], base, sides[1], other)
    labels = (sides[0].label(base), sides[1].label(other))
    return compare(sides[0].answers, sides[1].answers, rulebooks.rulebook(sides[0].answers.round), include_draft, labels)


def failing(comparison: Comparison, fail_on: list[str], rulebook: Rulebook) -> list[str]:
    """The ids that make ``--fail-on`` fail: new ones, or those left at a level at least as high.

    Recommendations addressed to all Parties whatever they answer never count: no amendment can
    clear them.
    """
    ids = []
    if "new" in fail_on:
        ids += [entry.id for entry in comparison.diff.new]
    named = [kind for kind in fail_on if kind in rulebook.vocabulary.level_names]
    levels = rulebook.vocabulary.at_least(max(named, key=rulebook.vocabulary.level_names.index)) if named else ()
    ids += [finding.id for finding in comparison.other.recommendations if finding.level in levels and rulebook.by_id[finding.id].condition is not None]
    return list(dict.fromkeys(ids))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
