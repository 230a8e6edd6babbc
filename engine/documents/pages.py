"""Where each chapter of the Word factsheet starts, estimated from the length of what precedes it:
the page Word shows in the contents until it next updates its fields (LibreOffice computes its own).

Each chapter starts on a new page, so a chapter's first page is the sum of the pages of what comes
before it. A chapter's pages are its lines - text wrapped at the width of an A4 page with 20 mm
margins in the default 11 pt font, headings and footnotes weighed as the lines they take - over the
lines a page holds. The measures are those of the Word template selfcheck writes with (Calibri), as
LibreOffice lays it out with Carlito, Calibri's metric twin: tests/test_documents_rendered.py checks
them against the pages of the round's parties.
"""

from __future__ import annotations

import math

from selfcheck.engine.documents.factsheet import Bullets, Factsheet, Heading, Inline, Item, Part, Text

CHARACTERS_PER_LINE = 78  # 11 pt Calibri across 170 mm
LINES_PER_PAGE = 59  # 11 pt Calibri lines, with their spacing, in 255 mm
HEADING_LINES = {2: 2.6, 3: 2.2, 4: 1.9}
PARAGRAPH_SPACING = 0.55  # the space after a paragraph, in lines
BULLET_INDENT = 6  # characters a bullet's indent takes from a line
FOOTNOTE_LINE = 0.75  # a 9 pt footnote line, in 11 pt lines
FOOTNOTE_CHARACTERS = 110


def estimated_starts(factsheet: Factsheet) -> list[int]:
    """The page each of ``factsheet.sections`` starts on (the cover and contents take the first)."""
    starts, page = [], 1
    for part in factsheet.sections:
        page += 1
        starts.append(page)
        page += max(math.ceil(_lines(part) / LINES_PER_PAGE), 1) - 1
    return starts


def _lines(part: Part) -> float:
    lines = HEADING_LINES[part.heading.level]
    for block in part.blocks:
        if isinstance(block, Heading):
            lines += HEADING_LINES.get(block.level, 2)
        elif isinstance(block, Bullets):
            lines += sum(_item_lines(item, 1) for item in block.items) + PARAGRAPH_SPACING
        else:
            lines += _wrapped(block.runs, CHARACTERS_PER_LINE) + PARAGRAPH_SPACING
    lines += sum(_wrapped(note.runs, FOOTNOTE_CHARACTERS) * FOOTNOTE_LINE for note in part.footnotes)
    return lines


def _item_lines(item: Item, depth: int) -> float:
    width = CHARACTERS_PER_LINE - BULLET_INDENT * depth
    lines = _wrapped(item.runs, width) + sum(_wrapped(part, width - BULLET_INDENT) for part in item.parts)
    return lines + sum(_item_lines(child, depth + 1) for child in item.children)


def _wrapped(runs: list[Inline], width: int) -> int:
    text = "".join(run.text if isinstance(run, Text) else "9" for run in runs)
    return max(math.ceil(len(text) / width), 1)
