"""The small inline markup of the texts in rule files, factsheet layouts and free-text answers.

    {party}, {PARTY}            the Party's name, as written or in capitals (titles)
    {<question id>}             a quoted answer (observations only)
    **requires**, *other*       strong and emphasised words
    [^50] [^78, 82]             a footnote citing report paragraphs
    [^II-1] [^II-1, II-3]       a footnote citing recommendations (ids as the rulebook's vocabulary writes them)
    [^any other words]          a footnote of the Committee's own (a note, a web address)

Texts are parsed into runs here, once; renderers only decide how a run looks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selfcheck.engine.rules.vocabulary import Vocabulary

PARTY = "party"
PLACEHOLDER = re.compile(r"\{(PARTY|[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\}")
FOOTNOTE = re.compile(r"\[\^([^\[\]]+)\]")
EMPHASIS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
PARAS = re.compile(r"^\d+(?:\s*,\s*\d+)*$")
# C0 controls other than tab and newline cannot appear in XML (Word) and mean nothing in a text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Cite:
    """What a footnote says: report paragraphs, recommendation ids, or a note in words."""

    kind: str  # "paras", "recommendations" or "note"
    items: tuple  # paragraph numbers, recommendation ids, or (the note,)
    source: str  # as written between [^ and ]


@dataclass(frozen=True)
class Run:
    """A piece of a text: words in a style ("", "strong" or "em"), or a footnote (``cite``)."""

    text: str = ""
    style: str = ""
    cite: Cite | None = None


def parse_cite(source: str, vocabulary: Vocabulary) -> Cite:
    source = source.strip()
    if PARAS.match(source):
        return Cite("paras", tuple(int(n) for n in re.split(r"\s*,\s*", source)), source)
    ids = tuple(re.split(r"\s*,\s*", source))
    if all(vocabulary.is_recommendation(rule_id) for rule_id in ids):
        return Cite("recommendations", ids, source)
    return Cite("note", (source,), source)


def placeholders_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def footnotes_in(text: str, vocabulary: Vocabulary) -> list[Cite]:
    return [parse_cite(source, vocabulary) for source in FOOTNOTE.findall(text)]


def fill(text: str, value_of: Callable[[str], str | None]) -> str:
    """Replace placeholders in one pass, so that nothing a value brings in is replaced again."""

    def replace(match: re.Match) -> str:
        value = value_of(match.group(1))
        return match.group(0) if value is None else value

    return PLACEHOLDER.sub(replace, text)


def clean(text: str) -> str:
    return CONTROL.sub("", text)


def runs(text: str, vocabulary: Vocabulary) -> list[Run]:
    """The runs of a text whose placeholders are already filled."""
    result: list[Run] = []
    position = 0
    for match in FOOTNOTE.finditer(text):
        result += _styled(text[position : match.start()])
        result.append(Run(cite=parse_cite(match.group(1), vocabulary)))
        position = match.end()
    return result + _styled(text[position:])


def _styled(text: str) -> list[Run]:
    result = []
    position = 0
    for match in EMPHASIS.finditer(text):
        if match.start() > position:
            result.append(Run(text[position : match.start()]))
        result.append(Run(match.group(1), "strong") if match.group(1) is not None else Run(match.group(2), "em"))
        position = match.end()
    if position < len(text):
        result.append(Run(text[position:]))
    return result


def plain(text: str) -> str:
    """The words of a text without footnotes or emphasis marks (for JSON and one-line summaries)."""
    return EMPHASIS.sub(lambda match: match.group(1) or match.group(2), FOOTNOTE.sub("", text))
