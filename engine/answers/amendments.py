"""Amendments: what-if overlays on a Party's answers, named after the bill that would make them true.

An amendment file names the bill, the answers file it applies to (relative to the amendment file;
it may itself be an amendment, so bills can build on each other) and only the answers the bill
changes, each with a note on the provision that changes it:

    title: Jurisdiction over habitual residents abroad
    reference: Draft law amending Article 6 of the Criminal Code
    date: 2024-05-01
    adopted: 2024-07-18          # optional: when the bill was adopted,
    in_force: 2025-01-01         # when it enters into force,
    in_force_until: 2030-12-31   # and, optionally, until when
    applies_to: ../parties/albania.yaml
    changes:
      jurisdiction.habitual_residents_abroad:
        value: yes
        note: new paragraph of Article 6 - the criminal law applies to habitual residents abroad

Every file, answers or amendment, stands for one set of answers: ``resolve`` reads either. Given
a date (``--as-of``), only the amendments in force on it apply; the others are recorded in the
answers as not in force, with why.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.answer_file import Answers, NotInForce, read_answer, read_date
from selfcheck.engine.answers.in_force import IN_FORCE, check_dates, state_on
from selfcheck.engine.answers.questionnaire import Questionnaire
from selfcheck.engine.answers.rounds import answers_of
from selfcheck.engine.common.characters import name_problem
from selfcheck.engine.common.errors import EngineError, InputError
from selfcheck.engine.common.safe_files import Document, document_from_text, read_document, yaml_scalar

TOP_LEVEL = {
    "title": "the bill's title",
    "reference": "the bill's reference",
    "date": "the bill's date",
    "adopted": "the date the bill was adopted",
    "in_force": "the date it enters into force",
    "in_force_until": "the date it ceases to be in force",
    "applies_to": "the answers file it applies to, relative to this file",
    "changes": "the answers it changes",
}
MAX_CHAIN = 20


class Amendment(BaseModel):
    """A bill's changes to answers: question -> new value, each with a note on the provision."""

    model_config = ConfigDict(frozen=True)

    title: str
    reference: str
    date: datetime.date
    adopted: datetime.date | None = None
    in_force: datetime.date | None = None
    in_force_until: datetime.date | None = None
    applies_to: Path
    changes: dict[str, Any]
    notes: dict[str, str]
    file: Path | None = None

    @property
    def label(self) -> str:
        return f"{self.title} ({self.reference}, {self.date})"

    def state_on(self, day: datetime.date) -> str:
        return state_on(self.adopted, self.in_force, self.in_force_until, day)


@dataclass(frozen=True)
class Resolved:
    """What a file stands for: answers, the answers file they rest on, the amendments overlaid."""

    answers: Answers
    answers_file: Path
    amendments: tuple[Amendment, ...] = ()

    def label(self, path: Path) -> str:
        """The Party, the file and the bills applied (and those not in force on the date), for the head of a diff."""
        from selfcheck.engine.answers.in_force import describe

        return (
            f"{self.answers.party} ({path})"
            + "".join(f"; amended by {label}" for label in self.answers.amendments)
            + "".join(f"; not amended by {item.amendment}: {describe(item, self.answers.law_as_of)}" for item in self.answers.not_in_force)
        )


def is_amendment(data: Any) -> bool:
    return isinstance(data, dict) and "answers" not in data and ("changes" in data or "applies_to" in data)


def resolve(path: str | Path, as_of: datetime.date | None = None, within: Path | None = None) -> Resolved:
    """The answers a file stands for: an answers file's own, or an amendment's applied to what it applies to.

    With ``as_of``, the law is taken as in force on that date: an amendment of the chain applies
    only if it is in force then. With ``within``, an amendment whose applies_to leads outside that
    folder is refused before the file it names is read.
    """
    resolved = _resolve(Path(path), (), as_of, within)
    if as_of is None:
        return resolved
    return Resolved(resolved.answers.model_copy(update={"law_as_of": as_of}), resolved.answers_file, resolved.amendments)


def answers_for(path: str | Path, amend: Sequence[Path] = (), as_of: datetime.date | None = None) -> Answers:
    """What ``assess PATH --amend A --amend B --as-of DATE`` assesses: the --amend bills overlaid
    on PATH in order, whatever their applies_to says, so that separate bills combine."""
    answers = resolve(path, as_of).answers
    for amendment_path in amend:
        answers = overlay(answers, load_amendment(amendment_path, rounds.questionnaire(answers.round)), as_of)
    return answers


def _resolve(path: Path, seen: tuple[Path, ...], as_of: datetime.date | None, within: Path | None) -> Resolved:
    document = read_document(path)
    if not is_amendment(document.data):
        return Resolved(answers_of(document), path)
    target, problems = _check_head(document)
    if problems or target is None:  # _check_head finds no target only with a problem
        raise problems[0]
    if target.resolve() in seen + (path.resolve(),) or len(seen) >= MAX_CHAIN:
        raise document.error(f"applies_to leads back to {target}; amendments must rest on an answers file", ("applies_to",))
    if within is not None and not target.resolve().is_relative_to(within.resolve()):
        # Named as written: where it leads outside is no business of a page's reader.
        raise document.error(f"applies_to {document.data['applies_to']} leads outside the folder {within}; give a file of that folder", ("applies_to",))
    base = _resolve(target, seen + (path.resolve(),), as_of, within)
    amendment = amendment_from_document(document, rounds.questionnaire(base.answers.round))
    return Resolved(overlay(base.answers, amendment, as_of), base.answers_file, base.amendments + (amendment,))


def overlay(answers: Answers, amendment: Amendment, as_of: datetime.date | None) -> Answers:
    """The bill applied if it is in force on ``as_of`` (any bill, without a date); otherwise recorded as not in force."""
    state = IN_FORCE if as_of is None else amendment.state_on(as_of)
    if state == IN_FORCE:
        return apply(answers, amendment)
    left = NotInForce(amendment=amendment.label, state=state, adopted=amendment.adopted, in_force=amendment.in_force, in_force_until=amendment.in_force_until)
    return answers.model_copy(update={"not_in_force": answers.not_in_force + (left,)})


def load_amendment(path: str | Path, questionnaire: Questionnaire) -> Amendment:
    """An amendment checked against a round's questionnaire, without reading what it applies to."""
    document = read_document(path)
    if not is_amendment(document.data):
        raise document.error(f"expected an amendment with {', '.join(TOP_LEVEL)}; this looks like an answers file")
    return amendment_from_document(document, questionnaire)


def amendment_from_document(document: Document, questionnaire: Questionnaire) -> Amendment:
    amendment, problems = check_amendment_document(document, questionnaire)
    if amendment is None:  # it comes with its problems
        raise problems[0]
    return amendment


def check_amendment_document(document: Document, questionnaire: Questionnaire) -> tuple[Amendment | None, list[InputError]]:
    """The amendment, or every problem found in document order (the first is what the CLI reports)."""
    applies_to, problems = _check_head(document)
    data = document.data
    changes, notes = {}, {}
    given_changes = data["changes"] if isinstance(data.get("changes"), dict) else {}
    for question_id, given in given_changes.items():
        try:
            changes[question_id], texts = read_answer(document, questionnaire, ("changes", question_id), given, texts=("note",), required=("note",))
        except InputError as problem:
            problems.append(problem)
            continue
        notes[question_id] = texts["note"]
    if problems:
        return None, problems
    amendment = Amendment(
        title=data["title"].strip(),
        reference=data["reference"].strip(),
        date=read_date(document, ("date",)),
        **_dates(document),
        applies_to=applies_to,
        changes=changes,
        notes=notes,
        file=document.file,
    )
    return amendment, []


def _check_head(document: Document) -> tuple[Path | None, list[InputError]]:
    """Check the fields around the changes: the path of the file the amendment applies to, and the problems found."""
    data = document.data
    problems = [document.error(f"unknown field {key!r}; an amendment has only {', '.join(TOP_LEVEL)}", (key,)) for key in data if key not in TOP_LEVEL]
    for key in ("title", "reference", "applies_to"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(document.error(f"expected {TOP_LEVEL[key]} as a text", (key,)))
        elif name_problem(data[key]):
            problems.append(document.error(f"{TOP_LEVEL[key]} {name_problem(data[key])}", (key,)))
    try:
        read_date(document, ("date",))
    except InputError as problem:
        problems.append(problem)
    try:
        _dates(document)
    except InputError as problem:
        problems.append(problem)
    if not isinstance(data.get("changes"), dict) or not data["changes"]:
        problems.append(document.error("expected changes: a mapping of question ids to {value, note}, at least one", ("changes",)))
    if not isinstance(data.get("applies_to"), str) or not data["applies_to"].strip() or name_problem(data["applies_to"]):
        return None, problems
    target = Path(os.path.normpath(document.file.parent / data["applies_to"].strip()))
    if not target.is_file():
        problems.append(document.error(f"applies_to names {target}, which is not a file; give the answers file's path relative to this file", ("applies_to",)))
    return target, problems


def _dates(document: Document) -> dict[str, datetime.date | None]:
    """adopted, in_force and in_force_until, each optional, in their order (check_dates says what is wrong)."""
    dates = {key: read_date(document, (key,)) if document.data.get(key) is not None else None for key in ("adopted", "in_force", "in_force_until")}
    problem = check_dates(dates)
    if problem:
        raise document.error(problem[1], (problem[0],))
    return dates


def apply(answers: Answers, amendment: Amendment) -> Answers:
    """The answers as they would be if the bill passed."""
    return answers.model_copy(
        update={
            "values": {**answers.values, **amendment.changes},
            "sources": {**answers.sources, **{q: f"{amendment.title} ({amendment.reference})" for q in amendment.changes}},
            "notes": {**answers.notes, **amendment.notes},
            "amendments": answers.amendments + (amendment.label,),
        }
    )


def invert(amendment: Amendment, before: Answers) -> Amendment:
    """The amendment that undoes ``amendment`` applied to ``before``: it applies to the amendment itself."""
    return Amendment(
        title=f"Reversal of: {amendment.title}",
        reference=f"reverses {amendment.reference}",
        date=amendment.date,
        applies_to=amendment.file or amendment.applies_to,
        changes={q: before.value(q) for q in amendment.changes},
        notes={q: "restores the answer given before the bill" + (f" ({before.sources[q]})" if q in before.sources else "") for q in amendment.changes},
    )


def render_amendment(amendment: Amendment, directory: Path, comments: Sequence[str] = ()) -> str:
    """The amendment as a YAML file to be saved in ``directory`` (applies_to is written relative to it)."""
    applies_to = os.path.relpath(amendment.applies_to.resolve(), directory.resolve()).replace(os.sep, "/")
    lines = [f"# {line}".rstrip() for line in comments]
    lines += [
        f"title: {yaml_scalar(amendment.title)}",
        f"reference: {yaml_scalar(amendment.reference)}",
        f"date: {amendment.date.isoformat()}",
        *(f"{key}: {day.isoformat()}" for key in ("adopted", "in_force", "in_force_until") if (day := getattr(amendment, key))),
        f"applies_to: {yaml_scalar(applies_to)}",
        "changes:",
    ]
    for question_id, value in amendment.changes.items():
        lines += [f"  {question_id}:", f"    value: {yaml_scalar(value)}", f"    note: {yaml_scalar(amendment.notes[question_id])}"]
    return "\n".join(lines) + "\n"


def changes_between(saved: Answers, changed: Answers, questionnaire: Questionnaire) -> dict[str, dict[str, Any]]:
    """The changes of an amendment turning ``saved`` into ``changed``: each answer that differs, with its note."""
    changes: dict[str, dict[str, Any]] = {}
    for question_id in questionnaire.questions:
        if changed.value(question_id) != saved.value(question_id):
            value = changed.value(question_id)
            changes[question_id] = {"value": list(value) if isinstance(value, tuple) else value}
            if question_id in changed.notes:
                changes[question_id]["note"] = changed.notes[question_id]
    return changes


def draft_amendment(
    head: dict[str, Any], changes: dict[str, dict[str, Any]], path: Path, questionnaire: Questionnaire, comments: list[str]
) -> tuple[str | None, list[InputError]]:
    """The amendment file to write at ``path`` (head: title, reference, date, applies_to relative to
    its folder), or every problem of it; read back first, it must give exactly these changes."""
    amendment, problems = check_amendment_document(Document(path, {**head, "changes": changes}), questionnaire)
    if amendment is None or problems:
        return None, problems
    return amendment_text(amendment, questionnaire, comments, path), []


def amendment_text(amendment: Amendment, questionnaire: Questionnaire, comments: Sequence[str], path: Path) -> str:
    """The amendment file to write at ``path``, read back first: it must give exactly ``amendment``,
    or nothing is written (EngineError). For every writer: the web, plan, invert and upgrade."""
    text = render_amendment(amendment, path.parent, comments)
    written, problems = check_amendment_document(document_from_text(path, text), questionnaire)
    if written is None or problems or _comparable(written) != _comparable(amendment):
        raise EngineError(f"{path}: the amendment would not read back as given; nothing was written")
    return text


def _comparable(amendment: Amendment) -> Amendment:
    return amendment.model_copy(update={"applies_to": amendment.applies_to.resolve(), "file": None})  # where it is read from is not what it says


def file_name_for(title: str) -> str:
    """A file name made from a bill's title: lower-case words joined by hyphens, at most 61 characters."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:61].rstrip("-")


def ensure_comparable(base: Resolved, base_file: Path, other: Resolved, other_file: Path) -> None:
    """Refuse to compare an amendment with answers it does not rest on, or answers of two rounds."""
    if base.answers.round != other.answers.round:
        raise InputError(other_file, f"answers round {other.answers.round}, but {base_file} answers round {base.answers.round}")
    if (base.amendments or other.amendments) and base.answers_file.resolve() != other.answers_file.resolve():
        file, resolved, root = (other_file, other, base.answers_file) if other.amendments else (base_file, base, other.answers_file)
        raise InputError(
            file,
            f"applies to {resolved.answers_file}, not to {root}; compare an amendment with the answers it applies to, or change its applies_to",
        )
