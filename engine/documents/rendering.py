"""Turning a factsheet into a file in each format (files are written by ``engine.common.safe_files.write_atomically``).

Jinja2 and python-docx are imported here and in the renderers only, so that the other commands
start without them.
"""

from __future__ import annotations

from selfcheck.engine.documents.factsheet import Factsheet

FORMATS = ("markdown", "html", "docx")
SUFFIXES = {"markdown": ".md", "html": ".html", "docx": ".docx"}


def render(factsheet: Factsheet, format: str) -> bytes:
    if format == "markdown":
        from selfcheck.engine.documents.render_markdown import render_markdown

        return render_markdown(factsheet).encode("utf-8")
    if format == "html":
        from selfcheck.engine.documents.render_html import render_html

        return render_html(factsheet).encode("utf-8")
    from selfcheck.engine.documents.render_docx import render_docx

    return render_docx(factsheet)
