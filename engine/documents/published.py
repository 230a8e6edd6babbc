"""The factsheets the Committee published for a round: their words, and what they print for whom.

``published/<party>.yaml`` beside a round's questionnaire names the Party, its published factsheet
(a text extraction of the PDF, with the transcription that says where its body starts and which
artefacts of the extraction to undo), the recommendations it prints and the answers file
reconstructed from it. Rules quote these factsheets as their grounds and the reconstructed answers
quote them as their sources; ``check_quotes`` proves every quote is there, word for word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import read_document, read_plain_text
from selfcheck.engine.rules.conditions import holds
from selfcheck.engine.rules.markup import FOOTNOTE, fill
from selfcheck.engine.rules.rulebook import Rulebook

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
TO_DIGITS = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
# a footnote's own line starts with its number: superscript, or as LaTeX ("$^{^{\}rm 36}$")
FOOTNOTE_LINE = re.compile(r"^\s*(?:\$[^$\d]*(\d+)[^$]*\$|([" + SUPERSCRIPT_DIGITS + r"]+))\s*(.*)$")
MARKER = re.compile(r"([" + SUPERSCRIPT_DIGITS + r"]+)|(?<=[.)\"])\s?(\d{1,3})(?=\s|$)")
BULLET = re.compile(r"^(?:•|-)\s+")
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


@dataclass
class PublishedText:
    body: str  # normalised, footnote markers as [^n]
    footnotes: dict[int, str]


@dataclass
class PublishedFactsheet:
    party: str
    file: Path  # the published/<party>.yaml that describes it
    text: PublishedText
    recommendations: list[tuple[str, str, str]]  # (id, level, block) as printed
    answers_file: Path

    @property
    def words(self) -> str:
        """The body as a quote is matched against it: no footnote markers."""
        return without_markers(self.text.body)

    def contains(self, quote: str) -> bool:
        return quoted(quote) in self.words

    def answers(self) -> Answers:
        return load_answers(self.answers_file)


def normalise(text: str) -> str:
    """Whitespace, quotes and emphasis marks normalised; a footnote marker sticks to its word."""
    text = text.translate(QUOTES).replace("<u>", "").replace("</u>", "").replace("*", "")
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+(?=\[\^)", "", text)


def without_markers(text: str) -> str:
    return re.sub(r"\s+", " ", FOOTNOTE.sub("", text)).strip()


def quoted(quote: str) -> str:
    """A quote as matched: normalised like the published text, its footnote markers dropped."""
    return without_markers(normalise(quote))


def published_text(path: Path, start: str, repairs: list[tuple[str, str]]) -> PublishedText:
    """The body from the line ``start`` on; ``repairs`` undo the extraction's known artefacts."""
    lines = read_plain_text(path).splitlines()
    if start not in lines:
        raise InputError(path, f"has no line {start!r} where its body should start")
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
            raise InputError(path, f"the repair {raw!r} no longer matches the published text")
        text = text.replace(raw, reads)
    return PublishedText(normalise(_markers(path, text)), footnotes)


def _markers(path: Path, text: str) -> str:
    """Footnote markers, superscript or (where the extraction lost them) plain digits, as [^n]."""
    expected = 1
    out, position = [], 0
    for match in MARKER.finditer(text):
        if match.group(1):
            digits, numbers = match.group(1).translate(TO_DIGITS), []
            while digits:  # "³⁶³⁷" is footnote 36 then 37
                width = len(str(expected))
                if digits[:width] != str(expected):
                    raise InputError(path, f"footnote {expected} expected at {text[match.start() - 40 : match.end()]!r}")
                numbers.append(expected)
                digits, expected = digits[width:], expected + 1
        elif int(match.group(2)) == expected:
            numbers, expected = [expected], expected + 1
        else:
            continue
        out += [text[position : match.start()], "".join(f"[^{n}]" for n in numbers)]
        position = match.end()
    return "".join(out) + text[position:]


def load_published(directory: Path) -> list[PublishedFactsheet]:
    """Every published factsheet described in ``directory`` (the round's published/ folder)."""
    factsheets = []
    for path in sorted(directory.glob("*.yaml")):
        data = read_document(path).data
        if not isinstance(data, dict) or "recommendations" not in data:
            continue  # a transcription, read through the file that names it
        transcription = read_document(path.parent / data["transcription"]).data
        repairs = [(repair["raw"], repair["reads"]) for repair in transcription.get("repairs", [])]
        text = published_text(path.parent / transcription["source"], transcription["start"], repairs)
        printed = [(item["id"], item["level"], item["block"]) for item in data["recommendations"]]
        factsheets.append(PublishedFactsheet(data["party"], path, text, printed, (path.parent / data["answers"]).resolve()))
    return factsheets


def check_quotes(rulebook: Rulebook, published: list[PublishedFactsheet]) -> list[InputError]:
    """Every ground a rule quotes, and every observation the factsheets print, is found word for word.

    And what no published factsheet prints stays out of them: a draft or an obligation under
    selfcheck's own id never fires for a Party whose factsheet is published, and an observation
    worded by selfcheck never holds for one.
    """
    if not published:
        return []
    problems: list[InputError] = []
    answers = {factsheet.party: factsheet.answers() for factsheet in published}
    for rule in rulebook.rules:
        for index, ground in enumerate(rule.grounds):
            if not any(f.contains(ground.quote.replace("{party}", f.party)) for f in published):
                problems.append(rule.error(f"{rule.id}: grounds[{index}] ({ground.para}) is not in any published factsheet, word for word: {ground.quote!r}"))
        for factsheet in published:
            if rule.draft and holds(rule.condition, answers[factsheet.party].value):
                problems.append(rule.error(f"{rule.id} is a draft, yet it fires for {factsheet.party}, whose published factsheet does not print it"))
            if rule.own and holds(rule.condition, answers[factsheet.party].value):
                problems.append(
                    rule.error(
                        f"{rule.id} is selfcheck's own obligation, yet it fires for {factsheet.party}, to which the Committee, having its answers, addressed none"
                    )
                )
    for observation in rulebook.observations:
        holding = [f for f in published if holds(observation.condition, answers[f.party].value)]
        if observation.draft:
            problems += [
                observation.error(f"{observation.id} is worded by selfcheck, yet it holds for {f.party}, whose published factsheet does not print it")
                for f in holding
            ]
            continue
        if not holding:
            problems.append(
                observation.error(f"{observation.id} holds for no Party whose factsheet is published; mark it draft: true and say why under argument")
            )
        for factsheet in holding:
            text = _filled(observation.text, answers[factsheet.party])
            if not factsheet.contains(text):
                problems.append(observation.error(f"{observation.id}: {factsheet.party}'s factsheet does not print it word for word: {quoted(text)!r}"))
    return problems


def check_answer_quotes(factsheet: PublishedFactsheet, rulebook: Rulebook) -> list[InputError]:
    """The answers reconstructed from a factsheet: each quote is in it, each inference names a printed recommendation."""
    answers = factsheet.answers()
    printed = {rule_id for rule_id, _, _ in factsheet.recommendations}
    problems = []
    for question_id, quote in answers.quotes.items():
        if not factsheet.contains(quote):
            problems.append(
                InputError(factsheet.answers_file, f"{question_id}: the quote is not in {factsheet.party}'s published factsheet, word for word: {quote!r}")
            )
    for question_id, rule_ids in answers.inferred_from.items():
        for rule_id in rule_ids:
            if rule_id not in printed:
                problems.append(
                    InputError(factsheet.answers_file, f"{question_id}: inferred_from {rule_id}, which {factsheet.party}'s factsheet does not print")
                )
    return problems


def _filled(text: str, answers: Answers) -> str:
    return fill(text, lambda name: answers.party if name == "party" else str(answers.value(name)))
