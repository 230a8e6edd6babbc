"""A ministry team on one folder: logins, roles, review and sign-off, history, exports; and the attacks
on them (brute force, session fixation, forged forms, a contributor reaching for another chapter)."""

from __future__ import annotations

import io
import json
import re

import pytest

from conftest import ROUND, run_selfcheck
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.team import accounts
from selfcheck.web.auth import FREE_ATTEMPTS
from selfcheck.web.security import SESSION_COOKIE
from web_client import changed, client_for, data_dir_with_albania, files_in, form_of, post

PASSWORD = "correct horse battery staple"
HABITUAL = "a__jurisdiction__habitual_residents_abroad"
CHAPTERS = [entry.chapter for entry in rulebooks.rulebook(ROUND).meta.chapters]


@pytest.fixture(scope="module")
def team_template(tmp_path_factory):
    """A folder with Albania and a team of four, made once (Argon2 is slow on purpose) and copied per test."""
    root = tmp_path_factory.mktemp("team")
    folder = data_dir_with_albania(root)
    password = root / "password"
    password.write_text(PASSWORD + "\n")
    for name, role, chapters in (("cora", "coordinator", ""), ("amira", "contributor", "IV"), ("bruno", "contributor", "II"), ("rita", "reviewer", "")):
        options = ["--chapters", chapters] if chapters else []
        result = run_selfcheck("users", "add", name, "--role", role, *options, "--password-file", password, "--data-dir", folder)
        assert result.returncode == 0, result.stderr
    return folder


def logged_in(data_dir, name, **options):
    client = client_for(data_dir, **options)
    client.__enter__()
    page = client.get("/login")
    response = post(client, "/login", changed(form_of(page.text, "/login"), name=name, password=PASSWORD))
    assert response.status_code == 303, response.text[:500]
    return client


def chapter_form(client, chapter):
    page = client.get(f"/answers/albania/chapters/{chapter}")
    assert page.status_code == 200
    return form_of(page.text)


def test_users_are_added_with_a_role_and_chapters_and_their_passwords_are_stored_only_as_argon2_hashes(data_dir):
    assert [user.describe() for user in accounts.list_users(data_dir)] == [
        "amira (contributor, chapters IV)",
        "bruno (contributor, chapters II)",
        "cora (coordinator)",
        "rita (reviewer, all chapters)",
    ]
    database = (data_dir / ".selfcheck.sqlite3").read_bytes()
    assert PASSWORD.encode() not in database and b"$argon2id$" in database
    listed = run_selfcheck("users", "list", "--data-dir", data_dir)
    assert "amira (contributor, chapters IV)" in listed.stdout


def test_a_password_is_never_taken_from_the_command_line_and_a_short_one_is_refused(data_dir, tmp_path):
    result = run_selfcheck("users", "add", "dora", "--role", "reviewer", "--data-dir", data_dir)
    assert result.returncode == 2 and "give --password-file" in result.stderr, "no terminal to ask on: refused, never read from argv"
    short = tmp_path / "short"
    short.write_text("secret\n")
    result = run_selfcheck("users", "add", "dora", "--role", "reviewer", "--password-file", short, "--data-dir", data_dir)
    assert result.returncode == 2 and "at least 12 characters" in result.stderr
    assert "dora" not in [user.name for user in accounts.list_users(data_dir)]


def test_with_users_every_page_asks_for_a_login_and_a_wrong_password_is_refused(data_dir):
    with client_for(data_dir) as client:
        for url in ("/", "/answers/albania", "/answers/albania/chapters/IV", "/factsheet/albania", "/answers/albania/history"):
            response = client.get(url)
            assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), url
        token = form_of(client.get("/login").text, "/login")
        wrong = post(client, "/login", changed(token, name="amira", password="not the password"))
        assert wrong.status_code == 401 and "The name or the password is wrong." in wrong.text
        assert post(client, "/answers/albania/chapters/IV", token).status_code == 401


def test_logging_in_issues_a_new_session_so_a_planted_one_is_never_taken_over(data_dir):
    """Session fixation: a cookie set by an attacker before the login never becomes a logged-in session."""
    with client_for(data_dir) as victim:
        planted = "A" * 43
        victim.cookies.set(SESSION_COOKIE, planted)
        token = form_of(victim.get("/login").text, "/login")
        response = post(victim, "/login", changed(token, name="amira", password=PASSWORD))
        assert response.status_code == 303
        issued = re.search(rf"{SESSION_COOKIE}=([^;]+)", response.headers["set-cookie"]).group(1)
        assert issued != planted
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
        assert victim.get("/").status_code == 200
    with client_for(data_dir) as attacker:
        attacker.cookies.set(SESSION_COOKIE, planted)
        assert attacker.get("/").status_code == 303, "the planted token logs nobody in"


def test_behind_tls_the_session_cookie_is_secure(data_dir):
    from starlette.testclient import TestClient

    from selfcheck.web.app import create_app

    with TestClient(create_app(data_dir, behind_tls=True), base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        token = form_of(client.get("/login").text, "/login")
        response = post(client, "/login", changed(token, name="amira", password=PASSWORD))
        assert "Secure" in response.headers["set-cookie"]


def test_repeated_wrong_passwords_slow_the_next_attempts_even_with_the_right_one(data_dir):
    with client_for(data_dir) as client:
        token = form_of(client.get("/login").text, "/login")
        for _ in range(FREE_ATTEMPTS):
            assert post(client, "/login", changed(token, name="amira", password="guess")).status_code == 401
        slowed = post(client, "/login", changed(token, name="amira", password=PASSWORD))
        assert slowed.status_code == 429 and "Too many failed attempts" in slowed.text
        assert int(slowed.headers["retry-after"]) >= 1
    with client_for(data_dir) as other_browser:  # the count belongs to the name and the address, not to a cookie
        token = form_of(other_browser.get("/login").text, "/login")
        assert post(other_browser, "/login", changed(token, name="amira", password=PASSWORD)).status_code == 429


def test_a_logged_out_session_no_longer_opens_any_page(data_dir):
    client = logged_in(data_dir, "amira")
    cookie = client.cookies.get(SESSION_COOKIE)
    token = dict(form_of(client.get("/").text, "/logout"))
    assert post(client, "/logout", token).status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/").status_code == 303
    client.__exit__(None, None, None)


def test_a_contributor_forging_a_post_for_another_chapter_is_refused_with_403_and_a_clear_page(data_dir):
    amira = logged_in(data_dir, "amira")
    before = (data_dir / "albania.yaml").read_bytes()
    own = chapter_form(amira, "IV")
    refused = post(amira, "/answers/albania/chapters/II", own)
    assert refused.status_code == 403 and "Chapter II is not yours to answer (amira, you answer chapters IV)" in refused.text
    smuggled = own + [("v.legal.csam_terminology", "x"), ("a.legal.csam_terminology", "yes")]
    refused = post(amira, "/answers/albania/chapters/IV", smuggled)
    assert refused.status_code == 403 and "Chapter II is not yours to answer" in refused.text
    assert "Nothing was changed." in refused.text
    rita = logged_in(data_dir, "rita")
    token = form_of(rita.get("/answers/albania/chapters/IV").text, "/answers/albania/chapters/IV/review")[:1]
    forged = token + [field for field in own if field[0] != "csrf"]
    assert post(rita, "/answers/albania/chapters/IV", forged).status_code == 403, "a reviewer answers nothing"
    for who in ("amira", "rita"):
        client = logged_in(data_dir, who)
        new = post(
            client, "/new", changed(form_of(client.get("/answers/albania/chapters/IV").text, "/answers/albania/chapters/IV/review")[:1], file="x", party="X")
        )
        assert new.status_code == 403
    assert (data_dir / "albania.yaml").read_bytes() == before and files_in(data_dir) == ["albania.yaml"]


def test_two_contributors_of_different_ministries_save_their_chapters_from_pages_opened_together_and_both_land(data_dir):
    amira, bruno = logged_in(data_dir, "amira"), logged_in(data_dir, "bruno")
    amiras, brunos = chapter_form(amira, "IV"), chapter_form(bruno, "II")
    assert post(amira, "/answers/albania/chapters/IV", changed(amiras, **{HABITUAL: "yes"})).status_code == 303
    assert post(bruno, "/answers/albania/chapters/II", changed(brunos, a__legal__csam_terminology="yes")).status_code == 303
    saved = load_answers(data_dir / "albania.yaml")
    assert saved.value("jurisdiction.habitual_residents_abroad") == "yes" and saved.value("legal.csam_terminology") == "yes"
    history = json.loads(run_selfcheck("history", data_dir / "albania.yaml", "--format", "json").stdout)
    assert [(h["who"], h["question"]) for h in history] == [("amira", "jurisdiction.habitual_residents_abroad"), ("bruno", "legal.csam_terminology")]
    text = run_selfcheck("history", data_dir / "albania.yaml").stdout
    assert re.search(r"UTC  amira  changed S12\.3 .*: no \(source: Para\. 217\) → yes \(source: Para\. 217\)", text)
    page = amira.get("/answers/albania").text  # amira's first visit: taken note of
    assert "Since your last visit" not in page
    post(bruno, "/answers/albania/chapters/II", changed(chapter_form(bruno, "II"), a__legal__csam_terminology="no"))
    since = amira.get("/answers/albania").text
    assert "Since your last visit" in since and "bruno" in since[since.index('id="since"') :]


def test_a_chapter_goes_from_draft_to_submitted_to_approved_and_is_then_read_only_until_the_coordinator_reopens_it(data_dir):
    amira, rita, cora = logged_in(data_dir, "amira"), logged_in(data_dir, "rita"), logged_in(data_dir, "cora")

    def act(client, action, comment=""):
        page = client.get("/answers/albania/chapters/IV").text
        fields = changed(form_of(page, "/answers/albania/chapters/IV/review"), action=action, comment=comment)
        return post(client, "/answers/albania/chapters/IV/review", fields)

    stale = chapter_form(amira, "IV")
    assert act(rita, "approve").status_code == 409, "nothing submitted yet"
    assert act(amira, "approve").status_code == 403, "a contributor does not approve"
    assert act(amira, "submit").status_code == 303
    assert act(rita, "return").status_code == 422, "returning needs a comment"
    assert act(rita, "return", "Cite the article, please").status_code == 303
    returned = amira.get("/answers/albania/chapters/IV").text
    assert returned.index('id="returned"') < returned.index('id="questionnaire"'), "the return and its comment stand at the top"
    assert "Returned for changes by rita" in returned and "“Cite the article, please”" in returned
    overview = amira.get("/answers/albania").text
    assert ">Returned<" in overview and "“Cite the article, please”" in overview and overview.index('data-chapter="IV"') < overview.index('data-chapter="II"')
    assert act(amira, "submit").status_code == 303
    assert act(rita, "approve", "Checked against the Criminal Code").status_code == 303
    page = amira.get("/answers/albania/chapters/IV").text
    assert "This chapter is approved: its answers are shown as text until the coordinator reopens it." in page and 'id="save"' not in page
    assert "disabled" not in page and 'name="a.jurisdiction' not in page, "read-only is text, never disabled fields"
    row = page[page.index('id="q-jurisdiction.habitual_residents_abroad"') :]
    assert row.index("<strong>No</strong>") < row.index("</div>") and "Source" in row[: row.index("</div>")]
    locked = post(amira, "/answers/albania/chapters/IV", changed(stale, **{HABITUAL: "yes"}))
    assert locked.status_code == 409 and "Chapter IV was approved by rita" in locked.text
    assert load_answers(data_dir / "albania.yaml").value("jurisdiction.habitual_residents_abroad") == "no"
    assert "Approved by rita." in cora.get("/answers/albania").text and "1 of 10 chapters approved" in cora.get("/").text
    assert act(amira, "reopen").status_code == 403
    assert act(cora, "reopen", "A new law").status_code == 303
    assert post(amira, "/answers/albania/chapters/IV", changed(chapter_form(amira, "IV"), **{HABITUAL: "yes"})).status_code == 303
    text = run_selfcheck("history", data_dir / "albania.yaml").stdout
    for line in (
        "amira  chapter IV submitted for review",
        "rita  chapter IV returned for changes: “Cite the article, please”",
        "rita  chapter IV approved: “Checked against the Criminal Code”",
        "cora  chapter IV reopened: “A new law”",
    ):
        assert line in text


def test_every_form_of_every_page_is_refused_without_its_token(data_dir):
    cora = logged_in(data_dir, "cora")
    pages = ["/", "/team", "/answers/albania", *(f"/answers/albania/chapters/{chapter}" for chapter in CHAPTERS[:2])]
    forms_seen = 0
    before = (data_dir / "albania.yaml").read_bytes()
    for url in pages:
        html = cora.get(url).text
        for action in set(re.findall(r'<form method="post" action="([^"]+)"', html)):
            key = {"/answers/albania": "about", "/answers/albania/import": "import"}.get(
                action, "questionnaire" if "/chapters/" in action and not action.endswith("/review") else action
            )
            if key == "import":
                response = cora.post(action, files={"file": ("a.yaml", b"x")}, data={"version": "x"})
            else:
                fields = [(name, value) for name, value in form_of(html, key) if name != "csrf"]
                response = post(cora, action, fields)
            assert response.status_code == 403 and "security token" in response.text, (url, action)
            forms_seen += 1
    assert forms_seen >= 7
    assert (data_dir / "albania.yaml").read_bytes() == before


def test_the_coordinator_exports_the_reply_in_word_and_markdown_and_the_answers_file_and_imports_one_back(data_dir, tmp_path):
    cora = logged_in(data_dir, "cora")
    word = cora.get("/answers/albania/reply/docx")
    assert word.status_code == 200 and word.headers["content-disposition"] == 'attachment; filename="albania-reply.docx"'
    from docx import Document

    document = Document(io.BytesIO(word.content))
    assert document.paragraphs[0].text == "Reply of Albania to the Lanzarote Committee's questionnaire"
    assert document.paragraphs[1].text.startswith("National self-assessment: Albania's own answers")
    assert document.core_properties.language == "en-GB" and document.core_properties.author == "Albania"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Chapter II. Legal framework" and len(headings) == 10
    markdown = cora.get("/answers/albania/reply/markdown").text
    assert "**S12.3** Do you establish jurisdiction" in markdown and "*Draft: not yet submitted for review.*" in markdown
    exported = cora.get("/answers/albania/file")
    assert exported.content == (data_dir / "albania.yaml").read_bytes()
    edited = exported.content.replace(b"  jurisdiction.habitual_residents_abroad:\n    value: no", b"  jurisdiction.habitual_residents_abroad:\n    value: yes")
    overview = cora.get("/answers/albania").text
    fields = {name: value for name, value in form_of(overview, "import")}
    imported = cora.post("/answers/albania/import", files={"file": ("albania.yaml", edited, "application/yaml")}, data=fields)
    assert imported.status_code == 303
    assert load_answers(data_dir / "albania.yaml").value("jurisdiction.habitual_residents_abroad") == "yes"
    [change] = json.loads(run_selfcheck("history", data_dir / "albania.yaml", "--format", "json").stdout)
    assert (change["who"], change["via"], change["question"]) == ("cora", "import", "jurisdiction.habitual_residents_abroad")
    broken = cora.post("/answers/albania/import", files={"file": ("x.yaml", b"party: [", "application/yaml")}, data=fields)
    assert broken.status_code == 422 and "cannot be read" in broken.text
    amira = logged_in(data_dir, "amira")
    assert amira.get("/answers/albania/reply/docx").status_code == 403 and amira.get("/answers/albania/file").status_code == 403


def test_a_change_made_to_the_file_outside_selfcheck_is_recorded_as_such_at_the_next_read(data_dir):
    cora = logged_in(data_dir, "cora")
    assert cora.get("/answers/albania").status_code == 200  # the version selfcheck knows
    path = data_dir / "albania.yaml"
    path.write_text(
        path.read_text().replace("  jurisdiction.habitual_residents_abroad:\n    value: no", "  jurisdiction.habitual_residents_abroad:\n    value: yes")
    )
    page = cora.get("/answers/albania/history?question=jurisdiction.habitual_residents_abroad").text
    assert "outside selfcheck" in page and "no (source: Para. 217) → yes (source: Para. 217)" in page


def test_behind_a_single_sign_on_proxy_the_trusted_header_names_the_user(data_dir):
    from starlette.testclient import TestClient

    from selfcheck.web.app import create_app

    app = create_app(data_dir, trust_user_header="X-Remote-User")
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        assert client.get("/").status_code == 303, "no header, no access"
        assert client.get("/", headers={"X-Remote-User": "stranger"}).status_code == 303
        page = client.get("/answers/albania/chapters/IV", headers={"X-Remote-User": "amira"})
        assert page.status_code == 200 and "amira, contributor of chapters IV" in page.text
        client.headers["X-Remote-User"] = "amira"
        response = post(client, "/answers/albania/chapters/IV", changed(form_of(page.text), **{HABITUAL: "yes"}))
        assert response.status_code == 303
    result = run_selfcheck("serve", data_dir.parent / "empty-nowhere")
    assert result.returncode == 2
