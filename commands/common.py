"""What every command shares: the options several declare, the exit codes, the error reporting that
turns any error into one message and its code, writing the output, and the progress bar.

Only the standard library and typer at the top: the engine is imported where it is used, so that a
command starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import NoReturn

import typer


class Format(StrEnum):
    text = "text"
    json = "json"


FORMAT_OPTION = typer.Option(Format.text, "--format", help="text for people, json for tools.")
ANSWERS_ARGUMENT = typer.Argument(..., help="Answers file (YAML or JSON), or an amendment of one.")
INCLUDE_DRAFT_OPTION = typer.Option(False, "--include-draft", help="Also fire draft rules (inferred recommendations).")
ROUND_OPTION = typer.Option(None, "--round", help="Monitoring round whose rulebook to use [default: the installed default round].")
AS_OF_OPTION = typer.Option(
    None,
    "--as-of",
    formats=["%Y-%m-%d"],
    metavar="YYYY-MM-DD",
    help="Take the law as in force on this date: only the amendments in force then apply; those adopted but not yet in force are listed.",
)

EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_ENGINE, EXIT_INTERNAL = 1, 2, 3, 4
debugging = False


def options(debug: bool = typer.Option(False, "--debug", help="On an internal error (exit 4), print its traceback.")):
    global debugging
    debugging = debug


def reports_errors(command: Callable) -> Callable:
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


def chosen_round(round: str | None) -> str:
    """The round asked for, or the installed default (read from the rulebooks, not named here)."""
    from selfcheck.engine.answers import rounds

    return round or rounds.default_round()


def day_of(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


def write(text: str, output: Path | None) -> None:
    """To stdout, or to a file written whole or not at all."""
    if output is None:
        sys.stdout.write(text)
        return
    from selfcheck.engine.common.safe_files import write_text_atomically

    write_text_atomically(output, text)


def create(text: str, output: Path | None) -> None:
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


def refuse_binary_to_stdout(what: str, suffix: str) -> NoReturn:
    """A document a terminal cannot show goes to a file only (exit 2)."""
    typer.echo(f"selfcheck: {what} is a binary file; give -o FILE.{suffix}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def write_document(data: bytes, output: Path | None) -> None:
    """To stdout, or to a file written whole or not at all, saying so."""
    if output is None:
        sys.stdout.buffer.write(data)
        return
    from selfcheck.engine.common.safe_files import write_atomically

    write_atomically(output, data)
    typer.echo(f"selfcheck: wrote {output}", err=True)


def fail_on_findings(kinds: list[str], failed: list[str]) -> None:
    """Exit 1, naming what was found, if ``--fail-on`` asked to fail on it."""
    if failed:
        typer.echo(f"selfcheck: --fail-on {','.join(kinds)}: {', '.join(failed)}", err=True)
        raise typer.Exit(EXIT_FINDINGS)


def with_progress(files: list[Path], assess_one, jobs: int | None = None) -> list:
    """Each file's row, in the files' order, with a progress bar on stderr; a bad file is reported
    there as it is met. ``assess_one`` runs in ``jobs`` processes (default: one per core) when there
    is more than one file; it must then be a picklable function (a module's, or a partial of one)."""
    import os

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    jobs = min(jobs or os.cpu_count() or 1, len(files))
    console = Console(stderr=True, highlight=False)
    rows = []
    columns = (TextColumn("assessing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
    with _workers(jobs) as pool:  # started before the progress bar's thread: a process is never forked beside it
        chunk = max(1, min(16, len(files) // (jobs * 8)))  # fewer round trips to the workers, still an even share each
        results = pool.imap(assess_one, files, chunk) if pool else map(assess_one, files)
        with Progress(*columns, console=console, transient=console.is_terminal) as progress:
            task = progress.add_task("", total=len(files))
            for path in files:
                progress.update(task, description=path.name)
                row = next(results)
                if row.error:
                    console.print(f"selfcheck: {row.error}", markup=False, soft_wrap=True)
                rows.append(row)
                progress.advance(task)
            progress.update(task, description="")
    return rows


def _workers(jobs: int):
    """A pool of ``jobs`` processes, or a context holding None for one job (assessed in this process)."""
    import contextlib
    import multiprocessing

    if jobs <= 1:
        return contextlib.nullcontext(None)
    # fork: a worker starts with what this process already imported, in a millisecond
    return multiprocessing.get_context("fork").Pool(jobs)
