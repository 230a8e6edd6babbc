"""Reading the published factsheet as text (a PDF extraction) and its transcription item by item.

``published_text`` turns albania-factsheet.txt into one normalised string of its body, with every
footnote marker written ``[^n]``, and the footnotes by number. ``transcription`` reads the golden
file that splits the same text into the factsheet's items (headings, observations, lead-ins,
recommendations ...); a test checks that the items, read in order, are exactly that string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.documents import read_document

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
TO_DIGITS = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
# a footnote's own line starts with its number: superscript, or as LaTeX ("$^{^{\}rm 36}$")
FOOTNOTE_LINE = re.compile(r"^\s*(?:\$[^$\d]*(\d+)[^$]*\$|([" + SUPERSCRIPT_DIGITS + r"]+))\s*(.*)$")
MARKER = re.compile(r"([" + SUPERSCRIPT_DIGITS + r"]+)|(?<=[.)\"])\s?(\d{1,3})(?=\s|$)")
BULLET = re.compile(r"^(?:•|-)\s+")
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


@dataclass
class Published:
    body: str  # normalised, footnote markers as [^n]
    footnotes: dict[int, str]


def published_text(path: Path, start: str, repairs: list[tuple[str, str]]) -> Published:
    """The body from the line ``start`` on; ``repairs`` undo the extraction's known artefacts."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines[lines.index(start) :] if line.strip()]
    body, footnotes = [], {}
    last_footnote = None
    for index, line in enumerate(lines):
        match = FOOTNOTE_LINE.match(line)
        if match:
            last_footnote = int((match.group(1) or match.group(2)).translate(TO_DIGITS))
            footnotes[last_footnote] = match.group(3).strip()
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if last_footnote is not None and not footnotes[last_footnote].endswith(".") and FOOTNOTE_LINE.match(following):
            footnotes[last_footnote] += " " + line.strip()  # a footnote carried over a line break
            continue
        last_footnote = None
        if re.fullmatch(r"\s*\d{1,3}\s*", line):  # a page number
            continue
        body.append(BULLET.sub("", line.strip()))
    text = " ".join(body)
    for raw, reads in repairs:
        if raw not in text:
            raise AssertionError(f"the repair {raw!r} no longer matches the published text")
        text = text.replace(raw, reads)
    return Published(normalise(_markers(text)), footnotes)


def _markers(text: str) -> str:
    """Footnote markers, superscript or (where the extraction lost them) plain digits, as [^n]."""
    expected = 1
    out, position = [], 0
    for match in MARKER.finditer(text):
        if match.group(1):
            digits, numbers = match.group(1).translate(TO_DIGITS), []
            while digits:  # "³⁶³⁷" is footnote 36 then 37
                width = len(str(expected))
                if digits[:width] != str(expected):
                    raise AssertionError(f"footnote {expected} expected at {text[match.start() - 40 : match.end()]!r}")
                numbers.append(expected)
                digits, expected = digits[width:], expected + 1
        elif int(match.group(2)) == expected:
            numbers, expected = [expected], expected + 1
        else:
            continue
        out += [text[position : match.start()], "".join(f"[^{n}]" for n in numbers)]
        position = match.end()
    return "".join(out) + text[position:]


def normalise(text: str) -> str:
    """Whitespace, quotes and emphasis marks normalised; a footnote marker sticks to its word."""
    text = text.translate(QUOTES).replace("<u>", "").replace("</u>", "").replace("*", "")
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+(?=\[\^)", "", text)


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

    def published(self) -> Published:
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
    index = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
    return f"at character {index}:\n  expected ...{expected[max(0, index - context) : index + context]!r}\n  got      ...{got[max(0, index - context) : index + context]!r}"


def with_citations(text: str, footnotes: dict[int, str]) -> str:
    """A text whose footnote markers [^n] are replaced by what footnote n cites."""
    return re.sub(r"\[\^(\d+)\]", lambda m: f"[^{citation(footnotes[int(m.group(1))])}]", normalise(text))


def factsheet_items(factsheet) -> list[Item]:
    """The items of a built factsheet, in reading order, as the transcription lists them."""
    from engine.factsheet import Bullets, Heading, Paragraph, Ref

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
