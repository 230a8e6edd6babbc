"""Following the recommendations up to compliance: the follow-up file started from an assessment,
checked against the rules on the current answers, and read back from the plan of action."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import typer

from selfcheck.commands.common import AS_OF_OPTION, create, day_of, fail_on_findings, refuse_binary_to_stdout, write_document

NEW_FOLLOW_UP_OPTION = typer.Option(None, "-o", "--output", help="The follow-up file to create (never over an existing file); without it, stdout.")


class FollowUpFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    docx = "docx"
    xlsx = "xlsx"


class FollowUpFailOn(StrEnum):
    inconsistent = "inconsistent"
    overdue = "overdue"


def init(
    answers: Path = typer.Argument(..., help="The Party's answers file (or an amendment of one) whose recommendations to follow up."),
    output: Path = NEW_FOLLOW_UP_OPTION,
):
    """Write the follow-up file: every recommendation addressed to the Party, open, with empty lead, deadline, measures and note."""
    from selfcheck.engine.answers.amendments import resolve
    from selfcheck.engine.assessment.assess import assess as run_assessment
    from selfcheck.engine.follow_up.follow_up_file import follow_up_from, follow_up_text
    from selfcheck.engine.rules import rulebooks

    loaded = resolve(answers).answers
    rulebook = rulebooks.rulebook(loaded.round)
    made = follow_up_from(run_assessment(loaded, rulebook))
    create(follow_up_text(made, rulebook, output or answers), output)
    levels = ", ".join(f"{sum(item.level == level for item in made.recommendations)} {level}" for level in rulebook.vocabulary.level_names)
    typer.echo(f"selfcheck follow-up: {len(made.recommendations)} recommendations to {made.party} ({levels}), all open", err=True)


def status(
    file: Path = typer.Argument(..., help="The follow-up file."),
    answers: Path = typer.Option(..., "--answers", help="The Party's current answers (or an amendment of them)."),
    amend: list[Path] = typer.Option([], "--amend", help="An amendment to overlay on the answers; repeat to apply several in order."),
    as_of: datetime = AS_OF_OPTION,
    format: FollowUpFormat = typer.Option(
        FollowUpFormat.text, "--format", help="text or json; markdown or docx (the situation report); xlsx (the plan of action)."
    ),
    output: Path = typer.Option(None, "-o", "--output", help="File to write, whole or not at all; without it, stdout (text, json, markdown)."),
    fail_on: list[FollowUpFailOn] = typer.Option([], "--fail-on", help="Exit 1 if a recommendation is flagged inconsistent, or overdue."),
):
    """Check what the Party declares against what the rules say on its current answers; summarise by level, lead institution and chapter."""
    from selfcheck.engine.answers.amendments import answers_for
    from selfcheck.engine.common.safe_files import refuse_output_over_inputs
    from selfcheck.engine.follow_up.follow_up_file import ensure_same_party, read_follow_up
    from selfcheck.engine.follow_up.formats import render_status
    from selfcheck.engine.follow_up.status import check_status, failing
    from selfcheck.engine.rules import rulebooks

    if format.value in ("docx", "xlsx") and output is None:
        refuse_binary_to_stdout(f"a {format.value} file", format.value)
    if output is not None:
        refuse_output_over_inputs(output, [file, answers, *amend])
    followed = read_follow_up(file)
    current = answers_for(answers, amend, day_of(as_of))
    ensure_same_party(followed, file, current, answers)
    rulebook = rulebooks.rulebook(current.round)
    checked = check_status(followed, current, rulebook, day_of(as_of) or date.today())
    write_document(render_status(checked, followed, rulebook, format.value), output)
    kinds = [kind.value for kind in fail_on]
    fail_on_findings(kinds, failing(checked, kinds))


def import_workbook(
    workbook: Path = typer.Argument(..., help="The plan of action (.xlsx) written by follow-up status --format xlsx."),
    output: Path = NEW_FOLLOW_UP_OPTION,
):
    """Read the plan of action back into a follow-up file, without loss."""
    from selfcheck.engine.follow_up.follow_up_file import follow_up_text
    from selfcheck.engine.follow_up.workbook import read_workbook
    from selfcheck.engine.rules import rulebooks

    made = read_workbook(workbook)
    create(follow_up_text(made, rulebooks.rulebook(made.round), output or workbook), output)
