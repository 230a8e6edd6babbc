"""The web questionnaire in a real browser: Debian's Chromium, headless, driven by Playwright, against
``selfcheck serve`` on a free localhost port. Playwright's own browser download is never used.

Skipped, with the reason in the test summary, only where no Chromium exists at /usr/bin/chromium
(``make test`` installs it with apt-get when it can) or the playwright package is missing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from web_client import MISSING

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
HABITUAL = 'input[name="a.jurisdiction.habitual_residents_abroad"]'
SCRIPT = '<script>window.__pwned = 1; alert("pwned")</script><img src=x onerror="window.__pwned = 2">'


def test_an_official_opens_albania_answers_habitual_residents_yes_saves_and_iv_4_leaves_the_results(page, site, tmp_path):
    from playwright.sync_api import expect

    url, data_dir = site
    page.goto(url)
    page.get_by_role("link", name="Albania", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Albania")
    page.get_by_role("link", name="IV. Jurisdiction rules").click()
    results = page.locator("#results")
    expect(results.locator('[data-recommendation="IV-4"]')).to_have_count(1)
    expect(page.locator(f'{HABITUAL}[value="no"]')).to_be_checked()

    page.locator(f'{HABITUAL}[value="yes"]').check()
    save_of(page, "jurisdiction.habitual_residents_abroad").click()

    expect(page.locator("#saved")).to_be_visible()
    expect(results.locator('[data-recommendation="IV-4"]')).to_have_count(0)
    expect(results.locator('[data-recommendation="IV-5"]')).to_have_count(1)
    expect(page.locator(f'{HABITUAL}[value="yes"]')).to_be_checked()
    assert "jurisdiction.habitual_residents_abroad:\n    value: yes\n" in (data_dir / "albania.yaml").read_text()

    page.goto(f"{url}/answers/albania")
    with page.expect_download() as download:
        page.locator('a[href="/factsheet/albania/docx"]').click()
    assert download.value.suggested_filename == "albania-factsheet.docx"
    docx = tmp_path / "albania-factsheet.docx"
    download.value.save_as(docx)
    with zipfile.ZipFile(docx) as archive:
        body = archive.read("word/document.xml").decode()
    assert "FACTSHEET" in body and "ALBANIA" in body
    assert "their habitual residence in Albania" not in body, "the Word factsheet is that of the saved answers: IV-4 is gone"

    for format, suffix in (("markdown", ".md"), ("html", ".html")):
        with page.expect_download() as download:
            page.locator(f'a[href="/factsheet/albania/{format}"]').click()
        assert download.value.suggested_filename == f"albania-factsheet{suffix}"
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert "FACTSHEET – ALBANIA" in text and "their habitual residence in Albania" not in text


def test_a_recommendation_expands_to_its_explanation_whose_link_leads_to_the_question(page, site):
    from playwright.sync_api import expect

    url, _ = site
    page.goto(f"{url}/answers/albania/chapters/IV")
    finding = page.locator('#results [data-recommendation="IV-4"]')
    explanation = finding.locator(".explanation")
    expect(explanation).to_be_hidden()
    finding.locator("summary").click()
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("What would make it go away")
    explanation.locator('ul.changes a[href="/answers/albania/chapters/IV#q-jurisdiction.habitual_residents_abroad"]').click()
    expect(page).to_have_url(f"{url}/answers/albania/chapters/IV#q-jurisdiction.habitual_residents_abroad")
    expect(page.locator('[id="q-jurisdiction.habitual_residents_abroad"]')).to_be_in_viewport()


def test_a_script_typed_into_a_free_text_answer_is_saved_as_text_and_never_runs(page, site):
    from playwright.sync_api import expect

    url, data_dir = site
    page.goto(f"{url}/answers/albania/chapters/II")
    answer = page.locator('textarea[name="a.legal.difficulties"]')
    answer.fill(SCRIPT)
    save_of(page, "legal.difficulties").click()
    expect(page.locator("#saved")).to_be_visible()
    expect(answer).to_have_value(SCRIPT)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.goto(f"{url}/factsheet/albania")
    expect(page.get_by_text(SCRIPT)).to_be_visible()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == [], "no alert was shown"
    assert SCRIPT.replace('"', '\\"') in (data_dir / "albania.yaml").read_text()


def save_of(page, question: str):
    """The Save button of the section that holds ``question``."""
    return page.locator(f'section.chapter:has([id="q-{question}"]) .section-save button[name=save]')


def test_when_two_officials_change_the_same_answer_the_second_sees_both_keeps_what_they_typed_and_is_still_warned(page, site):
    from playwright.sync_api import expect

    url, data_dir = site
    other = page.context.new_page()
    other.on("dialog", lambda dialog: dialog.dismiss())
    page.goto(f"{url}/answers/albania/chapters/IV")
    other.goto(f"{url}/answers/albania/chapters/IV")
    page.locator(f'{HABITUAL}[value="yes"]').check()
    save_of(page, "jurisdiction.habitual_residents_abroad").click()
    expect(page.locator("#saved")).to_be_visible()

    other.locator(f'{HABITUAL}[value="not_provided"]').check()
    other.locator('[id="q-jurisdiction.habitual_residents_abroad"] details.texts summary').click()
    other.locator('input[name="s.jurisdiction.habitual_residents_abroad"]').fill("typed by the second official")
    save_of(other, "jurisdiction.habitual_residents_abroad").click()
    expect(other.locator("#conflict")).to_contain_text("Not saved: 1 answer was changed by someone else")
    expect(other.locator('[id="q-jurisdiction.habitual_residents_abroad"] .conflict-note')).to_contain_text("yes (source: Para. 217)")
    expect(other.locator(f'{HABITUAL}[value="not_provided"]')).to_be_checked()  # their work is still on the page
    expect(other.locator('input[name="s.jurisdiction.habitual_residents_abroad"]')).to_have_value("typed by the second official")
    with other.expect_event("dialog"):
        other.close(run_before_unload=True)  # leaving still asks: nothing they typed is saved yet
    assert not other.is_closed()
    other.get_by_role("button", name="Keep mine").click()
    expect(other.locator("#saved")).to_be_visible()
    assert "typed by the second official" in (data_dir / "albania.yaml").read_text()


def test_leaving_a_page_with_unsaved_answers_asks_first_and_a_saved_page_does_not(page, site):
    from playwright.sync_api import expect

    url, _ = site
    asked = []
    page.on("dialog", lambda dialog: asked.append(dialog.type))
    page.goto(f"{url}/answers/albania/chapters/IV")
    page.locator(f'{HABITUAL}[value="yes"]').check()
    with page.expect_event("dialog"):
        page.close(run_before_unload=True)
    assert asked == ["beforeunload"] and not page.is_closed(), "the official was asked, and chose to stay"

    save_of(page, "jurisdiction.habitual_residents_abroad").click()
    expect(page.locator("#saved")).to_be_visible()
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert asked == ["beforeunload"], "nothing to lose after saving: no question asked"
