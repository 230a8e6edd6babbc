"""The transcription of a published factsheet item by item, and the items of a built one.

``engine.documents.published.published_text`` turns albania-factsheet.txt into one normalised string of its
body, with every footnote marker written ``[^n]``, and the footnotes by number. ``transcription``
reads the golden file that splits the same text into the factsheet's items (headings,
observations, lead-ins, recommendations ...); a test checks that the items, read in order, are
exactly that string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from selfcheck.engine.common.safe_files import read_document
from selfcheck.engine.documents.published import PublishedText, normalise, published_text


def citation(text: str) -> str:
    """What a footnote cites, however it is typed: "Para.50." and "Para. 50" are one citation."""
    text = normalise(text)
    paras = re.fullmatch(r"Paras?\.?\s*([\d,\s]+?)\.?", text)
    if paras:
        return "Para. " + ", ".join(re.findall(r"\d+", paras.group(1)))
    if re.match(r"Recommendations?\b", text):
        return "Recommendation " + ", ".join(re.findall(r"\b[IVX]+-\d+\b", text))
    return text


@dataclass
class Item:
    role: str  # heading, text, observation, lead, recommendation, difficulty or practice
    text: str  # with [^n] footnote markers
    parts: list[str]  # the sub-bullets of the same item

    def words(self) -> str:
        return normalise(" ".join([self.text] + self.parts))


ROLES = ("heading", "text", "observation", "lead", "recommendation", "difficulty", "practice")


@dataclass
class Transcription:
    party: str
    source: Path
    start: str
    repairs: list[tuple[str, str]]
    items: list[Item]

    def published(self) -> PublishedText:
        return published_text(self.source, self.start, self.repairs)


def transcription(path: Path) -> Transcription:
    data = read_document(path).data
    items = []
    for entry in data["items"]:
        (role,) = [key for key in entry if key in ROLES]
        items.append(Item(role, entry[role], entry.get("items", [])))
    repairs = [(repair["raw"], repair["reads"]) for repair in data["repairs"]]
    return Transcription(data["party"], path.parent / data["source"], data["start"], repairs, items)


def first_difference(expected: str, got: str, context: int = 60) -> str:
    index = next((i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b), min(len(expected), len(got)))
    return f"at character {index}:\n  expected ...{expected[max(0, index - context) : index + context]!r}\n  got      ...{got[max(0, index - context) : index + context]!r}"


def with_citations(text: str, footnotes: dict[int, str]) -> str:
    """A text whose footnote markers [^n] are replaced by what footnote n cites."""
    return re.sub(r"\[\^(\d+)\]", lambda m: f"[^{citation(footnotes[int(m.group(1))])}]", normalise(text))


def factsheet_items(factsheet) -> list[Item]:
    """The items of a built factsheet, in reading order, as the transcription lists them."""
    from selfcheck.engine.documents.factsheet import Bullets, Heading, Paragraph, Ref

    notes = {footnote.number: "".join(getattr(r, "text", "") for r in footnote.runs) for footnote in factsheet.footnotes}

    def words(inlines) -> str:
        return "".join(f"[^{i.number}]" if isinstance(i, Ref) else i.text for i in inlines)

    items: list[Item] = []

    def bullets(list_items) -> None:
        for item in list_items:
            items.append(Item(item.role, words(item.runs), [words(part) for part in item.parts]))
            bullets(item.children)

    for part in factsheet.parts:
        items.append(Item("heading", words(part.heading.runs), []))
        for block in part.blocks:
            if isinstance(block, Heading):
                items.append(Item("heading", words(block.runs), []))
            elif isinstance(block, Paragraph):
                items.append(Item(block.role, words(block.runs), []))
            elif isinstance(block, Bullets):
                bullets(block.items)
    for item in items:
        item.text = with_citations(item.text, notes)
        item.parts = [with_citations(part, notes) for part in item.parts]
    return items
