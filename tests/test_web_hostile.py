"""The web questionnaire's hostile-input catalogue: DATA_DIR's odd files, forged names and dates, other
hosts, and what real server processes do when they race, when a pipe sits in DATA_DIR and when they
are stopped in the middle of a save."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import threading
import time
from urllib.parse import urlencode

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from conftest import ROUND, SELFCHECK
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.web.app import create_app
from web_client import FORM, changed, client_for, files_in, form_of, post, server_process, serving

SOURCE = "s.jurisdiction.habitual_residents_abroad"  # a free text whose last writer is easy to tell
CHAPTER = "IV"  # its chapter


def source_in(path) -> str:
    return load_answers(path).sources["jurisdiction.habitual_residents_abroad"]


# -- DATA_DIR's odd entries: listed as refused, the start page keeps working -------------------------

ODD_ENTRIES = [
    ("a link leading outside", lambda d, o: (d / "outside.yaml").symlink_to(o / "secret.yaml"), "outside", "leads outside the data folder"),
    ("a FIFO", lambda d, o: os.mkfifo(d / "pipe.yaml"), "pipe", "is a named pipe, not a regular file"),
    ("a link to /dev/zero", lambda d, o: (d / "zero.yaml").symlink_to("/dev/zero"), "zero", "leads outside the data folder"),
    ("a directory", lambda d, o: (d / "folder.yaml").mkdir(), "folder", "is a directory"),
    ("a dangling link", lambda d, o: (d / "gone.yaml").symlink_to(d / "nowhere.yaml"), "gone", "no such file"),
    (
        "an integer of 5,000 digits",
        lambda d, o: (d / "huge.yaml").write_text(f"party: H\nround: {ROUND}\nanswers:\n  legal.age_of_criminal_responsibility: {'9' * 5000}\n"),
        "huge",
        "numbers of more than 100 digits",
    ),
    (
        "a line break in the Party's name",
        lambda d, o: (d / "evil.yaml").write_text(f'party: "Evil\\nround: injected"\nround: {ROUND}\nanswers: {{}}\n'),
        "evil",
        "U+000A",
    ),
    (
        "an amendment applying to a file outside",
        lambda d, o: (d / "bill.yaml").write_text(
            f"title: A bill\nreference: B-1\ndate: 2024-01-01\napplies_to: {o / 'secret.yaml'}\nchanges:\n  legal.csam_terminology: {{value: yes, note: x}}\n"
        ),
        "bill",
        "outside the folder",
    ),
]


@pytest.fixture
def outside(tmp_path):
    """A folder beside DATA_DIR holding an answers file the web app must never read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.yaml").write_text(f"party: Secretland\nround: {ROUND}\nanswers:\n  legal.secret_key_one: yes\n")
    return folder


@pytest.mark.parametrize("name, make, entry, fragment", ODD_ENTRIES, ids=[c[0] for c in ODD_ENTRIES])
def test_an_odd_entry_in_data_dir_is_listed_as_refused_and_the_start_page_keeps_working(client, data_dir, outside, name, make, entry, fragment):
    make(data_dir, outside)
    page = client.get("/")
    assert page.status_code == 200
    assert '<a href="/answers/albania">Albania</a>' in page.text
    refused = page.text[page.text.index("Files with problems") :]
    line = next(line for line in refused.splitlines() if f"<code>{entry}.yaml</code>" in line)
    assert fragment in line, line
    assert "Secretland" not in page.text and "secret_key_one" not in page.text
    shown = client.get(f"/answers/{entry}")
    assert shown.status_code in (200, 303, 404, 422), "refused, or shown with its problems; never a 500"
    assert "Secretland" not in shown.text and "secret_key_one" not in shown.text


def test_an_amendment_leading_outside_data_dir_is_refused_before_that_file_is_read(client, data_dir, outside):
    ODD_ENTRIES[-1][1](data_dir, outside)
    for url in ("/amendments/bill", "/factsheet/bill", "/factsheet/bill/markdown"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert "outside the folder" in response.text and "Secretland" not in response.text and "secret_key_one" not in response.text


# -- names, texts and dates the web app writes: the engine's rules, and every file read back -------

HOSTILE_PARTIES = [
    ("a line break", "Evil\nround: injected", "U+000A"),
    ("a line separator", "Evil\u2028land", "U+2028"),
    ("a next-line character", "Evil\x85land", "U+0085"),
    ("a control character", "Evil\x01land", "U+0001"),
    ("a terminal escape", "\x1b[2JEvil", "U+001B"),
]


@pytest.mark.parametrize("name, party, fragment", HOSTILE_PARTIES, ids=[c[0] for c in HOSTILE_PARTIES])
def test_a_new_file_for_a_party_name_with_a_hostile_character_is_refused_and_nothing_is_written(client, data_dir, name, party, fragment):
    csrf = dict(form_of(client.get("/").text, "/new"))["csrf"]
    response = post(client, "/new", {"csrf": csrf, "file": "evil", "party": party})
    assert response.status_code == 422 and fragment in response.text
    assert files_in(data_dir) == ["albania.yaml"]


@pytest.mark.parametrize("name, party, fragment", HOSTILE_PARTIES, ids=[c[0] for c in HOSTILE_PARTIES])
def test_saving_a_party_name_with_a_hostile_character_is_refused_and_the_file_kept(client, data_dir, name, party, fragment):
    before = (data_dir / "albania.yaml").read_bytes()
    response = post(client, "/answers/albania", changed(form_of(client.get("/answers/albania").text, "about"), party=party))
    assert response.status_code == 422 and fragment in response.text
    assert (data_dir / "albania.yaml").read_bytes() == before


def test_a_date_typed_day_month_year_is_saved_as_the_file_writes_dates(client, data_dir):
    response = post(client, "/answers/albania", changed(form_of(client.get("/answers/albania").text, "about"), as_of="1.3.2026"))
    assert response.status_code == 303 and "as_of: 2026-03-01\n" in (data_dir / "albania.yaml").read_text()
    assert 'value="01.03.2026"' in client.get("/answers/albania").text


def test_a_bill_title_over_two_lines_is_refused_and_no_amendment_written(client, data_dir):
    fields = changed(
        form_of(client.get(f"/answers/albania/chapters/{CHAPTER}").text),
        a__jurisdiction__habitual_residents_abroad="yes",
        n__jurisdiction__habitual_residents_abroad="Art. 6",
        **{"bill.title": "A bill\nreference: forged", "bill.reference": "B-1", "bill.date": "2024-01-01", "bill.file": "bill"},
    )
    response = post(client, f"/answers/albania/chapters/{CHAPTER}/amendment", fields)
    assert response.status_code == 422 and "U+000A" in response.text
    assert files_in(data_dir) == ["albania.yaml"]


@pytest.mark.parametrize("date", ["20240101", "2024-W01-1", "2024-01-01T10:00", "2024-1-1", "31.02.2024", "1.13.2024", "01.01.24"])
def test_a_date_not_written_day_month_year_or_yyyy_mm_dd_is_refused(client, data_dir, date):
    before = (data_dir / "albania.yaml").read_bytes()
    response = post(client, "/answers/albania", changed(form_of(client.get("/answers/albania").text, "about"), as_of=date))
    assert response.status_code == 422 and "Give the date as day.month.year, for example 01.05.2024." in response.text
    assert (data_dir / "albania.yaml").read_bytes() == before


def test_a_new_file_that_would_not_read_back_as_given_is_not_written(data_dir, monkeypatch):
    monkeypatch.setattr(
        "selfcheck.engine.answers.answer_file.render_answers", lambda answers, questionnaire, comments: f"party: Someone else\nround: {ROUND}\nanswers: {{}}\n"
    )
    with client_for(data_dir, raise_server_exceptions=False) as client:
        csrf = dict(form_of(client.get("/").text, "/new"))["csrf"]
        response = post(client, "/new", {"csrf": csrf, "file": "ruritania", "party": "Ruritania"})
    assert response.status_code == 500
    assert files_in(data_dir) == ["albania.yaml"]


# -- saving: through a link, against an editor ------------------------------------------------------


def test_saving_through_a_link_inside_data_dir_writes_its_target_and_keeps_the_link(client, data_dir):
    (data_dir / "current.yaml").symlink_to("albania.yaml")
    response = post(
        client,
        f"/answers/current/chapters/{CHAPTER}",
        changed(form_of(client.get(f"/answers/current/chapters/{CHAPTER}").text), **{SOURCE: "through the link"}),
    )
    assert response.status_code == 303
    assert (data_dir / "current.yaml").is_symlink() and os.readlink(data_dir / "current.yaml") == "albania.yaml"
    assert source_in(data_dir / "albania.yaml") == "through the link"


def test_an_editor_writing_the_file_during_a_save_keeps_its_change_and_the_save_is_refused(client, data_dir, monkeypatch):
    fields = changed(form_of(client.get(f"/answers/albania/chapters/{CHAPTER}").text), **{SOURCE: "from the form"})
    edited = (data_dir / "albania.yaml").read_text().replace("    value: no\n    source: Para. 217\n", '    value: no\n    source: "from the editor"\n')
    assert "from the editor" in edited
    real_fsync = os.fsync

    def editor_saves_meanwhile(descriptor):  # while the form's answers go to disk, an editor writes the file
        real_fsync(descriptor)
        monkeypatch.setattr("selfcheck.engine.common.safe_files.os.fsync", real_fsync)
        (data_dir / "albania.yaml").write_text(edited)

    monkeypatch.setattr("selfcheck.engine.common.safe_files.os.fsync", editor_saves_meanwhile)
    response = post(client, f"/answers/albania/chapters/{CHAPTER}", fields)
    assert response.status_code == 409
    assert source_in(data_dir / "albania.yaml") == "from the editor"
    assert files_in(data_dir) == ["albania.yaml"], "no temporary file is left behind"


def test_two_processes_saving_through_the_data_dir_from_one_version_never_both_win(data_dir):
    """The save path itself in two processes, started together many times: one wins, the other gets Conflict."""
    program = (
        "import sys; from selfcheck.web.storage import Conflict, DataDir\n"
        "data = DataDir(sys.argv[1]); stored = data.read('albania'); print('ready', flush=True); sys.stdin.readline()\n"
        "text = stored.data.decode() + '# ' + sys.argv[2] + chr(10)\n"
        "try:\n    data.save('albania', text, stored.version); print('saved')\nexcept Conflict:\n    print('conflict')\n"
    )
    for round in range(20):
        writers = [
            subprocess.Popen(
                [str(SELFCHECK.parent / "python"), "-c", program, str(data_dir), f"writer {w} round {round}"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for w in (1, 2)
        ]
        for writer in writers:
            assert writer.stdout.readline().strip() == "ready"
        for writer in writers:  # both have read the same version: now both save
            writer.stdin.write("go\n")
            writer.stdin.flush()
        outcomes = [writer.communicate(timeout=60)[0].strip() for writer in writers]
        assert sorted(outcomes) == ["conflict", "saved"], f"round {round}: {outcomes}"
        winner = outcomes.index("saved") + 1
        assert (data_dir / "albania.yaml").read_text().endswith(f"# writer {winner} round {round}\n")


# -- real server processes ---------------------------------------------------------------------------


class Visitor:
    """A browser's session with a running server: its cookie, its forms."""

    def __init__(self, url: str):
        self.client = httpx.Client(base_url=url, follow_redirects=False, timeout=60)

    def form(self, name: str = "albania") -> list[tuple[str, str]]:
        page = self.client.get(f"/answers/{name}/chapters/{CHAPTER}")
        assert page.status_code == 200
        return form_of(page.text)

    def save(self, fields, name: str = "albania") -> int:
        return self.client.post(f"/answers/{name}/chapters/{CHAPTER}", content=urlencode(fields), headers=FORM).status_code


def test_two_serve_processes_on_one_data_dir_never_lose_an_update(data_dir):
    with serving(data_dir) as (first, _), serving(data_dir) as (second, _):
        visitors = [Visitor(first), Visitor(second)]
        for round in range(30):
            forms = [changed(visitor.form(), **{SOURCE: f"visitor {i} round {round}"}) for i, visitor in enumerate(visitors)]
            start = threading.Barrier(2)
            statuses = [None, None]

            def save(i):
                start.wait()
                statuses[i] = visitors[i].save(forms[i])

            threads = [threading.Thread(target=save, args=(i,)) for i in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert sorted(statuses) == [303, 409], f"round {round}: both saves from one version were accepted: {statuses}"
            assert source_in(data_dir / "albania.yaml") == f"visitor {statuses.index(303)} round {round}"


def test_a_fifo_in_data_dir_neither_stops_the_server_nor_its_sigterm(data_dir):
    os.mkfifo(data_dir / "pipe.yaml")
    with server_process(data_dir) as (server, url, _):
        visitor = Visitor(url)
        start = visitor.client.get("/")
        assert start.status_code == 200 and "is a named pipe, not a regular file" in start.text
        assert visitor.client.get("/answers/pipe").status_code == 422
        assert visitor.client.get("/answers/albania").status_code == 200, "the server still answers"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) is not None


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_server_stopped_during_saves_leaves_the_answers_file_whole(data_dir, stop):
    rng = random.Random(stop)
    for round in range(3):
        written = {source_in(data_dir / "albania.yaml")}
        with server_process(data_dir) as (server, url, _):
            visitor = Visitor(url)
            stopped = threading.Event()

            def keep_saving():
                count = 0
                while not stopped.is_set():
                    try:
                        value = f"save {round}.{count}"
                        written.add(value)
                        visitor.save(changed(visitor.form(), **{SOURCE: value}))
                    except (httpx.HTTPError, AssertionError):
                        return
                    count += 1

            saver = threading.Thread(target=keep_saving)
            saver.start()
            time.sleep(rng.uniform(0.3, 1.0))
            server.send_signal(stop)
            server.wait(timeout=30)
            stopped.set()
            saver.join(timeout=60)
        assert source_in(data_dir / "albania.yaml") in written, "the file is one whole version"
        if stop == signal.SIGTERM:
            assert files_in(data_dir) == ["albania.yaml"], "no .part file is left behind"


# -- hosts and ports --------------------------------------------------------------------------------


def test_listening_on_every_address_still_refuses_other_host_names(data_dir):
    app = create_app(data_dir, ROUND, host="0.0.0.0", allow_hosts=("proxy.example",))
    for host, status in [
        ("evil.example", 400),
        ("attacker.test:8000", 400),
        ("127.0.0.1:8000", 200),
        ("localhost:8000", 200),
        (f"{socket.gethostname()}:8000", 200),
        ("proxy.example", 200),
        ("[::1]:8000", 200),
    ]:
        with TestClient(app, base_url=f"http://{host}", follow_redirects=False) as client:
            assert client.get("/").status_code == status, host


def test_an_ipv6_loopback_server_accepts_its_bracketed_host_and_refuses_others(data_dir):
    app = create_app(data_dir, ROUND, host="::1")
    with TestClient(app, base_url="http://[::1]:8000") as client:
        assert client.get("/").status_code == 200
    with TestClient(app, base_url="http://evil.example") as client:
        assert client.get("/").status_code == 400


def test_serve_on_ipv6_loopback_prints_a_url_a_browser_can_open(data_dir):
    with server_process(data_dir, host="::1") as (server, url, port):
        assert url == f"http://[::1]:{port}"
        assert Visitor(url).client.get("/").status_code == 200
    with socket.socket(socket.AF_INET6) as probe:
        probe.bind(("::1", 0))
        port = probe.getsockname()[1]
    announced = _announcement(data_dir, "--host", "::1", "--port", str(port))
    assert f"is at http://[::1]:{port}/ " in announced


def _announcement(data_dir, *options) -> str:
    """What serve prints before it serves: read from its stderr, then it is stopped."""
    server = subprocess.Popen([str(SELFCHECK), "serve", str(data_dir), *options], stderr=subprocess.PIPE, text=True)
    try:
        return server.stderr.readline()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_port_in_use_is_refused_with_exit_2_before_any_url_is_announced(data_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run([str(SELFCHECK), "serve", str(data_dir), "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"selfcheck: 127.0.0.1 port {port}: cannot listen: in use by another program; stop it, or choose another port with --port"
    assert "http://" not in result.stderr and "Traceback" not in result.stderr
