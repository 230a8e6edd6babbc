"""selfcheck serve --workers: several processes on one port share the CSRF secret, the sessions, the
files and their locks, and stop together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx

from conftest import SELFCHECK
from web_client import FORM, changed, data_dir_with_albania, form_of

SOURCE = "s.jurisdiction.habitual_residents_abroad"


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_two_workers_accept_each_others_forms_and_stop_with_the_first_process(tmp_path):
    folder = data_dir_with_albania(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(SELFCHECK), "serve", str(folder), "--port", str(port), "--workers", "2"], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(_children(server.pid)) < 2:  # the port listens before the workers are forked
            assert server.poll() is None and time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
        workers = _children(server.pid)
        assert len(workers) == 2
        # a new connection for every request, so that both workers answer some
        with httpx.Client(base_url=url, follow_redirects=False, timeout=60, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            page = client.get("/answers/albania/chapters/IV")
            for index in range(12):
                fields = changed(form_of(page.text), **{SOURCE: f"saved by a worker {index}"})
                saved = client.post("/answers/albania/chapters/IV", content=urlencode(fields), headers=FORM)
                assert saved.status_code == 303, f"save {index}: {saved.status_code}"
                page = client.get("/answers/albania/chapters/IV")
                assert f"saved by a worker {index}" in page.text
        assert "saved by a worker 11" in (folder / "albania.yaml").read_text(encoding="utf-8")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    for worker in workers:
        assert not os.path.exists(f"/proc/{worker}") or "zombie" in Path(f"/proc/{worker}/status").read_text(), "a worker outlived the server"
