"""The factsheet as one self-contained HTML5 page (templates/factsheet.html.j2), ready to print on A4."""

from __future__ import annotations

from selfcheck.engine.documents.factsheet import Factsheet, Inline, Ref, Text
from selfcheck.engine.documents.templates import jinja_environment

TAGS = {"strong": "strong", "em": "em"}


def render_html(factsheet: Factsheet) -> str:
    environment = jinja_environment(html=True)
    environment.filters["html"] = html_inline
    return environment.get_template("factsheet.html.j2").render(factsheet=factsheet)


def html_inline(inlines: list[Inline] | str):
    """Runs as escaped HTML: emphasis as <strong>/<em>, footnote calls as linked superscripts."""
    from markupsafe import Markup, escape

    if isinstance(inlines, str):
        inlines = [Text(inlines)]
    out = []
    for inline in inlines:
        if isinstance(inline, Ref):
            n = inline.number
            out.append(f'<sup class="fnref"><a href="#fn-{n}" id="fnref-{n}">{n}</a></sup>')
        elif inline.style in TAGS:
            out.append(f"<{TAGS[inline.style]}>{escape(inline.text)}</{TAGS[inline.style]}>")
        else:
            out.append(str(escape(inline.text)))
    return Markup("".join(out))
