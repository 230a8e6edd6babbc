"""Turning a factsheet into a file: the formats and their Jinja2 templates (files are written by ``documents.write_atomically``).

Jinja2 and python-docx are imported here and in the renderers only, so that the other commands
start without them.
"""

from __future__ import annotations

from .factsheet import Factsheet
from .rounds import TEMPLATES

FORMATS = ("markdown", "html", "docx")
SUFFIXES = {"markdown": ".md", "html": ".html", "docx": ".docx"}


def render(factsheet: Factsheet, format: str) -> bytes:
    if format == "markdown":
        from .render_markdown import render_markdown

        return render_markdown(factsheet).encode("utf-8")
    if format == "html":
        from .render_html import render_html

        return render_html(factsheet).encode("utf-8")
    from .render_docx import render_docx

    return render_docx(factsheet)


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
