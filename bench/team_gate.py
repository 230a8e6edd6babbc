"""The team's gate (web/gate.py): what every request to a folder with a team pays before its page.

In this process, the gate's check remembering its sound answer beside the same check asking the
database every time, as every request did before the gate remembered. Then over 127.0.0.1, `selfcheck
serve` (one worker) on that folder: a static file and the login page, one client, warm; each request
passes the gate, neither opens the database for anything else.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

import httpx2 as httpx
from load import ALBANIA, percentile, start_server, timed_gets

from selfcheck.engine.team import accounts, database
from selfcheck.web import gate


def team_folder(scratch: Path) -> Path:
    """A folder with Albania's answers and one user, once its database has settled (``gate.SETTLED``)."""
    folder = scratch / "team"
    folder.mkdir()
    shutil.copy(ALBANIA, folder / "albania.yaml")
    accounts.add_user(folder, "cora", "coordinator", (), "correct horse battery staple")
    settled = database.path_in(folder).stat().st_ctime_ns + gate.SETTLED + 200_000_000
    time.sleep(max(0, settled - time.time_ns()) / 1e9)
    return folder


def gate_paths(folder: Path) -> dict:
    """The check asking the database every time (a gate that forgets), and the check as it runs."""
    forgetting, remembering = gate.TeamGate(folder), gate.TeamGate(folder)

    def asking(_):
        forgetting.sound = None
        return forgetting.check()

    remembering.check()
    assert remembering.sound is not None, "the settled database is remembered"
    return {"asking": asking, "remembering": lambda _: remembering.check()}


def gate_requests(folder: Path, requests: int) -> dict:
    """p50 and p99 of a static file and of the login page, one client, one worker, warm."""
    server, url = start_server(folder)
    try:
        result = {}
        with httpx.Client(base_url=url, follow_redirects=False, timeout=60) as client:
            for name, path in (("static", "/static/style.css"), ("login", "/login")):
                for _ in range(10):
                    client.get(path)
                samples = timed_gets(client, path, requests)
                result[name] = {"p50": statistics.median(samples), "p99": percentile(samples, 0.99), "requests": len(samples)}
    finally:
        server.terminate()
        server.wait(timeout=60)
    return result
