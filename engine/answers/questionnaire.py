"""The questionnaire as data: questions with stable ids, types, prompts and legal bases.

Each question knows its own type: which answers it accepts (``check``), how they read in the
JSON Schema of an answers file (``json_schema``), and which values a rule may compare it with.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from selfcheck.engine.common.characters import TEXT_PATTERN
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.models import Strict
from selfcheck.engine.common.safe_files import Document, read_document

NOT_PROVIDED = "not_provided"
TRI_STATE = ("yes", "no", NOT_PROVIDED)
# A yes/no question may also be answered "varies by region or entity" (a federal Party, a devolved
# matter), with a note saying where: rules read it as not in place everywhere (conditions.Test).
VARIES = "varies"
QUESTION_ID = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
OPTION_VALUE = r"^[a-z][a-z0-9_]*$"
# The Committee's own numbers ("6.1") and selfcheck's sub-questions ("S6.3"), which can never be taken for them.
COMMITTEE_NUMBER = r"^\d+(\.\d+)*$"
SELFCHECK_NUMBER = r"^S\d+\.\d+$"
# A question asks for a fact; these words in its help would tell which answer counts as compliant.
STEERING = re.compile(r"\bcounts? as\b|\banswer (yes|no)\b|\bwrite not_provided\b", re.IGNORECASE)
NEGATION = re.compile(r"\b(not|no|never)\b|n't\b", re.IGNORECASE)

QuestionType = Literal["tri_state", "integer", "one_of", "list", "text"]


class Option(Strict):
    value: str = Field(pattern=OPTION_VALUE)
    label: str
    provision: str | None = Field(
        None, description="For an option that records a reservation: the provision of the Convention permitting it (Art. 25(3)); rules name it in reserved_by"
    )


class Question(Strict):
    id: str = Field(pattern=QUESTION_ID)
    number: str = Field(pattern=f"{COMMITTEE_NUMBER}|{SELFCHECK_NUMBER}")
    origin: Literal["committee", "selfcheck"] = Field(
        "selfcheck", description="Whose question it is: the Committee's (paraphrased) or selfcheck's sub-question"
    )
    type: QuestionType
    prompt: str
    help: str
    serves: list[str] = Field(min_length=1, description="Convention articles and Opinion paragraphs the question serves")
    options: list[Option] = []
    minimum: int | None = None
    maximum: int | None = None
    silence_means: Literal["no_information", "none"] = Field(
        "no_information", description="What leaving the question unanswered says: nothing, or (for a list of formal acts) that there is none"
    )
    informs: Literal["rules", "context"] = Field(
        "rules", description="rules: a rule or an observation reads it (lint proves it); context: asked though none does, for the reason under why"
    )
    why: str | None = Field(None, min_length=1, description="For informs: context, why it is asked (what prints or uses the answer)")
    chapter: str = ""  # the report chapter of its section, filled in on loading
    section: str = ""  # the number of the Committee's question it belongs to, filled in on loading

    @model_validator(mode="after")
    def _shape_fits_type(self) -> Question:
        if (self.origin == "committee") != bool(re.fullmatch(COMMITTEE_NUMBER, self.number)):
            raise ValueError("the Committee's questions are numbered like 6.1, selfcheck's own like S6.3")
        if self.type in ("one_of", "list"):
            if len(self.options) < 2:
                raise ValueError(f"a {self.type} question needs at least two options")
            values = [option.value for option in self.options]
            if len(set(values)) != len(values) or NOT_PROVIDED in values or VARIES in values:
                raise ValueError("options must be distinct and must not be 'not_provided' or 'varies'")
        elif self.options:
            raise ValueError(f"a {self.type} question takes no options")
        if self.type == "integer":
            if self.minimum is None or self.maximum is None or self.minimum > self.maximum:
                raise ValueError("an integer question needs minimum <= maximum")
        elif self.minimum is not None or self.maximum is not None:
            raise ValueError(f"a {self.type} question takes no minimum or maximum")
        if self.silence_means == "none" and self.type != "list":
            raise ValueError("only a list question can say that no answer means none")
        if (self.informs == "context") != (self.why is not None):
            raise ValueError("a question that informs: context says why it is asked (why), and only such a question does")
        return self

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    @property
    def choices(self) -> tuple[str, ...]:
        """The answers a rule may name for a tri-state or one-of question, not_provided included."""
        if self.type == "tri_state":
            return TRI_STATE
        if self.type == "one_of":
            return self.option_values + (NOT_PROVIDED,)
        raise TypeError(f"{self.id} is a {self.type} question and has no finite set of answers")

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every answer a Party may give to a tri-state or one-of question: a yes/no question may
        also vary by region or entity, which no rule names (the conditions read it)."""
        return self.choices[:2] + (VARIES,) + self.choices[2:] if self.type == "tri_state" else self.choices

    @property
    def bounds(self) -> tuple[int, int]:
        """The smallest and largest answer to an integer question (its validator requires both)."""
        if self.minimum is None or self.maximum is None:
            raise TypeError(f"{self.id} is a {self.type} question and has no bounds")
        return self.minimum, self.maximum

    def expected(self) -> str:
        """What an answer to this question must look like, in words."""
        if self.type == "tri_state":
            return "one of yes, no, varies, not_provided"
        if self.type == "integer":
            return f"a whole number from {self.minimum} to {self.maximum}, or not_provided"
        if self.type == "one_of":
            return f"one of {', '.join(self.choices)}"
        if self.type == "list":
            return f"a list drawn from {', '.join(self.option_values)}, or not_provided"
        return "a text, or not_provided"

    def check(self, value: Any) -> Any:
        """The answer as stored, or ValueError saying what was expected instead."""
        if value == NOT_PROVIDED:
            return NOT_PROVIDED
        problem = f"expected {self.expected()}, got {_describe(value)}"
        if self.type in ("tri_state", "one_of"):
            if isinstance(value, str) and value in self.accepted:
                return value
        elif self.type == "integer":
            if isinstance(value, float) and value.is_integer():  # JSON Schema counts 14.0 as an integer too
                value = int(value)
            minimum, maximum = self.bounds
            if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum:
                return value
        elif self.type == "list":
            if isinstance(value, list) and all(isinstance(item, str) and item in self.option_values for item in value):
                if len(set(value)) != len(value):
                    raise ValueError(f"expected each option at most once, got {_describe(value)}")
                return tuple(sorted(value, key=self.option_values.index))
        elif isinstance(value, str) and value.strip():
            return value.strip()
        raise ValueError(problem)

    def in_words(self, value: Any) -> str:
        """An answer as a person reads it: option labels, "not provided", "none of them"."""
        if value == NOT_PROVIDED or value is None or value == "":
            return "not provided"
        if value == VARIES and self.type == "tri_state":
            return "varies by region or entity"
        if self.type in ("one_of", "list"):
            labels = {option.value: option.label for option in self.options}
            if self.type == "one_of":
                return labels.get(value, str(value))
            items = list(value) if isinstance(value, (list, tuple)) else [value]
            return "; ".join(labels.get(item, str(item)) for item in items) if items else "none of them"
        return str(value)

    def json_schema(self) -> dict:
        not_provided = {"const": NOT_PROVIDED}
        if self.type in ("tri_state", "one_of"):
            return {"enum": list(self.accepted)}
        if self.type == "integer":
            number = {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
            return {"oneOf": [number, not_provided]}
        if self.type == "list":
            items = {"enum": list(self.option_values)}
            return {"oneOf": [{"type": "array", "items": items, "uniqueItems": True}, not_provided]}
        return {"type": "string", "pattern": TEXT_PATTERN}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (write yes or no, not true or false)"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'} {_short(value)}"
    if isinstance(value, (str, int, float)):
        return _short(value)
    return f"{type(value).__name__} {_short(value)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Section(Strict):
    """One question of the Committee's questionnaire, with the sub-questions that answer it."""

    number: str = Field(pattern=r"^\d+$")
    title: str
    title_inferred: bool = Field(False, description="The Committee's title is not known and is inferred from the report")
    chapter: str = Field(pattern=r"^[A-Za-z0-9]+$", description="The chapter of the report it feeds, as the rulebook names it")
    questions: list[Question] = Field(min_length=1)


class Questionnaire(Strict):
    round: str
    title: str
    version: str
    adopted: str
    conventions: str = Field(description="How the questions are numbered and how a yes/no question reads")
    sections: list[Section]

    @cached_property
    def questions(self) -> dict[str, Question]:
        return {q.id: q.model_copy(update={"chapter": s.chapter, "section": s.number}) for s in self.sections for q in s.questions}

    def in_chapter(self, chapter: str) -> list[Question]:
        return [question for question in self.questions.values() if question.chapter == chapter]

    def question(self, question_id: str) -> Question | None:
        return self.questions.get(question_id)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {question_id: index for index, question_id in enumerate(self.questions)}

    def index(self, question_id: str) -> int:
        """The question's position in the questionnaire (stable within one version)."""
        return self._positions[question_id]


def load_questionnaire(path: Path) -> Questionnaire:
    document = read_document(path)
    try:
        questionnaire = Questionnaire.model_validate(document.data)
    except ValidationError as error:
        raise pydantic_input_error(document, error) from None
    seen: dict[str, str] = {}
    for section_index, section in enumerate(questionnaire.sections):
        for index, question in enumerate(section.questions):
            keys = ("sections", section_index, "questions", index)
            for taken in (question.id, question.number):
                if taken in seen:
                    raise document.error(f'"{taken}" is used twice; question ids and numbers must be unique', keys + ("id",))
                seen[taken] = question.id
            problem = _wording_problem(question, section)
            if problem:
                raise document.error(f"{question.id}: {problem}", keys)
    return questionnaire


def _wording_problem(question: Question, section: Section) -> str | None:
    """A question asks for one fact, neutrally, under the Committee question it refines."""
    if not question.number.lstrip("S").startswith(f"{section.number}."):
        return f"its number {question.number} does not fall under the Committee's question {section.number}"
    if STEERING.search(question.help):
        return "its help tells which answer to give; say what the question means, not which answer counts"
    if question.type == "tri_state":
        if not question.prompt.rstrip().endswith("?"):
            return "a yes/no question is asked as a question, ending with '?'"
        if NEGATION.search(question.prompt):
            return "a yes/no question is asked in the positive, so that yes always means 'this is the case'"
    return None


def pydantic_input_error(document: Document, error: ValidationError) -> InputError:
    """The first problem pydantic found, as an InputError at the line it concerns."""
    first = error.errors(include_url=False)[0]
    keys = tuple(first["loc"])
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = f"unknown field {keys[-1]!r}; remove it or check its spelling"
    elif first["type"] == "missing":
        message = f"the field {keys[-1]!r} is required"
    elif "input" in first and first["type"] not in ("value_error",):
        message += f", got {_short(first['input'])}"
    return document.error(re.sub(r"^Value error, ", "", message), keys)
