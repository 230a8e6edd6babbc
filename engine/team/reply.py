"""The reply the Committee receives: every question of the questionnaire with the Party's answer,
its source and note, and the free texts, chapter by chapter, each marked with its approval state.

A neutral document (``build_reply``) rendered as Markdown (templates/reply.md.j2) or Word
(``engine.team.reply_formats``). Its words are in templates/reply.yaml. It opens with the notice that it is
a national self-assessment, never a document of the Committee.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Questionnaire, Section
from selfcheck.engine.common.data import TEMPLATES
from selfcheck.engine.common.safe_files import read_document
from selfcheck.engine.follow_up.follow_up_file import date_text, fill
from selfcheck.engine.team.history import DRAFT, Status

WORDS = TEMPLATES / "reply.yaml"


@dataclass
class ReplyAnswer:
    number: str
    prompt: str
    answer: str  # in words; for a free text, its paragraphs instead
    paragraphs: list[str] = field(default_factory=list)
    source: str = ""
    note: str = ""


@dataclass
class ReplySection:
    heading: str
    answers: list[ReplyAnswer]


@dataclass
class ReplyChapter:
    chapter: str
    heading: str
    status: str  # draft, returned, submitted or approved
    state: str  # the status in words, with who and when (and a return's comment)
    sections: list[ReplySection]


@dataclass
class Reply:
    party: str
    language: str
    title: str
    notice: str
    running_header: str
    questionnaire_title: str
    as_of: str
    state_line: str
    chapters: list[ReplyChapter]
    provenance: str
    labels: dict[str, str]


def words() -> dict:
    return read_document(WORDS).data


def build_reply(
    answers: Answers,
    questionnaire: Questionnaire,
    chapter_titles: dict[str, str],
    statuses: dict[str, Status],
    file_name: str,
    today: datetime.date | None = None,
) -> Reply:
    said = words()
    party = answers.party
    chapters: list[ReplyChapter] = []
    for chapter, chapter_title in chapter_titles.items():  # in the report's order; sections in the Committee's
        status = statuses.get(chapter, DRAFT)
        shown = "returned" if status.returned else status.status
        state = fill(said["states"][shown], who=status.who, date=_day(status.at), comment=status.comment)
        sections = [_section(section, answers, said) for section in questionnaire.sections if section.chapter == chapter]
        if sections:
            heading = fill(said["chapter_heading"], chapter=chapter, title=chapter_title)
            chapters.append(ReplyChapter(chapter, heading, shown, state, sections))
    approved = sum(chapter.status == "approved" for chapter in chapters)
    return Reply(
        party=party,
        language=said["language"],
        title=fill(said["title"], party=party),
        notice=fill(said["notice"], party=party),
        running_header=fill(said["running_header"], party=party),
        questionnaire_title=questionnaire.title,
        as_of=fill(said["answers_as_of"], date=date_text(answers.as_of)) if answers.as_of else said["undated"],
        state_line=fill(said["state_line"], approved=approved, chapters=len(chapters)),
        chapters=chapters,
        provenance=fill(said["provenance"], date=date_text(today or datetime.date.today()), file=file_name, questionnaire_version=questionnaire.version),
        labels=said["labels"],
    )


def _section(section: Section, answers: Answers, said: dict) -> ReplySection:
    replies = []
    for question in section.questions:
        value = answers.value(question.id)
        is_text = question.type == "text" and value != NOT_PROVIDED
        paragraphs = [line.strip() for line in str(value).split("\n") if line.strip()] if is_text else []
        shown = question.in_words(list(value) if isinstance(value, tuple) else value)
        answer = said["not_provided"] if value == NOT_PROVIDED else shown[:1].upper() + shown[1:]
        replies.append(
            ReplyAnswer(question.number, question.prompt, answer, paragraphs, answers.sources.get(question.id, ""), answers.notes.get(question.id, ""))
        )
    return ReplySection(fill(said["section_heading"], number=section.number, title=section.title), replies)


def _day(at: str) -> str:
    return date_text(datetime.date.fromisoformat(at[:10])) if at else ""
