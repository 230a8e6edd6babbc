"""The benchmark script keeps working (its figures are read in bench/RESULTS.md, never asserted here)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_the_benchmark_runs_end_to_end_on_tiny_sizes_and_reports_every_measure(tmp_path):
    output = tmp_path / "RESULTS.md"
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--output", str(output)], check=True, capture_output=True, timeout=300)
    report = output.read_text(encoding="utf-8")
    for heading in (
        "Per-assessment latency",
        "Cold start",
        "Web questionnaire",
        "The team's gate",
        "Memory over many assessments",
        "Scaling with the rulebook",
    ):
        assert f"## {heading}" in report
    assert "ratio durable / reference" in report and "CPU:" in report
    assert "save → results" in report and "every request" in report and "follow-up save → that page" in report
