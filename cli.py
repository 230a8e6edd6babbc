"""selfcheck's command line: parse arguments, call the engine, print. Nothing else lives here.

Exit codes: 0 success, 2 bad input (one message on stderr, no traceback), 3 engine failure.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from functools import wraps
from pathlib import Path

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Self-assessment against the Lanzarote Committee's monitoring-round recommendations.",
)

ROUND_OPTION = typer.Option("lanzarote-2", "--round", help="Monitoring round whose rulebook to use.")


class Format(str, Enum):
    text = "text"
    json = "json"


class ReportFormat(str, Enum):
    markdown = "markdown"
    html = "html"
    docx = "docx"


def reports_errors(command):
    """Turn the engine's errors into one message on stderr and the documented exit code."""

    @wraps(command)
    def run(*args, **kwargs):
        from engine.errors import EngineError, InputError, RulebookError

        try:
            return command(*args, **kwargs)
        except (InputError, RulebookError) as error:
            typer.echo(f"selfcheck: {error}", err=True)
            raise typer.Exit(2) from None
        except EngineError as error:
            typer.echo(f"selfcheck: {error}", err=True)
            raise typer.Exit(3) from None

    return run


@app.command()
@reports_errors
def validate(answers: Path = typer.Argument(..., help="Answers file (YAML or JSON).")):
    """Check an answers file against its round's questionnaire."""
    from engine.answers import load_answers
    from engine.rounds import questionnaire

    loaded = load_answers(answers)
    total = len(questionnaire(loaded.round).questions)
    typer.echo(f"{answers}: valid answers of {loaded.party} to {loaded.round}; {len(loaded.values)} of {total} questions answered, the rest count as not_provided")


@app.command()
@reports_errors
def assess(
    answers: Path = typer.Argument(..., help="Answers file (YAML or JSON)."),
    format: Format = typer.Option(Format.text, "--format", help="text for people, json for tools."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also fire draft rules (inferred recommendations)."),
):
    """Assess an answers file: the recommendations it draws, with levels, citations and reasons."""
    from engine import rounds
    from engine.answers import load_answers
    from engine.assess import assess as run_assessment

    loaded = load_answers(answers)
    rulebook = rounds.rulebook(loaded.round)
    assessment = run_assessment(loaded, rulebook, include_draft=include_draft)
    if format is Format.json:
        typer.echo(assessment.model_dump_json(indent=2))
    else:
        from engine.summary import render_summary

        sys.stdout.write(render_summary(assessment, rulebook))


@app.command()
@reports_errors
def report(
    answers: Path = typer.Argument(..., help="Answers file (YAML or JSON)."),
    format: ReportFormat = typer.Option(ReportFormat.markdown, "--format", help="markdown, html (one print-ready page) or docx (Word)."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write, whole or not at all; without it, the text goes to stdout."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also print draft rules (inferred recommendations), marked."),
):
    """Write the factsheet the Committee would publish for these answers."""
    from engine.rendering import render, write_atomically
    from engine.report import factsheet_for

    if format is ReportFormat.docx and output is None:
        typer.echo("selfcheck: a Word factsheet is a binary file; give -o FILE.docx", err=True)
        raise typer.Exit(2)
    data = render(factsheet_for(answers, include_draft=include_draft), format.value)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        write_atomically(output, data)
        typer.echo(f"selfcheck: wrote {output}", err=True)


@app.command()
@reports_errors
def explain(
    answers: Path = typer.Argument(..., help="Answers file (YAML or JSON)."),
    id: str = typer.Argument(..., help="A recommendation id (IV-6) or an observation id (IV.dual-criminality)."),
    format: Format = typer.Option(Format.text, "--format", help="text for people, json for tools."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also fire draft rules (inferred recommendations)."),
):
    """Why a recommendation fires or not: its condition against the answers, its citations, and the smallest answer changes that would turn it around."""
    from engine.answers import load_answers
    from engine.explain import explain_for, render_explanation

    explanation, rulebook = explain_for(load_answers(answers), id, include_draft=include_draft)
    if format is Format.json:
        typer.echo(explanation.model_dump_json(indent=2, by_alias=True))
    else:
        sys.stdout.write(render_explanation(explanation, rulebook))


@app.command()
@reports_errors
def lint(
    round: str = ROUND_OPTION,
    rules: Path = typer.Option(None, "--rules", help="A rulebook directory to check instead of the round's own (e.g. a draft copy)."),
):
    """Load, check and compile a round's rulebook; list every problem found."""
    from engine import rounds
    from engine.assess import engine_for
    from engine.layout import load_layout
    from engine.rulebook import load_rulebook

    rulebook = load_rulebook(rules, rounds.questionnaire(round)) if rules else rounds.rulebook(round)
    engine = engine_for(rulebook)
    layout = load_layout(rulebook)
    drafts = sum(rule.draft for rule in rulebook.rules)
    typer.echo(
        f"{round}: {len(rulebook.rules)} rules ({len(rulebook.rules) - drafts} in force, {drafts} draft) and "
        f"{len(rulebook.observations)} observations over "
        f"{len(rulebook.questionnaire.questions)} questions, compiled into {len(engine.compiled.plans)} durable-rules rulesets; "
        f"factsheet layout for {len(layout.chapters)} chapters; no problems"
    )


@app.command()
@reports_errors
def schema(round: str = ROUND_OPTION):
    """Print the JSON Schema of an answers file for a round."""
    from engine import rounds
    from engine.schema import answers_schema

    typer.echo(json.dumps(answers_schema(rounds.questionnaire(round)), indent=2, ensure_ascii=False))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
