"""selfcheck's command line: the table of its commands, each delegating to a function of ``commands/``.

Exit codes: 0 success; 1 findings a ``--fail-on`` asked to fail on; 2 bad input or an output that
cannot be written (one message on stderr, no traceback; for batch, any file that failed); 3 engine
failure (durable-rules); 4 internal error, a bug in selfcheck (a short message; the traceback with
``selfcheck --debug``).
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from selfcheck.commands import assessing, drafting, following_up, maintaining_rules, team
from selfcheck.commands.common import options, reports_errors

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Self-assessment of a Party's law and practice against a monitoring round's recommendations (see: selfcheck rounds).",
)
app.callback()(options)


def command(parent: typer.Typer, name: str, does: Callable) -> None:
    """Register ``does`` as the command ``name`` of ``parent``; any error it raises becomes one message and its exit code."""
    parent.command(name)(reports_errors(does))


def group(name: str, help: str) -> typer.Typer:
    """A command of ``selfcheck`` whose sub-commands are registered on the group it returns."""
    commands = typer.Typer(no_args_is_help=True, help=help)
    app.add_typer(commands, name=name)
    return commands


# In the order `selfcheck --help` lists them.
command(app, "validate", assessing.validate)
command(app, "assess", assessing.assess)
command(app, "report", assessing.report)
command(app, "explain", assessing.explain)
command(app, "lint", maintaining_rules.lint)
command(app, "test", maintaining_rules.test)
command(app, "rules", maintaining_rules.rules)
command(app, "upgrade", drafting.upgrade)
command(app, "rounds", assessing.list_rounds)
command(app, "init", assessing.init)
command(app, "schema", assessing.schema)
command(app, "diff", drafting.diff)
command(app, "plan", drafting.plan)
command(app, "invert", drafting.invert)
command(app, "batch", assessing.batch)
command(app, "serve", team.serve)
command(app, "history", team.history)
command(app, "reply", team.reply)

users = group("users", "The ministry team of a folder served by selfcheck serve: with users, the web questionnaire requires a login.")
command(users, "add", team.users_add)
command(users, "set", team.users_set)
command(users, "password", team.users_password)
command(users, "remove", team.users_remove)
command(users, "list", team.users_list)

follow_up = group("follow-up", "Follow up the recommendations to compliance: a file per Party and round, checked against the rules.")
command(follow_up, "init", following_up.init)
command(follow_up, "status", following_up.status)
command(follow_up, "import", following_up.import_workbook)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
