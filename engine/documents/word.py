"""What every Word file selfcheck writes shares: A4 pages, British English, page numbers, the notice
on every page, and document properties that say what the file is, for whom and when.

Used by the factsheet, the situation report and the reply to the questionnaire.
"""

from __future__ import annotations

import datetime
from typing import Any

LANGUAGE = "en-GB"


def set_up(
    document: Any, *, title: str, author: str, subject: str = "", keywords: str = "", comments: str = "", header: str = "", language: str = LANGUAGE
) -> None:
    """A4 with 20 mm margins, ``language`` for every run, "Page N of M" in the footer, ``header`` on
    every page, and the core properties (title, author, dates of now) instead of python-docx's own."""
    from docx.shared import Mm, Pt

    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin, section.bottom_margin = Mm(22), Mm(20)
        if header:
            paragraph = section.header.paragraphs[0]
            paragraph.alignment = 1
            run = paragraph.add_run(header)
            run.italic, run.font.size = True, Pt(8)
        footer = section.footer.paragraphs[0]
        footer.alignment = 1
        for text, field in (("Page ", "PAGE"), (" of ", "NUMPAGES")):
            footer.add_run(text).font.size = Pt(9)
            _field(footer, field)
    _default_language(document, language)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0, tzinfo=None)
    properties = document.core_properties
    values = {
        "title": title,
        "author": author,
        "last_modified_by": author,
        "subject": subject,
        "keywords": keywords,
        "comments": comments,
        "language": language,
        "category": "National self-assessment",
    }
    for name, value in values.items():
        setattr(properties, name, value[:255])
    properties.created = properties.modified = now
    properties.revision = 1


def box(paragraph: Any) -> None:
    """A border around the paragraph: the notices that say whose document it is."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        border = OxmlElement(f"w:{side}")
        for name, value in (("val", "single"), ("sz", "8"), ("space", "4"), ("color", "10306B")):
            border.set(qn(f"w:{name}"), value)
        borders.append(border)
    paragraph.paragraph_format.element.get_or_add_pPr().append(borders)


def _field(paragraph: Any, instruction: str) -> None:
    """A field (PAGE, NUMPAGES) whose value Word and LibreOffice compute; "1" shown until they do."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def run_with(element: Any, text: str | None = None) -> None:
        run = paragraph.add_run(text) if text else paragraph.add_run()
        run.font.size = Pt(9)
        if element is not None:
            run._r.append(element)

    for kind in ("begin", "instr", "separate", "result", "end"):
        if kind == "instr":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run_with(code)
        elif kind == "result":
            run_with(None, "1")
        else:
            character = OxmlElement("w:fldChar")
            character.set(qn("w:fldCharType"), kind)
            run_with(character)


def _default_language(document: Any, language: str) -> None:
    """The default language of every run (spelling, hyphenation): w:lang in the document defaults."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), language)
