"""Maintaining a rulebook: check and compile it against the published factsheets (lint), run its rule
cases (test), and show it as a lawyer reviews it (rules)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from selfcheck.commands.common import EXIT_FINDINGS, FORMAT_OPTION, ROUND_OPTION, Format, chosen_round


def lint(
    round: str | None = ROUND_OPTION,
    rules: Path = typer.Option(None, "--rules", help="A rulebook directory to check instead of the round's own (e.g. a draft copy)."),
):
    """Load, check and compile a round's rulebook, and prove its quotes against the published factsheets; list every problem found."""
    round = chosen_round(round)
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.assessment.assess import engine_for
    from selfcheck.engine.common.errors import RulebookError
    from selfcheck.engine.documents.layout import load_layout
    from selfcheck.engine.documents.published import check_answer_quotes, check_quotes, load_published
    from selfcheck.engine.rules import rulebooks
    from selfcheck.engine.rules.questions_read import question_problems

    rulebook = rulebooks.rulebook_at(round, rules)
    engine = engine_for(rulebook)
    layout = load_layout(rulebook)
    published = load_published(rounds.published_dir(round))
    problems = check_quotes(rulebook, published) + [p for factsheet in published for p in check_answer_quotes(factsheet, rulebook)]
    problems += question_problems(rulebook, rounds.questionnaire_path(round))
    if problems:
        raise RulebookError(problems)
    drafts = sum(rule.draft for rule in rulebook.rules)
    grounds = sum(len(rule.grounds) for rule in rulebook.rules)
    laid_out = "no factsheet layout (plain reports)" if layout.plain else f"factsheet layout for {len(layout.chapters)} chapters"
    proven = (
        f"{grounds} quoted grounds and the answers of {', '.join(f.party for f in published)} found word for word in the published factsheets"
        if published
        else "no published factsheet to prove quotes against"
    )
    typer.echo(
        f"{round}: {len(rulebook.rules)} rules ({len(rulebook.rules) - drafts} in force, {drafts} draft) and "
        f"{len(rulebook.observations)} observations over "
        f"{len(rulebook.questionnaire.questions)} questions (each read by a rule or an observation, or asked for context), "
        f"compiled into {len(engine.compiled.plans)} durable-rules rulesets; "
        f"{laid_out}; {proven}; no problems"
    )


def test(
    round: str | None = ROUND_OPTION,
    rules_dir: Path = typer.Option(None, "--rules", help="A rulebook directory to test instead of the round's own (e.g. a draft copy)."),
):
    """Run the rule cases beside each chapter's rule file; report failures and which alternative of a condition no case exercises (exit 1)."""
    round = chosen_round(round)
    from selfcheck.engine.rule_testing.cases import render_case_run, run_rulebook_cases
    from selfcheck.engine.rules import rulebooks

    rulebook = rulebooks.rulebook_at(round, rules_dir)
    run = run_rulebook_cases(rulebook)
    sys.stdout.write(render_case_run(run))
    if not run.passed:
        raise typer.Exit(EXIT_FINDINGS)


def rules(
    format: Format = FORMAT_OPTION,
    include_draft: bool = typer.Option(False, "--include-draft", help="Also list draft rules and observations worded by selfcheck."),
    round: str | None = ROUND_OPTION,
    rules_dir: Path = typer.Option(None, "--rules", help="A rulebook directory to show instead of the round's own."),
):
    """The rulebook as a lawyer reviews it: each rule's basis, grounds, argument and condition in words."""
    round = chosen_round(round)
    from selfcheck.engine.rules import rulebooks
    from selfcheck.engine.rules.review import render_review, review

    rulebook = rulebooks.rulebook_at(round, rules_dir)
    view = review(rulebook, include_draft)
    if format is Format.json:
        typer.echo(view.model_dump_json(indent=2))
    else:
        sys.stdout.write(render_review(view))
