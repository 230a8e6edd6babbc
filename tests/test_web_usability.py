"""The defects a ministry official met, each fixed and driven in Debian's Chromium; the pages at 390 px;
answering a chapter with the keyboard alone. The axe-core scan of every kind of page and a team of
three taking the reply from draft to approved are test_web_walkthrough's."""

from __future__ import annotations

import io
import zipfile

import pytest
from test_web_browser import save_of

from conftest import run_selfcheck
from selfcheck.engine.answers.rounds import load_answers
from web_client import MISSING

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
HABITUAL = 'input[name="a.jurisdiction.habitual_residents_abroad"]'
AGE = "legal.age_of_criminal_responsibility"
PASSWORD = "correct horse battery staple"


def test_typing_fourteen_in_the_age_field_is_an_error_beside_the_field_never_a_silent_not_provided(page, site):
    from playwright.sync_api import expect

    url, data_dir = site
    before = (data_dir / "albania.yaml").read_bytes()
    page.goto(f"{url}/answers/albania/chapters/II")
    field = page.locator(f'input[name="a.{AGE}"]')
    field.fill("fourteen")
    save_of(page, AGE).click()
    expect(page.locator("#saved")).to_have_count(0)
    expect(page.locator(f'[id="error-{AGE}"]')).to_contain_text("Write a whole number from 0 to 18")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("fourteen")
    assert (data_dir / "albania.yaml").read_bytes() == before


def test_enter_in_a_text_field_saves_and_comes_back_to_that_question(page, site):
    from playwright.sync_api import expect

    url, data_dir = site
    page.goto(f"{url}/answers/albania/chapters/IV")
    question = '[id="q-jurisdiction.habitual_residents_abroad"]'
    page.locator(f"{question} details.texts summary").click()
    source = page.locator('input[name="s.jurisdiction.habitual_residents_abroad"]')
    source.fill("Criminal Code, Art. 6")
    source.press("Enter")
    expect(page.locator("#saved")).to_be_visible()
    expect(page).to_have_url(f"{url}/answers/albania/chapters/IV?saved=1&at=q-jurisdiction.habitual_residents_abroad#saved")
    expect(page.locator(question)).to_be_in_viewport()
    assert load_answers(data_dir / "albania.yaml").sources["jurisdiction.habitual_residents_abroad"] == "Criminal Code, Art. 6"
    assert not any(p.name != "albania.yaml" and p.suffix == ".yaml" for p in data_dir.iterdir()), "no amendment drafted"


def test_the_first_tick_of_a_list_question_is_taken(page, site):
    from playwright.sync_api import expect

    url, data_dir = site
    question = "professionals.informed_of_reporting"
    page.goto(f"{url}/answers/albania/chapters/X")
    not_provided = page.locator(f'input[name="a.{question}"][value="not_provided"]')
    expect(not_provided).to_be_checked()
    page.locator(f'input[name="a.{question}"][value="health"]').check()
    expect(not_provided).not_to_be_checked()
    save_of(page, question).click()
    expect(page.locator("#saved")).to_be_visible()
    assert load_answers(data_dir / "albania.yaml").value(question) == ("health",)


def test_chapters_are_named_with_their_progress_and_a_blank_file_says_no_information_counts_against_the_party(page, site):
    from playwright.sync_api import expect

    url, _ = site
    page.goto(url)
    page.locator("#new-party").fill("Ruritania")
    page.locator("#new-file").fill("ruritania")
    page.get_by_role("button", name="Start a new answer file").click()
    expect(page.locator("#blank")).to_contain_text("Nothing is answered yet.")
    expect(page.locator("#no-information")).to_contain_text("no information counts against the Party")
    page.get_by_role("link", name="IV. Jurisdiction rules").click()
    expect(page.locator("nav.chapters a[aria-current=page]")).to_contain_text("IV. Jurisdiction rules")
    expect(page.locator(".progress-line")).to_contain_text("0 of")
    expect(page.locator("#results")).to_contain_text("only because no information was given")


def test_every_page_and_download_says_it_is_a_national_self_assessment(page, site, tmp_path):
    from playwright.sync_api import expect

    url, _ = site
    for path in ("/", "/answers/albania", "/answers/albania/chapters/IV", "/answers/albania/history"):
        page.goto(url + path)
        expect(page.locator("p.notice")).to_contain_text("National self-assessment.")
    page.goto(f"{url}/factsheet/albania")
    expect(page.locator("#factsheet > p.notice")).to_contain_text("This is not a document of the Lanzarote Committee")
    page.goto(f"{url}/answers/albania")
    for link, check in (
        ("/factsheet/albania/docx", "word"),
        ("/factsheet/albania/markdown", "text"),
        ("/factsheet/albania/html", "text"),
        ("/answers/albania/reply/docx", "word"),
        ("/answers/albania/reply/markdown", "text"),
    ):
        with page.expect_download() as download:
            page.locator(f'a[href="{link}"]').click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        if check == "word":
            from docx import Document
            from docx.shared import Mm

            document = Document(io.BytesIO(saved.read_bytes()))
            assert "not a document of the Lanzarote Committee" in document.sections[0].header.paragraphs[0].text, link
            assert round(document.sections[0].page_height / Mm(1)) == 297 and document.core_properties.language == "en-GB", link
            with zipfile.ZipFile(saved) as package:
                assert "NUMPAGES" in "".join(package.read(n).decode() for n in package.namelist() if n.startswith("word/footer")), link
        else:
            text = saved.read_text(encoding="utf-8")
            assert "National self-assessment" in text[text.find("<body>") + 1 :][:800], link


def test_messages_are_in_peoples_words(page, site):
    url, _ = site
    page.goto(f"{url}/answers/albania/chapters/II")
    page.locator(f'input[name="a.{AGE}"]').fill("40")
    save_of(page, AGE).click()
    problems = page.locator("#problems").inner_text()
    assert "not_provided" not in problems and AGE not in problems and "S9.3" in problems


def test_at_390_pixels_no_page_runs_off_the_screen(browser, site):
    url, data_dir = site
    assert run_selfcheck("follow-up", "init", data_dir / "albania.yaml", "-o", data_dir / "albania.follow-up.yaml").returncode == 0
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        for path in (
            "/",
            "/answers/albania",
            "/answers/albania/chapters/IV",
            "/answers/albania/history",
            "/amendments/none-here",
            "/answers/albania/follow-up",
            "/answers/albania/follow-up/history",
        ):
            page.goto(url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide"
    finally:
        context.close()


def test_a_chapter_can_be_answered_with_the_keyboard_alone_from_the_skip_link(page, site):
    from playwright.sync_api import expect

    url, data_dir = site
    page.goto(f"{url}/answers/albania/chapters/IV")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.keyboard.press("Enter")
    radio = page.locator(f'{HABITUAL}[value="no"]')
    for _ in range(400):  # Tab on until the answer's radio group: a person would, with no mouse
        page.keyboard.press("Tab")
        if radio.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the radio buttons of S12.3 are never reached with Tab")
    page.keyboard.press("ArrowLeft")  # no -> yes
    expect(page.locator(f'{HABITUAL}[value="yes"]')).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # opens "Source and note"
    page.keyboard.press("Tab")
    page.keyboard.type(" (amended)")
    page.keyboard.press("Enter")  # in a text field: saves
    expect(page.locator("#saved")).to_be_visible()
    saved = load_answers(data_dir / "albania.yaml")
    assert saved.value("jurisdiction.habitual_residents_abroad") == "yes" and saved.sources["jurisdiction.habitual_residents_abroad"].endswith("(amended)")


def test_a_ministry_declares_a_recommendation_implemented_on_the_follow_up_page_and_sees_it_flagged_beside_it(page, site):
    from playwright.sync_api import expect

    url, data_dir = site
    page.goto(f"{url}/answers/albania")
    page.locator("#follow-up-link").click()
    page.get_by_role("button", name="Start the follow-up").click()
    page.locator('[id="fu-IV-4"] > summary').click()  # each recommendation a card, closed until opened
    page.locator('input[name="status.IV-4"][value="implemented"]').check()
    page.get_by_label("Lead institution").and_(page.locator('[id="fu-IV-4-lead"]')).fill("Ministry of Justice")
    page.locator('[id="fu-IV-4-m0-what"]').fill("Article 6 of the Criminal Code amended")
    page.locator('[id="fu-IV-4-m0-adopted"]').fill("01.03.2026")
    page.locator('[id="fu-IV-4"]').get_by_role("button", name="Save all changes on this page").click()
    expect(page.locator("#saved")).to_contain_text("1 recommendation changed")
    expect(page).to_have_url(f"{url}/answers/albania/follow-up?saved=1&at=fu-IV-4#saved")
    expect(page.locator('[id="fu-IV-4"] .flag-inconsistent')).to_contain_text("declared implemented, but the rules still apply it")
    expect(page.locator('[id="fu-IV-4"]')).to_be_in_viewport()
    with page.expect_download() as download:
        page.locator('a[href="/answers/albania/follow-up/download/docx"]').click()
    assert download.value.suggested_filename == "albania-situation-report.docx"
    saved = (data_dir / "albania.follow-up.yaml").read_text()
    assert 'lead: "Ministry of Justice"' in saved and 'what: "Article 6 of the Criminal Code amended"' in saved
