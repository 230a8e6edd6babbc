"""A ministry team at work: the web questionnaire served (serve), its users, the history of a file,
and the reply the Committee receives."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from selfcheck.commands.common import FORMAT_OPTION, ROUND_OPTION, Format, chosen_round, refuse_binary_to_stdout, write_document

DATA_DIR_OPTION = typer.Option(None, "--data-dir", help="The folder of answer files served [default: the round's parties/ folder].")
PASSWORD_FILE_OPTION = typer.Option(
    None, "--password-file", help="Read the password from the first line of this file (- for standard input) instead of asking for it."
)
NAME_ARGUMENT = typer.Argument(..., help="The user's login name.")


def serve(
    data_dir: Path = typer.Argument(Path("."), help="Folder of answer files to list and edit.", show_default="the current folder"),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; only this machine can connect unless you change it."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        None, "--workers", min=1, help="Processes answering requests, sharing the port, the logins and the files [default: the number of cores]."
    ),
    allow_host: list[str] = typer.Option(
        [],
        "--allow-host",
        help="Another name browsers use for this server (e.g. behind a proxy); repeat for several. This machine's own names and addresses are always accepted.",
    ),
    trust_user_header: str = typer.Option(
        None,
        "--trust-user-header",
        metavar="NAME",
        help="Behind a single sign-on proxy on this machine: take the user name from this request header "
        "(e.g. X-Remote-User) instead of asking for a login. Listens on this machine only; the proxy must set the header on every request.",
    ),
    behind_tls: bool = typer.Option(False, "--behind-tls", help="Browsers reach the server over HTTPS (through a proxy): cookies are marked Secure."),
    session_minutes: float = typer.Option(
        120, "--session-minutes", min=1, help="A login ends after this many minutes without use (and after 12 hours in all)."
    ),
    forwarded_allow_ips: str = typer.Option(
        None,
        "--forwarded-allow-ips",
        metavar="ADDR",
        help="Behind a proxy: take the client's address (for the login throttle) and scheme from X-Forwarded-For and X-Forwarded-Proto, "
        "only on requests from these addresses (comma-separated, e.g. 127.0.0.1). Off by default: those headers are ignored.",
    ),
    max_connections: int = typer.Option(
        500, "--max-connections", min=1, help="Connections open at once, in each worker; one beyond them is answered 503 and closed."
    ),
    header_timeout: float = typer.Option(
        10, "--header-timeout", min=0.1, help="Seconds a client has to send a request's headers; a slower one is answered 408 and cut off."
    ),
    body_timeout: float = typer.Option(30, "--body-timeout", min=0.1, help="Seconds a client has to send a request's body (forms, uploads), likewise."),
    round: str | None = ROUND_OPTION,
):
    """Open the web questionnaire: fill in answers, see the recommendations as you save, export the factsheet.

    Without users it is one person's tool on this machine, with no login; with users (selfcheck users add) it requires one."""
    round = chosen_round(round)
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import track_inputs

    track_inputs(False)  # the questionnaire replaces the files it reads, each save checked against its version
    rounds.questionnaire(round)  # an unknown round is refused before the server starts
    if not data_dir.is_dir():
        raise InputError(data_dir, "is not a folder; give the folder of answer files to serve")
    from selfcheck.engine.team.accounts import has_users
    from selfcheck.web.app import create_app
    from selfcheck.web.security import LOOPBACK, normal_host, url_host
    from selfcheck.web.server import Limits, files_for, make_server

    if trust_user_header and not has_users(data_dir):
        raise InputError("--trust-user-header", f"there are no users in {data_dir} to trust it for: add them with selfcheck users add")
    if trust_user_header and normal_host(host) not in LOOPBACK:  # any client reaching the address could name any user
        raise InputError(
            "--trust-user-header",
            f"trusts whoever sends the header, so it listens only on this machine (--host 127.0.0.1 or ::1), not {host}: "
            "run the sign-on proxy on this machine, in front of it",
        )

    # A team's database that is missing or has no user left is refused here, before anything listens.
    application = create_app(data_dir, round, host, tuple(allow_host), trust_user_header=trust_user_header, behind_tls=behind_tls, idle_minutes=session_minutes)
    listening = _listen(host, port)  # before the URL is announced: a port in use is refused here
    if normal_host(host) not in LOOPBACK:
        typer.echo(f"selfcheck serve: listening on {host}: anyone who can reach this machine can read and change the answers in {data_dir}", err=True)
    typer.echo(f"selfcheck serve: the questionnaire for {data_dir} is at http://{url_host(host)}:{port}/ (Ctrl-C to stop)", err=True)
    if has_users(data_dir):
        typer.echo(
            f"selfcheck serve: {data_dir} has users: " + (f"the user is named by the {trust_user_header} header" if trust_user_header else "everyone logs in"),
            err=True,
        )
    connections = files_for(max_connections)
    if connections < max_connections:
        typer.echo(f"selfcheck serve: this system lets it open files for only {connections} connections at once, not {max_connections}", err=True)
    limits = Limits(connections, header_timeout, body_timeout)
    server = make_server(application, limits=limits, forwarded_allow_ips=forwarded_allow_ips)
    _run_workers(server, listening, workers)


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


def _run_workers(server, listening, workers: int | None) -> None:
    """The server in ``workers`` processes (default: one per core) accepting on one socket.

    They are forked from this one once the application exists, before any thread or event loop: each
    starts with the same CSRF secret, and shares sessions, the login throttle and the history through
    the database, and each file's lock through its lock file. This process only waits for them and
    passes a request to stop on to them."""
    import os
    import signal

    count = workers or os.cpu_count() or 1
    if count == 1:
        server.run(sockets=[listening])
        return
    children = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                server.run(sockets=[listening])
                code = 0
            finally:
                os._exit(code)
        children.append(pid)

    def stop(signum, frame) -> None:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)  # each finishes the requests it is answering
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    listening.close()  # the workers hold it
    for pid in children:
        os.waitpid(pid, 0)


def history(
    answers: Path = typer.Argument(..., help="An answers file of a folder served by selfcheck serve, or its follow-up (NAME.follow-up.yaml)."),
    question: str = typer.Option(
        None,
        "--question",
        help="Only the changes of this question (its id, e.g. legal.age_of_criminal_responsibility), or of this recommendation in a follow-up.",
    ),
    format: Format = FORMAT_OPTION,
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


def reply(
    answers: Path = typer.Argument(..., help="The Party's answers file."),
    format: str = typer.Option("markdown", "--format", help="markdown or docx (Word)."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write, whole or not at all; without it, Markdown goes to stdout."),
):
    """The reply the Committee receives: every question with the Party's answer, source and note, chapter by chapter, with each chapter's approval state."""
    from selfcheck.engine.answers import rounds
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import refuse_output_over_inputs
    from selfcheck.engine.rules import rulebooks
    from selfcheck.engine.team.history import read_statuses
    from selfcheck.engine.team.reply import build_reply
    from selfcheck.engine.team.reply_formats import FORMATS as REPLY_FORMATS
    from selfcheck.engine.team.reply_formats import render_reply

    if format not in REPLY_FORMATS:
        raise InputError("--format", f"expected one of {', '.join(REPLY_FORMATS)}, got {format!r}")
    if format == "docx" and output is None:
        refuse_binary_to_stdout("a Word reply", "docx")
    if output is not None:
        refuse_output_over_inputs(output, [answers])
    loaded = rounds.load_answers(answers)
    rulebook = rulebooks.rulebook(loaded.round)
    titles = {entry.chapter: entry.title for entry in rulebook.meta.chapters}
    made = build_reply(loaded, rounds.questionnaire(loaded.round), titles, read_statuses(answers.resolve().parent, answers.stem), answers.name)
    write_document(render_reply(made, format), output)


def users_add(
    name: str = NAME_ARGUMENT,
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


def users_set(
    name: str = NAME_ARGUMENT,
    role: str = typer.Option(None, "--role", help="coordinator, contributor or reviewer."),
    chapters: str = typer.Option(None, "--chapters", help="The chapters, e.g. II,IV (an empty text for none)."),
    data_dir: Path = DATA_DIR_OPTION,
):
    """Change a user's role or chapters."""
    from selfcheck.engine.team.accounts import set_user

    user = set_user(_team_folder(data_dir), name, role, _chapters(chapters))
    typer.echo(f"selfcheck users: {user.describe()}", err=True)


def users_password(name: str = NAME_ARGUMENT, password_file: Path = PASSWORD_FILE_OPTION, data_dir: Path = DATA_DIR_OPTION):
    """Set a user's password (their sessions end)."""
    from selfcheck.engine.team.accounts import set_password

    set_password(_team_folder(data_dir), name, _password(password_file))
    typer.echo(f"selfcheck users: the password of {name} is changed", err=True)


def users_remove(name: str = NAME_ARGUMENT, data_dir: Path = DATA_DIR_OPTION):
    """Remove a user (their sessions end; their changes stay in the history under their name)."""
    from selfcheck.engine.team.accounts import list_users, remove_user

    folder = _team_folder(data_dir)
    remove_user(folder, name)
    last = "" if list_users(folder) else f"; that was the last user: selfcheck serve refuses {folder} until one is added (selfcheck users add)"
    typer.echo(f"selfcheck users: removed {name}{last}", err=True)


def users_list(data_dir: Path = DATA_DIR_OPTION):
    """The team: each user's role and chapters."""
    from selfcheck.engine.team.accounts import list_users

    for user in list_users(_team_folder(data_dir)):
        typer.echo(user.describe())


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
