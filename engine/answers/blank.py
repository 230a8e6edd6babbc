"""A blank answers file for a Party: every question of the round, commented, answered not_provided.

What ``selfcheck init`` writes for a ministry to fill in an editor: above each answer, the
question's number and prompt, its help, the provisions it serves and the answers it accepts. Every
answer starts as not_provided, so the file is valid from the first save and an assessment of it
shows what no information draws. The JSON Schema written beside it lets an editor complete and
check the answers as they are typed (the modeline on the first line names it).
"""

from __future__ import annotations

from pathlib import Path

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Question, Questionnaire
from selfcheck.engine.common.characters import name_problem
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import document_from_text, read_bytes, yaml_scalar
from selfcheck.engine.common.text import wrap

WIDTH = 98  # the comment lines, with their "# ", stay within 100 characters


def blank_files(party: str, questionnaire: Questionnaire, output: Path) -> list[tuple[Path, str]]:
    """The files `selfcheck init` creates, in order: the schema (unless the very same is there
    already) and the blank answers; InputError, before anything is written, for a file in the way."""
    from selfcheck.engine.answers.schema import schema_text

    schema_path = output.parent / f"{questionnaire.round}.schema.json"
    answers = blank_answers(party, questionnaire, schema_path.name, output)
    if output.exists() or output.is_symlink():
        raise InputError(output, "already exists; selfcheck never writes over another file: give a new name with -o")
    schema = schema_text(questionnaire)
    if not (schema_path.exists() or schema_path.is_symlink()):
        return [(schema_path, schema), (output, answers)]
    try:
        same = read_bytes(schema_path, len(schema.encode("utf-8"))) == schema.encode("utf-8")
    except InputError:  # not a regular file, or larger than the schema
        same = False
    if not same:
        raise InputError(schema_path, f"already exists and is not the schema of round {questionnaire.round}; move it, or write the answers elsewhere with -o")
    return [(output, answers)]


def blank_answers(party: str, questionnaire: Questionnaire, schema_name: str, path: Path) -> str:
    """The text of the blank answers file; InputError if ``party`` cannot be a Party's name."""
    if not party.strip():
        raise InputError("the PARTY argument", "is empty; give the Party's name, as its answers will print it")
    if name_problem(party):
        raise InputError("the PARTY argument", f"{party!r} cannot be a Party's name: it {name_problem(party)}")
    lines = [
        f"# yaml-language-server: $schema={schema_name}",
        f"# The answers of {party} to the questionnaire of round {questionnaire.round}, version {questionnaire.version}:",
        *_comment(questionnaire.title, "#   "),
        *_comment(
            "Replace not_provided by the answer under each question; leave not_provided where there is no "
            "information. Give the date the answers describe the law on as as_of. To record where an answer "
            "comes from, write it long: value, then source, note or quote. Where a yes/no answer differs "
            "between the regions or entities of a federal Party, answer varies and say where in the note. Check with: selfcheck validate FILE",
            "# ",
        ),
        f"party: {yaml_scalar(party)}",
        f"round: {yaml_scalar(questionnaire.round)}",
        "# as_of: YYYY-MM-DD",
        "answers:",
    ]
    for section in questionnaire.sections:
        lines += ["", f"  # {section.number}. {section.title} (chapter {section.chapter})"]
        for question in section.questions:
            lines += _question_comments(question)
            lines.append(f"  {question.id}: {NOT_PROVIDED}")
    text = "\n".join(lines) + "\n"
    _check(text, questionnaire, path)
    return text


def _question_comments(question: Question) -> list[str]:
    lines = [*_comment(f"{question.number} {question.prompt}", "  # ")]
    lines += _comment(question.help, "  #   ")
    lines += _comment("Serves: " + "; ".join(question.serves), "  #   ")
    lines += _comment(f"Answer: {question.expected()}" + _silence(question), "  #   ")
    if question.options:
        lines += _comment("Options: " + "; ".join(f"{option.value} ({option.label})" for option in question.options), "  #   ")
    return lines


def _silence(question: Question) -> str:
    if question.type == "list" and question.silence_means == "none":
        return "; not_provided here counts as none ([])"
    return ""


def _comment(text: str, prefix: str) -> list[str]:
    return wrap(" ".join(text.split()), prefix, prefix, width=WIDTH).split("\n")


def _check(text: str, questionnaire: Questionnaire, path: Path) -> None:
    """The file must read back as the blank answers it is: a bad party name is the caller's to fix."""
    from selfcheck.engine.answers.answer_file import check_answers_document

    _, problems = check_answers_document(document_from_text(path, text), questionnaire)
    if problems:
        raise InputError(path, f"cannot be written: {problems[0].problem}")
