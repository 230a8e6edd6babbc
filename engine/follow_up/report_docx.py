"""The situation report as a Word document: A4, British English, heading styles, summary tables.

The notice that it is the Party's own account stands in a bordered box under the title, so that
nobody takes it for a document of the Committee.
"""

from __future__ import annotations

import io

from selfcheck.engine.documents.word import box, set_up
from selfcheck.engine.follow_up.report import Entry, SituationReport

TEXT_WIDTH_MM = 170  # A4 less the 20 mm margins
CHARACTER_MM = 1.6  # the widest a bold 8 pt character is on average, with room for the widest words
CELL_MARGINS_MM = 4.2  # Word's default 1.9 mm each side, and a little air
MIN_COLUMN_MM = 11


def render_docx(report: SituationReport) -> bytes:
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    set_up(
        document,
        title=report.title,
        author=report.party,
        subject=report.subtitle,
        keywords=report.keywords,
        comments=report.provenance,
        header=report.header,
        language=report.language,
    )
    document.add_paragraph(report.title, style="Title")
    document.add_paragraph(report.subtitle, style="Subtitle")
    account = document.add_paragraph()
    account.add_run(report.account).bold = True
    box(account)
    document.add_paragraph(report.situation_on)
    document.add_heading(report.summary_heading, level=1)
    for table in report.tables:
        document.add_heading(table.heading, level=2)
        grid = document.add_table(rows=1, cols=len(table.headers), style="Table Grid")
        grid.autofit = False  # a fixed layout: the widths below hold in Word and LibreOffice alike
        widths = [Mm(width) for width in column_widths(table.headers)]
        for column, width in zip(grid.columns, widths, strict=False):
            column.width = width
        for row_index, row in enumerate([table.headers] + table.rows):
            cells = grid.rows[0].cells if row_index == 0 else grid.add_row().cells
            for index, (cell, value) in enumerate(zip(cells, row, strict=False)):
                cell.width = widths[index]
                run = cell.paragraphs[0].add_run(value)
                run.font.size, run.bold = Pt(8), row_index == 0 or None
                if index:
                    cell.paragraphs[0].alignment = 2  # numbers to the right
    document.add_heading(report.recommendations_heading, level=1)
    for chapter in report.chapters:
        document.add_heading(chapter.heading, level=2)
        for entry in chapter.entries:
            _entry(document, entry, Pt)
    if report.not_in_file:
        document.add_heading(report.not_in_file_heading, level=1)
        for entry in report.not_in_file:
            _entry(document, entry, Pt)
    provenance = document.add_paragraph()
    provenance.paragraph_format.space_before = Pt(24)
    run = provenance.add_run(report.provenance)
    run.italic, run.font.size = True, Pt(8)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def column_widths(headers: list[str]) -> list[float]:
    """The columns' widths in mm across the 170 mm between the margins: each number column as wide as
    its header's longest word in bold 8 pt (so that no header breaks inside a word), the first, the
    names, the rest."""
    numbers = [max(max(map(len, header.split()), default=1) * CHARACTER_MM + CELL_MARGINS_MM, MIN_COLUMN_MM) for header in headers[1:]]
    return [TEXT_WIDTH_MM - sum(numbers), *numbers]


def _entry(document, entry: Entry, Pt) -> None:
    document.add_heading(entry.heading, level=3)
    document.add_paragraph(entry.committee_lead)
    quoted = document.add_paragraph(entry.text, style="Quote")
    quoted.paragraph_format.keep_with_next = True
    if entry.references:
        references = document.add_paragraph()
        run = references.add_run(entry.references)
        run.italic, run.font.size = True, Pt(9)
    lines = ([entry.status] + entry.details) if entry.status else []
    for line in lines:
        _labelled(document, line.label, line.text)
    if entry.status:
        if entry.remains is None:  # _entry says what remains whenever it gives a status
            raise ValueError(f"{entry.heading}: a status without what remains")
        paragraph = _labelled(document, entry.measures_label, "" if entry.measures else entry.no_measures)
        paragraph.paragraph_format.keep_with_next = bool(entry.measures)
        for measure in entry.measures:
            item = document.add_paragraph(style="List Bullet")
            for index, text in enumerate(measure):
                if index:
                    item.add_run().add_break()
                item.add_run(text)
        _labelled(document, entry.remains.label, entry.remains.text)
        if entry.note:
            _labelled(document, entry.note.label, entry.note.text)
    check = _labelled(document, entry.check.label, entry.check.text)
    for run in check.runs:
        run.italic = True


def _labelled(document, label: str, text: str):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = 0
    paragraph.add_run(f"{label}: ").bold = True
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index:
            paragraph.add_run().add_break()
        paragraph.add_run(line)
    return paragraph
