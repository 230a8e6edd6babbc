"""Every format of `selfcheck follow-up status`: text and JSON, the situation report in Markdown or
Word, the plan of action as a workbook. python-docx and openpyxl are imported only when asked for."""

from __future__ import annotations

from selfcheck.engine.follow_up.follow_up_file import FollowUp
from selfcheck.engine.follow_up.report import render_markdown, situation_report
from selfcheck.engine.follow_up.status import FollowUpStatus, render_text
from selfcheck.engine.rules.rulebook import Rulebook


def render_status(status: FollowUpStatus, follow_up: FollowUp, rulebook: Rulebook, format: str) -> bytes:
    if format == "json":
        return (status.model_dump_json(indent=2) + "\n").encode("utf-8")
    if format == "text":
        return render_text(status, rulebook.vocabulary.own.label if rulebook.vocabulary.own else "").encode("utf-8")
    if format == "xlsx":
        from selfcheck.engine.follow_up.workbook import render_workbook

        return render_workbook(follow_up, rulebook)
    report = situation_report(status, follow_up, rulebook)
    if format == "markdown":
        return render_markdown(report).encode("utf-8")
    from selfcheck.engine.follow_up.report_docx import render_docx

    return render_docx(report)
