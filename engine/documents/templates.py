"""The Jinja2 environment of every document laid out by a template in templates/ (the factsheet in
Markdown and HTML, the situation report, the reply). Jinja2 is imported only when a template is used."""

from __future__ import annotations

from selfcheck.engine.common.data import TEMPLATES


def jinja_environment(html: bool):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
