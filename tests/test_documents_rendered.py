"""The documents a ministry sends, looked at as pages: each Word and Excel file opened by LibreOffice and
printed to PDF, the PDF's pages turned into PNG images (pdftoppm) and its text measured (pdftotext).

What is measured: the factsheet's contents carry each chapter's page, both as LibreOffice lays the
pages out and as Word shows them on opening (the field's written result); the situation report's
table headers keep their words whole; in the reply each source stands closer to its own answer than to
the next question; the plan of action prints with its headers whole. LibreOffice lays out with Carlito and
Caladea, Calibri's and Cambria's metric twins, so that the pages are those Word would make.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest

from conftest import ALBANIA, COMPLIANT, run_selfcheck
from selfcheck.engine.answers.rounds import load_answers, questionnaire
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.documents.factsheet import Text, build_factsheet
from selfcheck.engine.documents.layout import load_layout
from selfcheck.engine.documents.rendering import render
from selfcheck.engine.follow_up.follow_up_file import words
from selfcheck.engine.follow_up.status import summary_columns
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.team.history import Status
from selfcheck.engine.team.reply import build_reply
from selfcheck.engine.team.reply_formats import render_reply

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TOOLS = [tool for tool in ("pdftoppm", "pdftotext") if not shutil.which(tool)]
FONTS = subprocess.run(["fc-list"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
MISSING = (
    "no LibreOffice (soffice)"
    if not SOFFICE
    else f"no {', '.join(TOOLS)} (apt-get install poppler-utils)"
    if TOOLS
    else "no Carlito or Caladea font (apt-get install fonts-crosextra-carlito fonts-crosextra-caladea): LibreOffice would not lay the pages out as Word does"
    if "Carlito" not in FONTS or "Caladea" not in FONTS
    else None
)
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"{MISSING}: run scripts/ensure-system-packages as root")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """Every document, written, converted to PDF by one LibreOffice run, its first pages as PNG."""
    folder = tmp_path_factory.mktemp("documents")
    rulebook = rulebooks.rulebook("lanzarote-2")
    for name, path in (("factsheet-albania", ALBANIA), ("factsheet-compliant", COMPLIANT)):
        answers = load_answers(path)
        (folder / f"{name}.docx").write_bytes(render(build_factsheet(assess(answers, rulebook), answers, rulebook, load_layout(rulebook)), "docx"))
    follow_up = folder / "albania.follow-up.yaml"
    assert run_selfcheck("follow-up", "init", ALBANIA, "-o", follow_up).returncode == 0
    text = follow_up.read_text()
    text = text.replace('    status: open\n    reason: ""\n    lead: ""', '    status: in_progress\n    reason: ""\n    lead: "Ministry of Justice"', 3)
    follow_up.write_text(text)
    for suffix, format in ((".docx", "docx"), (".xlsx", "xlsx")):
        made = run_selfcheck("follow-up", "status", follow_up, "--answers", ALBANIA, "--format", format, "-o", folder / f"situation{suffix}")
        assert made.returncode == 0, made.stderr
    (folder / "situation.xlsx").rename(folder / "plan.xlsx")
    answers = load_answers(ALBANIA)
    chapters = {entry.chapter: entry.title for entry in rulebook.meta.chapters}
    statuses = {
        "II": Status("draft", "rita", "2026-12-01T10:00:00+00:00", "return", "Give the article for S9.3"),
        "IV": Status("approved", "rita", "2026-12-02T10:00:00+00:00", "approve"),
    }
    reply = build_reply(answers, questionnaire("lanzarote-2"), chapters, statuses, "albania.yaml", datetime.date(2026, 12, 7))
    (folder / "reply.docx").write_bytes(render_reply(reply, "docx"))
    documents = sorted(folder.glob("*.docx")) + [folder / "plan.xlsx"]
    profile = folder / "profile"  # a private profile: no clash with another LibreOffice running
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(folder), *map(str, documents)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    files = {}
    for document in documents:
        pdf = folder / f"{document.stem}.pdf"
        assert pdf.exists(), f"LibreOffice did not print {document.name}: {result.stdout}{result.stderr}"
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(pdf), str(folder / document.stem)], check=True, timeout=120)
        files[document.stem] = document
    return files


def pages_of(document: Path) -> list[str]:
    """The PDF's text, page by page, laid out as printed."""
    out = subprocess.run(["pdftotext", "-layout", str(document.with_suffix(".pdf")), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    return out.split("\f")[:-1]


def test_every_document_prints_to_pages_that_can_be_looked_at(rendered):
    for stem, document in rendered.items():
        images = sorted(document.parent.glob(f"{stem}-*.png"))
        assert len(images) == 2, f"{stem}: {images}"
        for image in images:
            data = image.read_bytes()
            assert data.startswith(b"\x89PNG") and len(data) > 5_000, f"{image.name} is {len(data)} bytes: a blank page?"


@pytest.mark.parametrize("stem", ["factsheet-albania", "factsheet-compliant"])
def test_the_word_factsheets_contents_give_each_chapters_page_in_libreoffice_and_in_word(rendered, stem):
    document = rendered[stem]
    pages = pages_of(document)
    contents = " ".join(pages[0].split())  # on the first page, "II. Legal framework......4", a long title on two lines
    rulebook = rulebooks.rulebook("lanzarote-2")
    answers = load_answers(ALBANIA if stem.endswith("albania") else COMPLIANT)
    factsheet = build_factsheet(assess(answers, rulebook), answers, rulebook, load_layout(rulebook))
    titles = ["".join(run.text for run in part.heading.runs if isinstance(run, Text)) for part in factsheet.sections]
    starts = [
        next(number for number, page in enumerate(pages, start=1) if number > 1 and any(line.strip().startswith(title[:40]) for line in page.splitlines()[:8]))
        for title in titles
    ]  # the page whose top (under the running header) is the chapter's heading
    listed = [re.search(re.escape(" ".join(title.split())[-30:]) + r"\s*(?:\.\s?){2,}\s*(\d+)", contents) for title in titles]
    shown = [int(entry[1]) if entry else None for entry in listed]
    assert shown == starts, f"the contents say {shown}, the chapters start on {starts}"
    with zipfile.ZipFile(document) as package:
        body = package.read("word/document.xml").decode()
        assert "updateFields" not in package.read("word/settings.xml").decode(), "Word asks nothing on opening"
    written = [
        int(page)
        for page in re.findall(r'PAGEREF _Toc_chapter_\d+ \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>(\d+)</w:t>', body)
    ]
    assert written == starts, f"Word shows {written} until it updates its fields; the chapters start on {starts}"


def test_the_situation_reports_table_headers_keep_their_words_whole(rendered):
    text = "\n".join(pages_of(rendered["situation"])[:2])
    tokens = set(re.findall(r"[\w']+", text))
    header_words = {word for _, header in summary_columns() for word in header.split()}
    assert header_words <= tokens, f"broken inside a word: {sorted(header_words - tokens)}"
    pieces = {word[:cut] for word in header_words for cut in range(3, len(word))} - header_words
    assert not pieces & tokens, f"a header broken inside a word: {sorted(pieces & tokens)}"


def test_in_the_reply_each_source_stands_with_its_own_answer(rendered):
    layout = subprocess.run(
        ["pdftotext", "-bbox-layout", str(rendered["reply"].with_suffix(".pdf")), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    root = ElementTree.fromstring(re.sub(r' xmlns="[^"]+"', "", layout, count=1))
    checked = 0
    for page in root.iter("page"):
        lines = [(float(line.get("yMin")), float(line.get("yMax")), " ".join(word.text or "" for word in line.iter("word"))) for line in page.iter("line")]
        lines.sort()
        for before, (top, bottom, words_of_line), after in zip(lines, lines[1:], lines[2:], strict=False):
            if words_of_line.startswith("Source:") and re.match(r"S\d+\.\d+ ", after[2]):
                above, below = top - before[1], after[0] - bottom
                assert above < below, f"“{words_of_line[:40]}” is {above:.1f} pt under its answer and {below:.1f} pt above the next question"
                checked += 1
    assert checked >= 10, "the sources of Albania's answers were found and measured"
    text = "\n".join(pages_of(rendered["reply"]))
    assert re.search(r"Returned for changes by rita on 01\.12\.2026: “Give the article for S9\.3”", text)
    assert "(title inferred)" not in text


def test_the_plan_of_action_prints_with_its_headers_whole(rendered):
    pages = pages_of(rendered["plan"])
    assert len(pages) >= 2
    tokens = set(re.findall(r"[\w']+", "\n".join(pages)))
    headers = {word.strip("()") for name in ("id", "chapter", "level", "block", "status", "lead") for word in words()["workbook"]["columns"][name].split()}
    assert headers <= tokens, f"missing or broken: {sorted(headers - tokens)}"
