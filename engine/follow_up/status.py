"""What a Party declares in its follow-up, checked against what the rules say on its current answers.

Flags: declared implemented while the rules still apply the recommendation; resolved by the answers
but still declared open; applied by the rules but missing from the file; deadline passed; a
measure not yet in force on the date. Then a tally by level, lead institution and chapter.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from pydantic import BaseModel

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.in_force import law_line, not_in_force_lines
from selfcheck.engine.answers.questionnaire import Questionnaire
from selfcheck.engine.assessment.assess import Assessment, Because, Finding, Provenance, answered_words, assess, because_words
from selfcheck.engine.common.text import wrap
from selfcheck.engine.follow_up.follow_up_file import DONE, DrawnFrom, FollowUp, Item, date_text, fill, status_label, words
from selfcheck.engine.rules.conditions import deciding_tests
from selfcheck.engine.rules.rulebook import Rulebook

CATEGORIES = ("inconsistent", "overdue", "notice")


class Flag(BaseModel):
    kind: str  # still_applies, resolved_still_open, not_in_file, overdue, measure_not_in_force
    category: str  # inconsistent, overdue or notice: what --fail-on can fail on
    text: str


class AnswerShown(BaseModel):
    question: str
    number: str
    answer: Any
    source: str | None = None


class ItemStatus(BaseModel):
    """A recommendation of the follow-up: what the Party declares beside what the rules say now."""

    id: str
    level: str
    chapter: str
    status: str
    lead: str
    deadline: datetime.date | None
    rules_apply: bool
    addressed_to_all: bool  # whatever the answers: the rules cannot tell whether it is implemented
    because: list[Because]  # why the rules still apply it
    resolved_by: list[AnswerShown]  # the answers that keep the rules from applying it
    rules_say: str
    flags: list[Flag]
    own: bool = False  # under selfcheck's own id: an obligation of the Convention no published factsheet numbers


class NotListed(BaseModel):
    """A recommendation the rules apply on the current answers that the follow-up file does not list."""

    id: str
    level: str
    block: str
    chapter: str
    text: str
    because: list[Because]
    flags: list[Flag]
    own: bool = False


class Tally(BaseModel):
    name: str
    total: int = 0
    open: int = 0
    in_progress: int = 0
    partially_implemented: int = 0
    implemented: int = 0
    not_applicable: int = 0
    remaining: int = 0  # not declared implemented or not applicable
    rules_apply: int = 0  # still applied by the rules on the current answers


class Summary(BaseModel):
    by_level: list[Tally]
    by_lead: list[Tally]
    by_chapter: list[Tally]


class FollowUpStatus(BaseModel):
    party: str
    round: str
    checked_on: datetime.date  # deadlines and measures are checked against this date
    provenance: Provenance  # of the current assessment: the answers, the law's date, the bills
    drawn_from: DrawnFrom
    items: list[ItemStatus]
    not_in_file: list[NotListed]
    summary: Summary
    flags: dict[str, int]  # by category


def check_status(follow_up: FollowUp, answers: Answers, rulebook: Rulebook, checked_on: datetime.date, assessment: Assessment | None = None) -> FollowUpStatus:
    """``assessment``: the answers' assessment, if it is at hand already."""
    assessment = assessment or assess(answers, rulebook)
    fired = {finding.id: finding for finding in assessment.recommendations}
    items = [_item_status(item, fired.get(item.id), answers, rulebook, checked_on) for item in follow_up.recommendations]
    listed = {item.id for item in follow_up.recommendations}
    not_in_file = [
        NotListed(
            **finding.model_dump(include={"id", "level", "block", "chapter", "text", "because", "own"}),
            flags=[_flag("not_in_file")],
        )
        for finding in assessment.recommendations
        if finding.id not in listed
    ]
    every_flag = [flag for item in items for flag in item.flags] + [flag for entry in not_in_file for flag in entry.flags]
    counted = Counter(flag.category for flag in every_flag)
    return FollowUpStatus(
        party=follow_up.party,
        round=follow_up.round,
        checked_on=checked_on,
        provenance=assessment.provenance,
        drawn_from=follow_up.drawn_from,
        items=items,
        not_in_file=not_in_file,
        summary=_summary(follow_up, items, rulebook),
        flags={category: counted[category] for category in CATEGORIES},
    )


def failing(status: FollowUpStatus, categories: list[str]) -> list[str]:
    """The ids with a flag of one of ``categories`` (what ``--fail-on`` fails on)."""
    entries: list[ItemStatus | NotListed] = [*status.items, *status.not_in_file]
    return [entry.id for entry in entries if any(flag.category in categories for flag in entry.flags)]


def _item_status(item: Item, finding: Finding | None, answers: Answers, rulebook: Rulebook, day: datetime.date) -> ItemStatus:
    rule = rulebook.by_id[item.id]
    addressed_to_all = rule.condition is None
    status = status_label(item.status).lower()
    flags, resolved_by = [], []
    if finding is not None:
        because_text = because_words(finding.because, rulebook.questionnaire)
        rules_say = fill(words()["rules_say"]["addressed_to_all" if addressed_to_all else "applies"], because=because_text)
        if item.status == "implemented" and not addressed_to_all:
            flags.append(_flag("still_applies", status=status, because=because_text))
    else:
        questionnaire = rulebook.questionnaire
        questions = dict.fromkeys(test.question for test in deciding_tests(rule.condition, answers.value, False))
        resolved_by = [
            AnswerShown(question=q, number=questionnaire.questions[q].number, answer=_plain(answers.value(q)), source=answers.sources.get(q))
            for q in sorted(questions, key=questionnaire.index)
        ]
        answers_text = answers_words(resolved_by, questionnaire)
        rules_say = fill(words()["rules_say"]["resolved"], answers=answers_text)
        if item.status not in DONE:
            flags.append(_flag("resolved_still_open", status=status, answers=answers_text))
    if item.deadline and item.deadline < day and item.status not in DONE:
        flags.append(_flag("overdue", deadline=date_text(item.deadline), date=date_text(day), status=status))
    for measure in item.measures:
        if measure.in_force and measure.in_force > day:
            starts = fill(words()["flags"]["measure_in_force_from"], in_force=date_text(measure.in_force))
            flag = _flag("measure_not_in_force", date=date_text(day), what=measure.what, **{"from": starts})
            if item.status == "implemented":  # declared implemented on a measure that is not yet law
                flag = flag.model_copy(update={"category": "inconsistent"})
            flags.append(flag)
    return ItemStatus(
        id=item.id,
        level=item.level,
        chapter=item.chapter,
        status=item.status,
        lead=item.lead,
        deadline=item.deadline,
        rules_apply=finding is not None,
        addressed_to_all=addressed_to_all,
        because=finding.because if finding else [],
        resolved_by=resolved_by,
        rules_say=rules_say,
        flags=flags,
        own=rule.own,
    )


def _flag(kind: str, **values: Any) -> Flag:
    return Flag(kind=kind, category=words()["categories"][kind], text=fill(words()["flags"][kind], **values))


def answers_words(shown: list[AnswerShown], questionnaire: Questionnaire) -> str:
    """The answers that decide a recommendation, in the questionnaire's words, each with its source."""
    return "; ".join(answered_words(a.number, questionnaire.question(a.question), a.answer) + (f", from {a.source}" if a.source else "") for a in shown)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _summary(follow_up: FollowUp, items: list[ItemStatus], rulebook: Rulebook) -> Summary:
    def tallies(key, order: list[str]) -> list[Tally]:
        found: dict[str, Tally] = {}
        for item in items:
            tally = found.setdefault(key(item), Tally(name=key(item)))
            tally.total += 1
            setattr(tally, item.status, getattr(tally, item.status) + 1)
            tally.remaining += item.status not in DONE
            tally.rules_apply += item.rules_apply
        return [found[name] for name in order if name in found]

    no_lead = words()["no_lead"]
    leads = sorted({item.lead for item in items if item.lead}, key=str.casefold) + [no_lead]
    return Summary(
        by_level=tallies(lambda item: item.level, list(rulebook.vocabulary.level_names)),
        by_lead=tallies(lambda item: item.lead or no_lead, leads),
        by_chapter=tallies(lambda item: item.chapter, [entry.chapter for entry in rulebook.meta.chapters]),
    )


def summary_sections(status: FollowUpStatus) -> list[tuple[str, list[Tally]]]:
    headings = words()["summary"]
    return [(headings["by_level"], status.summary.by_level), (headings["by_lead"], status.summary.by_lead), (headings["by_chapter"], status.summary.by_chapter)]


def summary_columns(short: bool = False) -> list[tuple[str, str]]:
    """(field, header) of each column of the summary tables."""
    headers = words()["summary"]["short_headers"] if short else {**words()["statuses"], **words()["summary"]["headers"]}
    return [(name, headers[name]) for name in words()["summary"]["columns"]]


def head_lines(status: FollowUpStatus) -> list[str]:
    text = words()["text"]
    provenance = status.provenance
    lines = [
        fill(text["head"], party=status.party, round=status.round, date=date_text(status.checked_on), law=law_line(provenance.law_as_of)),
        fill(text["drawn_from"], answers_as_of=date_text(status.drawn_from.answers_as_of) or "-", rulebook_sha256=status.drawn_from.rulebook_sha256 or "-"),
    ]
    if status.drawn_from.rulebook_sha256 and status.drawn_from.rulebook_sha256 != provenance.rulebook_sha256:
        lines.append(fill(text["rulebook_changed"], rulebook_sha256=provenance.rulebook_sha256))
    lines += [fill(text["amended"], bill=bill) for bill in provenance.amendments]
    return lines + not_in_force_lines(provenance.law_as_of, provenance.amendments_not_in_force)


# -- text ----------------------------------------------------------------------------------------------


def render_text(status: FollowUpStatus, own_label: str = "") -> str:
    lines = [wrap(line, "", "    ") for line in head_lines(status)]
    lines.append(fill(words()["text"]["flags_count"], **status.flags))
    columns = summary_columns(short=True)
    width = max((len(tally.name) for _, tallies in summary_sections(status) for tally in tallies), default=0) + 2
    for heading, tallies in summary_sections(status):
        lines += ["", heading]
        lines.append(" " * (width + 2) + "".join(f"{header:>{max(len(header), 5) + 2}}" for _, header in columns))
        for tally in tallies:
            cells = "".join(f"{getattr(tally, name):>{max(len(header), 5) + 2}}" for name, header in columns)
            lines.append(f"  {tally.name:<{width}}{cells}")
    flagged = [item for item in status.items if item.flags] + status.not_in_file
    lines.append("")
    if not flagged:
        lines.append(words()["text"]["no_flags"])
    level_width = max((len(entry.level) for entry in flagged), default=0)
    for entry in flagged:
        state = status_label(entry.status) if isinstance(entry, ItemStatus) else "-"
        lead = f"; {entry.lead}" if isinstance(entry, ItemStatus) and entry.lead else ""
        own = f" [{own_label}]" if entry.own and own_label else ""
        lines.append(f"{entry.id:<7} {entry.level:<{max(level_width, 7) + 1}} {state}{lead}{own}")
        for flag in entry.flags:
            lines.append(wrap(f"[{flag.category}] {flag.text}", "        ", "          "))
    return "\n".join(lines) + "\n"
