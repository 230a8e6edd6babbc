"""What a team's writes guarantee: each form changes only what it holds and what the person's role
allows; an answers file and its history change together or not at all, whatever fails; an
amendment is never overwritten by an answers file; and a conflict never loses a colleague's words."""

from __future__ import annotations

import json
import shutil
from urllib.parse import urlencode

import pytest
from test_web_team import HABITUAL, chapter_form, logged_in, team_template  # noqa: F401 (a fixture)

from conftest import ROOT, ROUND, run_selfcheck
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.engine.team import accounts
from selfcheck.web.storage import version_of
from web_client import FORM, changed, files_in, form_of, post

CHAPTER = "/answers/albania/chapters/IV"
ROUND_DIR = ROOT / "questionnaires" / ROUND


@pytest.fixture
def data_dir(team_template, tmp_path):  # noqa: F811 (the team's folder, copied per test)
    folder = tmp_path / "parties"
    shutil.copytree(team_template, folder)
    return folder


def history_of(data_dir):
    return json.loads(run_selfcheck("history", data_dir / "albania.yaml", "--format", "json").stdout)


# -- each form holds its own fields -----------------------------------------------------------------


@pytest.mark.parametrize(
    "smuggled",
    [
        [("party", "Utopia"), ("v.party", "x")],
        [("as_of", "01.01.1999"), ("v.as_of", "x")],
        [("admin", "1")],
        [("a.legal.csam_terminolgy", "yes")],
        [("bill.title", "A bill")],
    ],
    ids=["the Party's name", "the date", "a field no form has", "an unknown question", "a bill"],
)
def test_a_contributors_chapter_form_with_a_field_it_does_not_hold_is_refused_with_403_and_nothing_is_written(data_dir, smuggled):
    amira = logged_in(data_dir, "amira")
    before = (data_dir / "albania.yaml").read_bytes()
    refused = post(amira, CHAPTER, changed(chapter_form(amira, "IV"), **{HABITUAL: "yes"}) + smuggled)
    assert refused.status_code == 403, refused.text[:300]
    assert f"Chapter IV&#39;s form does not hold the field &#39;{smuggled[0][0]}&#39;" in refused.text and "Nothing was changed." in refused.text
    assert (data_dir / "albania.yaml").read_bytes() == before and history_of(data_dir) == []


def test_the_coordinators_forms_hold_only_their_own_fields_too(data_dir):
    cora = logged_in(data_dir, "cora")
    before = (data_dir / "albania.yaml").read_bytes()
    chapter = chapter_form(cora, "IV")
    other = [("v.legal.csam_terminology", "x"), ("a.legal.csam_terminology", "yes")]
    assert post(cora, CHAPTER, chapter + other).status_code == 403, "a chapter's form holds its own questions only"
    assert post(cora, CHAPTER, chapter + [("party", "Utopia"), ("v.party", "x")]).status_code == 403
    assert post(cora, f"{CHAPTER}/amendment", chapter + [("as_of", "2030-01-01"), ("v.as_of", "x")]).status_code == 403
    about = form_of(cora.get("/answers/albania").text, "about")
    assert post(cora, "/answers/albania", about + [("v.jurisdiction.nationals_abroad", "x"), ("a.jurisdiction.nationals_abroad", "no")]).status_code == 403
    review = changed(form_of(cora.get(CHAPTER).text, f"{CHAPTER}/review"), action="comment", comment="Fine")
    assert post(cora, f"{CHAPTER}/review", review + [("chapter", "II")]).status_code == 403
    token = review[:1]
    assert post(cora, "/new", token + [("file", "x"), ("party", "X"), ("round", "other")]).status_code == 403
    assert post(cora, "/team/amira", token + [("chapter", "II"), ("role", "coordinator")]).status_code == 403
    assert post(cora, "/answers/albania/follow-up", token + [("party", "X")]).status_code == 403
    fields = dict(form_of(cora.get("/answers/albania").text, "import"))
    upload = cora.post("/answers/albania/import", files={"file": ("a.yaml", before)}, data={**fields, "party": "X"})
    assert upload.status_code == 403 and "does not hold the field &#39;party&#39;" in upload.text
    assert (data_dir / "albania.yaml").read_bytes() == before and files_in(data_dir) == ["albania.yaml"] and history_of(data_dir) == []
    assert [u.chapters for u in accounts.list_users(data_dir) if u.name == "amira"] == [("IV",)]


def test_the_follow_ups_chapter_form_holds_only_that_chapters_recommendations(data_dir):
    cora = logged_in(data_dir, "cora")
    page = "/answers/albania/follow-up"
    assert post(cora, page, form_of(cora.get(page).text, "start-follow-up")).status_code == 303
    form = form_of(cora.get(f"{page}?chapter=II").text, "follow-up-form")
    before = (data_dir / "albania.follow-up.yaml").read_bytes()
    other = form_of(cora.get(f"{page}?chapter=IV").text, "follow-up-form")
    smuggled = form + [pair for pair in other if pair[0].endswith("IV-4")]
    refused = cora.post(f"{page}/chapters/II", content=urlencode(smuggled), headers=FORM)
    assert refused.status_code == 403 and "does not hold the field &#39;v.IV-4&#39;" in refused.text
    assert post(cora, f"{page}/save", form + [("admin", "1")]).status_code == 403
    assert (data_dir / "albania.follow-up.yaml").read_bytes() == before


def test_the_answers_of_a_chapter_still_save_from_its_own_form(data_dir):
    amira = logged_in(data_dir, "amira")
    assert post(amira, CHAPTER, changed(chapter_form(amira, "IV"), **{HABITUAL: "yes"})).status_code == 303
    assert load_answers(data_dir / "albania.yaml").value("jurisdiction.habitual_residents_abroad") == "yes"


# -- an amendment is a bill's changes, never an answers file ----------------------------------------


def test_an_amendment_is_never_overwritten_by_an_imported_answers_file_nor_changed_by_an_answers_form(data_dir):
    bill = data_dir / "bill.yaml"
    amendment = ROUND_DIR / "amendments" / "albania-jurisdiction-habitual-residents.yaml"
    bill.write_text(amendment.read_text().replace("applies_to: ../parties/albania.yaml", "applies_to: albania.yaml"))
    before = bill.read_bytes()
    cora = logged_in(data_dir, "cora")
    import_form = dict(form_of(cora.get("/answers/albania").text, "import"))
    answers = (data_dir / "albania.yaml").read_bytes()
    imported = cora.post("/answers/bill/import", files={"file": ("albania.yaml", answers)}, data={**import_form, "version": version_of(before)})
    assert imported.status_code == 409 and "bill.yaml is an amendment, not an answers file" in imported.text
    chapter = chapter_form(cora, "IV")
    assert post(cora, "/answers/bill/chapters/IV", changed(chapter, **{HABITUAL: "yes"})).status_code == 409
    assert post(cora, "/answers/bill", changed(form_of(cora.get("/answers/albania").text, "about"), party="Utopia")).status_code == 409
    review = changed(form_of(cora.get(CHAPTER).text, f"{CHAPTER}/review"), action="comment", comment="On the bill")
    assert post(cora, "/answers/bill/chapters/IV/review", review).status_code == 409
    assert bill.read_bytes() == before
    over_answers = cora.post("/answers/albania/import", files={"file": ("bill.yaml", before)}, data=import_form)
    assert over_answers.status_code == 422 and "The file is an amendment" in over_answers.text
    assert (data_dir / "albania.yaml").read_bytes() == answers
    assert json.loads(run_selfcheck("history", bill, "--format", "json").stdout) == [] and history_of(data_dir) == []


# -- comments ---------------------------------------------------------------------------------------


def test_a_contributor_comments_only_on_their_own_chapters_and_a_reviewer_on_those_they_review(data_dir):
    amira, cora = logged_in(data_dir, "amira"), logged_in(data_dir, "cora")
    token = form_of(amira.get(CHAPTER).text, f"{CHAPTER}/review")[:1]
    own = post(amira, f"{CHAPTER}/review", token + [("action", "comment"), ("comment", "Checked with the ministry")])
    assert own.status_code == 303
    elsewhere = post(amira, "/answers/albania/chapters/IX/review", token + [("action", "comment"), ("comment", "Not mine")])
    assert elsewhere.status_code == 403 and "does not let you comment on chapter IX" in elsewhere.text
    page = amira.get("/answers/albania/chapters/IX").text
    assert 'action="/answers/albania/chapters/IX/review"' not in page and 'id="no-comment"' in page, "no form offered where it is refused"
    accounts.set_user(data_dir, "rita", chapters=("IV",))
    rita = logged_in(data_dir, "rita")
    rita_token = form_of(rita.get(CHAPTER).text, f"{CHAPTER}/review")[:1]
    assert post(rita, "/answers/albania/chapters/IX/review", rita_token + [("action", "comment"), ("comment", "Not reviewed by me")]).status_code == 403
    cora_token = form_of(cora.get(CHAPTER).text, f"{CHAPTER}/review")[:1]
    assert post(cora, "/answers/albania/chapters/IX/review", cora_token + [("action", "comment"), ("comment", "Coordinator")]).status_code == 303
    comments = [(h["who"], h["chapter"], h["text"]) for h in history_of(data_dir) if h["kind"] == "comment"]
    assert comments == [("amira", "IV", "Checked with the ministry"), ("cora", "IX", "Coordinator")]
