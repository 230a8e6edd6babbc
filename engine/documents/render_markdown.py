"""The factsheet as Markdown (templates/factsheet.md.j2): plain text a person reads, any forge renders."""

from __future__ import annotations

import re

from selfcheck.engine.documents.factsheet import Factsheet, Inline, Ref, Text
from selfcheck.engine.documents.templates import jinja_environment

# Characters that Markdown would read as markup anywhere in a line, and line starts it would read
# as a heading, a list, a quote or a numbered item.
INLINE_MARKUP = re.compile(r"([\\`*_\[\]<])")
LINE_START = re.compile(r"^(?:([#+>-])|(\d+)([.)]))(?=\s|$)")
ENTITY = re.compile(r"&(?=#?\w+;)")


def render_markdown(factsheet: Factsheet) -> str:
    environment = jinja_environment(html=False)
    environment.filters["md"] = markdown_inline
    environment.filters["anchor"] = github_anchor
    return environment.get_template("factsheet.md.j2").render(factsheet=factsheet)


def escape(text: str) -> str:
    return ENTITY.sub("&amp;", INLINE_MARKUP.sub(r"\\\1", text))


def markdown_inline(inlines: list[Inline] | str) -> str:
    """Runs as one line of Markdown: words escaped, emphasis marked, footnotes called [^n]."""
    if isinstance(inlines, str):
        inlines = [Text(inlines)]
    out = []
    for inline in inlines:
        if isinstance(inline, Ref):
            out.append(f"[^{inline.number}]")
        elif inline.style and inline.text.strip():
            mark = "**" if inline.style == "strong" else "*"
            out.append(f"{mark}{escape(inline.text)}{mark}")
        else:
            out.append(escape(inline.text))
    line = " ".join("".join(out).split())  # one paragraph, one line
    return LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), line)


def github_anchor(text: str) -> str:
    """The id GitHub, GitLab and Gitea give a heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
