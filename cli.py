"""selfcheck's command line: parse arguments, call the engine, print. Nothing else lives here.

Exit codes: 0 success; 1 findings a ``--fail-on`` asked to fail on; 2 bad input or an output that
cannot be written (one message on stderr, no traceback; for batch, any file that failed); 3 engine
failure (durable-rules); 4 internal error, a bug in selfcheck (a short message; the traceback with
``selfcheck --debug``).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime
from enum import StrEnum
from functools import wraps
from pathlib import Path

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Self-assessment of a Party's law and practice against a monitoring round's recommendations (see: selfcheck rounds).",
)

ROUND_OPTION = typer.Option(None, "--round", help="Monitoring round whose rulebook to use [default: the installed default round].")
AS_OF_OPTION = typer.Option(
    None,
    "--as-of",
    formats=["%Y-%m-%d"],
    metavar="YYYY-MM-DD",
    help="Take the law as in force on this date: only the amendments in force then apply; those adopted but not yet in force are listed.",
)


class Format(StrEnum):
    text = "text"
    json = "json"


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class BatchFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class FollowUpFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    docx = "docx"
    xlsx = "xlsx"


class FollowUpFailOn(StrEnum):
    inconsistent = "inconsistent"
    overdue = "overdue"


class ReportFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    docx = "docx"


EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_ENGINE, EXIT_INTERNAL = 1, 2, 3, 4
debugging = False


@app.callback()
def options(debug: bool = typer.Option(False, "--debug", help="On an internal error (exit 4), print its traceback.")):
    global debugging
    debugging = debug


def reports_errors(command):
    """Turn every error into one message on stderr and the documented exit code; nothing else escapes."""

    @wraps(command)
    def run(*args, **kwargs):
        import errno

        from typer.exceptions import TyperException

        from selfcheck.engine.common.characters import printable
        from selfcheck.engine.common.errors import EngineError, InputError, RulebookError
        from selfcheck.engine.common.safe_files import track_inputs

        def fail(message: str, code: int):
            typer.echo(printable(f"selfcheck: {message}"), err=True)
            return typer.Exit(code)

        track_inputs()  # so that no -o replaces a file the command read
        try:
            result = command(*args, **kwargs)
            sys.stdout.flush()  # a closed or full stdout is found here, not at exit
            return result
        except (InputError, RulebookError) as error:
            raise fail(str(error), EXIT_BAD_INPUT) from None
        except EngineError as error:
            raise fail(str(error), EXIT_ENGINE) from None
        except (typer.Exit, typer.Abort, TyperException):  # typer's own: usage errors and exit codes
            raise
        except BrokenPipeError:
            _silence_stdout()
            raise fail("standard output was closed before everything was written", EXIT_BAD_INPUT) from None
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
                raise _internal(error, fail) from None
            _silence_stdout()
            raise fail(f"cannot write to standard output: {error.strerror}", EXIT_BAD_INPUT) from None
        except Exception as error:
            raise _internal(error, fail) from None

    return run


def _internal(error: Exception, fail) -> typer.Exit:
    if debugging:
        import traceback

        traceback.print_exception(error)
    hint = "" if debugging else "; run `selfcheck --debug ...` for the traceback"
    return fail(f"internal error ({type(error).__name__}: {error}); this is a bug in selfcheck, not a problem of your files{hint}", EXIT_INTERNAL)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of it fails no more."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@app.command()
@reports_errors
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


@app.command()
@reports_errors
def assess(
    answers: Path = typer.Argument(..., help="Answers file (YAML or JSON), or an amendment of one."),
    format: Format = typer.Option(Format.text, "--format", help="text for people, json for tools."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also fire draft rules (inferred recommendations)."),
    amend: list[Path] = typer.Option([], "--amend", help="An amendment whose changes to apply to the answers; repeat to apply several in order."),
    as_of: datetime = AS_OF_OPTION,
):
    """Assess an answers file: the recommendations it draws, with levels, citations and reasons."""
    from selfcheck.engine.answers.amendments import answers_for
    from selfcheck.engine.assessment.assess import assess as run_assessment
    from selfcheck.engine.rules import rulebooks

    loaded = answers_for(answers, amend, _day(as_of))
    rulebook = rulebooks.rulebook(loaded.round)
    assessment = run_assessment(loaded, rulebook, include_draft=include_draft)
    if format is Format.json:
        typer.echo(assessment.model_dump_json(indent=2))
    else:
        from selfcheck.engine.assessment.summary import render_summary

        sys.stdout.write(render_summary(assessment, rulebook))


@app.command()
@reports_errors
def report(
    answers: Path = typer.Argument(..., help="Answers file (YAML or JSON), or an amendment of one."),
    format: ReportFormat = typer.Option(ReportFormat.markdown, "--format", help="markdown, html (one print-ready page) or docx (Word)."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write, whole or not at all; without it, the text goes to stdout."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also print draft rules (inferred recommendations), marked."),
    as_of: datetime = AS_OF_OPTION,
):
    """Write the self-assessment for these answers, laid out like the round's published factsheet (or as a plain report)."""
    from selfcheck.engine.common.safe_files import write_atomically
    from selfcheck.engine.documents.rendering import render
    from selfcheck.engine.documents.report import factsheet_for

    if format is ReportFormat.docx and output is None:
        typer.echo("selfcheck: a Word factsheet is a binary file; give -o FILE.docx", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    data = render(factsheet_for(answers, include_draft=include_draft, as_of=_day(as_of)), format.value)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        write_atomically(output, data)
        typer.echo(f"selfcheck: wrote {output}", err=True)


@app.command()
@reports_errors
def explain(
    answers: Path = typer.Argument(..., help="Answers file (YAML or JSON), or an amendment of one."),
    id: str = typer.Argument(..., help="A recommendation id (IV-6) or an observation id (IV.dual-criminality)."),
    format: Format = typer.Option(Format.text, "--format", help="text for people, json for tools."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also fire draft rules (inferred recommendations)."),
    as_of: datetime = AS_OF_OPTION,
):
    """Why a recommendation fires or not: its condition against the answers, its citations, and the smallest answer changes that would turn it around."""
    from selfcheck.engine.answers.amendments import resolve
    from selfcheck.engine.assessment.explain import explain_for
    from selfcheck.engine.assessment.explain_text import render_explanation

    explanation, rulebook = explain_for(resolve(answers, _day(as_of)).answers, id, include_draft=include_draft)
    if format is Format.json:
        typer.echo(explanation.model_dump_json(indent=2, by_alias=True))
    else:
        sys.stdout.write(render_explanation(explanation, rulebook))


@app.command()
@reports_errors
def lint(
    round: str | None = ROUND_OPTION,
    rules: Path = typer.Option(None, "--rules", help="A rulebook directory to check instead of the round's own (e.g. a draft copy)."),
):
    """Load, check and compile a round's rulebook, and prove its quotes against the published factsheets; list every problem found."""
    round = _round(round)
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


@app.command()
@reports_errors
def test(
    round: str | None = ROUND_OPTION,
    rules_dir: Path = typer.Option(None, "--rules", help="A rulebook directory to test instead of the round's own (e.g. a draft copy)."),
):
    """Run the rule cases beside each chapter's rule file; report failures and which alternative of a condition no case exercises (exit 1)."""
    round = _round(round)
    from selfcheck.engine.rule_testing.cases import render_case_run, run_rulebook_cases
    from selfcheck.engine.rules import rulebooks

    rulebook = rulebooks.rulebook_at(round, rules_dir)
    run = run_rulebook_cases(rulebook)
    sys.stdout.write(render_case_run(run))
    if not run.passed:
        raise typer.Exit(1)


@app.command()
@reports_errors
def rules(
    format: Format = typer.Option(Format.text, "--format", help="text for people, json for tools."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also list draft rules and observations worded by selfcheck."),
    round: str | None = ROUND_OPTION,
    rules_dir: Path = typer.Option(None, "--rules", help="A rulebook directory to show instead of the round's own."),
):
    """The rulebook as a lawyer reviews it: each rule's basis, grounds, argument and condition in words."""
    round = _round(round)
    from selfcheck.engine.rules import rulebooks
    from selfcheck.engine.rules.review import render_review, review

    rulebook = rulebooks.rulebook_at(round, rules_dir)
    view = review(rulebook, include_draft)
    if format is Format.json:
        typer.echo(view.model_dump_json(indent=2))
    else:
        sys.stdout.write(render_review(view))


@app.command()
@reports_errors
def upgrade(
    answers: Path = typer.Argument(..., help="An answers file, or an amendment, written for an earlier edition of the questionnaire."),
    output: Path = typer.Option(None, "-o", "--output", help="Write the upgraded file here instead of stdout (never over FILE itself)."),
    round: str | None = ROUND_OPTION,
):
    """Bring an answers file or an amendment to this edition of the questionnaire; list what must be answered again."""
    round = _round(round)
    from selfcheck.engine.answers.upgrade import report
    from selfcheck.engine.answers.upgrade import upgrade as run_upgrade
    from selfcheck.engine.common.errors import InputError

    if output is not None and output.resolve() == answers.resolve():
        raise InputError(output, "is the file being upgraded; write the upgrade to another file and compare them first")
    result = run_upgrade(answers, round)
    _write(result.text, output)
    typer.echo(report(result, answers), err=True)


@app.command("rounds")
@reports_errors
def list_rounds(format: Format = typer.Option(Format.text, "--format", help="text for people, json for tools.")):
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


@app.command()
@reports_errors
def init(
    party: str = typer.Argument(..., help="The Party's name, as its answers will print it."),
    round: str | None = ROUND_OPTION,
    output: Path = typer.Option(None, "-o", "--output", help="The answers file to create (default: the Party's name, in lower case, .yaml)."),
):
    """Write a blank answers file: every question, commented with its prompt, help and legal basis, answered not_provided."""
    round = _round(round)
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.answers.blank import blank_files

    output = output or Path(re.sub(r"[^a-z0-9]+", "-", party.lower()).strip("-") + ".yaml")
    for path, text in blank_files(party, rounds.questionnaire(round), output):
        _create(text, path)
    typer.echo(f"selfcheck: fill in {output}, then run: selfcheck validate {output}", err=True)


@app.command()
@reports_errors
def schema(round: str | None = ROUND_OPTION):
    """Print the JSON Schema of an answers file for a round."""
    round = _round(round)
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.answers.schema import schema_text

    sys.stdout.write(schema_text(rounds.questionnaire(round)))


@app.command()
@reports_errors
def diff(
    base: Path = typer.Argument(..., help="Answers file (or amendment) to compare from."),
    other: Path = typer.Argument(..., help="Answers file, or an amendment of BASE, to compare with."),
    format: DiffFormat = typer.Option(DiffFormat.text, "--format", help="text for people, json for tools, markdown for pull requests."),
    fail_on: list[str] = typer.Option(
        [], "--fail-on", help="Exit 1 if OTHER has new recommendations (new), or any at that level or above (a level of the rulebook: require, request ...)."
    ),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also fire draft rules (inferred recommendations)."),
    as_of: datetime = AS_OF_OPTION,
):
    """Compare two assessments: recommendations resolved, new, changed (level or block), unchanged."""
    from selfcheck.engine.drafting.diff import compare_files, failing
    from selfcheck.engine.drafting.diff_text import render_markdown, render_text
    from selfcheck.engine.rules import rulebooks

    comparison = compare_files(base, other, include_draft, _day(as_of))
    rulebook = rulebooks.rulebook(comparison.base.provenance.round)
    allowed = ("new", *rulebook.vocabulary.level_names)
    if any(kind not in allowed for kind in fail_on):
        raise typer.BadParameter(f"expected one of {', '.join(allowed)}; got {', '.join(fail_on)}", param_hint="--fail-on")
    if format is DiffFormat.json:
        typer.echo(comparison.diff.model_dump_json(indent=2))
    else:
        sys.stdout.write((render_markdown if format is DiffFormat.markdown else render_text)(comparison, rulebook.vocabulary))
    failed = failing(comparison, fail_on, rulebook)
    if failed:
        typer.echo(f"selfcheck: --fail-on {','.join(fail_on)}: {', '.join(failed)}", err=True)
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
@reports_errors
def plan(
    answers: Path = typer.Argument(..., help="Answers file (YAML or JSON), or an amendment of one."),
    clear: str = typer.Option(None, "--clear", help="Levels to clear, separated by commas [default: every level but the least urgent, e.g. require,request]."),
    output: Path = typer.Option(None, "-o", "--output", help="Write the amendment to this file instead of stdout."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also fire draft rules (inferred recommendations)."),
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
    _write(written, output)
    created = f"; they would create {', '.join(f.id for f in result.new)}" if result.new else ""
    typer.echo(
        f"selfcheck plan: {len(result.changes)} answer changes clear {len(result.cleared)} {'/'.join(levels)} recommendations"
        f"{created}; {len(result.uncleared)} addressed to all Parties cannot be cleared",
        err=True,
    )


@app.command()
@reports_errors
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
    _write(amendment_text(reversal, rounds.questionnaire(resolved.answers.round), (), output or Path.cwd() / "amendment.yaml"), output)


@app.command()
@reports_errors
def batch(
    paths: list[Path] = typer.Argument(..., help="Answers or amendment files, or folders of them."),
    format: BatchFormat = typer.Option(BatchFormat.table, "--format", help="table for people, json or csv for tools."),
    output: Path = typer.Option(None, "-o", "--output", help="Write the summary to this file instead of stdout."),
    include_draft: bool = typer.Option(False, "--include-draft", help="Also fire draft rules (inferred recommendations)."),
):
    """Assess many files: per file, counts by level and block and the ids at require level.
    A bad file is reported and skipped; the exit code is 2 if any failed."""
    from selfcheck.engine.assessment import batch as batches

    rows = _with_progress(batches.files_in(paths), lambda path: batches.assess_file(path, include_draft))
    _write(batches.render(rows, format.value), output)
    if any(row.error for row in rows):
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
@reports_errors
def serve(
    data_dir: Path = typer.Argument(Path("."), help="Folder of answer files to list and edit.", show_default="the current folder"),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; only this machine can connect unless you change it."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    allow_host: list[str] = typer.Option(
        [],
        "--allow-host",
        help="Another name browsers use for this server (e.g. behind a proxy); repeat for several. This machine's own names and addresses are always accepted.",
    ),
    trust_user_header: str = typer.Option(
        None,
        "--trust-user-header",
        metavar="NAME",
        help="Behind a single sign-on proxy: take the user name from this request header "
        "(e.g. X-Remote-User) instead of asking for a login. Only if the proxy sets it on every request and nothing else can reach the server.",
    ),
    behind_tls: bool = typer.Option(False, "--behind-tls", help="Browsers reach the server over HTTPS (through a proxy): cookies are marked Secure."),
    session_minutes: float = typer.Option(
        120, "--session-minutes", min=1, help="A login ends after this many minutes without use (and after 12 hours in all)."
    ),
    round: str | None = ROUND_OPTION,
):
    """Open the web questionnaire: fill in answers, see the recommendations as you save, export the factsheet.

    Without users it is one person's tool on this machine, with no login; with users (selfcheck users add) it requires one."""
    round = _round(round)
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import track_inputs

    track_inputs(False)  # the questionnaire replaces the files it reads, each save checked against its version
    rounds.questionnaire(round)  # an unknown round is refused before the server starts
    if not data_dir.is_dir():
        raise InputError(data_dir, "is not a folder; give the folder of answer files to serve")
    import uvicorn

    from selfcheck.engine.team.accounts import has_users
    from selfcheck.web.app import create_app
    from selfcheck.web.security import LOOPBACK, normal_host, url_host

    if trust_user_header and not has_users(data_dir):
        raise InputError("--trust-user-header", f"there are no users in {data_dir} to trust it for: add them with selfcheck users add")

    listening = _listen(host, port)  # before the URL is announced: a port in use is refused here
    if normal_host(host) not in LOOPBACK:
        typer.echo(f"selfcheck serve: listening on {host}: anyone who can reach this machine can read and change the answers in {data_dir}", err=True)
    typer.echo(f"selfcheck serve: the questionnaire for {data_dir} is at http://{url_host(host)}:{port}/ (Ctrl-C to stop)", err=True)
    application = create_app(data_dir, round, host, tuple(allow_host), trust_user_header=trust_user_header, behind_tls=behind_tls, idle_minutes=session_minutes)
    if has_users(data_dir):
        typer.echo(
            f"selfcheck serve: {data_dir} has users: " + (f"the user is named by the {trust_user_header} header" if trust_user_header else "everyone logs in"),
            err=True,
        )
    server = uvicorn.Server(uvicorn.Config(application, log_level="warning"))
    server.run(sockets=[listening])


def _listen(host: str, port: int):
    """A socket listening on ``host`` and ``port``, or one message saying why there is none (exit 2)."""
    import errno
    import socket

    from selfcheck.engine.common.errors import InputError
    from selfcheck.web.security import normal_host

    address = normal_host(host)
    try:
        family, kind, protocol, _, where = socket.getaddrinfo(address or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listening = socket.socket(family, kind, protocol)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a port left in TIME_WAIT is free
        listening.bind(where)
        listening.listen(2048)
    except OSError as error:
        problem = "in use by another program; stop it, or choose another port with --port" if error.errno == errno.EADDRINUSE else error.strerror or str(error)
        raise InputError(f"{host} port {port}", f"cannot listen: {problem}") from None
    listening.set_inheritable(True)
    return listening


@app.command()
@reports_errors
def history(
    answers: Path = typer.Argument(..., help="An answers file of a folder served by selfcheck serve, or its follow-up (NAME.follow-up.yaml)."),
    question: str = typer.Option(
        None,
        "--question",
        help="Only the changes of this question (its id, e.g. legal.age_of_criminal_responsibility), or of this recommendation in a follow-up.",
    ),
    format: Format = typer.Option(Format.text, "--format", help="text for people, json for tools."),
):
    """Every change of an answers file: who, when, the question, the answer before and after with its source and note; chapter reviews and comments. Of a follow-up file: every change of a recommendation."""
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.answers.answer_file import FOLLOW_UP_SUFFIX
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import document_from_bytes, read_bytes
    from selfcheck.engine.rules import rulebooks
    from selfcheck.engine.team.history import follow_up_kind, history_text, read_history
    from selfcheck.web.storage import NAME, version_of

    follow_up = answers.name.endswith(FOLLOW_UP_SUFFIX)
    if not NAME.fullmatch(answers.name.removesuffix(FOLLOW_UP_SUFFIX) if follow_up else answers.stem):
        raise InputError(answers, "is not a file of the web questionnaire: its name must be lower-case letters, digits and hyphens")
    raw = read_bytes(answers)
    data = document_from_bytes(answers, raw).data
    given = data.get("round") if isinstance(data, dict) else None
    round_id = given if given in rounds.known_rounds() else rounds.default_round()
    questionnaire = rounds.questionnaire(round_id)
    known = rulebooks.rulebook(round_id).by_id if follow_up else (*questionnaire.questions, "party", "as_of")
    if question is not None and question not in known:
        raise InputError(
            answers,
            f"--question: unknown {'recommendation' if follow_up else 'question'} {question!r}; `selfcheck {'rules' if follow_up else 'schema'}` lists them",
        )
    of = follow_up_kind(rulebooks.rulebook(round_id)) if follow_up else questionnaire
    records = read_history(answers.resolve().parent, answers.stem, of, version_of(raw), data, question)
    if format == Format.json:
        typer.echo(json.dumps([record.as_json() for record in records], indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(history_text(records, questionnaire) or f"{answers}: no change recorded yet\n")


@app.command()
@reports_errors
def reply(
    answers: Path = typer.Argument(..., help="The Party's answers file."),
    format: str = typer.Option("markdown", "--format", help="markdown or docx (Word)."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write, whole or not at all; without it, Markdown goes to stdout."),
):
    """The reply the Committee receives: every question with the Party's answer, source and note, chapter by chapter, with each chapter's approval state."""
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import refuse_output_over_inputs, write_atomically
    from selfcheck.engine.rules import rulebooks
    from selfcheck.engine.team.history import read_statuses
    from selfcheck.engine.team.reply import build_reply
    from selfcheck.engine.team.reply_formats import FORMATS as REPLY_FORMATS
    from selfcheck.engine.team.reply_formats import render_reply

    if format not in REPLY_FORMATS:
        raise InputError("--format", f"expected one of {', '.join(REPLY_FORMATS)}, got {format!r}")
    if format == "docx" and output is None:
        typer.echo("selfcheck: a Word reply is a binary file; give -o FILE.docx", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if output is not None:
        refuse_output_over_inputs(output, [answers])
    loaded = rounds.load_answers(answers)
    rulebook = rulebooks.rulebook(loaded.round)
    titles = {entry.chapter: entry.title for entry in rulebook.meta.chapters}
    made = build_reply(loaded, rounds.questionnaire(loaded.round), titles, read_statuses(answers.resolve().parent, answers.stem), answers.name)
    data = render_reply(made, format)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        write_atomically(output, data)
        typer.echo(f"selfcheck: wrote {output}", err=True)


users = typer.Typer(
    no_args_is_help=True,
    help="The ministry team of a folder served by selfcheck serve: with users, the web questionnaire requires a login.",
)
app.add_typer(users, name="users")
DATA_DIR_OPTION = typer.Option(None, "--data-dir", help="The folder of answer files served [default: the round's parties/ folder].")
PASSWORD_FILE_OPTION = typer.Option(
    None, "--password-file", help="Read the password from the first line of this file (- for standard input) instead of asking for it."
)


def _team_folder(data_dir: Path | None) -> Path:
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.common.errors import InputError

    folder = data_dir or rounds.parties_dir(rounds.default_round())
    if not folder.is_dir():
        raise InputError(folder, "is not a folder; give the folder of answer files the team works on")
    return folder


def _password(password_file: Path | None) -> str:
    """A password from a file (first line) or typed twice at a prompt; never from the command line."""
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import read_plain_text

    if password_file is not None:
        text = sys.stdin.readline() if str(password_file) == "-" else read_plain_text(password_file)
        return text.split("\n")[0].rstrip("\r")
    if not sys.stdin.isatty():
        raise InputError("password", "no terminal to ask for it: give --password-file FILE (or - for standard input)")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _chapters(text: str | None):
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.rules import rulebooks
    from selfcheck.engine.team.accounts import parse_chapters

    if text is None:
        return None
    return parse_chapters(text, [entry.chapter for entry in rulebooks.rulebook(rounds.default_round()).meta.chapters])


@users.command("add")
@reports_errors
def users_add(
    name: str = typer.Argument(..., help="The user's login name."),
    role: str = typer.Option(..., "--role", help="coordinator, contributor or reviewer."),
    chapters: str = typer.Option(None, "--chapters", help="The report chapters a contributor answers (or a reviewer reviews), e.g. II,IV."),
    password_file: Path = PASSWORD_FILE_OPTION,
    data_dir: Path = DATA_DIR_OPTION,
):
    """Add a member of the team; the password is hashed with Argon2."""
    from selfcheck.engine.team.accounts import add_user, check_name, check_role

    folder = _team_folder(data_dir)
    check_name(name)
    check_role(role)
    user = add_user(folder, name, role, _chapters(chapters) or (), _password(password_file))
    note = "; they edit no chapter until the coordinator assigns some" if role == "contributor" and not user.chapters else ""
    typer.echo(f"selfcheck users: added {user.describe()}{note}; selfcheck serve {folder} now requires a login", err=True)


@users.command("set")
@reports_errors
def users_set(
    name: str = typer.Argument(..., help="The user's login name."),
    role: str = typer.Option(None, "--role", help="coordinator, contributor or reviewer."),
    chapters: str = typer.Option(None, "--chapters", help="The chapters, e.g. II,IV (an empty text for none)."),
    data_dir: Path = DATA_DIR_OPTION,
):
    """Change a user's role or chapters."""
    from selfcheck.engine.team.accounts import set_user

    user = set_user(_team_folder(data_dir), name, role, _chapters(chapters))
    typer.echo(f"selfcheck users: {user.describe()}", err=True)


@users.command("password")
@reports_errors
def users_password(
    name: str = typer.Argument(..., help="The user's login name."), password_file: Path = PASSWORD_FILE_OPTION, data_dir: Path = DATA_DIR_OPTION
):
    """Set a user's password (their sessions end)."""
    from selfcheck.engine.team.accounts import set_password

    set_password(_team_folder(data_dir), name, _password(password_file))
    typer.echo(f"selfcheck users: the password of {name} is changed", err=True)


@users.command("remove")
@reports_errors
def users_remove(name: str = typer.Argument(..., help="The user's login name."), data_dir: Path = DATA_DIR_OPTION):
    """Remove a user (their sessions end; their changes stay in the history under their name)."""
    from selfcheck.engine.team.accounts import remove_user

    remove_user(_team_folder(data_dir), name)
    typer.echo(f"selfcheck users: removed {name}", err=True)


@users.command("list")
@reports_errors
def users_list(data_dir: Path = DATA_DIR_OPTION):
    """The team: each user's role and chapters."""
    from selfcheck.engine.team.accounts import list_users

    for user in list_users(_team_folder(data_dir)):
        typer.echo(user.describe())


follow_up = typer.Typer(
    no_args_is_help=True,
    help="Follow up the recommendations to compliance: a file per Party and round, checked against the rules.",
)
app.add_typer(follow_up, name="follow-up")


@follow_up.command("init")
@reports_errors
def follow_up_init(
    answers: Path = typer.Argument(..., help="The Party's answers file (or an amendment of one) whose recommendations to follow up."),
    output: Path = typer.Option(None, "-o", "--output", help="The follow-up file to create (never over an existing file); without it, stdout."),
):
    """Write the follow-up file: every recommendation addressed to the Party, open, with empty lead, deadline, measures and note."""
    from selfcheck.engine.answers.amendments import resolve
    from selfcheck.engine.assessment.assess import assess as run_assessment
    from selfcheck.engine.follow_up.follow_up_file import follow_up_from, follow_up_text
    from selfcheck.engine.rules import rulebooks

    loaded = resolve(answers).answers
    rulebook = rulebooks.rulebook(loaded.round)
    made = follow_up_from(run_assessment(loaded, rulebook))
    _create(follow_up_text(made, rulebook, output or answers), output)
    levels = ", ".join(f"{sum(item.level == level for item in made.recommendations)} {level}" for level in rulebook.vocabulary.level_names)
    typer.echo(f"selfcheck follow-up: {len(made.recommendations)} recommendations to {made.party} ({levels}), all open", err=True)


@follow_up.command("status")
@reports_errors
def follow_up_status(
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
    from selfcheck.engine.common.safe_files import refuse_output_over_inputs, write_atomically
    from selfcheck.engine.follow_up.follow_up_file import ensure_same_party, read_follow_up
    from selfcheck.engine.follow_up.formats import render_status
    from selfcheck.engine.follow_up.status import check_status, failing
    from selfcheck.engine.rules import rulebooks

    if format.value in ("docx", "xlsx") and output is None:
        typer.echo(f"selfcheck: a {format.value} file is a binary file; give -o FILE.{format.value}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if output is not None:
        refuse_output_over_inputs(output, [file, answers, *amend])
    followed = read_follow_up(file)
    current = answers_for(answers, amend, _day(as_of))
    ensure_same_party(followed, file, current, answers)
    rulebook = rulebooks.rulebook(current.round)
    status = check_status(followed, current, rulebook, _day(as_of) or date.today())
    data = render_status(status, followed, rulebook, format.value)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        write_atomically(output, data)
        typer.echo(f"selfcheck: wrote {output}", err=True)
    failed = failing(status, [kind.value for kind in fail_on])
    if failed:
        typer.echo(f"selfcheck: --fail-on {','.join(kind.value for kind in fail_on)}: {', '.join(failed)}", err=True)
        raise typer.Exit(EXIT_FINDINGS)


@follow_up.command("import")
@reports_errors
def follow_up_import(
    workbook: Path = typer.Argument(..., help="The plan of action (.xlsx) written by follow-up status --format xlsx."),
    output: Path = typer.Option(None, "-o", "--output", help="The follow-up file to create (never over an existing file); without it, stdout."),
):
    """Read the plan of action back into a follow-up file, without loss."""
    from selfcheck.engine.follow_up.follow_up_file import follow_up_text
    from selfcheck.engine.follow_up.workbook import read_workbook
    from selfcheck.engine.rules import rulebooks

    made = read_workbook(workbook)
    _create(follow_up_text(made, rulebooks.rulebook(made.round), output or workbook), output)


def _create(text: str, output: Path | None) -> None:
    """To stdout, or to a new file written whole, never over an existing one."""
    if output is None:
        sys.stdout.write(text)
        return
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import create_atomically

    try:
        create_atomically(output, text.encode("utf-8"))
    except FileExistsError:
        raise InputError(output, "already exists; selfcheck never writes over another file: give a new name") from None
    typer.echo(f"selfcheck: wrote {output}", err=True)


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


def _with_progress(files: list[Path], assess_one) -> list:
    """Each file's row, with a progress bar on stderr; a bad file is reported there as it is met."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, highlight=False)
    rows = []
    columns = (TextColumn("assessing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=console.is_terminal) as progress:
        task = progress.add_task("", total=len(files))
        for path in files:
            progress.update(task, description=path.name)
            row = assess_one(path)
            if row.error:
                console.print(f"selfcheck: {row.error}", markup=False, soft_wrap=True)
            rows.append(row)
            progress.advance(task)
        progress.update(task, description="")
    return rows


def _round(round: str | None) -> str:
    """The round asked for, or the installed default (read from the rulebooks, not named here)."""
    from selfcheck.engine.answers import rounds

    return round or rounds.default_round()


def _write(text: str, output: Path | None) -> None:
    """To stdout, or to a file written whole or not at all."""
    if output is None:
        sys.stdout.write(text)
        return
    from selfcheck.engine.common.safe_files import write_text_atomically

    write_text_atomically(output, text)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
