"""Driving the web questionnaire over HTTP in tests: its forms read from the page as a browser reads them."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from starlette.testclient import TestClient

from conftest import ALBANIA, SELFCHECK
from selfcheck.engine.team import database
from selfcheck.web.app import create_app
from selfcheck.web.storage import LOCK_SUFFIX

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium's own connections are refused, many at a time, by this
# closed network; a fresh profile is made per launch by Playwright (--user-data-dir).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return (
            "NO BROWSER: /usr/bin/chromium is not installed, so the end-to-end tests of the web questionnaire cannot run; "
            "run scripts/ensure-system-packages as root, or apt-get install chromium"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "NO PLAYWRIGHT: the playwright package is missing; reinstall the test extras with pip install -e '.[test]'"
    return None


MISSING = _missing()

BASE_URL = "http://127.0.0.1:8000"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def data_dir_with_albania(root: Path) -> Path:
    folder = root / "parties"
    folder.mkdir()
    shutil.copy(ALBANIA, folder / "albania.yaml")
    return folder


def files_in(data_dir: Path) -> list[str]:
    """The files of DATA_DIR but the lock files of saves, which stay once made, and the team's database and its record."""
    return sorted(
        p.name
        for p in data_dir.iterdir()
        if not (p.name.startswith(".") and p.name.endswith(LOCK_SUFFIX)) and not p.name.startswith(database.FILE_NAME) and p.name != database.TEAM_FILE
    )


def client_for(data_dir: Path, **options) -> TestClient:
    return TestClient(create_app(data_dir), base_url=BASE_URL, follow_redirects=False, **options)


def post(client: TestClient, url: str, fields: list[tuple[str, str]], **options):
    """A form submitted as a browser submits it."""
    return client.post(url, content=urlencode(fields), headers=FORM, **options)


class _Forms(HTMLParser):
    """The fields each form of a page would submit: checked boxes and radios, inputs, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self.current: list | None = None
        self.textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = self.forms.setdefault(attrs.get("id") or attrs["action"], [])
        elif tag == "input" and self.current is not None and "name" in attrs:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.current.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea" and self.current is not None:
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            self.current.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.current = None


def form_of(html: str, form: str = "questionnaire") -> list[tuple[str, str]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms[form]


def changed(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The fields with some single values replaced or added; keys use __ for dots (a__legal__x -> a.legal.x)."""
    values = {key.replace("__", "."): value for key, value in values.items()}
    kept = [(name, value) for name, value in fields if name not in values]
    return kept + list(values.items())


@contextmanager
def serving(data_dir: Path, *options: str):
    """``selfcheck serve DATA_DIR`` on a free port, as an official starts it; yields its base URL."""
    with server_process(data_dir, *options) as (_, url, port):
        yield url, port


@contextmanager
def server_process(data_dir: Path, *options: str, host: str = "127.0.0.1"):
    """``selfcheck serve DATA_DIR`` on a free port of ``host``; yields the process, its base URL and port.
    On the way out it is sent SIGTERM, unless it has ended already, and must stop within 30 s."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([str(SELFCHECK), "serve", str(data_dir), "--port", str(port), "--host", host, *options], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _accepts(family, host, port):
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise AssertionError(f"selfcheck serve did not start: {log.read().decode(errors='replace')}")
            time.sleep(0.05)
        yield server, f"http://{f'[{host}]' if ':' in host else host}:{port}", port
    finally:
        if server.poll() is None:
            server.terminate()
        server.wait(timeout=30)
        log.close()


def _accepts(family: int, host: str, port: int) -> bool:
    try:
        with socket.socket(family) as connection:
            connection.settimeout(1)
            connection.connect((host, port))
        return True
    except OSError:
        return False
