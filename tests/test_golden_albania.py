"""The golden: assessing Albania's answers reproduces the published factsheet's recommendations."""

from __future__ import annotations

import json
import re

from conftest import ALBANIA, ROOT, ROUND, run_selfcheck
from selfcheck.engine.common.safe_files import read_document

PUBLISHED = ROOT / "questionnaires" / ROUND / "published"


def _published(party: str) -> set[tuple[str, str, str]]:
    data = read_document(PUBLISHED / f"{party}.yaml").data
    return {(item["id"], item["level"], item["block"]) for item in data["recommendations"]}


def _difference(expected: set, got: set) -> str:
    lines = [f"missing {i} {level} ({block})" for i, level, block in sorted(expected - got)]
    lines += [f"unexpected {i} {level} ({block})" for i, level, block in sorted(got - expected)]
    return "\n".join(lines)


def test_albania_assessment_lists_exactly_the_published_recommendations():
    result = run_selfcheck("assess", ALBANIA, "--format", "json")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["recommendations"]
    got = {(f["id"], f["level"], f["block"]) for f in findings}
    expected = _published("albania")
    assert got == expected, "\n" + _difference(expected, got)
    assert len(findings) == len(got) == 94


def test_the_published_list_names_exactly_the_ids_the_factsheet_cites():
    text = (PUBLISHED / "albania-factsheet.txt").read_text(encoding="utf-8")
    cited = {rule_id for line in text.splitlines() if "Recommendation" in line for rule_id in re.findall(r"\b[IVX]+-\d+\b", line)}
    listed = {item[0] for item in _published("albania")}
    assert cited == listed, f"cited but not listed: {sorted(cited - listed)}; listed but not cited: {sorted(listed - cited)}"


def test_albania_answers_cite_the_factsheet_for_every_answer():
    answers = read_document(ALBANIA).data["answers"]
    unsourced = [q for q, a in answers.items() if not (isinstance(a, dict) and a.get("source"))]
    assert not unsourced, f"answers without a source: {unsourced}"
    assert answers["legal.age_of_criminal_responsibility"]["value"] == 14


def test_no_draft_fires_for_albania_even_when_drafts_are_asked_for():
    plain = json.loads(run_selfcheck("assess", ALBANIA, "--format", "json").stdout)["recommendations"]
    with_drafts = json.loads(run_selfcheck("assess", ALBANIA, "--format", "json", "--include-draft").stdout)["recommendations"]
    assert [f["id"] for f in with_drafts] == [f["id"] for f in plain]
    assert not any(f["draft"] for f in with_drafts)
