"""The team server under stress and attack: it fails closed when its database goes, shows strangers no
path, counts every login attempt, trusts forwarded addresses only when told, and keeps serving
through slow clients and broken connections."""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import time
from contextlib import contextmanager

import httpx2 as httpx
import pytest

from conftest import SELFCHECK, run_selfcheck
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.team import accounts, database
from selfcheck.web import gate
from web_client import FORM, _accepts, client_for, data_dir_with_albania

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def team_template(tmp_path_factory):
    """A folder with Albania and its coordinator, made once (Argon2 is slow on purpose) and copied per test."""
    folder = data_dir_with_albania(tmp_path_factory.mktemp("team"))
    accounts.add_user(folder, "cora", "coordinator", (), PASSWORD)
    return folder


# -- 1. fail closed ----------------------------------------------------------------------------------


def _delete(path):
    path.unlink()


def _empty(path):
    path.write_bytes(b"")


def _garble(path):
    path.write_bytes(b"not a database at all " * 200)


def _no_users(path):
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM users")


@pytest.mark.parametrize("damage", [_delete, _empty, _garble, _no_users], ids=["deleted", "emptied", "unreadable", "without users"])
def test_a_team_folder_whose_database_goes_while_serving_refuses_every_request_and_logs_it_once(data_dir, damage, caplog):
    with client_for(data_dir) as client, caplog.at_level(logging.WARNING, "selfcheck.web"):
        assert client.get("/answers/albania/file").status_code == 303, "a login is asked for"
        damage(database.path_in(data_dir))
        for path in ("/answers/albania/file", "/team", "/", "/login", "/answers/albania", "/static/style.css"):
            response = client.get(path)
            assert response.status_code == 503, f"{path} answered {response.status_code} without the team's database"
            assert str(data_dir) not in response.text, "the page names no path of the server"
        assert client.post("/login", content=b"name=cora&password=x").status_code == 503
    refusals = [record for record in caplog.records if record.name == "selfcheck.web"]
    assert len(refusals) == 1, [record.getMessage() for record in refusals]
    assert str(database.path_in(data_dir)) in refusals[0].getMessage(), "the log says which file"
    assert "Traceback" not in caplog.text


def test_the_server_serves_again_once_the_database_is_restored(data_dir, caplog):
    database_file = database.path_in(data_dir)
    backup = database_file.read_bytes()
    with client_for(data_dir) as client, caplog.at_level(logging.WARNING, "selfcheck.web"):
        database_file.unlink()
        assert client.get("/").status_code == 503
        assert not database_file.exists(), "no new, empty database was made in its place"
        database_file.write_bytes(backup)
        assert client.get("/answers/albania/file").status_code == 303, "a login is asked for again"
    assert [record.levelname for record in caplog.records if record.name == "selfcheck.web"] == ["ERROR", "WARNING"]


def test_a_team_folder_whose_database_is_missing_is_refused_at_start_and_by_every_command(data_dir, tmp_path):
    database.path_in(data_dir).unlink()
    with pytest.raises(InputError, match="this folder has a team"):
        client_for(data_dir)
    password = tmp_path / "password"
    password.write_text(PASSWORD + "\n")
    for command in (["users", "list"], ["users", "add", "eve", "--role", "coordinator", "--password-file", str(password)], ["serve", "--port", "1"]):
        folder_option = ["--data-dir", str(data_dir)] if command[0] == "users" else [str(data_dir)]
        result = run_selfcheck(*command, *folder_option)
        assert result.returncode == 2 and "this folder has a team" in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert run_selfcheck("history", str(data_dir / "albania.yaml")).returncode == 2
    assert not database.path_in(data_dir).exists(), "no command made a new, empty database in its place"


def test_a_team_folder_without_users_left_is_refused_at_start(data_dir):
    removed = run_selfcheck("users", "remove", "cora", "--data-dir", str(data_dir))
    assert removed.returncode == 0 and "that was the last user: selfcheck serve refuses" in removed.stderr
    with pytest.raises(InputError, match="has no user left, but this folder has a team"):
        client_for(data_dir)
    result = run_selfcheck("serve", str(data_dir), "--port", "1")
    assert result.returncode == 2 and "has no user left" in result.stderr and "Traceback" not in result.stderr


def test_a_user_header_is_trusted_only_by_a_server_that_listens_on_this_machine_alone(data_dir):
    with socket.socket() as taken:  # a port in use: a server that got past the check stops there, never serving
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for host in ("0.0.0.0", "192.0.2.7"):
            result = run_selfcheck("serve", str(data_dir), "--host", host, "--port", port, "--trust-user-header", "X-Remote-User")
            assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
            assert "listens only on this machine" in result.stderr and host in result.stderr, result.stderr
        on_loopback = run_selfcheck("serve", str(data_dir), "--host", "127.0.0.1", "--port", port, "--trust-user-header", "X-Remote-User")
        assert on_loopback.returncode == 2 and "listens only on this machine" not in on_loopback.stderr, on_loopback.stderr


def test_a_folder_whose_users_were_added_before_the_team_was_recorded_is_recorded_when_served(data_dir):
    (data_dir / database.TEAM_FILE).unlink()
    with client_for(data_dir) as client:
        assert (data_dir / database.TEAM_FILE).exists()
        database.path_in(data_dir).unlink()
        assert client.get("/answers/albania/file").status_code == 503


def test_a_team_stays_a_team_for_the_running_server_even_if_its_record_goes_too(data_dir):
    with client_for(data_dir) as client:
        (data_dir / database.TEAM_FILE).unlink()
        database.path_in(data_dir).unlink()
        assert client.get("/answers/albania/file").status_code == 503


def test_the_first_user_added_while_serving_turns_the_login_on(tmp_path):
    folder = data_dir_with_albania(tmp_path)
    with client_for(folder) as client:
        assert client.get("/answers/albania/file").status_code == 200, "one person's tool: no login"
        accounts.add_user(folder, "cora", "coordinator", (), PASSWORD)
        assert (folder / database.TEAM_FILE).exists()
        assert client.get("/answers/albania/file").status_code == 303
        database.path_in(folder).unlink()
        assert client.get("/answers/albania/file").status_code == 503


# -- the gate remembers a sound database while its files are unchanged, and only then ----------------


@pytest.fixture
def settled(data_dir, monkeypatch):
    """The team's folder, its files settled: the gate trusts files 50 ms after their last change, not 2 s."""
    monkeypatch.setattr(gate, "SETTLED", 50_000_000)
    time.sleep(0.1)
    return data_dir


@pytest.fixture
def opened(monkeypatch):
    """The folders the gate asked the database about, one entry a time."""
    asked = []
    has_users = accounts.has_users
    monkeypatch.setattr(accounts, "has_users", lambda folder: asked.append(folder) or has_users(folder))
    return asked


def test_the_gate_asks_the_database_once_while_its_files_are_unchanged_and_again_after_any_change(settled, opened):
    team_gate = gate.TeamGate(settled)
    opened.clear()
    assert [team_gate.check() for _ in range(3)] == [True, True, True]
    assert len(opened) == 1, "asked once, then remembered"
    with database.connect(settled) as db:
        db.execute("INSERT INTO login_failures (key, count, last) VALUES ('x', 1, 0)")
    assert team_gate.check() and team_gate.check()
    assert len(opened) == 3, "a database just changed is asked at every check: a change in the same tick would not move its times"
    time.sleep(0.1)
    assert team_gate.check() and team_gate.check()
    assert len(opened) == 4, "once settled, remembered again"


def _replaced(path):
    copy = path.with_name("copy")
    shutil.copy(path, copy)
    _no_users(copy)
    copy.replace(path)


def _unreadable(path):
    path.chmod(0)


DAMAGES = [
    pytest.param(_delete, id="deleted"),
    pytest.param(_empty, id="emptied"),
    pytest.param(_garble, id="unreadable"),
    pytest.param(_no_users, id="without users"),
    pytest.param(_replaced, id="replaced by one without users"),
    pytest.param(_unreadable, id="not to be read", marks=pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")),
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_database_damaged_right_after_a_check_the_gate_remembers_is_refused(settled, opened, damage):
    team_gate = gate.TeamGate(settled)
    assert team_gate.check() and team_gate.check()
    assert team_gate.sound is not None, "the check was remembered"
    damage(database.path_in(settled))
    for _ in range(2):
        with pytest.raises(gate.Unavailable):
            team_gate.check()


def test_users_deleted_while_another_connection_keeps_the_change_in_the_write_ahead_log_are_seen(data_dir, monkeypatch):
    """The database file itself is unchanged until the log is copied back into it."""
    monkeypatch.setattr(gate, "SETTLED", 50_000_000)
    keeper = sqlite3.connect(database.path_in(data_dir))
    try:
        keeper.execute("SELECT 1 FROM users").fetchone()  # the log and its index are made, and stay
        time.sleep(0.1)
        team_gate = gate.TeamGate(data_dir)
        before = database.path_in(data_dir).stat()
        assert team_gate.check() and team_gate.sound is not None
        _no_users(database.path_in(data_dir))
        assert database.path_in(data_dir).stat().st_mtime_ns == before.st_mtime_ns, "the change is in the log alone"
        with pytest.raises(gate.Unavailable):
            team_gate.check()
    finally:
        keeper.close()


def test_the_teams_record_removed_after_a_check_the_gate_remembers_is_put_back(settled):
    team_gate = gate.TeamGate(settled)
    assert team_gate.check() and team_gate.sound is not None
    (settled / database.TEAM_FILE).unlink()
    assert team_gate.check()
    assert (settled / database.TEAM_FILE).exists()


# -- 13. paths shown to strangers --------------------------------------------------------------------


def test_a_database_failure_shows_a_stranger_a_plain_page_and_the_path_goes_to_the_log(data_dir, monkeypatch, caplog):
    from selfcheck.web import auth

    def locked(self, keys):
        raise InputError(database.path_in(data_dir), "cannot be used: database is locked")

    monkeypatch.setattr(auth.Throttle, "attempt", locked)
    with client_for(data_dir) as client, caplog.at_level(logging.ERROR, "selfcheck.web"):
        page = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        response = client.post("/login", content=f"csrf={token}&name=cora&password=wrong", headers=FORM)
    assert response.status_code == 503 and "database is locked" not in response.text
    assert str(data_dir) not in response.text and database.FILE_NAME not in response.text
    assert str(database.path_in(data_dir)) in caplog.text and "database is locked" in caplog.text


def test_a_file_with_a_problem_is_named_by_its_name_in_the_data_folder_never_by_the_servers_path(tmp_path):
    folder = data_dir_with_albania(tmp_path)
    (folder / "broken.yaml").write_text("party: [unclosed\n")
    (tmp_path / "elsewhere.yaml").write_bytes((folder / "albania.yaml").read_bytes())
    bill = "title: A bill\nreference: B-1\ndate: 2024-01-01\napplies_to: ../elsewhere.yaml\nchanges:\n  legal.csam_terminology: {value: yes}\n"
    (folder / "outside.yaml").write_text(bill)
    with client_for(folder) as client:
        for path in ("/", "/answers/broken"):
            page = client.get(path)
            assert "broken.yaml" in page.text, path
            assert str(tmp_path) not in page.text, f"{path} shows the server's path"
        assert "applies_to ../elsewhere.yaml leads outside the folder of answer files" in client.get("/").text


# -- 8. the login throttle ---------------------------------------------------------------------------


def test_thirty_simultaneous_wrong_passwords_for_one_name_have_at_most_five_checked(data_dir, monkeypatch):
    import asyncio
    import types

    from selfcheck.web import auth
    from selfcheck.web.app import create_app
    from selfcheck.web.auth import FREE_ATTEMPTS

    # All at one moment, however slowly this machine checks them: no wait after the fifth has run out meanwhile.
    monkeypatch.setattr(auth, "time", types.SimpleNamespace(time=lambda: 2_000_000_000.0))

    async def attack() -> list[int]:
        transport = httpx.ASGITransport(app=create_app(data_dir), client=("192.0.2.7", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            page = await client.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            body = f"csrf={token}&name=cora&password=wrong-{'x' * 12}"
            responses = await asyncio.gather(*(client.post("/login", content=body, headers=FORM) for _ in range(30)))
            return [response.status_code for response in responses]

    statuses = asyncio.run(attack())
    assert statuses.count(401) <= FREE_ATTEMPTS, f"{statuses.count(401)} passwords were checked: {statuses}"
    assert set(statuses) == {401, 429}


def test_a_right_password_after_wrong_ones_from_one_address_is_not_counted_as_a_failure(data_dir, monkeypatch):
    import types

    from selfcheck.web import auth
    from selfcheck.web.auth import FREE_ATTEMPTS, Throttle

    monkeypatch.setattr(auth, "time", types.SimpleNamespace(time=lambda: 2_000_000_000.0))  # all at one moment
    throttle = Throttle(data_dir)
    for _ in range(FREE_ATTEMPTS - 1):  # three wrong, then the right one
        assert throttle.attempt(["name:cora", "address:192.0.2.7"]) == 0
    throttle.succeeded(["name:cora", "address:192.0.2.7"])
    let_through = 0
    while throttle.attempt([f"name:other-{let_through}", "address:192.0.2.7"]) == 0 and let_through < 10:
        let_through += 1
    assert let_through == 2, "the address keeps its three failures, not the right password"


# -- a real server: slow clients, broken connections, forwarded addresses ----------------------------


@contextmanager
def server_with_log(data_dir, log_path, *options):
    """``selfcheck serve DATA_DIR`` on a free port, its standard error kept in ``log_path``; yields its port.
    Stopped with SIGTERM on the way out, and must stop within 30 s."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(log_path, "wb") as log:
        server = subprocess.Popen([str(SELFCHECK), "serve", str(data_dir), "--port", str(port), *options], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not _accepts(socket.AF_INET, "127.0.0.1", port):
                assert server.poll() is None and time.monotonic() < deadline, f"selfcheck serve did not start: {log_path.read_text()}"
                time.sleep(0.05)
            yield port
        finally:
            if server.poll() is None:
                server.terminate()
            server.wait(timeout=30)


def _half_sent(port: int, request: bytes) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(request)
    return connection


def _closed_by_server(connection: socket.socket, within: float) -> bytes | None:
    """What the server answered before closing the connection, or None if it kept it open ``within`` seconds."""
    connection.settimeout(within)
    answer = b""
    try:
        while chunk := connection.recv(4096):
            answer += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        return None
    return answer


def test_half_sent_requests_are_cut_off_and_the_server_keeps_answering(tmp_path):
    folder = data_dir_with_albania(tmp_path)
    host = b"Host: 127.0.0.1\r\n"
    slow_headers = b"GET / HTTP/1.1\r\n" + host + b"X-Slow: "
    slow_body = b"POST /new HTTP/1.1\r\n" + host + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nfile=a"
    options = ("--max-connections", "20", "--header-timeout", "1", "--body-timeout", "1", "--workers", "1")  # one worker: one log line a kind
    with server_with_log(folder, tmp_path / "log", *options) as port:
        held = [_half_sent(port, slow_headers if i % 2 else slow_body) for i in range(100)]
        for _ in range(8):  # a byte now and then does not put the deadline off
            for connection in held:
                try:
                    connection.send(b"x")
                except OSError:
                    pass
            time.sleep(0.25)
        answers = [_closed_by_server(connection, within=20) for connection in held]
        assert None not in answers, f"{answers.count(None)} half-sent requests still hold a connection"
        assert {answer.split(b"\r\n")[0] for answer in answers} <= {b"HTTP/1.1 408 Request Timeout", b"HTTP/1.1 503 Service Unavailable", b""}
        assert any(answer.startswith(b"HTTP/1.1 408") for answer in answers), "those let in were cut off as too slow"
        assert any(answer.startswith(b"HTTP/1.1 503") for answer in answers), "those beyond the cap were refused at once"
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=20).status_code == 200
    lines = [line for line in (tmp_path / "log").read_text().splitlines() if not line.startswith("selfcheck serve:")]
    kinds = [line.split()[0] for line in lines]  # uvicorn's own concurrency warning may come once too
    assert {"cut", "refused"} <= set(kinds) and len(kinds) == len(set(kinds)), f"one line for each kind, not one per client: {lines[:5]}"


def test_every_worker_refuses_once_a_database_it_remembered_as_sound_loses_its_users_to_another_process(data_dir, tmp_path):
    """Each worker remembers its own sound check, and sees a change that another process makes."""
    with server_with_log(data_dir, tmp_path / "log", "--workers", "2") as port:
        settled = database.path_in(data_dir).stat().st_ctime_ns / 1e9 + gate.SETTLED / 1e9 + 0.2
        time.sleep(max(0.0, settled - time.time()))
        # a new connection for every request, so that both workers answer some
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            assert [client.get("/login").status_code for _ in range(12)] == [200] * 12
            _no_users(database.path_in(data_dir))
            assert [client.get(path).status_code for path in ("/login", "/static/style.css") * 6] == [503] * 12


def test_a_flood_of_malformed_requests_is_one_line_in_the_log_of_each_worker(tmp_path):
    log = tmp_path / "log"
    with server_with_log(data_dir_with_albania(tmp_path), log, "--workers", "2") as port:
        for _ in range(30):
            with socket.create_connection(("127.0.0.1", port)) as connection:
                connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")
                assert _closed_by_server(connection, within=20).startswith(b"HTTP/1.1 400")
    lines = [line for line in log.read_text().splitlines() if not line.startswith("selfcheck serve:")]
    assert 1 <= len(lines) <= 2 and all("Invalid HTTP request" in line for line in lines), lines[:5]


def test_clients_leaving_in_the_middle_of_their_bodies_are_one_line_in_the_log(tmp_path):
    """One line, not two tracebacks, and not one line per client either: a client leaves at will."""
    folder = data_dir_with_albania(tmp_path)
    host = b"Host: 127.0.0.1\r\n"
    form = b"POST /new HTTP/1.1\r\n" + host + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nfile=a"
    upload = b"POST /answers/albania/import HTTP/1.1\r\n" + host + b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000\r\n\r\n--b\r\n"
    log = tmp_path / "log"
    with server_with_log(folder, log, "--workers", "1") as port:
        for request in (form, upload) * 20:
            _half_sent(port, request).close()
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=20).status_code == 200
        time.sleep(1)  # the last ones are answered too
    lines = [line for line in log.read_text().splitlines() if not line.startswith("selfcheck serve:")]
    # which of the two kinds of request the server found cut short first is the scheduler's choice
    assert len(lines) == 1 and re.search(r"went away before sending the whole request \(the first: POST (/new|/answers/albania/import)\)", lines[0]), lines[:5]


def _login_statuses(port: int, forwarded_for: list[str]) -> list[int]:
    """One wrong login per address given in X-Forwarded-For, each for another name."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as browser:
        token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text).group(1)
        return [
            browser.post("/login", content=f"csrf={token}&name=guess{i}&password=wrong", headers={**FORM, "X-Forwarded-For": address}).status_code
            for i, address in enumerate(forwarded_for)
        ]


def test_rotating_x_forwarded_for_does_not_escape_the_per_address_limit_unless_the_proxy_is_trusted(data_dir, tmp_path):
    from selfcheck.web.auth import FREE_ATTEMPTS

    # Ten attempts: after the free ones each waits twice as long as the one before (1, 2, 4 s...), so
    # however slowly this machine checks passwords, one of them comes too soon.
    attempts = FREE_ATTEMPTS + 5
    with server_with_log(data_dir, tmp_path / "log") as port:
        statuses = _login_statuses(port, [f"198.51.100.{i}" for i in range(attempts)])
    assert statuses[:FREE_ATTEMPTS] == [401] * FREE_ATTEMPTS and 429 in statuses, statuses
    with server_with_log(data_dir, tmp_path / "log", "--forwarded-allow-ips", "127.0.0.1") as port:
        statuses = _login_statuses(port, [f"203.0.113.{i}" for i in range(attempts)])
    assert statuses == [401] * attempts, "behind a trusted proxy, each client is counted at its own address"


def test_a_page_that_fails_is_one_traceback_in_the_log_not_two(tmp_path, monkeypatch, caplog):
    import threading

    from selfcheck.web.app import create_app
    from selfcheck.web.server import Limits, make_server

    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr("selfcheck.web.site.assess", broken)
    server = make_server(create_app(data_dir_with_albania(tmp_path)), limits=Limits())
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    server.config.load()  # uvicorn's loggers do not reach the root's, where caplog listens: listen on theirs too
    logging.getLogger("uvicorn").addHandler(caplog.handler)
    with caplog.at_level(logging.WARNING):
        running = threading.Thread(target=server.run, kwargs={"sockets": [listening]})
        running.start()
        try:
            deadline = time.monotonic() + 30
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.05)
            assert httpx.get(f"http://127.0.0.1:{listening.getsockname()[1]}/", timeout=30).status_code == 500
        finally:
            server.should_exit = True
            running.join(timeout=30)
            logging.getLogger("uvicorn").removeHandler(caplog.handler)
    tracebacks = [record for record in caplog.records if record.exc_info]
    assert [record.name for record in tracebacks] == ["selfcheck.web"], [record.getMessage() for record in tracebacks]


def test_headers_over_16_kib_are_refused_even_when_they_arrive_in_one_read(tmp_path):
    """h11 checks its limit only on a request still incomplete: 100 KB of headers sent at once were answered 200."""
    log = tmp_path / "log"
    with server_with_log(data_dir_with_albania(tmp_path), log, "--workers", "1") as port:
        for size in (20_000, 100_000):
            with socket.create_connection(("127.0.0.1", port)) as connection:
                connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: " + b"a" * size + b"\r\n\r\n")
                assert _closed_by_server(connection, within=20).startswith(b"HTTP/1.1 431"), size
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-A: " + b"a" * 15_000 + b"\r\n\r\n")
            assert _closed_by_server(connection, within=20).startswith(b"HTTP/1.1 200")
    lines = [line for line in log.read_text().splitlines() if not line.startswith("selfcheck serve:")]
    assert len(lines) == 1 and "whose headers were over 16 KiB" in lines[0], lines[:5]
