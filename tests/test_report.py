"""`selfcheck report`: the factsheet in Markdown, HTML and Word, written whole or not at all."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import ALBANIA, COMPLIANT, ROOT, ROUND, run_selfcheck
from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.common.safe_files import write_atomically
from selfcheck.engine.documents.factsheet import Bullets, Paragraph, Ref, build_factsheet
from selfcheck.engine.documents.layout import load_layout
from selfcheck.engine.documents.rendering import render
from selfcheck.engine.rules import rulebooks
from strategies import answer_values, answers_from

RULEBOOK = rulebooks.rulebook(ROUND)
LAYOUT = load_layout(RULEBOOK)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NO_LIBREOFFICE = (
    "LibreOffice is not installed (no soffice or libreoffice on PATH), so the Word factsheet cannot be opened: "
    "run scripts/ensure-system-packages as root, or apt-get install libreoffice-writer-nogui"
)


def _factsheet(answers: Answers, include_draft: bool = False):
    return build_factsheet(assess(answers, RULEBOOK, include_draft), answers, RULEBOOK, LAYOUT)


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("report") / "albania.html"
    result = run_selfcheck("report", ALBANIA, "--format", "html", "-o", path)
    assert result.returncode == 0, result.stderr
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "albania.docx"
    result = run_selfcheck("report", ALBANIA, "--format", "docx", "-o", path)
    assert result.returncode == 0, result.stderr
    return path


# -- Markdown ---------------------------------------------------------------------------------------


def test_markdown_goes_to_stdout_opening_with_the_notice_then_the_factsheet_title():
    result = run_selfcheck("report", ALBANIA)
    assert result.returncode == 0, result.stderr
    notice, title = result.stdout.split("\n\n")[:2]
    assert notice.startswith(
        "> **National self-assessment prepared with selfcheck from the answers of Albania. This is not a document of the Lanzarote Committee"
    )
    assert title == "# FACTSHEET – ALBANIA"
    assert "## II. Legal framework" in result.stdout and "### Generic recommendations of the Lanzarote Committee on the legal framework" in result.stdout


def test_markdown_calls_and_defines_every_footnote_once_in_order():
    markdown = run_selfcheck("report", ALBANIA).stdout
    body, _, notes = markdown.partition("\n[^1]: ")
    calls = [int(n) for n in re.findall(r"\[\^(\d+)\](?!:)", body)]
    definitions = [1] + [int(n) for n in re.findall(r"^\[\^(\d+)\]: ", notes, flags=re.M)]
    assert calls == definitions == list(range(1, 122))
    assert "[^2]: Para. 50." in markdown and "[^4]: Recommendations II-1, II-3." in markdown


def test_markdown_is_plain_text_without_html():
    markdown = run_selfcheck("report", ALBANIA).stdout
    assert not re.search(r"<[a-zA-Z/]", markdown)
    assert "  - in the health sector" in markdown, "sub-bullets are indented list items"


def test_markdown_escapes_what_a_party_writes_so_it_cannot_become_markup():
    from selfcheck.engine.documents.factsheet import Text
    from selfcheck.engine.documents.render_markdown import markdown_inline

    assert markdown_inline([Text("1. *not* [a link](x) <b> #tag")]) == r"1\. \*not\* \[a link\](x) \<b> #tag"
    assert markdown_inline([Text("# not a heading")]) == r"\# not a heading"


# -- HTML -------------------------------------------------------------------------------------------


def test_html_is_valid_html5(html):
    import html5lib

    parser = html5lib.HTMLParser(strict=True)
    parser.parse(html)  # strict: raises on the first parse error
    assert html.startswith("<!DOCTYPE html>\n")


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.ids, self.links, self.assets, self.lang = [], set(), [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self.links.append(attrs["href"][1:])
        if tag in ("img", "script", "iframe", "link", "source", "video", "audio"):
            self.assets.append((tag, attrs))


def test_html_has_a_language_one_title_and_headings_that_never_skip_a_level(html):
    outline = _Outline()
    outline.feed(html)
    assert outline.lang == "en-GB"
    assert outline.headings.count(1) == 1 and outline.headings[0] == 1
    jumps = [(a, b) for a, b in zip(outline.headings, outline.headings[1:], strict=False) if b > a + 1]
    assert not jumps, f"heading levels skipped: {jumps}"


def test_html_is_self_contained_and_every_internal_link_lands(html):
    outline = _Outline()
    outline.feed(html)
    assert outline.assets == [], "no image, script or stylesheet is fetched"
    assert not re.search(r"url\(|@import|https?://[^\s<\"]+\.(css|js|woff2?)", html)
    assert not set(outline.links) - outline.ids, f"links to nowhere: {sorted(set(outline.links) - outline.ids)[:5]}"


def test_html_prints_on_a4_a_chapter_a_page_with_its_footnotes_at_its_end(html):
    assert "@page { size: A4;" in html and "section.part, nav { break-before: page; }" in html
    chapter_ii = html[html.index('id="chapter-ii"') : html.index('id="chapter-iii"')]
    assert chapter_ii.count('<li id="fn-') == 20 and 'value="2">Para. 50.' in chapter_ii


def test_html_carries_the_provenance(html):
    assert '<meta name="selfcheck:rulebook-sha256" content="' + RULEBOOK.digest + '">' in html
    assert '<meta name="selfcheck:answers-as-of" content="2022-03-10">' in html
    assert "T-ES(2022)02" in html


def test_html_escapes_a_party_name_it_quotes():
    answers = Answers(party="Ruritania <script>&", round=ROUND, values={"legal.csam_definition_in_law": "no"})
    page = render(_factsheet(answers), "html").decode()
    assert "<script>" not in page and "Ruritania &lt;script&gt;&amp;" in page


# -- Word -------------------------------------------------------------------------------------------


def test_word_has_heading_styles_contents_with_page_references_and_real_footnotes(docx_path):
    from docx import Document

    document = Document(str(docx_path))
    styles = [p.style.name for p in document.paragraphs]
    # the introduction, ten chapters, and selfcheck's annex on what rests on inference
    assert styles.count("Heading 1") == 12 and styles.count("Title") == 1
    with zipfile.ZipFile(docx_path) as package:
        body = package.read("word/document.xml").decode()
        footnotes = package.read("word/footnotes.xml").decode()
        relationships = package.read("word/_rels/document.xml.rels").decode()
        content_types = package.read("[Content_Types].xml").decode()
    # each chapter's line in the contents: a link to its heading's bookmark and a PAGEREF field to its page
    assert body.count(" PAGEREF _Toc_chapter_") == 12 and body.count('<w:hyperlink w:anchor="_Toc_chapter_') == 12
    assert body.count('<w:bookmarkStart w:id="1" w:name="_Toc_chapter_1"/>') == 1
    with zipfile.ZipFile(docx_path) as package:
        assert "updateFields" not in package.read("word/settings.xml").decode(), "nothing asks to update fields on opening"
    called = re.findall(r'<w:footnoteReference w:id="(\d+)"/>', body)
    defined = re.findall(r'<w:footnote w:id="(\d+)"', footnotes)
    assert called == defined == [str(n) for n in range(1, 122)]
    assert "Para. 50." in footnotes and "footnotes.xml" in relationships and "footnotes+xml" in content_types


def test_word_properties_carry_the_provenance(docx_path):
    from docx import Document

    properties = Document(str(docx_path)).core_properties
    assert f"rulebook_sha256={RULEBOOK.digest}" in properties.comments
    assert "answers_as_of=2022-03-10" in properties.comments and properties.language == "en-GB"
    assert properties.title == "FACTSHEET – ALBANIA (national self-assessment)" and properties.author == "Albania"
    assert properties.last_modified_by == "Albania" and properties.category == "National self-assessment"
    assert properties.created.year >= 2025 and properties.modified == properties.created, "dated when written, not python-docx's template date"


def test_word_pages_are_a4_in_british_english_numbered_and_each_says_it_is_a_national_self_assessment(docx_path):
    from docx import Document
    from docx.shared import Mm

    document = Document(str(docx_path))
    section = document.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert section.header.paragraphs[0].text == "National self-assessment of Albania – not a document of the Lanzarote Committee"
    assert section.footer.paragraphs[0].text.startswith("Page ")
    with zipfile.ZipFile(docx_path) as package:
        footer = next(package.read(name).decode() for name in package.namelist() if name.startswith("word/footer"))
        styles = package.read("word/styles.xml").decode()
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert re.search(r'<w:rPrDefault><w:rPr>.*<w:lang w:val="en-GB"', styles, re.S)
    assert document.paragraphs[0].text.startswith("National self-assessment prepared with selfcheck from the answers of Albania")
    assert document.paragraphs[1].style.name == "Title", "the notice stands before the title, outside the Committee's text"


def test_the_html_factsheet_opens_with_the_notice_that_it_is_a_national_self_assessment(html):
    body = html[html.index("<body>") :]
    assert body.index('<p class="notice" role="note">National self-assessment prepared with selfcheck') < body.index("<h1>")


def test_word_factsheet_opens_in_libreoffice_and_converts_to_pdf(docx_path, tmp_path):
    if not SOFFICE:
        pytest.skip(NO_LIBREOFFICE)
    pdf = _convert(docx_path, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 50_000


def test_libreoffice_reads_the_footnotes_as_footnotes(docx_path, tmp_path):
    if not SOFFICE:
        pytest.skip(NO_LIBREOFFICE)
    with zipfile.ZipFile(_convert(docx_path, "odt", tmp_path)) as package:
        content = package.read("content.xml").decode()
    assert content.count('text:note-class="footnote"') == 121
    assert "Recommendation IV-6." in content


def _convert(path: Path, target: str, directory: Path) -> Path:
    profile = directory / "profile"  # a private profile: no clash with another LibreOffice running
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target, "--outdir", str(directory), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = directory / f"{path.stem}.{target}"
    assert converted.exists(), f"LibreOffice did not convert {path.name} to {target}: {result.stdout}{result.stderr}"
    return converted


def test_word_needs_a_file_to_go_to():
    result = run_selfcheck("report", ALBANIA, "--format", "docx")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == "selfcheck: a Word factsheet is a binary file; give -o FILE.docx"


# -- writing ------------------------------------------------------------------------------------------


def test_an_existing_file_is_replaced_whole_or_left_as_it_was(tmp_path, monkeypatch):
    target = tmp_path / "factsheet.md"
    target.write_text("the previous factsheet")

    def broken_replace(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("selfcheck.engine.common.safe_files.os.replace", broken_replace)
    from selfcheck.engine.common.errors import InputError

    with pytest.raises(InputError, match="No space left on device"):
        write_atomically(target, b"new text")
    assert target.read_text() == "the previous factsheet"
    assert [p.name for p in tmp_path.iterdir()] == ["factsheet.md"], "no temporary file is left behind"


def test_bad_answers_write_no_file_and_give_one_message(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"party: Testland\nround: {ROUND}\nanswers:\n  legal.csam_terminology: 3\n")
    output = tmp_path / "out.html"
    result = run_selfcheck("report", answers, "--format", "html", "-o", output)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"selfcheck: {answers}:4:3: ") and len(result.stderr.strip().splitlines()) == 1
    assert not output.exists() and list(tmp_path.iterdir()) == [answers]


def test_an_output_in_a_missing_directory_is_refused_with_exit_2(tmp_path):
    result = run_selfcheck("report", ALBANIA, "-o", tmp_path / "nowhere" / "albania.md")
    assert result.returncode == 2
    assert result.stderr.strip() == f"selfcheck: {tmp_path / 'nowhere' / 'albania.md'}: cannot be written: no directory {tmp_path / 'nowhere'}"


def test_writing_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "factsheet.md"
    target.write_text("old")
    target.chmod(0o640)
    write_atomically(target, b"new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o640


# -- other Parties --------------------------------------------------------------------------------------


def test_a_compliant_party_gets_the_generic_recommendations_and_no_specific_ones():
    from selfcheck.engine.answers.rounds import load_answers

    factsheet = _factsheet(load_answers(COMPLIANT))
    markdown = render(factsheet, "markdown").decode()
    assert "specific to Compliantia" in markdown  # its positive observations
    assert "The Committee **requires** Compliantia" not in markdown
    assert "Generic recommendations of the Lanzarote Committee on the Jurisdiction rules" not in markdown, "an empty part has no heading"


def test_drafts_print_marked_only_when_asked():
    from conftest import with_answers
    from selfcheck.engine.answers.rounds import load_answers

    untrained = with_answers(load_answers(ALBANIA), training__law_enforcement_ict="no")
    plain = render(_factsheet(untrained), "markdown").decode()
    with_drafts = render(_factsheet(untrained, include_draft=True), "markdown").decode()
    assert "[inferred, not published]" not in plain
    assert (
        "- \\[inferred, not published\\] to ensure that training on ICT-facilitated sexual offences against children is available for law enforcement agents"
        in with_drafts
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=answer_values(RULEBOOK.questionnaire))
def test_every_recommendation_that_fires_is_printed_and_cited_and_no_other(values):
    answers = answers_from(values, RULEBOOK.questionnaire)
    assessment = assess(answers, RULEBOOK)
    factsheet = build_factsheet(assessment, answers, RULEBOOK, LAYOUT)
    cited = {i for f in factsheet.footnotes if f.cite.kind == "recommendations" for i in f.cite.items}
    own = {f.id for f in assessment.recommendations if f.own}
    assert cited == set(assessment.ids()) - own, "selfcheck's own obligations are no Recommendation of the Committee"
    notes = " ".join(f.cite.source for f in factsheet.footnotes if f.cite.kind == "note")
    assert all(f"{i}: " in notes for i in own), "each is named in a note of selfcheck's"
    for fmt in ("markdown", "html", "docx"):
        assert render(factsheet, fmt)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=answer_values(RULEBOOK.questionnaire))
def test_every_observation_that_holds_is_printed(values):
    answers = answers_from(values, RULEBOOK.questionnaire)
    assessment = assess(answers, RULEBOOK)
    factsheet = build_factsheet(assessment, answers, RULEBOOK, LAYOUT)
    printed = " ".join(
        "".join(getattr(i, "text", "") for i in runs)
        for part in factsheet.parts
        for block in part.blocks
        for runs in ([block.runs] if isinstance(block, Paragraph) else [item.runs for item in block.items] if isinstance(block, Bullets) else [])
    )
    for observation in assessment.observations:
        assert observation.text[:60] in printed, observation.id


def test_footnote_calls_are_numbered_in_reading_order_for_any_party():
    from selfcheck.engine.answers.rounds import load_answers

    factsheet = _factsheet(load_answers(COMPLIANT))
    calls = [
        inline.number
        for part in factsheet.parts
        for block in part.blocks
        for runs in (
            [block.runs]
            if isinstance(block, Paragraph)
            else [r for item in block.items for r in [item.runs, *item.parts]]
            if isinstance(block, Bullets)
            else []
        )
        for inline in runs
        if isinstance(inline, Ref)
    ]
    assert calls == sorted(calls) == [f.number for f in factsheet.footnotes]


def test_a_bill_drafted_as_an_amendment_gets_its_factsheet_and_is_named_in_its_provenance():
    bill = ROOT / "questionnaires" / ROUND / "amendments" / "albania-dual-criminality-article-25-4.yaml"
    result = run_selfcheck("report", bill)
    assert result.returncode == 0, result.stderr
    markdown = result.stdout
    assert "Recommendation IV-6." not in markdown and "the principle of dual criminality" not in markdown
    assert "Recommendation IV-7." in markdown, "the invitation on the other offences stays"
    assert "as amended by Removing dual criminality for sexual offences against children" in markdown


def test_the_factsheets_annex_names_what_a_reservation_of_the_party_excludes(tmp_path):
    answers = tmp_path / "ruritania.yaml"
    answers.write_text("party: Ruritania\nround: lanzarote-2\nanswers:\n  convention.reservations: [art_25_3]\n  jurisdiction.habitual_residents_abroad: no\n")
    report = run_selfcheck("report", answers, "--format", "markdown").stdout
    annex = report[report.index("Not required, for Ruritania made the reservation the Convention permits (Article 48)") :]
    assert (
        "IV-4 (require): no jurisdiction over offences committed abroad by habitual residents (S8.1, S12.3): not required while the reservation under Art. 25(3) is maintained"
        in annex
    )
