"""The web questionnaire over HTTP: the form, saving, results, factsheet, amendments, and every safety point."""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.request
import zipfile
from io import BytesIO
from urllib.parse import urlencode

import pytest
from markupsafe import escape

from conftest import ALBANIA, ROUND, run_selfcheck
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import load_amendment
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.drafting.diff import compare_files
from selfcheck.engine.rules import rulebooks
from selfcheck.web.security import MAX_BODY, SESSION_COOKIE
from web_client import FORM, changed, client_for, files_in, form_of, post, serving

QUESTIONNAIRE = rounds.questionnaire(ROUND)
HABITUAL = "a__jurisdiction__habitual_residents_abroad"


def albania_form(client, chapter: str = "IV"):
    """The form of one chapter of Albania's answers (IV by default: jurisdiction, where IV-4 lives)."""
    page = client.get(f"/answers/albania/chapters/{chapter}")
    assert page.status_code == 200
    return form_of(page.text)


def chapter_of(question_id: str) -> str:
    return QUESTIONNAIRE.questions[question_id].chapter


def save(client, fields, chapter: str = "IV"):
    return post(client, f"/answers/albania/chapters/{chapter}", fields)


def recommendations_on(page: str) -> list[str]:
    return re.findall(r'data-recommendation="([^"]+)"', page)


# -- the pages --------------------------------------------------------------------------------------


def test_the_start_page_lists_the_party_answer_files_with_their_progress_and_offers_to_start_a_new_one(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<a href="/answers/albania">Albania</a>' in page.text and "10.03.2022" in page.text, "dated as the factsheet dates"
    assert "13 require" in page.text and "12 request" in page.text and "69 invite" in page.text
    answered = sum(value != "not_provided" for value in load_answers(ALBANIA).values.values())
    total = len(QUESTIONNAIRE.questions)
    assert f"{answered} of {total} questions answered, {total - answered} not provided" in page.text
    assert "0 of 10 chapters approved" in page.text
    assert 'action="/new"' in page.text and "Start a new answer file" in page.text


def test_a_file_opens_on_the_persons_to_do_each_chapter_with_its_title_progress_and_state(client):
    page = client.get("/answers/albania").text
    assert page.index('id="todo"') < page.index('id="no-information"'), "the to-do comes first"
    rulebook = rulebooks.rulebook(ROUND)
    for entry in rulebook.meta.chapters:
        questions = QUESTIONNAIRE.in_chapter(entry.chapter)
        answered = sum(load_answers(ALBANIA).value(q.id) != "not_provided" for q in questions)
        task = page[page.index(f'data-chapter="{entry.chapter}">') :]
        task = task[: task.index("</li>")]
        assert f'<a href="/answers/albania/chapters/{entry.chapter}">{entry.chapter}. {escape(entry.title)}</a>' in task
        assert f"{answered} of {len(questions)} answered; waiting on you to answer it and submit it for review." in task
        assert ("In progress" if answered else "Not started") in task


def test_each_chapter_page_holds_the_committees_questions_that_feed_it_in_order_with_help_and_legal_basis(client):
    seen = []
    for entry in rulebooks.rulebook(ROUND).meta.chapters:
        page = client.get(f"/answers/albania/chapters/{entry.chapter}").text
        sections = [s for s in QUESTIONNAIRE.sections if s.chapter == entry.chapter]
        positions = [page.index(f'<section class="chapter" id="question-{s.number}"') for s in sections]
        assert positions == sorted(positions)
        for section in sections:
            assert f"Question {section.number}. {escape(section.title)}" in page
        for question in QUESTIONNAIRE.in_chapter(entry.chapter):
            seen.append(question.id)
            block = page[page.index(f'id="q-{question.id}"') :]
            block = block[: block.index('<div class="question')] if '<div class="question' in block else block
            assert escape(question.prompt) in block, question.id
            assert f'<p class="help" id="help-{question.id}">{escape(question.help)}</p>' in block, question.id
            assert re.search(rf'aria-describedby="[^"]*\bhelp-{re.escape(question.id)}\b', block), "the help is tied to the input"
            assert escape("; ".join(question.serves)) in block, question.id
        others = [q for q in QUESTIONNAIRE.questions.values() if q.chapter != entry.chapter]
        assert not any(f'id="q-{q.id}"' in page for q in others), "only the chapter's own questions"
    assert sorted(seen) == sorted(QUESTIONNAIRE.questions), "every question is on the page of its chapter"


def test_tri_state_questions_are_radio_buttons_with_not_provided_and_numbers_are_text_fields_with_their_bounds(client):
    for entry in rulebooks.rulebook(ROUND).meta.chapters:
        page = client.get(f"/answers/albania/chapters/{entry.chapter}").text
        for question in QUESTIONNAIRE.in_chapter(entry.chapter):
            name = f'name="a.{question.id}"'
            if question.type == "tri_state":
                for value in ("yes", "no", "varies", "not_provided"):
                    assert f'type="radio" {name} value="{value}"' in page, question.id
            elif question.type == "integer":
                # a text field: what is typed reaches the server as typed ("fourteen" is an error, never an empty answer)
                assert re.search(rf'type="text" id="a-{re.escape(question.id)}" {re.escape(name)} value="\d*" inputmode="numeric"', page), question.id
                assert f"a whole number from {question.minimum} to {question.maximum}" in page
            elif question.type == "list":
                for value in question.option_values + ("not_provided",):
                    assert f'type="checkbox" {name} value="{value}"' in page, question.id
    albania = load_answers(ALBANIA)
    fields = albania_form(client, "IV")
    assert ("a.jurisdiction.habitual_residents_abroad", "no") in fields
    age = "legal.age_of_criminal_responsibility"
    assert (f"a.{age}", str(albania.value(age))) in albania_form(client, chapter_of(age))


def test_each_recommendation_in_the_results_expands_to_why_and_the_answer_that_would_change_it(client):
    page = client.get("/answers/albania").text
    assessed = assess(load_answers(ALBANIA), rulebooks.rulebook(ROUND)).recommendations
    shown = recommendations_on(page)
    assert sorted(shown) == sorted(f.id for f in assessed) and len(shown) == 94
    by_id = {f.id: f for f in assessed}
    order = [(rulebooks.rulebook(ROUND).chapter_order[by_id[i].chapter], rulebooks.rulebook(ROUND).vocabulary.level_names.index(by_id[i].level)) for i in shown]
    assert order == sorted(order), "grouped by chapter, then by level"
    item = page[page.index('id="r-IV-4"') :]
    item = item[: item.index("</li>\n", item.index("</details>"))]
    assert "<details>" in item and "Why" in item
    assert '<a href="/answers/albania/chapters/IV#q-jurisdiction.habitual_residents_abroad">S12.3 ' in item and "no → <strong>yes</strong>" in item


def test_the_results_say_which_recommendations_rest_on_an_inferred_reason_or_on_no_information(client):
    page = client.get("/answers/albania").text

    def item(rule_id: str) -> str:
        start = page.index(f'id="r-{rule_id}"')
        return page[start : page.index("</li>\n", page.index("</details>", start))]

    assert '<span class="tag inferred">inferred</span>' in item("III-15")
    assert "inferred by selfcheck: no published factsheet prints the reason" in item("III-15")
    assert '<span class="tag no-information">no information</span>' in item("IV-5")
    assert "it applies because no information was given" in item("IV-5")
    assert "printed in a published factsheet" in item("IV-4") and "tag inferred" not in item("IV-4")
    assert "“The Committee observes that [the Party] does not establish jurisdiction" in item("IV-4")


def test_the_results_name_the_elements_not_in_place_in_the_questions_words_without_internal_ids(client):
    page = client.get("/answers/albania").text
    start = page.index('id="r-VI-1"')
    item = page[start : page.index("</li>\n", page.index("</details>", start))]
    assert "Not in place" in item and "<li>support is not specific to child victims of sexual exploitation or sexual abuse<ul" in item
    assert "helplines are not delivered in the languages children calling them understand" in item
    assert "helplines are not free of charge" not in item, "Albania's helplines are free (Para. 306)"
    assert '<a href="/answers/albania/chapters/VI#q-assistance.helpline_languages">S6.7 Are these helplines delivered' in item
    assert "free-of-charge" not in item and "VI-1/" not in item, "no element id on the page"


# -- saving -----------------------------------------------------------------------------------------


def test_saving_a_changed_answer_writes_the_file_with_its_sources_records_who_changed_it_and_the_results_follow(client, data_dir):
    fields = changed(albania_form(client), focus="jurisdiction.habitual_residents_abroad", **{HABITUAL: "yes"})
    response = save(client, fields)
    assert response.status_code == 303
    assert response.headers["location"] == "/answers/albania/chapters/IV?saved=1&at=q-jurisdiction.habitual_residents_abroad&removed=IV-4#saved", (
        "back to the question, naming what the save did to the recommendations"
    )
    saved = load_answers(data_dir / "albania.yaml")
    before = load_answers(ALBANIA)
    assert saved.value("jurisdiction.habitual_residents_abroad") == "yes"
    assert saved.sources == before.sources, "every answer keeps its source"
    assert {q: v for q, v in saved.values.items() if q != "jurisdiction.habitual_residents_abroad"} == {
        q: v for q, v in before.values.items() if q != "jurisdiction.habitual_residents_abroad"
    }
    text = (data_dir / "albania.yaml").read_text()
    assert text.startswith("# Albania's answers, reconstructed"), "the file's opening comments are kept"
    assert files_in(data_dir) == ["albania.yaml"], "no temporary file is left behind"
    page = client.get(response.headers["location"]).text
    question = page[page.index('id="q-jurisdiction.habitual_residents_abroad"') :]
    assert question.index("Saved: 1 answer changed") < question.index("S12.3"), "the confirmation stands in the saved question, first"
    assert '<strong>No longer applies:</strong> <span class="rid">IV-4</span> to establish jurisdiction' in question
    assert "IV-4" not in recommendations_on(page) and "IV-5" in recommendations_on(page)
    assert run_selfcheck("validate", data_dir / "albania.yaml").returncode == 0
    history = run_selfcheck("history", data_dir / "albania.yaml", "--format", "json")
    [change] = json.loads(history.stdout)
    assert change["question"] == "jurisdiction.habitual_residents_abroad" and change["via"] == "web" and change["who"]
    assert change["old"]["value"] == "no" and change["new"] == {**change["old"], "value": "yes"}


def test_the_party_and_the_date_are_saved_from_the_files_page(client, data_dir):
    fields = changed(form_of(client.get("/answers/albania").text, "about"), as_of="2024-05-01")
    response = post(client, "/answers/albania", fields)
    assert response.status_code == 303 and response.headers["location"] == "/answers/albania?saved=1&at=about#saved"
    confirmed = client.get(response.headers["location"]).text
    assert confirmed.index('id="saved"') > confirmed.index("<legend>About these answers</legend>"), "confirmed in the form saved"
    assert str(load_answers(data_dir / "albania.yaml").as_of) == "2024-05-01"
    refused = post(client, "/answers/albania", changed(fields, party=" "))
    assert refused.status_code == 422 and "Give the Party&#39;s name." in refused.text


def test_saving_the_page_unchanged_keeps_every_answer_and_the_file_exactly(client, data_dir):
    before = (data_dir / "albania.yaml").read_bytes()
    for entry in rulebooks.rulebook(ROUND).meta.chapters:
        response = save(client, albania_form(client, entry.chapter), entry.chapter)
        assert response.status_code == 303 and "saved=0" in response.headers["location"]
    assert (data_dir / "albania.yaml").read_bytes() == before


def test_a_save_replaces_the_file_atomically_or_not_at_all(client, data_dir, monkeypatch):
    before = (data_dir / "albania.yaml").read_bytes()

    def full_disk(source, destination):
        raise OSError(28, "No space left on device")

    fields = changed(albania_form(client), **{HABITUAL: "yes"})
    monkeypatch.setattr("selfcheck.engine.common.safe_files.os.replace", full_disk)
    response = save(client, fields)
    assert response.status_code == 503 and "Nothing was saved: albania.yaml could not be written (No space left on device) and is as it was." in response.text
    assert 'id="questionnaire"' in response.text and ("a.jurisdiction.habitual_residents_abroad", "yes") in form_of(response.text), "what was typed stays"
    assert (data_dir / "albania.yaml").read_bytes() == before
    assert files_in(data_dir) == ["albania.yaml"], "no temporary file is left behind"
    monkeypatch.undo()
    assert json.loads(run_selfcheck("history", data_dir / "albania.yaml", "--format", "json").stdout) == [], "nothing recorded either"


def test_two_people_changing_different_questions_from_the_same_page_both_land(client, data_dir):
    first, second = albania_form(client), albania_form(client)
    assert save(client, changed(first, **{HABITUAL: "yes"})).status_code == 303
    response = save(client, changed(second, a__jurisdiction__nationals_abroad="no"))
    assert response.status_code == 303
    saved = load_answers(data_dir / "albania.yaml")
    assert saved.value("jurisdiction.habitual_residents_abroad") == "yes", "the first change stays"
    assert saved.value("jurisdiction.nationals_abroad") == "no", "and the second lands beside it"


def test_the_same_question_changed_by_two_people_gives_the_second_a_conflict_with_both_answers_and_keeps_what_they_typed(client, data_dir):
    first, second = albania_form(client), albania_form(client)
    assert save(client, changed(first, **{HABITUAL: "yes"})).status_code == 303
    after_first = (data_dir / "albania.yaml").read_bytes()
    refused = save(client, changed(second, **{HABITUAL: "not_provided", "s__jurisdiction__habitual_residents_abroad": "my own source"}))
    assert refused.status_code == 409
    assert "Not saved: 1 answer was changed by someone else" in refused.text
    field = refused.text[refused.text.index('id="q-jurisdiction.habitual_residents_abroad"') :]
    assert field.index("Saved meanwhile by") < field.index('<div class="question')
    assert "<strong>yes (source: Para. 217)</strong>" in field, "their answer, in words"
    kept = form_of(refused.text)
    assert ("a.jurisdiction.habitual_residents_abroad", "not_provided") in kept and ("s.jurisdiction.habitual_residents_abroad", "my own source") in kept
    assert (data_dir / "albania.yaml").read_bytes() == after_first
    assert 'data-unsaved="true"' in refused.text, "leaving the page still warns"
    again = save(client, kept)
    assert again.status_code == 303, "saving again, having seen theirs, keeps what was typed"
    assert load_answers(data_dir / "albania.yaml").value("jurisdiction.habitual_residents_abroad") == "not_provided"


def test_a_wrong_answer_is_shown_beside_its_field_in_peoples_words_flagged_invalid_and_nothing_is_saved(client, data_dir):
    before = (data_dir / "albania.yaml").read_bytes()
    age = "legal.age_of_criminal_responsibility"
    response = save(client, changed(albania_form(client, chapter_of(age)), a__legal__age_of_criminal_responsibility="fourteen"), chapter_of(age))
    assert response.status_code == 422
    assert (data_dir / "albania.yaml").read_bytes() == before
    message = "Write a whole number from 0 to 18, in digits, or leave the field empty if you give no information; &#39;fourteen&#39; is not such a number, so nothing was saved."
    field = response.text[response.text.index(f'id="q-{age}"') :]
    field = field[: field.index('<div class="question')]
    assert f'<p class="error" id="error-{age}">{message}</p>' in field
    summary = response.text[response.text.index('<div class="error-summary"') :]
    assert summary.index(f'<a href="#a-{age}">S9.3 ') < summary.index("</div>"), "the error summary links to the field"
    assert "<title>Error: " in response.text and "data-focus-on-load" in summary[:200]
    assert 'class="question invalid"' in response.text and 'aria-invalid="true"' in field and f"error-{age}" in field
    assert "not_provided" not in response.text[response.text.index('id="problems"') : response.text.index("</div>", response.text.index('id="problems"'))]
    assert 'value="fourteen"' in field, "what was typed stays in the form"


def test_an_answer_that_varies_by_region_is_saved_with_its_note_and_refused_without_one(client, data_dir):
    before = (data_dir / "albania.yaml").read_bytes()
    question = "jurisdiction.habitual_residents_abroad"
    response = save(client, changed(albania_form(client), **{HABITUAL: "varies", f"n__{question.replace('.', '__')}": ""}))
    assert response.status_code == 422 and (data_dir / "albania.yaml").read_bytes() == before, "nothing saved without the note"
    field = response.text[response.text.index(f'id="q-{question}"') :]
    assert "Say in the note where this is in place and where not" in field[: field.index('<div class="question')]
    note = "Only the law of one of the two entities provides for it."
    response = save(client, changed(albania_form(client), **{HABITUAL: "varies", f"n__{question.replace('.', '__')}": note}))
    assert response.status_code == 303
    saved = load_answers(data_dir / "albania.yaml")
    assert saved.value(question) == "varies" and saved.notes[question] == note
    page = client.get(response.headers["location"]).text
    assert "IV-4" in recommendations_on(page), "an obligation not in place everywhere is not in place"


def test_a_hand_edited_file_with_problems_opens_with_them_beside_their_fields(client, data_dir):
    (data_dir / "broken.yaml").write_text(f"party: Testland\nround: {ROUND}\nanswers:\n  legal.csam_terminology: maybe\n")
    page = client.get(f"/answers/broken/chapters/{chapter_of('legal.csam_terminology')}")
    assert page.status_code == 200
    assert "Choose yes, no, varies by region or entity, or not provided." in page.text
    assert "The saved answers have problems" in page.text and not recommendations_on(page.text)
    assert "broken.yaml" in client.get("/").text


def test_a_blank_new_file_says_that_no_information_counts_against_the_party_where_the_rules_say_so(client, data_dir):
    token = form_of(client.get("/").text, "/new")
    assert post(client, "/new", changed(token, file="ruritania", party="Ruritania")).status_code == 303
    page = client.get("/answers/ruritania").text
    assessed = assess(load_answers(data_dir / "ruritania.yaml"), rulebooks.rulebook(ROUND)).recommendations
    silent = sum(f.applies_because == "no_information" for f in assessed)
    assert silent > 0
    assert "Nothing is answered yet." in page
    assert f"{silent} of the {len(assessed)} recommendations apply only because no information was given." in page
    assert "no information counts against the Party" in page
    assert f"{silent} of them only because no information was given" in client.get("/").text


# -- escaping ---------------------------------------------------------------------------------------

SCRIPT = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def test_a_script_saved_in_a_free_text_answer_is_kept_as_text_and_escaped_on_every_page(client, data_dir):
    assert save(client, changed(albania_form(client, "II"), a__legal__difficulties=SCRIPT), "II").status_code == 303
    assert post(client, "/answers/albania", changed(form_of(client.get("/answers/albania").text, "about"), party=f"Albania {SCRIPT}")).status_code == 303
    saved = load_answers(data_dir / "albania.yaml")
    assert saved.value("legal.difficulties") == SCRIPT, "saved as the official wrote it"
    urls = ("/", "/answers/albania/chapters/II", "/factsheet/albania", "/factsheet/albania/html", "/answers/albania", "/answers/albania/history")
    pages = [client.get(url) for url in urls]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, page.url
    assert escape(SCRIPT) in pages[1].text and escape(SCRIPT) in pages[2].text and escape(SCRIPT) in pages[5].text
    assert all(script == '<script src="/static/app.js" defer></script>' for script in re.findall(r"<script[^>]*>[^<]*</script>", pages[1].text))
    assert "\\<script>alert" in client.get("/answers/albania/reply/markdown").text, "escaped as Markdown text too"


# -- file names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["..%2F..%2Fetc%2Fpasswd", "%2E%2E", "albania.yaml", "Albania", ".albania", "-albania", "a" * 62, "albania%00"])
def test_a_file_name_that_is_not_a_plain_name_in_the_data_folder_is_refused(client, name):
    for url in (f"/answers/{name}", f"/factsheet/{name}", f"/factsheet/{name}/markdown", f"/amendments/{name}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "root:" not in response.text


def test_a_link_in_the_data_folder_that_leads_outside_it_is_not_followed(client, data_dir, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text((data_dir / "albania.yaml").read_text())
    os.symlink(outside, data_dir / "elsewhere.yaml")
    assert client.get("/answers/elsewhere").status_code == 404
    assert client.get("/factsheet/elsewhere").status_code == 404


def test_a_new_answer_file_is_created_with_its_party_and_date_and_never_replaces_one(client, data_dir, tmp_path):
    token = form_of(client.get("/").text, "/new")
    created = post(client, "/new", changed(token, file="ruritania", party="Ruritania"))
    assert created.status_code == 303 and created.headers["location"] == "/answers/ruritania"
    answers = load_answers(data_dir / "ruritania.yaml")
    assert answers.party == "Ruritania" and answers.values == {} and answers.as_of is not None
    before = (data_dir / "albania.yaml").read_bytes()
    for name in ("albania", "../escaped", "Ruritania", "x/y", ""):
        refused = post(client, "/new", changed(token, file=name, party="Freedonia"))
        assert refused.status_code == 422, name
        assert '<p class="error" id="new-' in refused.text and 'aria-invalid="true"' in refused.text and '<a href="#new-' in refused.text
    assert (data_dir / "albania.yaml").read_bytes() == before
    assert not (tmp_path / "escaped.yaml").exists()
    assert files_in(data_dir) == ["albania.yaml", "ruritania.yaml"]


# -- cross-site request forgery ---------------------------------------------------------------------


def test_a_post_without_this_browsers_token_is_refused_with_403_and_changes_nothing(client, data_dir):
    fields = changed(albania_form(client), **{HABITUAL: "yes"})
    before = (data_dir / "albania.yaml").read_bytes()
    no_token = [(name, value) for name, value in fields if name != "csrf"]
    forged = changed(fields, csrf="0" * 64)
    for attempt in (no_token, forged):
        response = save(client, attempt)
        assert response.status_code == 403 and "security token" in response.text
    with client_for(data_dir) as stranger:  # another browser: its own session cookie, the stolen token
        stranger.get("/")
        assert save(stranger, fields).status_code == 403
    with client_for(data_dir) as cookieless:
        assert save(cookieless, fields).status_code == 403
    assert post(client, "/new", [("file", "x"), ("party", "X")]).status_code == 403
    assert (data_dir / "albania.yaml").read_bytes() == before and files_in(data_dir) == ["albania.yaml"]


def test_the_session_cookie_is_http_only_and_strictly_same_site(data_dir):
    with client_for(data_dir) as client:
        cookie = client.get("/").headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie


# -- request bodies and malformed submissions -------------------------------------------------------


def test_a_body_over_the_cap_is_refused_with_413_whether_announced_or_streamed(client, data_dir):
    before = (data_dir / "albania.yaml").read_bytes()
    fields = changed(albania_form(client), a__legal__difficulties="x" * MAX_BODY)
    announced = post(client, "/answers/albania", fields)
    assert announced.status_code == 413 and "larger than 256 KiB" in announced.text

    def chunks():
        body = urlencode(fields).encode()
        for start in range(0, len(body), 16384):
            yield body[start : start + 16384]

    streamed = client.post("/answers/albania", content=chunks(), headers=FORM)
    assert streamed.status_code == 413
    assert (data_dir / "albania.yaml").read_bytes() == before


MALFORMED = [  # (what, chapter whose form is sent, body, headers, status, a fragment of the answer)
    ("bytes that are not UTF-8", "II", lambda f: urlencode(f).encode() + b"&s.legal.csam_terminology=%FF%FE", FORM, 400, "not sent as UTF-8"),
    ("a field without a value", "II", lambda f: urlencode(f) + "&focus", FORM, 400, "could not be read"),
    ("a radio answer sent twice", "II", lambda f: urlencode(f + [("a.legal.csam_terminology", "yes")]), FORM, 400, "was sent 2 times"),
    ("an answer without the version seen", "II", lambda f: urlencode([p for p in f if p[0] != "v.legal.csam_terminology"]), FORM, 400, "without the version"),
    (
        "a number that is not a number",
        "II",
        lambda f: urlencode(changed(f, a__legal__age_of_criminal_responsibility="fourteen")),
        FORM,
        422,
        "Write a whole number from 0 to 18",
    ),
    ("a huge number", "II", lambda f: urlencode(changed(f, a__legal__age_of_criminal_responsibility="9" * 400)), FORM, 422, "from 0 to 18"),
    ("an option not offered", "IX", lambda f: urlencode(changed(f, a__education__framework="fine")), FORM, 422, "Choose one of the answers offered"),
    (
        "a list option not offered",
        "X",
        lambda f: urlencode(f + [("a.professionals.equipped_to_identify", "schools")]),
        FORM,
        422,
        "Tick the answers that apply",
    ),
    ("JSON instead of a form", "II", lambda f: '{"party": "x"}', {"content-type": "application/json"}, 400, "application/x-www-form-urlencoded"),
    ("a multipart upload", "II", lambda f: b"--x\r\n\r\n--x--", {"content-type": "multipart/form-data; boundary=x"}, 400, "application/x-www-form-urlencoded"),
    ("too many fields", "II", lambda f: urlencode(f + [(f"s.q{i}", "") for i in range(3000)]), FORM, 400, "could not be read"),
]


@pytest.mark.parametrize("case", MALFORMED, ids=[case[0] for case in MALFORMED])
def test_a_malformed_submission_gets_a_form_error_never_a_500(client, data_dir, case):
    _, chapter, body, headers, status, fragment = case
    before = (data_dir / "albania.yaml").read_bytes()
    response = client.post(f"/answers/albania/chapters/{chapter}", content=body(albania_form(client, chapter)), headers=headers)
    assert response.status_code == status, response.text[:2000]
    assert fragment in response.text and "Traceback" not in response.text
    assert 'id="questionnaire"' in response.text, "the form is shown again, with the error"
    problems = response.text[response.text.index('id="problems"') :]
    assert "not_provided" not in problems[: problems.index("</div>")], "messages in people's words"
    assert (data_dir / "albania.yaml").read_bytes() == before


def test_a_list_question_shown_not_provided_takes_its_first_tick_even_with_not_provided_still_ticked(client, data_dir):
    """Without the page's script, "not provided" stays ticked beside the option ticked: the newest tick wins."""
    question = "professionals.informed_of_reporting"
    fields = albania_form(client, "X")
    assert (f"a.{question}", "not_provided") in fields and (f"a.{question}", "shown-not-provided") in fields
    assert save(client, fields + [(f"a.{question}", "health")], "X").status_code == 303
    assert load_answers(data_dir / "albania.yaml").value(question) == ("health",)
    again = albania_form(client, "X")
    assert (f"a.{question}", "health") in again and (f"a.{question}", "not_provided") not in again
    assert save(client, again + [(f"a.{question}", "not_provided")], "X").status_code == 303, "and ticking not provided over options"
    assert load_answers(data_dir / "albania.yaml").value(question) == "not_provided"


def test_a_malformed_new_file_request_is_refused_with_a_plain_message(client):
    token = form_of(client.get("/").text, "/new")
    for body, headers in ((urlencode(token + [("file", "x"), ("file", "y")]), FORM), ('{"file": "x"}', {"content-type": "application/json"})):
        response = client.post("/new", content=body, headers=headers)
        assert response.status_code == 400 and "could not be read" in response.text


def test_an_error_inside_a_page_gives_a_plain_500_page_and_the_traceback_goes_to_the_log(data_dir, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr("selfcheck.web.site.assess", broken)
    with client_for(data_dir, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR, "selfcheck.web"):
        response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text and "the engine broke" not in response.text
    assert "RuntimeError: the engine broke" in caplog.text
    assert "default-src 'none'" in response.headers["content-security-policy"]


# -- hosts and headers ------------------------------------------------------------------------------


def test_a_request_for_another_host_name_is_refused(client):
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_every_page_forbids_framing_sniffing_and_scripts_from_elsewhere(client):
    for url in ("/", "/answers/albania", "/answers/missing", "/static/style.css"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["content-security-policy"] and "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    factsheet = client.get("/factsheet/albania").headers["content-security-policy"]
    assert "script-src" not in factsheet and factsheet.startswith("default-src 'none'"), "the factsheet may run no script at all"


# -- factsheet --------------------------------------------------------------------------------------


def test_the_factsheet_is_a_page_and_downloads_in_markdown_html_and_word(client):
    page = client.get("/factsheet/albania")
    assert page.status_code == 200 and "<h1>FACTSHEET – ALBANIA</h1>" in page.text
    expected = {
        "markdown": ("text/markdown; charset=utf-8", "albania-factsheet.md"),
        "html": ("text/html; charset=utf-8", "albania-factsheet.html"),
        "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "albania-factsheet.docx"),
    }
    for format, (media_type, file_name) in expected.items():
        response = client.get(f"/factsheet/albania/{format}")
        assert response.status_code == 200
        assert response.headers["content-type"] == media_type
        assert response.headers["content-disposition"] == f'attachment; filename="{file_name}"'
    assert client.get("/factsheet/albania/markdown").text == run_selfcheck("report", ALBANIA).stdout
    with zipfile.ZipFile(BytesIO(client.get("/factsheet/albania/docx").content)) as docx:
        assert "FACTSHEET" in docx.read("word/document.xml").decode()
    assert client.get("/factsheet/albania/pdf").status_code == 404


# -- amendments -------------------------------------------------------------------------------------


def test_drafting_an_amendment_writes_it_named_after_the_bill_and_shows_its_diff_against_the_saved_answers(client, data_dir):
    before = (data_dir / "albania.yaml").read_bytes()
    fields = changed(
        albania_form(client),
        bill__title="Jurisdiction over habitual residents abroad",
        bill__reference="Draft law amending Article 6 of the Criminal Code",
        bill__date="2024-05-01",
        n__jurisdiction__habitual_residents_abroad="Article 6(4) new",
        **{HABITUAL: "yes"},
    )
    response = post(client, "/answers/albania/chapters/IV/amendment", fields)
    assert response.status_code == 303
    assert response.headers["location"] == "/amendments/jurisdiction-over-habitual-residents-abroad"
    path = data_dir / "jurisdiction-over-habitual-residents-abroad.yaml"
    amendment = load_amendment(path, QUESTIONNAIRE)
    assert amendment.title == "Jurisdiction over habitual residents abroad" and amendment.reference.startswith("Draft law")
    assert amendment.changes == {"jurisdiction.habitual_residents_abroad": "yes"}
    assert amendment.notes == {"jurisdiction.habitual_residents_abroad": "Article 6(4) new"}
    assert amendment.applies_to == data_dir / "albania.yaml"
    assert (data_dir / "albania.yaml").read_bytes() == before, "the saved answers are left as they are"
    page = client.get(response.headers["location"]).text
    diff = compare_files(data_dir / "albania.yaml", path).diff
    assert [entry.id for entry in diff.resolved] == ["IV-4"] and not diff.new
    resolved_section = page[page.index('id="resolved"') : page.index('id="new"')]
    assert recommendations_on(resolved_section) == ["IV-4"] and "1 resolved" in page and "0 new" in page
    assert "Article 6(4) new" in page
    assert "jurisdiction-over-habitual-residents-abroad" in client.get("/").text
    assert client.get("/factsheet/jurisdiction-over-habitual-residents-abroad").status_code == 200


def test_an_amendment_needs_a_changed_answer_a_note_for_each_change_and_a_free_name(client, data_dir):
    fields = changed(albania_form(client), bill__title="A bill", bill__reference="No. 1", bill__date="2024-05-01")
    unchanged = post(client, "/answers/albania/chapters/IV/amendment", fields)
    assert unchanged.status_code == 422 and "No answer differs from the saved answers" in unchanged.text
    without_note = post(client, "/answers/albania/chapters/IV/amendment", changed(fields, **{HABITUAL: "yes"}))
    assert without_note.status_code == 422
    field = without_note.text[without_note.text.index('id="q-jurisdiction.habitual_residents_abroad"') :]
    assert field.index("Give a note for this change: the provision of the bill") < field.index('<div class="question')
    (data_dir / "a-bill.yaml").write_text("taken")
    taken = post(client, "/answers/albania/chapters/IV/amendment", changed(fields, n__jurisdiction__habitual_residents_abroad="Art. 6", **{HABITUAL: "yes"}))
    assert taken.status_code == 422 and "a-bill.yaml already exists" in taken.text
    assert (data_dir / "a-bill.yaml").read_text() == "taken"
    assert files_in(data_dir) == ["a-bill.yaml", "albania.yaml"]


# -- selfcheck serve --------------------------------------------------------------------------------


def test_selfcheck_serve_listens_only_on_this_machine_unless_told_otherwise(data_dir):
    with serving(data_dir) as (url, port):
        listening = []
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in open(table).read().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, local_port = local.split(":")
                if int(local_port, 16) == port and state == "0A":  # 0A: LISTEN
                    listening.append(address)
        assert listening == ["0100007F"], "bound to 127.0.0.1 only"
        with urllib.request.urlopen(f"{url}/answers/albania/chapters/IV") as page:
            assert page.status == 200 and 'id="questionnaire"' in page.read().decode()


def test_selfcheck_serve_refuses_a_folder_that_does_not_exist(tmp_path):
    result = run_selfcheck("serve", tmp_path / "nowhere")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"selfcheck: {tmp_path / 'nowhere'}: is not a folder; give the folder of answer files to serve"


def _ruritania_page(tmp_path, answers: str, path: str = "/answers/ruritania") -> str:
    folder = tmp_path / "parties"
    folder.mkdir()
    (folder / "ruritania.yaml").write_text("party: Ruritania\nround: lanzarote-2\nanswers:\n" + answers)
    return client_for(folder).get(path).text


def _item(page: str, attribute: str) -> str:
    """The list item a data attribute marks, up to its end."""
    item = page[page.index(attribute) :]
    return item[: item.index("</li>")]


def test_the_results_name_the_article_of_a_reservation_instead_of_requiring_what_it_excludes(tmp_path):
    page = _ruritania_page(tmp_path, "  convention.reservations: [art_25_3]\n  jurisdiction.habitual_residents_abroad: no\n")
    assert "IV-4" not in recommendations_on(page)
    reserved = _item(page, 'data-reserved="IV-4"')
    assert "not required while the reservation under Art. 25(3) is maintained" in reserved
    assert "habitual-residents" not in reserved, "no element id on a page"


def test_the_results_list_what_questions_left_unanswered_keep_open_under_its_chapter(tmp_path):
    page = _ruritania_page(tmp_path, "  jurisdiction.nationals_abroad: yes\n", "/answers/ruritania/chapters/IV")
    assert "SC-IV-1" not in recommendations_on(page)
    left_open = _item(page, 'data-undetermined="SC-IV-1"')
    assert "jurisdiction over nationals abroad stops below a penalty threshold, if S12.11 shows it (left unanswered)" in left_open
    assert "every-offence" not in left_open, "no element id on a page"
