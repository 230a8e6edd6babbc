"""The reply to the questionnaire in each of its formats: Markdown (templates/reply.md.j2) or Word
(``engine.team.reply_docx``). Jinja2 and python-docx are imported only when asked for."""

from __future__ import annotations

from selfcheck.engine.team.reply import Reply

FORMATS = ("markdown", "docx")
SUFFIXES = {"markdown": ".md", "docx": ".docx"}


def render_reply(reply: Reply, format: str) -> bytes:
    if format == "markdown":
        from selfcheck.engine.documents.render_markdown import markdown_inline
        from selfcheck.engine.documents.templates import jinja_environment

        environment = jinja_environment(html=False)
        environment.filters["md"] = lambda text: markdown_inline(str(text))
        return environment.get_template("reply.md.j2").render(reply=reply, labels=reply.labels).encode("utf-8")
    from selfcheck.engine.team.reply_docx import render_reply_docx

    return render_reply_docx(reply)
