"""Upgrading an answers file, or an amendment, written for an earlier edition of the questionnaire.

``questionnaires/<round>/migrations.yaml`` says, for each question whose meaning changed, where
its answer goes now: carried over to new questions (only the answers that say the same there), or
to be answered again. Nothing a person typed is lost: an answer that does not carry over is kept,
with its source and note, in a comment at the top of the upgraded file, and listed in the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import amendment_text, check_amendment_document, is_amendment
from selfcheck.engine.answers.answer_file import answers_text, check_answers_document
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Questionnaire, pydantic_input_error
from selfcheck.engine.common.models import Strict
from selfcheck.engine.common.safe_files import Document, leading_comments, read_bytes, read_document

MIGRATIONS = "migrations.yaml"


class Carry(Strict):
    to: str
    values: dict[str, str] | None = Field(None, description="Which old answers carry over, and as what; None: all, unchanged")


class QuestionChange(Strict):
    old: str
    why: str
    carry: list[Carry] = []
    answer_instead: list[str] = []


class EditionChange(Strict):
    from_: str = Field(alias="from")
    questions: list[QuestionChange]


class Migrations(Strict):
    edition: str
    changes: list[EditionChange]


@dataclass
class Upgrade:
    """What upgrading did: the file's new text, and what a person must look at."""

    text: str
    carried: list[tuple[str, str]] = field(default_factory=list)  # (old question, new question)
    to_answer: dict[str, str] = field(default_factory=dict)  # new question -> why it must be answered again
    kept_aside: list[str] = field(default_factory=list)  # old questions whose answers went into the comment
    kind: Literal["answers", "amendment"] = "answers"


def load_migrations(questionnaire: Questionnaire) -> dict[str, QuestionChange]:
    path = rounds.questionnaire_path(questionnaire.round).parent / MIGRATIONS
    if not path.is_file():
        return {}
    document = read_document(path)
    try:
        migrations = Migrations.model_validate(document.data)
    except ValidationError as error:
        raise pydantic_input_error(document, error) from None
    changes = {change.old: change for edition in migrations.changes for change in edition.questions}
    for change in changes.values():
        for target in [carry.to for carry in change.carry] + change.answer_instead:
            if questionnaire.question(target) is None:
                raise document.error(f"{change.old}: {target} is no question of this edition", ())
    return changes


def upgrade(path: Path, round_id: str) -> Upgrade:
    document = read_document(path)
    data = document.data
    amendment = is_amendment(data)
    section = "changes" if amendment else "answers"
    if not isinstance(data, dict) or not isinstance(data.get(section), dict):
        raise document.error(f"expected an answers file or an amendment, with a mapping under {section}")
    questionnaire = rounds.questionnaire(data.get("round", round_id) if not amendment else round_id)
    migrations = load_migrations(questionnaire)
    result = Upgrade(text="", kind="amendment" if amendment else "answers")
    upgraded: dict[str, Any] = {}
    aside: list[str] = []
    instead: dict[str, str] = {}
    given = data[section]
    for question_id, answer in given.items():
        if questionnaire.question(question_id) is not None:
            upgraded.setdefault(question_id, answer)
            continue
        change = migrations.get(question_id)
        if change is None:
            raise document.error(f"unknown question {question_id!r}, neither in this edition nor in migrations.yaml", (section, question_id))
        value = answer.get("value") if isinstance(answer, dict) else answer
        carried = False
        for carry in change.carry:
            new_value = value if carry.values is None else carry.values.get(value) if isinstance(value, str) else None
            if new_value is None or value == NOT_PROVIDED or carry.to in given or carry.to in upgraded:
                continue
            target = questionnaire.question(carry.to)
            if target is not None and target.type == "list":  # one answer of a single choice becomes a list of one
                new_value = [new_value]
            upgraded[carry.to] = {**answer, "value": new_value} if isinstance(answer, dict) else new_value
            result.carried.append((question_id, carry.to))
            carried = True
        for target in change.answer_instead:
            instead.setdefault(target, f"{question_id} changed: {change.why}")
        if not carried and value != NOT_PROVIDED:
            result.kept_aside.append(question_id)
            aside.append(f"{question_id} (earlier edition): {json.dumps(answer, ensure_ascii=False, default=str)}")
    result.to_answer = {target: why for target, why in instead.items() if target not in upgraded}
    comments = leading_comments(read_bytes(path)) + (
        ["Answers of an earlier edition that did not carry over (answer the new questions instead):"] + aside if aside else []
    )
    new_document = Document(document.file, {**data, section: upgraded}, {})
    result.text = _render(new_document, questionnaire, comments, amendment, path)
    return result


def _render(document: Document, questionnaire: Questionnaire, comments: list[str], amendment: bool, path: Path) -> str:
    """The upgraded file in the writers' own form, checked as any answers file or amendment is."""
    if amendment:
        amended, problems = check_amendment_document(document, questionnaire)
        if amended is None:  # it comes with its problems
            raise problems[0]
        return amendment_text(amended, questionnaire, comments, path)
    checked, problems = check_answers_document(document, questionnaire)
    if checked is None:  # it comes with its problems
        raise problems[0]
    return answers_text(checked, questionnaire, comments, path)


def report(result: Upgrade, path: Path) -> str:
    lines = [f"selfcheck upgrade: {path}: {len(result.carried)} answers carried over to the questions of this edition"]
    lines += [f"  {old} -> {new}" for old, new in result.carried]
    if result.to_answer:
        lines.append(f"{len(result.to_answer)} questions to answer again:")
        lines += [f"  {question}: {why}" for question, why in result.to_answer.items()]
    if result.kept_aside:
        lines.append(f"kept in a comment at the top of the file, as typed: {', '.join(result.kept_aside)}")
    return "\n".join(lines)
