"""The web questionnaire under load: one `selfcheck serve` process, driven from this process over loopback.

Measures, warm: the questionnaire page alone, and save -> results (the POST and the page it
redirects to); the follow-up page (94 recommendations) and a recommendation's save -> that page. Then many concurrent clients (asyncio, one HTTP session each, each editing its own
answers file) go over mixed pages for a fixed time: start page, questionnaire, saves, factsheet,
static files. Every request is bounded in number and time and goes to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from web_client import changed, form_of  # noqa: E402  (the tests' reading of a form, as a browser submits it)

ALBANIA = ROOT / "questionnaires" / "lanzarote-2" / "parties" / "albania.yaml"
SELFCHECK = Path(sys.executable).parent / "selfcheck"
FORM = {"content-type": "application/x-www-form-urlencoded"}
SOURCE = "s.jurisdiction.habitual_residents_abroad"
CHAPTER = "IV"  # the page of that question: a chapter of the questionnaire
# How often each kind of request comes up in the mixed load (weights).
MIX = {"questionnaire": 35, "save": 20, "start": 15, "static": 15, "factsheet": 15}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


def start_server(data_dir: Path, workers: int = 1) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(SELFCHECK), "serve", str(data_dir), "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"selfcheck serve did not start: {server.stderr.read().decode(errors='replace')}") from None
            time.sleep(0.05)


def folder_of_parties(directory: Path, count: int) -> list[str]:
    """``count`` answers files, copies of Albania's under other Party names: one per client."""
    names = []
    text = ALBANIA.read_text(encoding="utf-8")
    for index in range(count):
        name = f"party-{index:02d}"
        (directory / f"{name}.yaml").write_text(
            text.replace('party: "Albania"', f'party: "Party {index:02d}"').replace("party: Albania", f"party: Party {index:02d}"), encoding="utf-8"
        )
        names.append(name)
    return names


def timed_gets(client: httpx.Client, path: str, rounds: int) -> list[float]:
    """The time of each of ``rounds`` requests for ``path``, one after the other; each must answer 200."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return times


def warm_latencies(url: str, name: str, rounds: int) -> dict:
    """One client alone: the questionnaire page, and save -> results, once the server is warm."""
    with httpx.Client(base_url=url, follow_redirects=False, timeout=60) as client:
        for _ in range(3):
            client.get(f"/answers/{name}/chapters/{CHAPTER}")
        pages = timed_gets(client, f"/answers/{name}/chapters/{CHAPTER}", rounds)
        saves = []
        for index in range(max(5, rounds // 2)):
            fields = changed(form_of(client.get(f"/answers/{name}/chapters/{CHAPTER}").text), **{SOURCE: f"warm save {index}"})
            start = time.perf_counter()
            saved = client.post(f"/answers/{name}/chapters/{CHAPTER}", content=urlencode(fields), headers=FORM)
            results = client.get(saved.headers["location"])
            saves.append(time.perf_counter() - start)
            assert saved.status_code == 303 and results.status_code == 200 and f"warm save {index}" in results.text
        follow_up = follow_up_latencies(client, name, rounds)
        client.get("/")
        starts = timed_gets(client, "/", rounds)
    return {
        "start_p50": statistics.median(starts),
        "start_p99": percentile(starts, 0.99),
        "starts": len(starts),
        "page_p50": statistics.median(pages),
        "page_p99": percentile(pages, 0.99),
        "save_p50": statistics.median(saves),
        "save_max": max(saves),
        "pages": len(pages),
        "saves": len(saves),
        **follow_up,
    }


def follow_up_latencies(client: httpx.Client, name: str, rounds: int) -> dict:
    """The follow-up page (every recommendation with its form and its check against the rules), and a
    recommendation's save -> that page, once started and warm."""
    page = f"/answers/{name}/follow-up"
    started = client.post(page, content=urlencode(form_of(client.get(page).text, "start-follow-up")), headers=FORM)
    assert started.status_code == 303
    for _ in range(3):
        client.get(page)
    pages = timed_gets(client, page, rounds)
    saves = []
    for index in range(max(5, rounds // 2)):
        fields = changed(form_of(client.get(f"{page}?chapter=IV").text, "follow-up-form"), **{"lead.IV-4": f"Ministry {index}"})
        start = time.perf_counter()
        saved = client.post(f"{page}/chapters/IV", content=urlencode(fields), headers=FORM)
        shown = client.get(saved.headers["location"])
        saves.append(time.perf_counter() - start)
        assert saved.status_code == 303 and shown.status_code == 200 and f"Ministry {index}" in shown.text
    return {
        "follow_up_p50": statistics.median(pages),
        "follow_up_p99": percentile(pages, 0.99),
        "follow_up_save_p50": statistics.median(saves),
        "follow_up_save_max": max(saves),
        "follow_up_pages": len(pages),
        "follow_up_saves": len(saves),
    }


async def _client(url: str, name: str, until: float, rng: random.Random, samples: dict, statuses: dict) -> None:
    kinds, weights = zip(*MIX.items(), strict=False)
    async with httpx.AsyncClient(base_url=url, follow_redirects=False, timeout=60) as client:
        page = await client.get(f"/answers/{name}/chapters/{CHAPTER}")  # the session cookie and a first form
        fields = form_of(page.text)
        count = 0
        while time.monotonic() < until:
            kind = rng.choices(kinds, weights)[0]
            start = time.perf_counter()
            if kind == "save":
                count += 1
                response = await client.post(
                    f"/answers/{name}/chapters/{CHAPTER}", content=urlencode(changed(fields, **{SOURCE: f"load save {count}"})), headers=FORM
                )
                samples.setdefault("save: the POST", []).append(time.perf_counter() - start)
                if response.status_code == 303:
                    statuses[303] = statuses.get(303, 0) + 1
                    following = time.perf_counter()
                    response = await client.get(response.headers["location"])
                    samples.setdefault("save: the results page after it", []).append(time.perf_counter() - following)
            else:
                path = {"questionnaire": f"/answers/{name}/chapters/{CHAPTER}", "start": "/", "static": "/static/style.css", "factsheet": f"/factsheet/{name}"}[
                    kind
                ]
                response = await client.get(path)
            samples.setdefault("save -> results" if kind == "save" else kind, []).append(time.perf_counter() - start)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if kind in ("questionnaire", "save") and 'id="questionnaire"' in response.text:
                fields = form_of(response.text)  # the next save starts from the answers just shown, as a person's would


def mixed_load(url: str, names: list[str], seconds: float) -> dict:
    samples: dict[str, list[float]] = {}
    statuses: dict[int, int] = {}
    until = time.monotonic() + seconds

    async def run():
        await asyncio.gather(*(_client(url, name, until, random.Random(index), samples, statuses) for index, name in enumerate(names)))

    started = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - started
    every = [s for kind, times in samples.items() if kind != "save -> results" for s in times]  # a save's two requests count one by one
    return {
        "clients": len(names),
        "seconds": elapsed,
        "requests": len(every),
        "per_s": len(every) / elapsed,
        "statuses": statuses,
        "p50": statistics.median(every),
        "p99": percentile(every, 0.99),
        "max": max(every),
        "kinds": {kind: (len(s), statistics.median(s), percentile(s, 0.99)) for kind, s in sorted(samples.items())},
        "server_errors": sum(count for status, count in statuses.items() if status >= 500),
    }


def memory_of(pid: int) -> tuple[int, int]:
    """The resident memory of a server now and at its peak, in KiB: of its workers, summed, if it has any."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    now = peak = 0
    for process in [int(child) for child in children] or [pid]:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{process}/status").read_text().splitlines() if ":" in line)
        now, peak = now + int(fields["VmRSS"].split()[0]), peak + int(fields["VmHWM"].split()[0])
    return now, peak


def web_load(scratch: Path, clients: int = 50, seconds: float = 30, rounds: int = 50, workers: int = 1) -> dict:
    data_dir = scratch / f"web-load-{workers}"
    data_dir.mkdir()
    names = folder_of_parties(data_dir, clients)
    shutil.copy(ALBANIA, data_dir / "albania.yaml")
    server, url = start_server(data_dir, workers)
    try:
        warm = warm_latencies(url, "albania", rounds)
        load = mixed_load(url, names, seconds)
        load["memory"] = memory_of(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {"warm": warm, "load": load}


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        figures = web_load(
            Path(scratch),
            clients=int(sys.argv[1]) if len(sys.argv) > 1 else 50,
            seconds=float(sys.argv[2]) if len(sys.argv) > 2 else 30,
            workers=int(sys.argv[3]) if len(sys.argv) > 3 else 1,
        )
    print(re.sub(r"(\d+\.\d{4})\d+", r"\1", repr(figures)))
