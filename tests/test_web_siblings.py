"""The second adversarial pass over the team server (issue 18): siblings of the defects it fixed,
each a behaviour that failed before its fix."""

from __future__ import annotations

import pytest
from test_web_team import chapter_form, logged_in, team_template  # noqa: F401 (the team whose folder conftest's data_dir copies)

from selfcheck.engine.common.safe_files import MAX_BYTES
from web_client import changed, files_in, post

CHAPTER = "/answers/albania/chapters/IV"


def test_saves_that_would_make_the_answers_file_too_large_to_read_are_refused_and_the_file_stays_readable(data_dir):
    """Each form is under the body cap, but notes saved one question at a time grew the file past
    what selfcheck reads: the whole team was then locked out of it."""
    amira = logged_in(data_dir, "amira")
    questions = [key[2:] for key, _ in chapter_form(amira, "IV") if key.startswith("n.")]
    refused = None
    for question in questions:
        one = [(key, value) for key, value in chapter_form(amira, "IV") if key == "csrf" or key[2:] == question]
        response = post(amira, CHAPTER, changed(one, **{f"n__{question.replace('.', '__')}": "x" * 250_000}))
        if response.status_code != 303:
            refused = response
            break
    assert refused is not None, "no save was refused"
    assert "more than the 2,000,000 bytes selfcheck reads" in refused.text and "Nothing was saved" in refused.text
    assert (data_dir / "albania.yaml").stat().st_size <= MAX_BYTES
    assert amira.get(CHAPTER).status_code == 200
    assert files_in(data_dir) == ["albania.yaml"], "no journal or temporary file is left"


def test_a_running_server_puts_back_the_teams_record_so_that_losing_the_database_later_never_opens_the_folder_at_restart(data_dir):
    """The record removed while serving, then the database lost: the next start took the folder for
    one person's tool, with no login."""
    from selfcheck.engine.team import database
    from web_client import client_for

    with client_for(data_dir) as client:
        (data_dir / database.TEAM_FILE).unlink()
        assert client.get("/login").status_code == 200
    assert (data_dir / database.TEAM_FILE).exists()
    database.path_in(data_dir).unlink()
    with pytest.raises(Exception, match="this folder has a team"):
        client_for(data_dir)


def test_a_follow_up_form_with_a_status_no_form_offers_is_shown_again_with_its_error_not_a_failure(data_dir):
    """The page shown again with what was typed failed to render an unknown status: a 500 and a
    traceback in the log for each such form, what was typed lost."""
    from urllib.parse import urlencode

    from web_client import FORM, form_of

    cora = logged_in(data_dir, "cora")
    page = "/answers/albania/follow-up"
    assert post(cora, page, form_of(cora.get(page).text, "start-follow-up")).status_code == 303
    before = (data_dir / "albania.follow-up.yaml").read_bytes()
    form = form_of(cora.get(f"{page}?chapter=IV").text, "follow-up-form")
    status = next(key for key, _ in form if key.startswith("status."))
    typed = [(key, "done" if key == status else value) for key, value in form]
    shown = cora.post(f"{page}/chapters/IV", content=urlencode(typed), headers=FORM)
    assert shown.status_code == 422 and "Choose one of the statuses offered." in shown.text
    assert (data_dir / "albania.follow-up.yaml").read_bytes() == before


def test_failed_logins_by_a_stranger_store_short_keys_and_forgotten_ones_are_deleted(data_dir):
    """A name of 250 KB was stored whole as its throttle's key, and never deleted: five failed
    logins grew the team's database by 2.5 MB, a stranger's way to fill the disk."""
    import re
    import sqlite3
    import time

    from selfcheck.engine.team import database
    from selfcheck.web.auth import FORGET_FAILURES
    from web_client import client_for

    with client_for(data_dir) as stranger:
        token = [("csrf", re.search(r'name="csrf" value="([^"]+)"', stranger.get("/login").text).group(1))]
        with database.connect(data_dir) as db:
            db.execute("INSERT INTO login_failures (key, count, last) VALUES ('name:long-ago', 3, ?)", (time.time() - FORGET_FAILURES - 1,))
        for index in range(3):
            assert post(stranger, "/login", token + [("name", f"{index}" + "x" * 250_000), ("password", "wrong")]).status_code == 401
    with sqlite3.connect(database.path_in(data_dir)) as db:
        keys = [key for (key,) in db.execute("SELECT key FROM login_failures")]
    assert max(map(len, keys)) <= 80 and "name:long-ago" not in keys, [key[:80] for key in keys]
