"""The follow-up page of the web questionnaire over HTTP: started from the assessment as `follow-up init`
starts it, edited one recommendation at a time with the answers' merge, lock and history, checked
against the rules beside each recommendation, downloaded and uploaded; and the attacks on it."""

from __future__ import annotations

import datetime
import html
import io
import json
import re
import sqlite3

import pytest
from openpyxl import load_workbook
from test_web_team import PASSWORD, logged_in

from conftest import run_selfcheck
from selfcheck.engine.answers.merge import token as merge_token
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.follow_up.follow_up_file import read_follow_up
from selfcheck.engine.team import database
from web_client import changed, client_for, data_dir_with_albania, files_in, form_of, post

PAGE = "/answers/albania/follow-up"
MEASURE = {
    "m.IV-4.0.what": "Article 6 of the Criminal Code extended to habitual residents",
    "m.IV-4.0.act": "Law 12/2026",
    "m.IV-4.0.adopted": "2026-03-01",
    "m.IV-4.0.in_force": "2026-06-01",
    "m.IV-4.0.reference": "https://qbz.gov.al/law-12-2026",
}


def start(client):
    response = post(client, PAGE, form_of(client.get(PAGE).text, "start-follow-up"))
    assert response.status_code == 303, response.text[:2000]


def token(page):
    """The form token a page carries, alone."""
    return [("csrf", re.search(r'name="csrf" value="([^"]+)"', page).group(1))]


def chapter_form(client, chapter="IV", query=""):
    """The page's form, filtered to one chapter's recommendations."""
    page = client.get(f"{PAGE}?chapter={chapter}" + query.replace("?", "&"))
    assert page.status_code == 200, page.text[:2000]
    return form_of(page.text, "follow-up-form")


def save(client, fields, chapter="IV"):
    return post(client, f"{PAGE}/chapters/{chapter}", fields)


def item_html(page, item_id):
    """The part of a page that shows one recommendation."""
    start = page.index('<details class="card')
    start = page.index(f'id="fu-{item_id}"', start)
    return page[start : page.index("</details>\n", start)]


def summary_row(page, name):
    """The counts of a row of the summary's tables, as text."""
    row = re.search(rf'<tr><th scope="row">(?:<a [^>]*>)?{re.escape(name)}(?:</a>)?</th>(.*?)</tr>', page).group(1)
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]


def file_of(data_dir):
    return data_dir / "albania.follow-up.yaml"


def test_starting_the_follow_up_from_albanias_answers_lists_its_94_recommendations_exactly_as_follow_up_init_does(client, data_dir, tmp_path):
    before = client.get(PAGE)
    assert before.status_code == 200 and "No follow-up yet" in before.text and "(94)" in before.text
    start(client)
    cli = tmp_path / "init.yaml"
    assert run_selfcheck("follow-up", "init", data_dir / "albania.yaml", "-o", cli).returncode == 0
    assert file_of(data_dir).read_bytes() == cli.read_bytes()
    page = client.get(PAGE).text
    assert page.count('<details class="card') == 94 and page.count('<details class="card" id="fu-IV-4" data-question="IV-4">') == 1, "each a card, closed"
    assert [h for h in re.findall(r'<h3 id="chapter-heading-([IVX]+)"', page)] == ["II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI"]
    again = post(client, PAGE, token(client.get(PAGE).text))
    assert again.status_code == 409 and "exists already, so nothing was written" in again.text
    assert file_of(data_dir).read_bytes() == cli.read_bytes(), "never written over"


def test_the_follow_up_file_is_neither_an_answers_file_nor_a_file_with_problems_on_the_start_page(client, data_dir):
    start(client)
    index = client.get("/").text
    assert "follow-up" not in index and "Files with problems" not in index
    assert re.findall(r'<a href="/answers/([^"/]+)">', index) == ["albania"]
    assert client.get("/answers/albania.follow-up").status_code == 404


def test_status_lead_deadline_and_a_measure_saved_on_the_page_are_in_the_file_and_follow_up_status_agrees_with_the_page(client, data_dir):
    start(client)
    fields = changed(
        chapter_form(client), **{"status.IV-4": "in_progress", "lead.IV-4": "Ministry of Justice", "deadline.IV-4": "2025-01-31", "save": "IV-4", **MEASURE}
    )
    response = save(client, fields)
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}?chapter=IV&saved=1&at=fu-IV-4#saved", "back to it, the filter kept"
    item = read_follow_up(file_of(data_dir)).item("IV-4")
    assert (item.status, item.lead, item.deadline.isoformat()) == ("in_progress", "Ministry of Justice", "2025-01-31")
    [measure] = item.measures
    assert (measure.what, measure.act, measure.adopted.isoformat(), measure.in_force.isoformat(), measure.reference) == (
        "Article 6 of the Criminal Code extended to habitual residents",
        "Law 12/2026",
        "2026-03-01",
        "2026-06-01",
        "https://qbz.gov.al/law-12-2026",
    )
    page = client.get(response.headers["location"]).text
    assert "Saved: 1 recommendation changed." in item_html(page, "IV-4"), "said in the recommendation saved"
    page = client.get(PAGE).text
    result = run_selfcheck("follow-up", "status", file_of(data_dir), "--answers", data_dir / "albania.yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    cli_flags = {(entry["id"], flag["category"], flag["text"]) for entry in status["items"] for flag in entry["flags"]}
    page_flags = {
        (item_id, category, html.unescape(text))
        for item_id in re.findall(r'<details class="card[^"]*" id="fu-([^"]+)"', page)
        for category, text in re.findall(r'<li class="flag flag-(\w+)"><strong>[^<]+</strong> (.*?)</li>', item_html(page, item_id))
    }
    checked_on = f"{datetime.date.fromisoformat(status['checked_on']):%d.%m.%Y}"
    assert ("IV-4", "overdue", f"deadline 31.01.2025 passed on {checked_on}, still declared in progress") in cli_flags
    assert page_flags == cli_flags
    level = {tally["name"]: tally for tally in status["summary"]["by_level"]}
    assert summary_row(page, "require")[:3] == [str(level["require"][column]) for column in ("total", "open", "in_progress")]
    assert summary_row(page, "Ministry of Justice")[0] == "1"
    assert '<th scope="row"><a href="?lead=Ministry+of+Justice#list">Ministry of Justice</a></th>' in page, "each row leads to its list"
    removed = save(client, changed(chapter_form(client), **{"m.IV-4.0.remove": "1"}))
    assert removed.status_code == 303 and read_follow_up(file_of(data_dir)).item("IV-4").measures == ()


def test_a_recommendation_declared_implemented_while_its_rule_still_fires_is_flagged_beside_it(client, data_dir):
    start(client)
    assert save(client, changed(chapter_form(client), **{"status.IV-4": "implemented", "status.IV-5": "in_progress"})).status_code == 303
    page = client.get(PAGE).text
    flagged = item_html(page, "IV-4")
    assert 'class="flag flag-inconsistent"' in flagged
    assert (
        "declared implemented, but the rules still apply it because S8.1 “Which reservations permitted by the Convention has your State made and still "
        "maintains?” not answered; S12.3 “Do you establish jurisdiction" in flagged
    ), "in the questionnaire's words, never an id or a double negative"
    assert "flag-" not in item_html(page, "IV-5"), "in progress while the rule fires is no contradiction"
    assert '<a href="?flag=inconsistent#list" class="flag-count">1 inconsistent</a>' in page and ">0 overdue</a>" in page
    only = client.get(f"{PAGE}?flag=inconsistent").text
    assert re.findall(r'<details class="card[^"]*" id="fu-([^"]+)"', only) == ["IV-4"] and "1 of 94 recommendations match" in only


def test_an_impossible_date_or_not_applicable_without_a_reason_is_refused_beside_its_field_and_nothing_is_saved(client, data_dir):
    start(client)
    before = file_of(data_dir).read_bytes()
    refused = save(client, changed(chapter_form(client), **{"deadline.IV-4": "30.02.2026", "lead.IV-4": "Ministry of Justice"}))
    assert refused.status_code == 422 and "Nothing was saved" in refused.text and "<title>Error: " in refused.text
    assert '<a href="#fu-IV-4-deadline">IV-4: Give the date as day.month.year' in refused.text, "the error summary links to the field"
    shown = item_html(refused.text, "IV-4")
    assert (
        '<input name="deadline.IV-4" value="30.02.2026" inputmode="numeric" size="10" maxlength="10" autocomplete="off" id="fu-IV-4-deadline" '
        'aria-describedby="fu-IV-4-deadline-hint fu-IV-4-deadline-error" aria-invalid="true">' in shown
    )
    assert (
        '<p class="error" id="fu-IV-4-deadline-error">Give the date as day.month.year, for example 01.05.2026, or leave it empty; '
        "&#39;30.02.2026&#39; is not such a date.</p>" in shown
    )
    assert 'value="Ministry of Justice"' in shown, "what was typed is kept"
    refused = save(client, changed(chapter_form(client), **{"status.IV-5": "not_applicable"}))
    assert refused.status_code == 422
    shown = item_html(refused.text, "IV-5")
    assert 'id="fu-IV-5-reason" aria-describedby="fu-IV-5-reason-error" aria-invalid="true"' in shown
    assert "Say why the recommendation does not apply" in shown and 'value="not_applicable" checked' in shown
    refused = save(client, changed(chapter_form(client), **{**MEASURE, "m.IV-4.0.in_force": "2026-01-01"}))
    assert refused.status_code == 422 and "cannot come before the date it was adopted" in item_html(refused.text, "IV-4")
    assert 'id="fu-IV-4-m0-in_force" aria-describedby="fu-IV-4-m0-in_force-error" aria-invalid="true"' in refused.text
    assert file_of(data_dir).read_bytes() == before
    given = save(client, changed(chapter_form(client), **{"status.IV-5": "not_applicable", "reason.IV-5": "Repealed in 2026."}))
    assert given.status_code == 303 and read_follow_up(file_of(data_dir)).item("IV-5").reason == "Repealed in 2026."


def test_two_visitors_editing_different_recommendations_both_land_and_the_same_one_conflicts_keeping_what_was_typed(data_dir):
    with client_for(data_dir) as first, client_for(data_dir) as second:
        start(first)
        mine, theirs = chapter_form(first), chapter_form(second)
        assert save(first, changed(mine, **{"lead.IV-4": "Ministry of Justice"})).status_code == 303
        assert save(second, changed(theirs, **{"lead.IV-5": "Ministry of the Interior"})).status_code == 303
        saved = read_follow_up(file_of(data_dir))
        assert (saved.item("IV-4").lead, saved.item("IV-5").lead) == ("Ministry of Justice", "Ministry of the Interior")
        mine, theirs = chapter_form(first), chapter_form(second)
        assert save(first, changed(mine, **{"lead.IV-4": "Ministry of Justice and Human Rights"})).status_code == 303
        conflict = save(second, changed(theirs, **{"lead.IV-4": "General Prosecutor's Office"}))
        assert conflict.status_code == 409 and 'id="conflict"' in conflict.text
        shown = item_html(conflict.text, "IV-4")
        assert "Saved meanwhile by" in shown and "“Ministry of Justice and Human Rights”" in shown
        assert 'value="General Prosecutor&#39;s Office"' in shown, "what was typed is kept in the field"
        assert read_follow_up(file_of(data_dir)).item("IV-4").lead == "Ministry of Justice and Human Rights"
        again = save(second, form_of(conflict.text, "follow-up-form"))
        assert again.status_code == 303 and read_follow_up(file_of(data_dir)).item("IV-4").lead == "General Prosecutor's Office"


def test_every_change_is_in_the_history_with_who_the_recommendation_and_before_and_after_and_an_outside_edit_as_such(client, data_dir):
    start(client)
    assert save(client, changed(chapter_form(client), **{"lead.IV-4": "Ministry of Justice", "status.IV-4": "in_progress"})).status_code == 303
    path = file_of(data_dir)
    path.write_text(path.read_text().replace('    note: ""\n  IV-6:', '    note: "Checked by hand"\n  IV-6:', 1))
    page = client.get(f"{PAGE}/history").text
    assert re.search(r"changed recommendation IV-4: status open → in progress; lead institution none → “Ministry of Justice”", page)
    assert re.search(r'<strong class="who">outside selfcheck</strong> changed recommendation IV-5: note none → “Checked by hand”', page)
    text = run_selfcheck("history", path).stdout
    assert re.search(r"UTC  \S+  changed recommendation IV-4: status open → in progress", text)
    only = client.get(f"{PAGE}/history?recommendation=IV-5").text
    assert "IV-5" in only and "IV-4:" not in only
    assert client.get(f"{PAGE}/history?recommendation=nope").status_code == 404
    assert "History (1 change)" in item_html(client.get(PAGE).text, "IV-4")


def test_a_contributor_saves_only_the_recommendations_of_their_chapters_and_a_reviewer_none(tmp_path):
    data_dir = data_dir_with_albania(tmp_path)
    password = tmp_path / "password"
    password.write_text(PASSWORD + "\n")
    for name, role, chapters in (("cora", "coordinator", ""), ("amira", "contributor", "IV"), ("bruno", "contributor", "II"), ("rita", "reviewer", "")):
        assert (
            run_selfcheck(
                "users", "add", name, "--role", role, *(["--chapters", chapters] if chapters else []), "--password-file", password, "--data-dir", data_dir
            ).returncode
            == 0
        )
    bruno = logged_in(data_dir, "bruno")
    assert post(bruno, PAGE, token(bruno.get(PAGE).text)).status_code == 403, "only the coordinator starts it"
    start(logged_in(data_dir, "cora"))
    before = file_of(data_dir).read_bytes()
    page = bruno.get(PAGE).text
    assert 'name="lead.IV-4"' not in page and "disabled" not in page, "what is not theirs is text"
    assert "<dt>Lead institution</dt><dd>none given</dd>" in item_html(page, "IV-4")
    assert "You read this chapter's recommendations; you follow up chapters II." in page
    cora_form = [field for field in form_of(logged_in(data_dir, "cora").get(f"{PAGE}?chapter=IV").text, "follow-up-form") if field[0] != "csrf"]
    forged = save(bruno, changed(token(page) + cora_form, **{"lead.IV-4": "Ministry of Education"}))
    assert forged.status_code == 403 and "Chapter IV is not yours to answer (bruno, you answer chapters II)" in forged.text
    smuggled = changed(form_of(page, "follow-up-form"), **{"v.IV-4": "x", "lead.IV-4": "Ministry of Education"})
    assert save(bruno, smuggled, "II").status_code == 403
    rita = logged_in(data_dir, "rita")
    assert save(rita, changed(chapter_form(rita, "II"), **{"lead.II-6": "x"}), "II").status_code == 403
    assert file_of(data_dir).read_bytes() == before
    assert save(bruno, changed(form_of(page, "follow-up-form"), **{"lead.II-6": "Ministry of Justice"}), "II").status_code == 303
    amira = logged_in(data_dir, "amira")
    assert save(amira, changed(chapter_form(amira), **{"lead.IV-4": "Ministry of Justice"})).status_code == 303
    saved = read_follow_up(file_of(data_dir))
    assert (saved.item("II-6").lead, saved.item("IV-4").lead) == ("Ministry of Justice", "Ministry of Justice")
    upload = amira.post(f"{PAGE}/import", files={"file": ("f.yaml", before)}, data=dict(token(amira.get(PAGE).text)))
    assert upload.status_code == 403 and amira.get(f"{PAGE}/download/yaml").status_code == 403
    assert amira.get(f"{PAGE}/download/xlsx").status_code == 200


def test_a_form_without_its_token_is_refused_and_changes_nothing(client, data_dir):
    start(client)
    before = file_of(data_dir).read_bytes()
    fields = [(name, value) for name, value in changed(chapter_form(client), **{"lead.IV-4": "x"}) if name != "csrf"]
    refused = save(client, fields)
    assert refused.status_code == 403 and "security token" in refused.text and 'href="/answers/albania/follow-up?chapter=IV"' in refused.text
    assert post(client, PAGE, []).status_code == 403
    assert client.post(f"{PAGE}/import", files={"file": ("f.yaml", before)}, data={"version": "x"}).status_code == 403
    assert file_of(data_dir).read_bytes() == before and files_in(data_dir) == ["albania.follow-up.yaml", "albania.yaml"]


def test_the_situation_report_opens_in_word_and_markdown_and_the_plan_of_action_reads_back_with_follow_up_import_equal_to_the_file(client, data_dir, tmp_path):
    from docx import Document

    start(client)
    assert save(client, changed(chapter_form(client), **{"status.IV-4": "in_progress", "lead.IV-4": "Ministry of Justice", **MEASURE})).status_code == 303
    word = client.get(f"{PAGE}/download/docx")
    assert word.status_code == 200 and word.headers["content-disposition"] == 'attachment; filename="albania-situation-report.docx"'
    document = Document(io.BytesIO(word.content))
    assert document.paragraphs[0].text == "Situation report – Albania"
    assert "not a document of the Lanzarote Committee" in document.sections[0].header.paragraphs[0].text
    markdown = client.get(f"{PAGE}/download/markdown").text
    assert "It is not a document of the Lanzarote Committee." in markdown[:1500] and "Law or act: Law 12/2026" in markdown
    plan = client.get(f"{PAGE}/download/xlsx")
    assert plan.headers["content-disposition"] == 'attachment; filename="albania-plan-of-action.xlsx"'
    book = load_workbook(io.BytesIO(plan.content))
    assert "not a document of the Lanzarote Committee" in book["Recommendations"].oddHeader.center.text
    (tmp_path / "plan.xlsx").write_bytes(plan.content)
    result = run_selfcheck("follow-up", "import", tmp_path / "plan.xlsx", "-o", tmp_path / "back.yaml")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "back.yaml").read_bytes() == file_of(data_dir).read_bytes()
    assert client.get(f"{PAGE}/download/yaml").content == file_of(data_dir).read_bytes()
    assert client.get(f"{PAGE}/download/pdf").status_code == 404


def test_an_edited_plan_of_action_uploaded_replaces_the_follow_up_and_each_change_is_recorded_as_imported(client, data_dir):
    start(client)
    book = load_workbook(io.BytesIO(client.get(f"{PAGE}/download/xlsx").content))
    sheet = book["Recommendations"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "IV-4")
    columns = [cell.value for cell in sheet[1]]
    sheet.cell(row, columns.index("Status") + 1).value = "Partially implemented"
    sheet.cell(row, columns.index("Lead institution") + 1).value = "Ministry of Justice"
    edited = io.BytesIO()
    book.save(edited)
    fields = dict(form_of(client.get(PAGE).text, "import"))
    uploaded = client.post(f"{PAGE}/import", files={"file": ("plan.xlsx", edited.getvalue())}, data=fields)
    assert uploaded.status_code == 303 and uploaded.headers["location"] == f"{PAGE}?imported=1"
    item = read_follow_up(file_of(data_dir)).item("IV-4")
    assert (item.status, item.lead) == ("partially_implemented", "Ministry of Justice")
    history = client.get(f"{PAGE}/history").text
    assert "changed recommendation IV-4 (imported): status open → partially implemented; lead institution none → “Ministry of Justice”" in history
    stale = client.post(f"{PAGE}/import", files={"file": ("plan.xlsx", edited.getvalue())}, data=fields)
    assert stale.status_code == 409 and "changed since this page was opened" in stale.text


def test_a_hostile_or_invalid_upload_is_refused_whole_with_the_command_lines_message(client, data_dir, tmp_path):
    start(client)
    before = file_of(data_dir).read_bytes()
    fields = dict(form_of(client.get(PAGE).text, "import"))
    book = load_workbook(io.BytesIO(client.get(f"{PAGE}/download/xlsx").content))
    sheet = book["Recommendations"]
    columns = [cell.value for cell in sheet[1]]
    sheet.cell(2, columns.index("Lead institution") + 1).value = '=HYPERLINK("http://evil.example","x")'
    hostile = io.BytesIO()
    book.save(hostile)
    (tmp_path / "hostile.xlsx").write_bytes(hostile.getvalue())
    cli = run_selfcheck("follow-up", "import", tmp_path / "hostile.xlsx")
    assert cli.returncode == 2
    refused = client.post(f"{PAGE}/import", files={"file": ("hostile.xlsx", hostile.getvalue())}, data=fields)
    assert refused.status_code == 422
    message = re.search(r'<li><a href="#import-file">(.*?)</a></li>', refused.text).group(1)
    assert message.startswith("The file was refused whole, so nothing changed: hostile.xlsx: sheet &#39;Recommendations&#39;, cell ")
    assert "holds the formula" in message and cli.stderr.split(": ", 2)[2].strip().replace("'", "&#39;").replace('"', "&#34;") in message
    for name, data, said in (
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "is not an Excel workbook (.xlsx)"),
        (
            "bad.yaml",
            before.replace(b"    status: open\n", b"    status: finished\n", 1),
            "expected one of open, in_progress, partially_implemented, implemented, not_applicable, got &#39;finished&#39;",
        ),
        ("other.yaml", before.replace(b'party: "Albania"', b'party: "Ruritania"'), "follows up Ruritania"),
        ("empty.yaml", b"", "Choose a plan of action (.xlsx) or a follow-up file (.yaml) to upload."),
    ):
        refused = client.post(f"{PAGE}/import", files={"file": (name, data)}, data=fields)
        assert refused.status_code == 422 and said in refused.text, name
    assert file_of(data_dir).read_bytes() == before
    assert client.get(f"{PAGE}/history").text.count("<li data-kind") == 0


def test_the_date_field_checks_deadlines_on_the_day_given_and_a_date_that_is_not_one_is_said_beside_it(client):
    start(client)
    assert save(client, changed(chapter_form(client), **{"status.IV-4": "in_progress", "deadline.IV-4": "2090-01-31"})).status_code == 303
    assert "flag-overdue" not in item_html(client.get(PAGE).text, "IV-4")
    later = client.get(f"{PAGE}?as_of=2091-01-01").text
    assert "deadline 31.01.2090 passed on 01.01.2091, still declared in progress" in item_html(later, "IV-4")
    assert 'href="/answers/albania/follow-up/download/docx?as_of=2091-01-01"' in later
    assert "31.01.2090 passed on 01.01.2091" in client.get(f"{PAGE}/download/markdown?as_of=2091-01-01").text
    kept = save(client, changed(chapter_form(client, query="?as_of=2091-01-01"), **{"lead.IV-4": "x", "save": "IV-4"}))
    assert kept.headers["location"] == f"{PAGE}?chapter=IV&saved=1&at=fu-IV-4&as_of=2091-01-01#saved"
    wrong = client.get(f"{PAGE}?as_of=2026-13-01").text
    assert 'aria-describedby="as_of-hint as_of-error" aria-invalid="true"' in wrong
    assert "&#39;2026-13-01&#39; is not such a date, so today is used." in wrong


def test_the_check_against_the_rules_is_computed_once_per_version_of_the_files_not_per_page_or_recommendation(client, monkeypatch):
    import selfcheck.web.follow_up_reading as reading

    calls = []
    real = reading.check_status
    monkeypatch.setattr(reading, "check_status", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    start(client)
    for _ in range(3):
        client.get(PAGE)
    client.get(f"{PAGE}/download/markdown")
    assert len(calls) == 1
    save(client, changed(chapter_form(client), **{"lead.IV-4": "Ministry of Justice"}))
    client.get(PAGE)
    assert len(calls) == 2


def test_every_follow_up_page_says_it_is_a_national_self_assessment_and_is_reached_from_the_answers(client):
    assert 'href="/answers/albania/follow-up"' in client.get("/answers/albania").text
    start(client)
    for url in (PAGE, f"{PAGE}/history", f"{PAGE}?as_of=nonsense"):
        assert '<p class="notice" role="note"><strong>National self-assessment.</strong>' in client.get(url).text, url
    assert "the Party's own account, not the Committee's" in client.get(f"{PAGE}/download/yaml").text.splitlines()[0]


def test_a_database_of_the_first_schema_is_migrated_keeping_its_history(tmp_path):
    connection = sqlite3.connect(tmp_path / database.FILE_NAME, isolation_level=None)
    for statement in database.MIGRATIONS[0].split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.execute("PRAGMA user_version = 1")
    connection.execute("INSERT INTO history (file, at, who, via, kind, question) VALUES ('albania', 'now', 'cora', 'web', 'answer', 'legal.x')")
    connection.close()
    with database.connect(tmp_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == database.VERSION == 2
        db.execute("INSERT INTO history (file, at, who, via, kind, question) VALUES ('albania.follow-up', 'now', 'cora', 'web', 'follow-up', 'IV-4')")
        rows = [tuple(row) for row in db.execute("SELECT id, file, kind, question FROM history ORDER BY id")]
    assert rows == [(1, "albania", "answer", "legal.x"), (2, "albania.follow-up", "follow-up", "IV-4")]
    with pytest.raises(InputError, match="CHECK constraint failed"), database.connect(tmp_path) as db:
        db.execute("INSERT INTO history (file, at, who, via, kind) VALUES ('albania', 'now', 'cora', 'web', 'nonsense')")


def test_a_follow_up_file_broken_by_hand_is_shown_with_its_problem_and_an_upload_of_a_good_one_replaces_it(client, data_dir):
    start(client)
    good = file_of(data_dir).read_bytes()
    file_of(data_dir).write_bytes(good.replace(b"    deadline: null\n", b"    deadline: next spring\n", 1))
    page = client.get(PAGE)
    assert page.status_code == 200 and 'id="file-problem"' in page.text
    assert "expected a date written YYYY-MM-DD (or null for none), got &#39;next spring&#39;" in page.text
    assert '<details class="card' not in page.text, "nothing is edited on a file that does not read"
    seen = merge_token({"status": "open"})  # II-7 as saved; the broken deadline is II-6's
    refused = save(client, changed(token(page.text), **{"v.II-7": seen, "status.II-7": "in_progress"}), "II")
    assert refused.status_code == 422 and file_of(data_dir).read_bytes().count(b"next spring") == 1
    uploaded = client.post(f"{PAGE}/import", files={"file": ("albania.follow-up.yaml", good)}, data=dict(form_of(page.text, "import")))
    assert uploaded.status_code == 303 and file_of(data_dir).read_bytes() == good
    assert client.get(PAGE).text.count('<details class="card') == 94


def test_a_damaged_or_costly_plan_of_action_uploaded_is_a_form_error_and_changes_nothing(client, data_dir):
    from test_follow_up import _as_a_spreadsheet_saves_it, _rezipped

    start(client)
    before = file_of(data_dir).read_bytes()
    fields = dict(form_of(client.get(PAGE).text, "import"))
    good = _as_a_spreadsheet_saves_it(file_of(data_dir))
    for name, data, said in (
        ("cut.xlsx", _rezipped(good, {"xl/worksheets/sheet1.xml": lambda data: data[: len(data) // 2]}), "cut.xlsx: cannot be read as an Excel workbook"),
        (
            "bytes.xlsx",
            _rezipped(good, {"xl/worksheets/sheet1.xml": lambda data: data.replace(b"</t>", b"\xff</t>", 1)}),
            "cannot be read as an Excel workbook",
        ),
        ("costly.xlsx", _as_a_spreadsheet_saves_it(file_of(data_dir), unused_strings=1_000_000), "shared strings, more than its cells"),
    ):
        refused = client.post(f"{PAGE}/import", files={"file": (name, data)}, data=fields)
        assert refused.status_code == 422 and said in refused.text, (name, refused.status_code)
    assert file_of(data_dir).read_bytes() == before
