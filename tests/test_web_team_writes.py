"""What a team's writes guarantee: each form changes only what it holds and what the person's role
allows; an answers file and its history change together or not at all, whatever fails; an
amendment is never overwritten by an answers file; and a conflict never loses a colleague's words."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from test_web_team import HABITUAL, chapter_form, logged_in, team_template  # noqa: F401 (the team whose folder conftest's data_dir copies)

from conftest import ROOT, ROUND, run_selfcheck
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.team import accounts, database
from selfcheck.web import storage
from selfcheck.web.storage import version_of
from web_client import FORM, changed, client_for, data_dir_with_albania, files_in, form_of, post

CHAPTER = "/answers/albania/chapters/IV"
ROUND_DIR = ROOT / "questionnaires" / ROUND


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


# -- the file and its history change together -------------------------------------------------------


@pytest.fixture
def alone(tmp_path):
    """A folder without a team: its one person saves, and the history records it all the same."""
    return data_dir_with_albania(tmp_path)


def failing_commits(monkeypatch):
    """Every write transaction that changed something fails as a full disk fails its commit."""
    real = database.connect

    @contextmanager
    def connect(folder, write=True):
        with real(folder, write) as db:
            yield db
            if write and db.total_changes:
                raise InputError(database.path_in(folder), "cannot be used: database or disk is full")

    monkeypatch.setattr(database, "connect", connect)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".journal", ".part")))


def test_when_the_history_cannot_be_committed_no_write_changes_its_file_and_the_person_is_told(alone, monkeypatch):
    page = "/answers/albania/follow-up"
    with client_for(alone) as client:
        assert post(client, page, form_of(client.get(page).text, "start-follow-up")).status_code == 303
        before = {name: (alone / name).read_bytes() for name in ("albania.yaml", "albania.follow-up.yaml")}
        recorded = history_of(alone)
        chapter = changed(form_of(client.get(CHAPTER).text), **{HABITUAL: "yes"})
        about = changed(form_of(client.get("/answers/albania").text, "about"), party="Utopia")
        import_form = dict(form_of(client.get("/answers/albania").text, "import"))
        edited = before["albania.yaml"].replace(
            b"  jurisdiction.habitual_residents_abroad:\n    value: no", b"  jurisdiction.habitual_residents_abroad:\n    value: yes"
        )
        follow_up = changed(form_of(client.get(f"{page}?chapter=IV").text, "follow-up-form"), **{"lead.IV-4": "Ministry of Justice"})
        upload = dict(form_of(client.get(page).text, "import"))
        new = changed(form_of(client.get("/").text, "/new"), file="ruritania", party="Ruritania")
        failing_commits(monkeypatch)
        said = "the history of albania.yaml could not be recorded in the team&#39;s database (database or disk is full), so albania.yaml is as it was"
        for response in (
            post(client, CHAPTER, chapter),
            post(client, "/answers/albania", about),
            client.post("/answers/albania/import", files={"file": ("albania.yaml", edited)}, data=import_form),
        ):
            assert response.status_code == 503 and f"Nothing was saved: {said}." in response.text, response.text[:300]
        assert ("a.jurisdiction.habitual_residents_abroad", "yes") in form_of(post(client, CHAPTER, chapter).text), "what was typed stays"
        refused = post(client, f"{page}/save", follow_up)
        assert refused.status_code == 503 and "the history of albania.follow-up.yaml could not be recorded" in refused.text
        plan = before["albania.follow-up.yaml"].replace(b'    lead: ""', b'    lead: "Ministry of Justice"', 1)
        uploaded = client.post(f"{page}/import", files={"file": ("albania.follow-up.yaml", plan)}, data=upload)
        assert uploaded.status_code == 503 and "the history of albania.follow-up.yaml could not be recorded" in uploaded.text
        created = post(client, "/new", new)
        assert created.status_code == 422 and "the history of ruritania.yaml could not be recorded" in created.text
        monkeypatch.undo()
    assert {name: (alone / name).read_bytes() for name in before} == before and not (alone / "ruritania.yaml").exists()
    assert history_of(alone) == recorded and leftovers(alone) == []


def test_a_save_failing_to_write_its_file_records_nothing(alone, monkeypatch):
    with client_for(alone) as client:
        fields = changed(form_of(client.get(CHAPTER).text), **{HABITUAL: "yes"})
        monkeypatch.setattr(storage.os, "fsync", lambda descriptor: (_ for _ in ()).throw(OSError(28, "No space left on device")))
        refused = post(client, CHAPTER, fields)
        monkeypatch.undo()
    assert refused.status_code == 503 and "albania.yaml could not be written (No space left on device) and is as it was" in refused.text
    assert history_of(alone) == [] and leftovers(alone) == []


KILLED = """
import os, signal, sys
sys.path.insert(0, "tests")
from pathlib import Path
from selfcheck.web import storage
from web_client import changed, client_for, form_of, post

stop = sys.argv[2]
if stop == "replaced":  # the file replaced, the history not yet committed
    real = storage.DataDir.replace
    def replace(self, current, text):
        real(self, current, text)
        os.kill(os.getpid(), signal.SIGKILL)
    storage.DataDir.replace = replace
else:  # the history committed, the journal not yet removed
    storage.Writing.done = lambda self: os.kill(os.getpid(), signal.SIGKILL)
with client_for(Path(sys.argv[1])) as client:
    fields = changed(form_of(client.get("/answers/albania/chapters/IV").text), **{"a.jurisdiction.habitual_residents_abroad": "yes"})
    post(client, "/answers/albania/chapters/IV", fields)
"""


def killed_while_saving(folder, stop):
    result = subprocess.run([sys.executable, "-c", KILLED, str(folder), stop], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    assert len(leftovers(folder)) == 1, "the server died with its journal beside the file"


def test_a_server_killed_between_replacing_the_file_and_committing_its_history_leaves_them_agreeing_once_restarted(alone):
    before = (alone / "albania.yaml").read_bytes()
    killed_while_saving(alone, "replaced")
    assert (alone / "albania.yaml").read_bytes() != before, "the file was replaced, its history not committed"
    (alone / ".albania.yaml.abcd1234.part").write_bytes(b"half a file")
    with client_for(alone) as restarted:
        assert restarted.get(CHAPTER).status_code == 200
    assert (alone / "albania.yaml").read_bytes() == before and history_of(alone) == [], "rolled back: neither holds the change"
    assert leftovers(alone) == [], "no journal, and no temporary file of a write, is left"


def test_a_server_killed_after_committing_keeps_the_change_in_both(alone):
    killed_while_saving(alone, "committed")
    with client_for(alone):
        pass
    assert load_answers(alone / "albania.yaml").value("jurisdiction.habitual_residents_abroad") == "yes"
    assert [(h["question"], h["via"]) for h in history_of(alone)] == [("jurisdiction.habitual_residents_abroad", "web")] and leftovers(alone) == []


def test_a_server_still_running_settles_what_another_one_killed_midway_left_before_reading_the_file(alone):
    before = (alone / "albania.yaml").read_bytes()
    with client_for(alone) as running:
        assert running.get(CHAPTER).status_code == 200
        killed_while_saving(alone, "replaced")
        page = running.get(CHAPTER)
        assert page.status_code == 200 and ("a.jurisdiction.habitual_residents_abroad", "no") in form_of(page.text)
    assert (alone / "albania.yaml").read_bytes() == before
    assert history_of(alone) == [], "nothing recorded as changed outside selfcheck"


# -- a conflict never loses a colleague's words -----------------------------------------------------

NOTE = "n.jurisdiction.habitual_residents_abroad"


def test_keep_mine_after_a_conflict_writes_only_the_fields_the_person_changed_and_the_history_loses_nothing(data_dir):
    amira, cora = logged_in(data_dir, "amira"), logged_in(data_dir, "cora")
    mine, theirs = chapter_form(amira, "IV"), chapter_form(cora, "IV")
    assert post(cora, CHAPTER, changed(theirs, **{HABITUAL: "yes", NOTE: "Article 6 as amended in 2024"})).status_code == 303
    conflict = post(amira, CHAPTER, changed(mine, **{HABITUAL: "not_provided"}))
    assert conflict.status_code == 409 and "Saved meanwhile by cora" in conflict.text
    shown = form_of(conflict.text)
    assert (NOTE, "Article 6 as amended in 2024") in shown, "the note amira never opened is the colleague's, on the page too"
    assert ("save", "q-jurisdiction.habitual_residents_abroad") in buttons(conflict.text) and ("theirs", "jurisdiction.habitual_residents_abroad") in buttons(
        conflict.text
    )
    kept = post(amira, CHAPTER, shown + [("save", "q-jurisdiction.habitual_residents_abroad")])
    assert kept.status_code == 303 and "at=q-jurisdiction.habitual_residents_abroad" in kept.headers["location"]
    answer = load_answers(data_dir / "albania.yaml")
    assert answer.value("jurisdiction.habitual_residents_abroad") == "not_provided"
    assert answer.notes["jurisdiction.habitual_residents_abroad"] == "Article 6 as amended in 2024"
    changes = [(h["who"], (h["old"] or {}).get("note"), (h["new"] or {}).get("note")) for h in history_of(data_dir)]
    assert changes == [("cora", None, "Article 6 as amended in 2024"), ("amira", "Article 6 as amended in 2024", "Article 6 as amended in 2024")]


def test_take_theirs_keeps_the_colleagues_answer_and_saves_the_persons_other_changes(data_dir):
    amira, cora = logged_in(data_dir, "amira"), logged_in(data_dir, "cora")
    mine, theirs = chapter_form(amira, "IV"), chapter_form(cora, "IV")
    assert post(cora, CHAPTER, changed(theirs, **{HABITUAL: "yes"})).status_code == 303
    typed = changed(mine, **{HABITUAL: "not_provided", "a.jurisdiction.nationals_abroad": "no"})
    conflict = post(amira, CHAPTER, typed)
    assert conflict.status_code == 409
    taken = post(amira, CHAPTER, form_of(conflict.text) + [("theirs", "jurisdiction.habitual_residents_abroad")])
    assert taken.status_code == 303 and "saved=1" in taken.headers["location"]
    answers = load_answers(data_dir / "albania.yaml")
    assert answers.value("jurisdiction.habitual_residents_abroad") == "yes" and answers.value("jurisdiction.nationals_abroad") == "no"
    assert post(amira, CHAPTER, chapter_form(amira, "IV") + [("theirs", "legal.csam_terminology")]).status_code == 400, "only a question of the form"


def test_a_follow_up_conflict_keeps_the_colleagues_other_fields_and_offers_to_take_theirs(data_dir):
    cora, amira = logged_in(data_dir, "cora"), logged_in(data_dir, "amira")
    page = "/answers/albania/follow-up"
    assert post(cora, page, form_of(cora.get(page).text, "start-follow-up")).status_code == 303
    mine, theirs = form_of(amira.get(f"{page}?chapter=IV").text, "follow-up-form"), form_of(cora.get(f"{page}?chapter=IV").text, "follow-up-form")
    assert post(cora, f"{page}/save", changed(theirs, **{"lead.IV-4": "Ministry of Justice", "status.IV-4": "in_progress"})).status_code == 303
    conflict = post(amira, f"{page}/save", changed(mine, **{"status.IV-4": "implemented", "note.IV-4": "Law 5/2025"}))
    assert conflict.status_code == 409 and ("theirs", "IV-4") in buttons(conflict.text)
    shown = form_of(conflict.text, "follow-up-form")
    assert ("lead.IV-4", "Ministry of Justice") in shown
    assert post(amira, f"{page}/save", shown + [("theirs", "IV-4")]).status_code == 303
    saved = (data_dir / "albania.follow-up.yaml").read_text()
    block = saved[saved.index("  IV-4:") :]
    block = block[: block.index("\n  IV-", 10)] if "\n  IV-" in block[10:] else block
    assert 'lead: "Ministry of Justice"' in block and "status: in_progress" in block and "Law 5/2025" not in block


def buttons(html):
    return re.findall(r'<button type="submit" name="([a-z]+)" value="([^"]*)"', html)
