"""Which questions the rules read: every question of the questionnaire is read by a rule, an
element or an observation, or declares why it is asked all the same (``informs: context`` with
``why``). ``selfcheck lint`` lists the questions that are neither, and the citations of the
convention under a question's ``serves`` that name no provision of it."""

from __future__ import annotations

from pathlib import Path

from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import read_document
from selfcheck.engine.rules.conditions import Condition, tests_in
from selfcheck.engine.rules.markup import PARTY, placeholders_in
from selfcheck.engine.rules.rulebook import Rulebook

SERVES_PREFIX = "Convention "  # a question's serves names the Convention's provisions with this prefix


def readers(rulebook: Rulebook) -> dict[str, list[str]]:
    """For each question, the rules (rule/element), observations and texts that read it."""
    read: dict[str, list[str]] = {question_id: [] for question_id in rulebook.questionnaire.questions}
    for rule in rulebook.rules:
        parts: list[tuple[str, Condition | None]] = [(f"{rule.id}/{element.id}", element.condition) for element in rule.elements]
        parts = parts or [(rule.id, rule.condition)]
        for name, condition in parts:
            for question in dict.fromkeys(test.question for test in tests_in(condition)):
                read[question].append(name)
    for observation in rulebook.observations:
        quoted = [name for name in placeholders_in(observation.text) if name != PARTY]
        for question in dict.fromkeys([test.question for test in tests_in(observation.condition)] + quoted):
            read[question].append(observation.id)
    return read


def question_problems(rulebook: Rulebook, questionnaire_file: Path) -> list[InputError]:
    """Questions read by nothing and not declared context, context declared where a rule reads it,
    and a ``serves`` citation of the convention that names no provision of it."""
    document = read_document(questionnaire_file)
    places = {
        question["id"]: ("sections", s, "questions", q)
        for s, section in enumerate(document.data.get("sections", []))
        for q, question in enumerate(section.get("questions", []))
    }
    read = readers(rulebook)
    problems = []
    for question in rulebook.questionnaire.questions.values():
        keys = places.get(question.id, ())
        if question.informs == "rules" and not read[question.id]:
            problems.append(
                document.error(
                    f"{question.number} {question.id} is read by no rule, element or observation; wire it into the rule whose text asks for it, "
                    "or say informs: context and why it is asked",
                    keys,
                )
            )
        elif question.informs == "context" and read[question.id]:
            problems.append(
                document.error(
                    f"{question.number} {question.id} says informs: context, yet {', '.join(read[question.id])} read it; remove informs and why", keys
                )
            )
        convention = rulebook.convention
        for index, served in enumerate(question.serves):
            if convention is not None and served.startswith(SERVES_PREFIX):
                found = convention.index.provisions_cited(served.removeprefix(SERVES_PREFIX))
                if isinstance(found, str):
                    problems.append(document.error(f"{question.id}: serves {served!r} {found}", keys + ("serves", index)))
    return problems
