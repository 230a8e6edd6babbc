"""The factsheet as a Word document: heading styles, a table of contents field, real footnotes.

python-docx has no footnote API, so the footnotes part (word/footnotes.xml) is written here and
related to the document, and each call is a w:footnoteReference run - the structure Word and
LibreOffice write themselves.

The contents list each chapter with its page: a link to a bookmark on the chapter's heading and a
PAGEREF field to it, so that nothing asks to be updated on opening. LibreOffice lays the pages out
and fills each PAGEREF itself; Word shows the field's written result until it next updates fields
(printing does), so that result is the page the chapter starts on as estimated here, from the
length of what precedes it (``pages``).
"""

from __future__ import annotations

import io

from selfcheck.engine.documents.factsheet import Bullets, Factsheet, Footnote, Heading, Inline, Item, Paragraph, Ref, Text
from selfcheck.engine.documents.pages import estimated_starts
from selfcheck.engine.documents.word import box, set_up

HEADING_STYLES = {2: "Heading 1", 3: "Heading 2", 4: "Heading 3"}
BULLET_STYLES = ("List Bullet", "List Bullet 2", "List Bullet 3")
FOOTNOTE_TEXT, FOOTNOTE_REFERENCE = "Footnote Text", "Footnote Reference"


def render_docx(factsheet: Factsheet) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    _styles(document)
    _properties(document, factsheet)
    notice = document.add_paragraph()
    notice.add_run(factsheet.notice).bold = True
    box(notice)
    document.add_paragraph(factsheet.title, style="Title")
    document.add_paragraph(factsheet.report_title).alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(f"“{factsheet.round_title}”").bold = True
    if factsheet.last_update:
        document.add_paragraph(factsheet.last_update).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(factsheet.contents, style="TOC Heading")
    starts = estimated_starts(factsheet)
    _contents(document, factsheet, starts)
    for index, part in enumerate(factsheet.sections):
        heading = document.add_paragraph(style=HEADING_STYLES[part.heading.level])
        heading.paragraph_format.page_break_before = True
        _add_runs(heading, part.heading.runs)
        _bookmark(heading, index)
        for block in part.blocks:
            if isinstance(block, Heading):
                _add_runs(document.add_paragraph(style=HEADING_STYLES[block.level]), block.runs)
            elif isinstance(block, Paragraph):
                _add_runs(document.add_paragraph(), block.runs)
            elif isinstance(block, Bullets):
                _add_bullets(document, block.items, 0)
    provenance = document.add_paragraph()
    provenance.paragraph_format.space_before = _pt(24)
    for run in _add_runs(provenance, factsheet.provenance_runs):
        run.italic, run.font.size = True, _pt(8)
    _footnotes_part(document, factsheet.footnotes)
    _footnote_settings(document)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _pt(size: float):
    from docx.shared import Pt

    return Pt(size)


def _styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE

    text = document.styles.add_style(FOOTNOTE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = document.styles["Normal"]
    text.font.size = _pt(9)
    text.paragraph_format.space_after = _pt(0)
    reference = document.styles.add_style(FOOTNOTE_REFERENCE, WD_STYLE_TYPE.CHARACTER)
    reference.font.superscript = True


def _properties(document, factsheet: Factsheet) -> None:
    """A4, the language, page numbers and the notice on every page; the properties carry the
    provenance, as key=value pairs (Word keeps 255 characters each)."""
    provenance = factsheet.provenance
    set_up(
        document,
        title=f"{factsheet.title} (national self-assessment)",
        author=factsheet.party,
        subject=factsheet.round_title,
        language=factsheet.language,
        header=factsheet.running_header,
        keywords=f"{factsheet.party}; {provenance.round}; {provenance.report}; national self-assessment",
        comments=(
            f"round={provenance.round}; report={provenance.report}; rulebook_sha256={provenance.rulebook_sha256}; "
            f"questionnaire_version={provenance.questionnaire_version}; answers_as_of={provenance.answers_as_of}"
            + "".join(f"; amendment={bill}" for bill in provenance.amendments)
            + (f"; law_as_of={provenance.law_as_of}" if provenance.law_as_of else "")
        ),
    )


def _add_runs(paragraph, inlines: list[Inline]) -> list:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    added = []
    for inline in inlines:
        if isinstance(inline, Ref):
            run = paragraph.add_run()
            run.style = FOOTNOTE_REFERENCE
            reference = OxmlElement("w:footnoteReference")
            reference.set(qn("w:id"), str(inline.number))
            run._r.append(reference)
        else:
            run = paragraph.add_run(inline.text)
            run.bold = inline.style == "strong" or None
            run.italic = inline.style == "em" or None
            added.append(run)
    return added


def _add_bullets(document, items: list[Item], depth: int) -> None:
    style = BULLET_STYLES[min(depth, len(BULLET_STYLES) - 1)]
    part_style = BULLET_STYLES[min(depth + 1, len(BULLET_STYLES) - 1)]
    for item in items:
        _add_runs(document.add_paragraph(style=style), item.runs)
        for part in item.parts:
            _add_runs(document.add_paragraph(style=part_style), part)
        _add_bullets(document, item.children, depth + 1)


def _contents(document, factsheet: Factsheet, starts: list[int]) -> None:
    """One line per chapter: its title, linked to its heading, dots, and its page (a PAGEREF field)."""
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml.ns import qn
    from docx.shared import Mm

    for index, (part, page) in enumerate(zip(factsheet.sections, starts, strict=True)):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(170), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        paragraph.paragraph_format.space_after = _pt(3)
        link = _element("w:hyperlink")
        link.set(qn("w:anchor"), _bookmark_name(index))
        link.set(qn("w:history"), "1")
        paragraph._p.append(link)
        title = "".join(i.text for i in part.heading.runs if isinstance(i, Text))
        for text in (title, "\t"):
            run = _element("w:r")
            run.append(_element("w:tab") if text == "\t" else _element("w:t", text, preserve=True))
            link.append(run)
        _field_char(paragraph, "begin")
        paragraph.add_run()._r.append(_element("w:instrText", f" PAGEREF {_bookmark_name(index)} \\h ", preserve=True))
        _field_char(paragraph, "separate")
        paragraph.add_run(str(page))
        _field_char(paragraph, "end")


def _bookmark(paragraph, index: int) -> None:
    from docx.oxml.ns import qn

    start, end = _element("w:bookmarkStart"), _element("w:bookmarkEnd")
    start.set(qn("w:id"), str(index + 1))
    start.set(qn("w:name"), _bookmark_name(index))
    end.set(qn("w:id"), str(index + 1))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _bookmark_name(index: int) -> str:
    return f"_Toc_chapter_{index + 1}"


def _field_char(paragraph, kind: str) -> None:
    from docx.oxml.ns import qn

    character = _element("w:fldChar")
    character.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(character)


def _element(tag: str, text: str | None = None, preserve: bool = False):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    if text is not None:
        element.text = text
    if preserve:
        element.set(qn("xml:space"), "preserve")
    return element


def _footnote_settings(document) -> None:
    """settings.xml: name the footnote separators."""
    from docx.oxml.ns import qn

    settings = document.settings.element
    footnote_properties = _element("w:footnotePr")
    for identifier in ("-1", "0"):
        separator = _element("w:footnote")
        separator.set(qn("w:id"), identifier)
        footnote_properties.append(separator)
    compat = settings.find(qn("w:compat"))  # it comes right before w:compat in the schema's order
    if compat is not None:
        compat.addprevious(footnote_properties)
    else:
        settings.append(footnote_properties)


def _footnotes_part(document, footnotes: list[Footnote]) -> None:
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def tag(name: str) -> str:
        return f"{{{w}}}{name}"

    root = etree.Element(tag("footnotes"), nsmap={"w": w})
    for identifier, kind, mark in (("-1", "separator", "separator"), ("0", "continuationSeparator", "continuationSeparator")):
        note = etree.SubElement(root, tag("footnote"), {tag("type"): kind, tag("id"): identifier})
        etree.SubElement(etree.SubElement(etree.SubElement(note, tag("p")), tag("r")), tag(mark))
    style_id = document.styles[FOOTNOTE_TEXT].style_id
    reference_id = document.styles[FOOTNOTE_REFERENCE].style_id
    for footnote in footnotes:
        note = etree.SubElement(root, tag("footnote"), {tag("id"): str(footnote.number)})
        paragraph = etree.SubElement(note, tag("p"))
        etree.SubElement(etree.SubElement(paragraph, tag("pPr")), tag("pStyle"), {tag("val"): style_id})
        call = etree.SubElement(paragraph, tag("r"))
        etree.SubElement(etree.SubElement(call, tag("rPr")), tag("rStyle"), {tag("val"): reference_id})
        etree.SubElement(call, tag("footnoteRef"))
        for index, inline in enumerate(i for i in footnote.runs if isinstance(i, Text)):
            run = etree.SubElement(paragraph, tag("r"))
            if inline.style:
                properties = etree.SubElement(run, tag("rPr"))
                etree.SubElement(properties, tag("b" if inline.style == "strong" else "i"))
            text = etree.SubElement(run, tag("t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
            text.text = (" " if index == 0 else "") + inline.text
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, blob, document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
