"""The command reference, generated from the command line at every build so that it cannot drift.

The page ``cli`` holds the line ``<!-- commands -->``; when Sphinx reads it, this extension puts in
its place every command of ``selfcheck.cli.app`` (the typer app), with its help, usage, arguments
and options as ``--help`` prints them. (sphinx-click cannot be used: typer builds its commands on a
copy of click of its own, which sphinx-click does not recognise.)
"""

import re

import typer.main

from selfcheck.cli import app

MARKER = "<!-- commands -->"
PAGE = "cli"
# Backslash-escaped so that Markdown prints a help text as written (CommonMark escapes any ASCII punctuation).
MARKDOWN_SIGNS = re.compile(r"([\\`*_\[\]<>#|{}!])")


def commands_markdown() -> str:
    root = typer.main.get_command(app)
    return "\n".join(_command(root, root.context_class(root, info_name="selfcheck"), level=2))


def _command(command, context, level: int) -> list[str]:
    path = context.command_path
    lines = [f"{'#' * level} {path}", ""]
    lines += [_text(paragraph) + "\n" for paragraph in (command.help or "").split("\n\n") if paragraph.strip()]
    lines += ["```text", command.get_usage(context).removeprefix("Usage: "), "```", ""]
    for kind, title in (("argument", "Arguments"), ("option", "Options")):
        records = [param.get_help_record(context) for param in command.params if param.param_type_name == kind and not getattr(param, "hidden", False)]
        records = [record for record in records if record]
        if records:
            lines += [f"{title}:", ""] + [f"- `{names}`" + (f": {_text(help_text)}" if help_text else "") for names, help_text in records] + [""]
    if hasattr(command, "list_commands"):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                lines += _command(sub, sub.context_class(sub, info_name=name, parent=context), level if context.parent is None else level + 1)
    return lines


def _text(text: str) -> str:
    return MARKDOWN_SIGNS.sub(r"\\\1", " ".join(text.split()))


def insert_commands(app, docname: str, source: list[str]) -> None:
    if docname == PAGE:
        if MARKER not in source[0]:
            raise ValueError(f"docs/{PAGE}.md has lost the line {MARKER} where the commands go")
        source[0] = source[0].replace(MARKER, commands_markdown())


def setup(app):
    app.connect("source-read", insert_commands)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
