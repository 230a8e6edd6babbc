"""Assessing a Party's answers: start a file, check it, assess it, explain a result, write the
factsheet, assess many at once; the rounds installed and their answers' schema."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer

from selfcheck.commands.common import (
    ANSWERS_ARGUMENT,
    AS_OF_OPTION,
    EXIT_BAD_INPUT,
    FORMAT_OPTION,
    INCLUDE_DRAFT_OPTION,
    ROUND_OPTION,
    Format,
    chosen_round,
    create,
    day_of,
    refuse_binary_to_stdout,
    with_progress,
    write,
    write_document,
)


class ReportFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    docx = "docx"


class BatchFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def validate(answers: Path = typer.Argument(..., help="Answers or amendment file (YAML or JSON).")):
    """Check an answers file, or an amendment, against its round's questionnaire."""
    from selfcheck.engine.answers.amendments import resolve
    from selfcheck.engine.answers.questionnaire import NOT_PROVIDED
    from selfcheck.engine.answers.rounds import questionnaire

    resolved = resolve(answers)
    loaded = resolved.answers
    if resolved.amendments:
        amendment = resolved.amendments[-1]
        typer.echo(
            f"{answers}: valid amendment {amendment.label} changing {len(amendment.changes)} answer{'s' if len(amendment.changes) != 1 else ''} of {loaded.party} ({amendment.applies_to})"
        )
        return
    total = len(questionnaire(loaded.round).questions)
    answered = sum(value != NOT_PROVIDED for value in loaded.values.values())
    typer.echo(f"{answers}: valid answers of {loaded.party} to {loaded.round}; {answered} of {total} questions answered, the rest count as not_provided")


def assess(
    answers: Path = ANSWERS_ARGUMENT,
    format: Format = FORMAT_OPTION,
    include_draft: bool = INCLUDE_DRAFT_OPTION,
    amend: list[Path] = typer.Option([], "--amend", help="An amendment whose changes to apply to the answers; repeat to apply several in order."),
    as_of: datetime = AS_OF_OPTION,
):
    """Assess an answers file: the recommendations it draws, with levels, citations and reasons."""
    from selfcheck.engine.answers.amendments import answers_for
    from selfcheck.engine.assessment.assess import assess as run_assessment
    from selfcheck.engine.rules import rulebooks

    loaded = answers_for(answers, amend, day_of(as_of))
    rulebook = rulebooks.rulebook(loaded.round)
    assessment = run_assessment(loaded, rulebook, include_draft=include_draft)
    if format is Format.json:
        typer.echo(assessment.model_dump_json(indent=2))
    else:
        from selfcheck.engine.assessment.summary import render_summary

        sys.stdout.write(render_summary(assessment, rulebook))


def report(
    answers: Path = ANSWERS_ARGUMENT,
    format: ReportFormat = typer.Option(ReportFormat.markdown, "--format", help="markdown, html (one print-ready page) or docx (Word)."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write, whole or not at all; without it, the text goes to stdout."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also print draft rules (inferred recommendations), marked."),
    as_of: datetime = AS_OF_OPTION,
):
    """Write the self-assessment for these answers, laid out like the round's published factsheet (or as a plain report)."""
    from selfcheck.engine.documents.rendering import render
    from selfcheck.engine.documents.report import factsheet_for

    if format is ReportFormat.docx and output is None:
        refuse_binary_to_stdout("a Word factsheet", "docx")
    write_document(render(factsheet_for(answers, include_draft=include_draft, as_of=day_of(as_of)), format.value), output)


def explain(
    answers: Path = ANSWERS_ARGUMENT,
    id: str = typer.Argument(..., help="A recommendation id (IV-6) or an observation id (IV.dual-criminality)."),
    format: Format = FORMAT_OPTION,
    include_draft: bool = INCLUDE_DRAFT_OPTION,
    as_of: datetime = AS_OF_OPTION,
):
    """Why a recommendation fires or not: its condition against the answers, its citations, and the smallest answer changes that would turn it around."""
    from selfcheck.engine.answers.amendments import resolve
    from selfcheck.engine.assessment.explain import explain_for
    from selfcheck.engine.assessment.explain_text import render_explanation

    explanation, rulebook = explain_for(resolve(answers, day_of(as_of)).answers, id, include_draft=include_draft)
    if format is Format.json:
        typer.echo(explanation.model_dump_json(indent=2, by_alias=True))
    else:
        sys.stdout.write(render_explanation(explanation, rulebook))


def list_rounds(format: Format = FORMAT_OPTION):
    """List the monitoring rounds installed (and those under SELFCHECK_PATH): their rulebook, report and Parties."""
    from selfcheck.engine.rules import rulebooks

    found = rulebooks.installed()
    if format is Format.json:
        typer.echo(json.dumps([entry.__dict__ | {"root": str(entry.root)} for entry in found], indent=2, ensure_ascii=False))
        return
    for entry in found:
        mark = " (default)" if entry.default else ""
        typer.echo(f"{entry.round}{mark}: {entry.title}")
        typer.echo(f"    report {entry.report}; {entry.rules} rules; Parties with answers: {', '.join(entry.parties) or 'none'}; from {entry.root}")


def init(
    party: str = typer.Argument(..., help="The Party's name, as its answers will print it."),
    round: str | None = ROUND_OPTION,
    output: Path = typer.Option(None, "-o", "--output", help="The answers file to create (default: the Party's name, in lower case, .yaml)."),
):
    """Write a blank answers file: every question, commented with its prompt, help and legal basis, answered not_provided."""
    round = chosen_round(round)
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.answers.blank import blank_files

    output = output or Path(re.sub(r"[^a-z0-9]+", "-", party.lower()).strip("-") + ".yaml")
    for path, text in blank_files(party, rounds.questionnaire(round), output):
        create(text, path)
    typer.echo(f"selfcheck: fill in {output}, then run: selfcheck validate {output}", err=True)


def schema(round: str | None = ROUND_OPTION):
    """Print the JSON Schema of an answers file for a round."""
    round = chosen_round(round)
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.answers.schema import schema_text

    sys.stdout.write(schema_text(rounds.questionnaire(round)))


def batch(
    paths: list[Path] = typer.Argument(..., help="Answers or amendment files, or folders of them."),
    format: BatchFormat = typer.Option(BatchFormat.table, "--format", help="table for people, json or csv for tools."),
    output: Path = typer.Option(None, "-o", "--output", help="Write the summary to this file instead of stdout."),
    include_draft: bool = INCLUDE_DRAFT_OPTION,
    jobs: int = typer.Option(None, "--jobs", "-j", min=1, help="Processes assessing at once [default: the number of cores]; the rows keep the files' order."),
):
    """Assess many files: per file, counts by level and block and the ids at require level.
    A bad file is reported and skipped; the exit code is 2 if any failed."""
    import functools

    from selfcheck.engine.assessment import batch as batches

    rows = with_progress(batches.files_in(paths), functools.partial(batches.assess_file, include_draft=include_draft), jobs)
    write(batches.render(rows, format.value), output)
    if any(row.error for row in rows):
        raise typer.Exit(EXIT_BAD_INPUT)
