"""Drafting law: what an amendment changes (diff), the smallest amendment that clears a level (plan),
an amendment reversed (invert), and files brought to the questionnaire's present edition (upgrade)."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer

from selfcheck.commands.common import ANSWERS_ARGUMENT, AS_OF_OPTION, INCLUDE_DRAFT_OPTION, ROUND_OPTION, chosen_round, day_of, fail_on_findings, write


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def diff(
    base: Path = typer.Argument(..., help="Answers file (or amendment) to compare from."),
    other: Path = typer.Argument(..., help="Answers file, or an amendment of BASE, to compare with."),
    format: DiffFormat = typer.Option(DiffFormat.text, "--format", help="text for people, json for tools, markdown for pull requests."),
    fail_on: list[str] = typer.Option(
        [], "--fail-on", help="Exit 1 if OTHER has new recommendations (new), or any at that level or above (a level of the rulebook: require, request ...)."
    ),
    include_draft: bool = INCLUDE_DRAFT_OPTION,
    as_of: datetime = AS_OF_OPTION,
):
    """Compare two assessments: recommendations resolved, new, changed (level or block), unchanged."""
    from selfcheck.engine.drafting.diff import compare_files, failing
    from selfcheck.engine.drafting.diff_text import render_markdown, render_text
    from selfcheck.engine.rules import rulebooks

    comparison = compare_files(base, other, include_draft, day_of(as_of))
    rulebook = rulebooks.rulebook(comparison.base.provenance.round)
    allowed = ("new", *rulebook.vocabulary.level_names)
    if any(kind not in allowed for kind in fail_on):
        raise typer.BadParameter(f"expected one of {', '.join(allowed)}; got {', '.join(fail_on)}", param_hint="--fail-on")
    if format is DiffFormat.json:
        typer.echo(comparison.diff.model_dump_json(indent=2))
    else:
        sys.stdout.write((render_markdown if format is DiffFormat.markdown else render_text)(comparison, rulebook.vocabulary))
    fail_on_findings(fail_on, failing(comparison, fail_on, rulebook))


def plan(
    answers: Path = ANSWERS_ARGUMENT,
    clear: str = typer.Option(None, "--clear", help="Levels to clear, separated by commas [default: every level but the least urgent, e.g. require,request]."),
    output: Path = typer.Option(None, "-o", "--output", help="Write the amendment to this file instead of stdout."),
    include_draft: bool = INCLUDE_DRAFT_OPTION,
):
    """The path to compliance: the smallest set of answer changes that clears every recommendation at
    the chosen levels, written as an amendment to edit and diff."""
    from selfcheck.engine.answers.amendments import amendment_text, resolve
    from selfcheck.engine.drafting.plan import plan as make_plan
    from selfcheck.engine.drafting.plan_text import comments
    from selfcheck.engine.rules import rulebooks

    loaded = resolve(answers).answers
    rulebook = rulebooks.rulebook(loaded.round)
    known = rulebook.vocabulary.level_names
    levels = tuple(level.strip() for level in clear.split(",") if level.strip()) if clear is not None else known[:-1] or known
    if not levels or any(level not in known for level in levels):
        raise typer.BadParameter(f"expected levels among {', '.join(known)}, separated by commas; got {clear!r}", param_hint="--clear")
    result = make_plan(loaded, answers, rulebook, levels, include_draft)
    if not result.changes:
        typer.echo(f"selfcheck plan: no {'/'.join(levels)} recommendation that a change of answers clears; nothing written", err=True)
        return
    written = amendment_text(result.amendment, rulebook.questionnaire, comments(result, loaded, answers, levels), output or Path.cwd() / "amendment.yaml")
    write(written, output)
    created = f"; they would create {', '.join(f.id for f in result.new)}" if result.new else ""
    typer.echo(
        f"selfcheck plan: {len(result.changes)} answer changes clear {len(result.cleared)} {'/'.join(levels)} recommendations"
        f"{created}; {len(result.uncleared)} addressed to all Parties cannot be cleared"
        + (f"; {len(result.not_together)} cannot be cleared together with them" if result.not_together else ""),
        err=True,
    )


def invert(
    amendment: Path = typer.Argument(..., help="Amendment file to reverse."),
    output: Path = typer.Option(None, "-o", "--output", help="Write the reversal to this file instead of stdout."),
):
    """Write the amendment that reverses AMENDMENT: applied after it, the answers are as before."""
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.answers.amendments import amendment_text, resolve
    from selfcheck.engine.answers.amendments import invert as reverse
    from selfcheck.engine.common.errors import InputError

    resolved = resolve(amendment)
    if not resolved.amendments:
        raise InputError(amendment, "is an answers file; invert takes an amendment")
    last = resolved.amendments[-1]
    reversal = reverse(last, resolve(last.applies_to).answers)
    write(amendment_text(reversal, rounds.questionnaire(resolved.answers.round), (), output or Path.cwd() / "amendment.yaml"), output)


def upgrade(
    answers: Path = typer.Argument(..., help="An answers file, or an amendment, written for an earlier edition of the questionnaire."),
    output: Path = typer.Option(None, "-o", "--output", help="Write the upgraded file here instead of stdout (never over FILE itself)."),
    round: str | None = ROUND_OPTION,
):
    """Bring an answers file or an amendment to this edition of the questionnaire; list what must be answered again."""
    round = chosen_round(round)
    from selfcheck.engine.answers.upgrade import report
    from selfcheck.engine.answers.upgrade import upgrade as run_upgrade
    from selfcheck.engine.common.errors import InputError

    if output is not None and output.resolve() == answers.resolve():
        raise InputError(output, "is the file being upgraded; write the upgrade to another file and compare them first")
    result = run_upgrade(answers, round)
    write(result.text, output)
    typer.echo(report(result, answers), err=True)
