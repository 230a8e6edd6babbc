"""The follow-up file of a Party and round: every recommendation addressed to it, with what the Party
declares it did (status, lead institution, deadline, measures, note).

Plain YAML, written by ``follow-up init`` from an assessment and checked on reading with the same
kind of messages as answers files (file, line, what was expected). The Committee's part of each
recommendation (level, block, chapter, text, citations) is copied from the rules; the rest is the
Party's. The words are data: templates/follow-up.yaml.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.answer_file import Answers, in_words, yaml_value
from selfcheck.engine.answers.in_force import check_dates
from selfcheck.engine.assessment.assess import Assessment, Finding
from selfcheck.engine.common import data
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.models import Citations, Recommended
from selfcheck.engine.common.safe_files import Document, read_document, yaml_scalar
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.rules.rulebook import Rulebook

WORDS = data.TEMPLATES / "follow-up.yaml"
STATUSES = ("open", "in_progress", "partially_implemented", "implemented", "not_applicable")
DONE = ("implemented", "not_applicable")
TOP_LEVEL = {
    "party": "the Party's name",
    "round": "the monitoring round",
    "drawn_from": "the assessment the list was drawn from",
    "recommendations": "the recommendations, by id",
}
DRAWN_FROM = ("answers_as_of", "rulebook_sha256", "amendments")
COMMITTEE_FIELDS = ("level", "block", "chapter", "text", "citations")
PARTY_FIELDS = ("status", "reason", "lead", "deadline", "measures", "note")
MEASURE_FIELDS = ("what", "act", "adopted", "in_force", "reference")
MAX_TEXT = 32_767  # a spreadsheet cell's limit: the plan of action must hold every text whole
# What a text may not hold: control characters other than tab and line feed (a workbook cannot keep them).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Measure(BaseModel):
    model_config = ConfigDict(frozen=True)

    what: str
    act: str = ""
    adopted: datetime.date | None = None
    in_force: datetime.date | None = None
    reference: str = ""  # a link or a file


class Item(Recommended):
    """One recommendation: the Committee's words, then the Party's account."""

    model_config = ConfigDict(frozen=True)

    status: str = "open"
    reason: str = ""  # why it is not applicable
    lead: str = ""
    deadline: datetime.date | None = None
    measures: tuple[Measure, ...] = ()
    note: str = ""


class DrawnFrom(BaseModel):
    model_config = ConfigDict(frozen=True)

    answers_as_of: datetime.date | None = None
    rulebook_sha256: str = ""
    amendments: tuple[str, ...] = ()


class FollowUp(BaseModel):
    model_config = ConfigDict(frozen=True)

    party: str
    round: str
    drawn_from: DrawnFrom
    recommendations: tuple[Item, ...]

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.recommendations if item.id == item_id), None)


@lru_cache(maxsize=1)
def words() -> dict:
    return read_document(WORDS).data


def fill(template: str, **values: Any) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def date_text(day: datetime.date | None) -> str:
    """A date as the factsheet and the pages write it: 01.03.2026."""
    if day is None:
        return ""
    return fill(words()["date"], day=f"{day.day:02d}", month=f"{day.month:02d}", year=day.year)


def status_label(status: str) -> str:
    return words()["statuses"][status]


# -- from an assessment ------------------------------------------------------------------------------


def follow_up_from(assessment: Assessment) -> FollowUp:
    """Every recommendation the assessment addresses to the Party, open, with nothing declared yet."""
    provenance = assessment.provenance
    return FollowUp(
        party=assessment.party,
        round=provenance.round,
        drawn_from=DrawnFrom(answers_as_of=provenance.answers_as_of, rulebook_sha256=provenance.rulebook_sha256, amendments=tuple(provenance.amendments)),
        recommendations=tuple(_open_item(f) for f in assessment.recommendations if not f.draft),
    )


def with_recommendation(follow_up: FollowUp, finding: Finding, chapters: list[str]) -> FollowUp:
    """The follow-up with a recommendation the rules apply now added, open, after the others of its
    chapter (``chapters``: the round's chapters in order)."""
    order = {chapter: index for index, chapter in enumerate(chapters)}
    items = list(follow_up.recommendations)
    rank = order.get(finding.chapter, len(order))
    place = max((index + 1 for index, item in enumerate(items) if order.get(item.chapter, len(order)) <= rank), default=0)
    items.insert(place, _open_item(finding))
    return follow_up.model_copy(update={"recommendations": tuple(items)})


def _open_item(finding: Finding) -> Item:
    return Item(id=finding.id, level=finding.level, block=finding.block, chapter=finding.chapter, text=finding.text, citations=finding.citations)


# -- writing -----------------------------------------------------------------------------------------


def render_follow_up(follow_up: FollowUp, rulebook: Rulebook, comments: list[str] | None = None) -> str:
    """The follow-up file, as ``read_follow_up`` reads it back: every field written, chapter by chapter,
    under the opening ``comments`` of the file it rewrites (or the usual ones)."""
    if comments is None:
        comments = [fill(line, party=follow_up.party, committee=words()["report"]["committee"]) for line in words()["file_comments"]]
    lines = [f"# {line}".rstrip() for line in comments]
    drawn = follow_up.drawn_from
    lines += [
        f"party: {yaml_scalar(follow_up.party)}",
        f"round: {yaml_scalar(follow_up.round)}",
        "drawn_from:",
        f"  answers_as_of: {_date(drawn.answers_as_of)}",
        f"  rulebook_sha256: {yaml_scalar(drawn.rulebook_sha256)}",
        f"  amendments: {yaml_scalar(list(drawn.amendments))}",
        "recommendations:" if follow_up.recommendations else "recommendations: {}",
    ]
    titles = {entry.chapter: entry.title for entry in rulebook.meta.chapters}
    chapter = None
    for item in follow_up.recommendations:
        if item.chapter != chapter:
            chapter = item.chapter
            lines += ["", f"  # {chapter}. {titles.get(chapter, '')}".rstrip()]
        lines += [
            f"  {item.id}:",
            f"    level: {item.level}",
            f"    block: {item.block}",
            f"    chapter: {yaml_scalar(item.chapter)}",
            f"    text: {yaml_scalar(item.text)}",
            "    citations:",
            *(f"      {name}: {yaml_scalar(item.citations.of(name))}" for name in rulebook.vocabulary.kinds),
            f"    status: {item.status}",
        ]
        if item.reason:
            lines.append(f"    reason: {yaml_value(item.reason, '      ')}")
        lines += [f"    lead: {yaml_scalar(item.lead)}", f"    deadline: {_date(item.deadline)}"]
        lines.append("    measures:" if item.measures else "    measures: []")
        for measure in item.measures:
            lines += [
                f"      - what: {yaml_value(measure.what, '          ')}",
                f"        act: {yaml_value(measure.act, '          ')}",
                f"        adopted: {_date(measure.adopted)}",
                f"        in_force: {_date(measure.in_force)}",
                f"        reference: {yaml_scalar(measure.reference)}",
            ]
        lines.append(f"    note: {yaml_value(item.note, '      ')}")
    return "\n".join(lines) + "\n"


def follow_up_text(follow_up: FollowUp, rulebook: Rulebook, path: Path, comments: list[str] | None = None) -> str:
    """The file to write at ``path``, checked to read back as ``follow_up`` before anything is written."""
    from selfcheck.engine.common.errors import EngineError
    from selfcheck.engine.common.safe_files import document_from_text

    text = render_follow_up(follow_up, rulebook, comments)
    again, problems = check_follow_up_document(document_from_text(path, text))
    if problems or again != follow_up:
        raise EngineError(f"{path}: the follow-up would not read back as given ({problems[0] if problems else 'a value differs'}); nothing was written")
    return text


def ensure_same_party(follow_up: FollowUp, file: Path, answers: Answers, answers_path: Path) -> None:
    if (follow_up.party, follow_up.round) != (answers.party, answers.round):
        raise InputError(
            answers_path,
            f"answers of {answers.party} to {answers.round}, but {file} follows up {follow_up.party} in {follow_up.round}; give the same Party's answers",
        )


def _date(day: datetime.date | None) -> str:
    return day.isoformat() if day else "null"


# -- reading -----------------------------------------------------------------------------------------


def read_follow_up(path: str | Path) -> FollowUp:
    return follow_up_from_document(read_document(path))


def follow_up_from_document(document: Document) -> FollowUp:
    follow_up, problems = check_follow_up_document(document)
    if follow_up is None:  # it comes with its problems
        raise problems[0]
    return follow_up


def check_follow_up_document(document: Document) -> tuple[FollowUp | None, list[InputError]]:
    """The follow-up, or every problem found in document order (the first is what the CLI reports)."""
    data = document.data
    if not isinstance(data, dict):
        return None, [document.error(f"expected a mapping with {', '.join(TOP_LEVEL)}")]
    problems = [document.error(f"unknown field {key!r}; expected only {', '.join(TOP_LEVEL)}", (key,)) for key in data if key not in TOP_LEVEL]
    for key in ("party", "round"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(document.error(f"expected {TOP_LEVEL[key]} as a text", (key,)))
    if isinstance(data.get("round"), str) and data["round"] not in rounds.known_rounds():
        problems.append(document.error(f"unknown round {data['round']!r}; known rounds: {', '.join(rounds.known_rounds())}", ("round",)))
    reader = _Reader(document, problems)
    drawn_from = reader.guarded(reader.drawn_from, ("drawn_from",))
    recommendations = data.get("recommendations")
    if not isinstance(recommendations, dict):
        problems.append(document.error("expected a mapping of recommendation ids to what the Party declares", ("recommendations",)))
    if problems or not isinstance(recommendations, dict):  # not a mapping is among the problems
        return None, problems
    rulebook = rulebooks.rulebook(data["round"])
    items = [reader.guarded(reader.item, ("recommendations", item_id), rulebook) for item_id in recommendations]
    if problems:
        return None, problems
    return FollowUp(party=data["party"].strip(), round=data["round"], drawn_from=drawn_from, recommendations=tuple(items)), []


class _Reader:
    """Reads the parts of a follow-up document, each problem an InputError at its key."""

    def __init__(self, document: Document, problems: list[InputError]):
        self.document, self.problems = document, problems

    def error(self, problem: str, keys: tuple) -> InputError:
        return self.document.error(problem, keys)

    def guarded(self, read, keys: tuple, *args):
        try:
            return read(keys, *args)
        except InputError as problem:
            self.problems.append(problem)
            return None

    def at(self, keys: tuple) -> Any:
        value = self.document.data
        for key in keys:
            if isinstance(value, dict):
                value = value.get(key)
            else:
                value = value[key] if isinstance(value, list) and isinstance(key, int) and key < len(value) else None
        return value

    def mapping(self, keys: tuple, fields: tuple[str, ...], required: tuple[str, ...], what: str) -> dict:
        given = self.at(keys)
        if not isinstance(given, dict):
            raise self.error(f"expected {what}: a mapping with {in_words(fields)}", keys)
        for key in given:
            if key not in fields:
                raise self.error(f"unknown field {key!r}; expected only {', '.join(fields)}", keys + (key,))
        for key in required:
            if key not in given:
                raise self.error(f"{key} is missing; expected {what} with {in_words(required)}", keys)
        return given

    def drawn_from(self, keys: tuple) -> DrawnFrom:
        if self.at(keys) is None:
            return DrawnFrom()
        given = self.mapping(keys, DRAWN_FROM, (), "the assessment the list was drawn from")
        amendments = given.get("amendments") or []
        if not isinstance(amendments, list):
            raise self.error("expected a list of the bills the answers were amended by", keys + ("amendments",))
        return DrawnFrom(
            answers_as_of=self.date(keys + ("answers_as_of",)),
            rulebook_sha256=self.text(keys + ("rulebook_sha256",)),
            amendments=tuple(self.text(keys + ("amendments", index), required=True) for index in range(len(amendments))),
        )

    def item(self, keys: tuple, rulebook: Rulebook) -> Item:
        item_id = keys[-1]
        if not isinstance(item_id, str) or item_id not in rulebook.by_id:
            import difflib

            close = difflib.get_close_matches(str(item_id), rulebook.by_id, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise self.error(f"no recommendation {item_id!r} in {rulebook.meta.round}{hint}", keys)
        given = self.mapping(keys, COMMITTEE_FIELDS + PARTY_FIELDS, COMMITTEE_FIELDS + ("status",), "a recommendation")
        self.choice(keys + ("level",), rulebook.vocabulary.level_names)
        self.choice(keys + ("block",), rulebook.vocabulary.block_names)
        self.choice(keys + ("chapter",), tuple(entry.chapter for entry in rulebook.meta.chapters))
        status = self.choice(keys + ("status",), STATUSES)
        reason = self.text(keys + ("reason",))
        if status == "not_applicable" and not reason:
            raise self.error("a recommendation declared not_applicable needs its reason: reason: why it does not apply", keys + ("status",))
        if reason and status != "not_applicable":
            raise self.error(f"a reason is given only with status not_applicable (this one is {status}); write it in note instead", keys + ("reason",))
        lead = self.text(keys + ("lead",))
        if "\n" in lead:
            raise self.error("expected the lead institution on one line", keys + ("lead",))
        measures = given.get("measures") or []
        if not isinstance(measures, list):
            raise self.error("expected a list of measures, each a mapping with what, act, adopted, in_force and reference", keys + ("measures",))
        return Item(
            id=item_id,
            level=given["level"],
            block=given["block"],
            chapter=given["chapter"],
            text=self.text(keys + ("text",), required=True),
            citations=self.citations(keys + ("citations",), rulebook),
            status=status,
            reason=reason,
            lead=lead,
            deadline=self.date(keys + ("deadline",)),
            measures=tuple(self.measure(keys + ("measures", index)) for index in range(len(measures))),
            note=self.text(keys + ("note",)),
        )

    def citations(self, keys: tuple, rulebook: Rulebook) -> Citations:
        kinds = rulebook.vocabulary.kinds
        given = self.mapping(keys, kinds, (), "the Committee's citations")
        lists = {}
        for name in kinds:
            items = given.get(name) or []
            if not isinstance(items, list):
                raise self.error("expected a list", keys + (name,))
            if name == rulebook.vocabulary.paragraphs:
                for index, para in enumerate(items):
                    if not isinstance(para, (int, str)) or isinstance(para, bool):
                        raise self.error(f"expected a paragraph number or a text, got {para!r}", keys + (name, index))
                lists[name] = [para if isinstance(para, int) else self.text(keys + (name, index), required=True) for para in items]
            else:
                lists[name] = [self.text(keys + (name, index), required=True) for index in range(len(items))]
        return Citations(recommendation=keys[-2], **lists)

    def measure(self, keys: tuple) -> Measure:
        self.mapping(keys, MEASURE_FIELDS, ("what",), "a measure")
        dates = {key: self.date(keys + (key,)) for key in ("adopted", "in_force")}
        problem = check_dates(dates)
        if problem:
            raise self.error(problem[1], keys + (problem[0],))
        return Measure(what=self.text(keys + ("what",), required=True), act=self.text(keys + ("act",)), reference=self.text(keys + ("reference",)), **dates)

    def choice(self, keys: tuple, allowed: tuple[str, ...]) -> str:
        value = self.at(keys)
        if value not in allowed:
            raise self.error(f"expected one of {', '.join(allowed)}, got {value!r}", keys)
        return value

    def text(self, keys: tuple, required: bool = False) -> str:
        value = self.at(keys)
        if value is None or value == "":
            if required:
                raise self.error("expected a text", keys)
            return ""
        if not isinstance(value, str):
            raise self.error(f"expected a text, got {value!r}; put it in quotes", keys)
        control = CONTROL.search(value)
        if control:
            raise self.error(f"contains the control character U+{ord(control.group()):04X}; remove it", keys)
        if len(value) > MAX_TEXT:
            raise self.error(f"is {len(value):,} characters long; at most {MAX_TEXT:,} fit in the plan of action", keys)
        if not value.strip() and required:
            raise self.error("expected a text", keys)
        return value.strip()

    def date(self, keys: tuple) -> datetime.date | None:
        value = self.at(keys)
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                pass
        if value is not None and type(value) is not datetime.date:
            raise self.error(f"expected a date written YYYY-MM-DD (or null for none), got {value!r}", keys)
        return value
