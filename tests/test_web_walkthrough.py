"""A three-person reply walked through in Debian's Chromium, from the first answer to the approved reply
and the follow-up: Cora coordinates, Amira answers chapters II and IV, Rita reviews. Each point of
issue 19 is asserted where the person meets it, at 1280 and at 390 pixels, and every kind of page is
scanned by axe-core (WCAG 2.2 AA: no serious or critical violation).

One server and one browser serve the whole module; the steps are tests in order, each building on
the one before (pytest runs a module's tests in the order they are written).
"""

from __future__ import annotations

import re

import pytest

from conftest import run_selfcheck
from selfcheck.engine.answers.rounds import load_answers, questionnaire
from web_client import MISSING, data_dir_with_albania, serving

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
PASSWORD = "correct horse battery staple"
HABITUAL = "jurisdiction.habitual_residents_abroad"
AGE = "legal.age_of_criminal_responsibility"
WIDTHS = {"desk": 1280, "phone": 390}
DAY = r"\d\d\.\d\d\.\d{4}"  # the one date format of pages and documents: the factsheet's
QUESTION_IDS = [question for question in questionnaire("lanzarote-2").questions if "." in question]


class Person:
    """One member of the team, logged in at both widths."""

    def __init__(self, browser, url: str, name: str):
        self.name, self.url = name, url
        self.pages = {}
        for width_name, width in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())  # leaving a page with typed answers: yes, leave
            page.goto(f"{url}/login")
            page.locator("#login-name").fill(name)
            page.locator("#login-password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{url}/")
            self.pages[width_name] = page
        self.desk, self.phone = self.pages["desk"], self.pages["phone"]

    def both(self, path: str, check) -> None:
        """``path`` at 1280 and at 390 pixels: nothing runs off the screen, and ``check`` holds at each."""
        for width_name, page in self.pages.items():
            page.goto(self.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= WIDTHS[width_name], f"{path} is {width} px wide at {WIDTHS[width_name]} px"
            check(page)


@pytest.fixture(scope="module")
def team(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("walkthrough")
    data_dir = data_dir_with_albania(folder)
    password = folder / "password"
    password.write_text(PASSWORD)
    for name, role, chapters in (("cora", "coordinator", []), ("amira", "contributor", ["--chapters", "II,IV"]), ("rita", "reviewer", [])):
        assert run_selfcheck("users", "add", name, "--role", role, *chapters, "--password-file", password, "--data-dir", data_dir).returncode == 0
    with serving(data_dir) as (url, _):
        people = {name: Person(browser, url, name) for name in ("cora", "amira", "rita")}
        yield {"url": url, "data": data_dir, **people, "scanned": {}}


def scan(team, kind: str, page) -> None:
    """axe-core over the page as it stands, once per kind of page, and its text searched for any
    question's id (people read a question's number and words); the findings are asserted at the end."""
    from axe_playwright_python.sync_playwright import Axe

    if kind in team["scanned"]:
        return
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    found = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    text = page.evaluate("document.body.textContent")
    found += [f"the question id {question} in the page's text" for question in QUESTION_IDS if question in text]
    team["scanned"][kind] = found


def box_of(locator) -> dict:
    locator.scroll_into_view_if_needed()
    return locator.bounding_box()


# -- 1. a to-do per role ----------------------------------------------------------------------------------


def test_each_person_opens_on_what_is_theirs_to_do(team):
    from playwright.sync_api import expect

    amira, rita, cora = team["amira"], team["rita"], team["cora"]

    def amiras(page):
        todo = page.locator("#todo-albania")
        expect(todo.locator("h2")).to_have_text("Albania: your chapters")
        assert todo.locator("li.task").evaluate_all("tasks => tasks.map(t => t.dataset.chapter)") == ["II", "IV"]
        expect(todo.locator('li[data-chapter="IV"] .tag')).to_have_text("In progress")
        scan(team, "start page", page)

    amira.both("/", amiras)

    def ritas(page):
        expect(page.locator("#todo-albania h2")).to_have_text("Albania: your reviews")
        expect(page.locator("#todo-albania .todo-summary")).to_contain_text("0 ready for your review")

    rita.both("/", ritas)

    def coras(page):
        todo = page.locator("#todo")
        expect(todo.locator("h2")).to_have_text("Who is waiting on whom")
        expect(todo.locator('li[data-chapter="IV"] .task-hint')).to_contain_text("waiting on amira to answer it")
        expect(todo.locator('li[data-chapter="V"] .task-hint')).to_contain_text("waiting on the coordinator, as no contributor is assigned")
        assert page.locator("#todo").evaluate("t => t.getBoundingClientRect().top") < page.locator(".progress-line").evaluate(
            "p => p.getBoundingClientRect().top"
        ), "the overview opens on the to-do"
        expect(page.locator("#as_of")).to_have_value("10.03.2022")
        scan(team, "overview", page)

    cora.both("/answers/albania", coras)


def test_a_chapters_tab_marks_the_persons_own_chapters(team):
    def tabs(page):
        marked = page.locator("nav.chapters li.mine").evaluate_all("items => items.map(i => i.textContent.trim().split(' ')[1])")
        assert marked == ["II.", "IV."], marked
        assert page.locator("nav.chapters li.mine .yours").first.inner_text().lower() == "yours"

    team["amira"].both("/answers/albania/chapters/V", tabs)


# -- 3. feedback where the person looks ---------------------------------------------------------------


def test_the_first_answer_is_confirmed_beside_the_question_with_the_recommendations_it_changed(team):
    from playwright.sync_api import expect

    for page in (team["amira"].phone, team["amira"].desk):  # first at 390 px, then the same at 1280 px
        page.goto(f"{team['url']}/answers/albania/chapters/IV")
        buttons = page.locator("button[name=save]").all_inner_texts()
        assert buttons and set(buttons) == {"Save all changes on this page"}, buttons
        value = "yes" if page is team["amira"].phone else "no"
        page.locator(f'input[name="a.{HABITUAL}"][value="{value}"]').check()
        page.locator(f'section.chapter:has([id="q-{HABITUAL}"]) button[name=save]').click()
        question = page.locator(f'[id="q-{HABITUAL}"]')
        saved = question.locator("#saved")
        expect(saved).to_contain_text("Saved: 1 answer changed.")
        expect(saved).to_contain_text("No longer applies: IV-4" if value == "yes" else "Now applies: IV-4")
        expect(saved).to_be_in_viewport()
        expect(saved).to_be_focused()  # announced: it takes the focus
    team["amira"].phone.goto(f"{team['url']}/answers/albania/chapters/IV")
    team["amira"].phone.locator(f'input[name="a.{HABITUAL}"][value="yes"]').check()
    team["amira"].phone.locator(f'section.chapter:has([id="q-{HABITUAL}"]) button[name=save]').click()
    expect(team["amira"].phone.locator("#saved")).to_contain_text("No longer applies: IV-4")
    scan(team, "chapter, saved", team["amira"].phone)
    assert load_answers(team["data"] / "albania.yaml").value(HABITUAL) == "yes"


def test_a_refused_save_opens_on_an_error_summary_that_has_the_focus_and_leads_to_the_field(team):
    from playwright.sync_api import expect

    for width_name, page in team["amira"].pages.items():
        page.goto(f"{team['url']}/answers/albania/chapters/II")
        page.locator(f'input[name="a.{AGE}"]').fill("fourteen")
        page.locator(f'section.chapter:has([id="q-{AGE}"]) button[name=save]').click()
        summary = page.locator("#problems")
        expect(summary).to_contain_text("There is a problem")
        expect(summary).to_be_focused()
        assert page.title().startswith("Error: ")
        assert page.url == f"{team['url']}/answers/albania/chapters/II", "the page's address, so that a reload sends nothing"
        if width_name == "desk":
            scan(team, "chapter, refused save", page)
        summary.get_by_role("link").first.click()
        expect(page.locator(f'[id="a-{AGE}"]')).to_be_focused()  # the summary's link leads to the field
        page.reload()
        expect(page.locator("#problems")).to_have_count(0)
        expect(page.locator(f'input[name="a.{AGE}"]')).not_to_have_value("fourteen")


# -- 1 and 2. review: returned, readable ------------------------------------------------------------------


def review(person, chapter: str, action: str, comment: str = "") -> None:
    page = person.desk
    page.goto(f"{person.url}/answers/albania/chapters/{chapter}")
    if comment:
        page.locator("#comment").fill(comment)
    page.locator(f"#{action}-chapter").click()
    page.wait_for_load_state()


def test_the_reviewer_reads_the_answers_as_text_and_returns_the_chapter_with_a_comment(team):
    from playwright.sync_api import expect

    review(team["amira"], "IV", "submit")

    def waiting(page):
        expect(page.locator('#todo-albania li[data-chapter="IV"] .tag')).to_have_text("Ready for review")

    team["rita"].both("/", waiting)

    def readable(page):
        expect(page.locator("#readonly")).to_contain_text("This chapter is under review")
        assert page.locator("main input[type=radio], main input[type=checkbox], main [disabled]").count() == 0, "no disabled fields"
        row = page.locator(f'[id="q-{HABITUAL}"]')
        expect(row.locator(".answer-given")).to_have_text("Yes")
        expect(row).to_contain_text("Source: Para. 217")
        assert row.evaluate("r => r.tagName") == "DIV" and page.locator("dl.summary-list").count() >= 1
        history = row.locator(".answer-history a")
        size = box_of(history)
        assert size["height"] >= 24 and size["width"] >= 24, f"History is {size['width']} x {size['height']} px"
        expect(page.locator("nav.chapters li.mine")).to_contain_text("to review")

    team["rita"].both("/answers/albania/chapters/IV", readable)
    scan(team, "chapter, read-only", team["rita"].desk)
    review(team["rita"], "IV", "return", "Please give the article of the Criminal Code for S12.3")


def test_a_returned_chapter_says_so_with_its_comment_first(team):
    from playwright.sync_api import expect

    comment = "“Please give the article of the Criminal Code for S12.3”"

    def start_page(page):
        first = page.locator("#todo-albania li.task").first
        expect(first).to_have_attribute("data-chapter", "IV")
        expect(first.locator(".tag")).to_have_text("Returned")
        expect(first.locator(".task-comment")).to_have_text(comment)

    team["amira"].both("/", start_page)

    def chapter(page):
        banner = page.locator("#returned")
        expect(banner).to_contain_text("Returned for changes by rita")
        expect(banner).to_contain_text(comment)
        assert banner.evaluate("b => b.getBoundingClientRect().top") < page.locator("#questionnaire").evaluate("f => f.getBoundingClientRect().top")
        expect(page.locator(".progress-line")).to_contain_text(re.compile(rf"returned for changes by rita, {DAY}, \d\d:\d\d UTC"))

    team["amira"].both("/answers/albania/chapters/IV", chapter)
    scan(team, "chapter, returned", team["amira"].desk)

    def overview(page):
        expect(page.locator('#todo li[data-chapter="IV"]')).to_contain_text("Returned by rita")
        expect(page.locator('#todo li[data-chapter="IV"] .task-comment')).to_have_text(comment)

    team["cora"].both("/answers/albania", overview)
    with team["cora"].desk.expect_download() as download:
        team["cora"].desk.goto(f"{team['url']}/answers/albania")
        team["cora"].desk.locator('a[href="/answers/albania/reply/docx"]').click()
    text = word_text(download.value.path())
    assert re.search(rf"Returned for changes by rita on {DAY}: “Please give the article", text), "the reply says returned, with the comment"
    assert "not yet submitted for review" not in text.split("Chapter IV.")[1][:300]


def word_text(path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_a_resubmitted_chapter_shows_the_reviewer_what_changed_since_the_last_submission(team):
    from playwright.sync_api import expect

    page = team["amira"].desk
    page.goto(f"{team['url']}/answers/albania/chapters/IV")
    toggle = page.locator(f'[id="q-{HABITUAL}"] details.texts summary')
    size = box_of(toggle)
    assert size["height"] >= 24, f"“Source and note” is {size['height']} px high"
    toggle.click()
    page.locator(f'input[name="s.{HABITUAL}"]').fill("Criminal Code, Article 6/a")
    page.locator(f'section.chapter:has([id="q-{HABITUAL}"]) button[name=save]').click()
    expect(page.locator("#saved")).to_contain_text("Saved: 1 answer changed. No recommendation changed.")
    review(team["amira"], "IV", "submit")

    def changed(page):
        row = page.locator(f'[id="q-{HABITUAL}"]')
        expect(row.locator(".changed-since")).to_contain_text("Changed since the last submission. It was: yes (source: Para. 217)")
        expect(row).to_contain_text("Source: Criminal Code, Article 6/a")

    team["rita"].both("/answers/albania/chapters/IV", changed)
    review(team["rita"], "IV", "approve", "Matches the Criminal Code")


# -- 7. the coordinator drafts an amendment from an approved chapter -------------------------------------


def test_the_coordinator_drafts_an_amendment_from_an_approved_chapter_and_hears_of_every_problem_at_once(team):
    from playwright.sync_api import expect

    before = (team["data"] / "albania.yaml").read_bytes()
    for page in (team["cora"].phone, team["cora"].desk):
        page.goto(f"{team['url']}/answers/albania/chapters/IV")
        expect(page.locator("#readonly")).to_contain_text("This chapter is approved")
        page.locator("#amend-link").click()
        expect(page.locator("#amending")).to_contain_text("the chapter stays approved")
        page.locator(f'input[name="a.{HABITUAL}"][value="no"]').check()
        page.locator("#bill-title").fill("")
        page.locator("#bill-date").fill("31.02.2026")
        page.locator("#draft-amendment").click()
        summary = page.locator("#problems")
        for problem in ("Bill title: Give the bill's title.", "Reference: Give the bill's reference.", "Date: Give the date as day.month.year", "S12.3 "):
            expect(summary).to_contain_text(problem)
        for field in ("bill-title", "bill-reference", "bill-date"):
            expect(page.locator(f"#{field}-error")).to_be_visible()
        expect(page.locator(f'[id="error-{HABITUAL}"]')).to_contain_text("Give a note for this change")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    scan(team, "chapter, amendment refused", page)
    page.locator("#bill-title").fill("Jurisdiction over habitual residents")
    page.locator("#bill-reference").fill("Draft law amending Article 6 of the Criminal Code")
    page.locator("#bill-date").fill("01.03.2026")
    assert page.locator(f'[id="q-{HABITUAL}"] details.texts').evaluate("d => d.open"), "opened where its problem is"
    page.locator(f'input[name="n.{HABITUAL}"]').fill("Article 2 of the bill")
    page.locator("#draft-amendment").click()
    expect(page.locator("h1")).to_have_text("Jurisdiction over habitual residents")
    expect(page.locator(".lead")).to_contain_text("01.03.2026")
    scan(team, "amendment", page)
    assert (team["data"] / "albania.yaml").read_bytes() == before, "no answer changed"
    page.goto(f"{team['url']}/answers/albania/chapters/IV")
    expect(page.locator(".progress-line")).to_contain_text("approved by rita")


# -- 6. the factsheet page --------------------------------------------------------------------------------


def test_the_factsheet_page_keeps_the_sites_header_a_way_back_and_the_notice_at_each_chapter(team):
    from playwright.sync_api import expect

    def factsheet(page):
        expect(page.locator("header.top .brand")).to_have_text("selfcheck")
        expect(page.locator(".factsheet-tools a").first).to_have_attribute("href", "/answers/albania")
        chapters = page.locator("section.part")
        assert chapters.count() == 12 and page.locator("section.part .chapter-notice").count() == 12
        expect(chapters.nth(4).locator(".chapter-notice")).to_have_text("National self-assessment of Albania – not a document of the Lanzarote Committee")
        footnote = page.locator("sup.fnref a").first
        size = box_of(footnote)
        assert size["width"] >= 24 and size["height"] >= 24, f"a footnote link is {size['width']} x {size['height']} px"

    team["rita"].both("/factsheet/albania", factsheet)
    scan(team, "factsheet", team["rita"].desk)


# -- 9. a focus ring seen on the dark buttons -------------------------------------------------------------


def test_a_dark_button_shows_a_focus_ring_that_can_be_seen(team):
    page = team["cora"].desk
    page.goto(f"{team['url']}/answers/albania")
    button = page.get_by_role("button", name="Save the Party and date")
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focused from the keyboard: :focus-visible
    style = button.evaluate("b => { const s = getComputedStyle(b); return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow]; }")
    assert style[0] == "solid" and style[1] == "3px" and style[2] == "rgb(255, 221, 0)", style
    assert "rgb(11, 12, 12)" in style[3], "a dark edge outside the yellow: seen on a dark button and on white alike"


# -- 1. the approved reply -------------------------------------------------------------------------------


def test_every_chapter_approved_the_reply_says_so_in_peoples_words(team):
    from playwright.sync_api import expect

    for chapter in ("II", "III", "V", "VI", "VII", "VIII", "IX", "X", "XI"):
        review(team["cora"], chapter, "submit")
        review(team["rita"], chapter, "approve")

    def approved(page):
        expect(page.locator("#todo .todo-summary")).to_contain_text("10 of 10 approved")

    team["cora"].both("/answers/albania", approved)
    page = team["cora"].desk
    with page.expect_download() as download:
        page.locator('a[href="/answers/albania/reply/docx"]').click()
    text = word_text(download.value.path())
    assert "10 of 10 chapters approved." in text and text.count("Approved by rita on") == 10
    assert "(title inferred)" not in text and "Returned" not in text
    page.goto(f"{team['url']}/answers/albania/history")
    expect(page.locator("ol.history li").first).to_contain_text(re.compile(rf"^{DAY}, \d\d:\d\d UTC rita chapter XI approved"))
    scan(team, "history", page)


# -- 4. the follow-up at the scale of 94 recommendations ---------------------------------------------------


def test_the_follow_up_opens_as_collapsed_cards_filtered_by_the_summarys_counts(team):
    from playwright.sync_api import expect

    page = team["cora"].desk
    page.goto(f"{team['url']}/answers/albania/follow-up")
    scan(team, "follow-up, not started", page)
    page.get_by_role("button", name="Start the follow-up").click()
    expect(page.locator("#started")).to_be_visible()
    cards = page.locator("details.card")
    assert cards.count() == 93 and page.locator("details.card[open]").count() == 0, "every card closed"
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 12_000, f"the follow-up page is {height} px tall"
    scan(team, "follow-up", page)

    def filtered(page):
        expect(page.locator("#shown-count")).to_contain_text(re.compile(r"\d+ of 93 recommendations match"))
        shown = int(page.locator("#shown-count").inner_text().split()[0])
        assert 0 < shown == page.locator("details.card").count() == page.locator("#chapter-II details.card").count()

    team["cora"].both("/answers/albania/follow-up?chapter=II", filtered)


def test_a_recommendation_newly_applied_is_added_from_the_page_and_checked_in_the_questionnaires_words(team):
    from playwright.sync_api import expect

    page = team["cora"].desk
    review(team["cora"], "IV", "reopen", "A new fact on habitual residents")
    page.locator(f'input[name="a.{HABITUAL}"][value="no"]').check()
    page.locator(f'section.chapter:has([id="q-{HABITUAL}"]) button[name=save]').click()
    expect(page.locator("#saved")).to_contain_text("Now applies: IV-4")
    page.goto(f"{team['url']}/answers/albania/follow-up")
    missing = page.locator('#not-in-file [data-recommendation="IV-4"]')
    expect(missing).to_contain_text("not in the follow-up file")
    missing.get_by_role("button", name="Add IV-4 to the follow-up").click()
    card = page.locator("#fu-IV-4")
    expect(card.locator("#saved")).to_have_text("Added to the follow-up.")
    assert card.evaluate("c => c.open")
    expect(card.locator("#saved")).to_be_focused()
    card.locator('input[name="status.IV-4"][value="implemented"]').check()
    card.get_by_role("button", name="Save all changes on this page").click()
    card = page.locator("#fu-IV-4")
    expect(card.locator("#saved")).to_contain_text("Saved: 1 recommendation changed.")
    flag = card.locator(".flag-inconsistent")
    expect(flag).to_contain_text("declared implemented, but the rules still apply it because S8.1 “Which reservations permitted by the Convention")
    expect(flag).to_contain_text("not answered; S12.3 “Do you establish jurisdiction over offences established under the Convention")
    expect(flag).to_contain_text("habitual residence in your territory?” answered no")
    assert "jurisdiction." not in flag.inner_text() and "(answer:" not in flag.inner_text(), "no id, no double negative"
    page.goto(f"{team['url']}/answers/albania/follow-up")
    page.locator(".flag-counts a", has_text="1 inconsistent").click()
    expect(page.locator("#shown-count")).to_contain_text("1 of 94 recommendations match")
    assert page.locator("details.card").evaluate_all("cards => cards.map(c => c.id)") == ["fu-IV-4"]
    scan(team, "follow-up, filtered", page)


def test_a_refused_follow_up_save_has_the_same_error_summary(team):
    from playwright.sync_api import expect

    for width_name, page in team["cora"].pages.items():
        page.goto(f"{team['url']}/answers/albania/follow-up?chapter=IV")
        card = page.locator("#fu-IV-5")
        card.locator("summary").click()
        card.locator('[id="fu-IV-5-deadline"]').fill("31.02.2026")
        card.get_by_role("button", name="Save all changes on this page").click()
        summary = page.locator("#problems")
        expect(summary).to_contain_text("IV-5: Give the date as day.month.year, for example 01.05.2026, or leave it empty; '31.02.2026' is not such a date.")
        expect(summary).to_be_focused()
        assert page.title().startswith("Error: ")
        assert page.url == f"{team['url']}/answers/albania/follow-up?chapter=IV"
        if width_name == "desk":
            scan(team, "follow-up, refused save", page)
        summary.get_by_role("link").first.click()
        expect(page.locator('[id="fu-IV-5-deadline"]')).to_be_focused()
    with team["cora"].desk.expect_download() as download:
        team["cora"].desk.goto(f"{team['url']}/answers/albania/follow-up")
        team["cora"].desk.locator('a[href="/answers/albania/follow-up/download/docx"]').click()
    report = word_text(download.value.path())
    assert "habitual_residents" not in report and "(answer:" not in report and re.search(rf"Situation on {DAY}", report)


def test_every_kind_of_page_passes_axe_wcag_2_2_aa(team):
    for kind, path in (("team", "/team"), ("login", "/login"), ("not found", "/answers/nowhere"), ("follow-up history", "/answers/albania/follow-up/history")):
        team["cora"].desk.goto(team["url"] + path)
        scan(team, kind, team["cora"].desk)
    assert len(team["scanned"]) == 18, sorted(team["scanned"])
    assert {kind: found for kind, found in team["scanned"].items() if found} == {}


def test_the_downloads_of_the_reply_are_word_and_markdown_with_the_same_words(team):
    page = team["cora"].desk
    page.goto(f"{team['url']}/answers/albania")
    with page.expect_download() as download:
        page.locator('a[href="/answers/albania/reply/markdown"]').click()
    markdown = open(download.value.path(), encoding="utf-8").read()
    assert "Answer: **No**  \nSource: Criminal Code, Article 6/a" in markdown, "the source on the line right under its answer"
