"""Amendments: validated like answers, applied in order, reversible, written back as files."""

from __future__ import annotations

import datetime
import json

import pytest

from conftest import ALBANIA, ROOT, ROUND, run_selfcheck
from selfcheck.engine.answers.amendments import Amendment, apply, invert, load_amendment, render_amendment, resolve
from selfcheck.engine.assessment.assess import assess

AMENDMENTS = ROOT / "questionnaires" / ROUND / "amendments"
HABITUAL_RESIDENTS = AMENDMENTS / "albania-jurisdiction-habitual-residents.yaml"
DUAL_CRIMINALITY = AMENDMENTS / "albania-dual-criminality-article-25-4.yaml"
HEAD = f"title: A bill\nreference: Draft law 1/2024\ndate: 2024-01-31\napplies_to: {ALBANIA}\n"

# (name, content, fragment the message must contain, line it must name)
BAD = [
    (
        "an unknown question",
        HEAD + "changes:\n  jurisdiction.habitual_resident_abroad: {value: yes, note: Art. 6}\n",
        "did you mean 'jurisdiction.habitual_residents_abroad'",
        6,
    ),
    (
        "a wrong type",
        HEAD + "changes:\n  jurisdiction.habitual_residents_abroad: {value: 3, note: Art. 6}\n",
        "expected one of yes, no, varies, not_provided, got 3",
        6,
    ),
    ("a change without its note", HEAD + "changes:\n  jurisdiction.habitual_residents_abroad: {value: yes}\n", "note is missing", 6),
    ("a change in short form", HEAD + "changes:\n  jurisdiction.habitual_residents_abroad: yes\n", "expected a mapping with value and note", 6),
    ("an empty note", HEAD + "changes:\n  jurisdiction.habitual_residents_abroad: {value: yes, note: ' '}\n", "expected note to be a text", 6),
    ("no changes", HEAD + "changes: {}\n", "at least one", 5),
    ("a missing title", HEAD.replace("title: A bill\n", "") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n", "the bill's title", None),
    ("a date that is not a date", HEAD.replace("2024-01-31", "soon") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n", "YYYY-MM-DD", 3),
    ("an unknown field", HEAD + "party: Albania\nchanges:\n  legal.csam_terminology: {value: yes, note: x}\n", "unknown field 'party'", 5),
    (
        "applies_to naming no file",
        HEAD.replace(str(ALBANIA), "../nowhere.yaml") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n",
        "which is not a file",
        4,
    ),
]


@pytest.mark.parametrize("name, content, fragment, line", BAD, ids=[case[0] for case in BAD])
def test_a_bad_amendment_gets_one_message_naming_the_file_and_line_and_exit_2(tmp_path, name, content, fragment, line):
    path = tmp_path / "bill.yaml"
    path.write_text(content)
    for args in (("validate", path), ("assess", path), ("assess", ALBANIA, "--amend", path), ("diff", ALBANIA, path)):
        result = run_selfcheck(*args)
        message = result.stderr.strip()
        assert result.returncode == 2, message
        assert result.stdout == "" and "Traceback" not in message and len(message.splitlines()) == 1, message
        assert message.startswith(f"selfcheck: {path}" + (f":{line}:" if line else ":")), message
        assert fragment in message, message


def test_an_amendment_that_applies_to_itself_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text(HEAD.replace(str(ALBANIA), "loop.yaml") + "changes:\n  legal.csam_terminology: {value: yes, note: x}\n")
    result = run_selfcheck("assess", path)
    assert result.returncode == 2 and "leads back to" in result.stderr


def test_every_shipped_amendment_is_valid_and_names_its_bill():
    shipped = sorted(AMENDMENTS.glob("*.yaml"))
    assert len(shipped) >= 3
    for path in shipped:
        result = run_selfcheck("validate", path)
        assert result.returncode == 0, result.stderr
        assert "valid amendment" in result.stdout and "of Albania" in result.stdout


def test_assess_with_an_amendment_drops_its_recommendations_and_records_the_bill():
    result = run_selfcheck("assess", ALBANIA, "--amend", HABITUAL_RESIDENTS, "--format", "json")
    assert result.returncode == 0, result.stderr
    assessment = json.loads(result.stdout)
    ids = {f["id"] for f in assessment["recommendations"]}
    assert {"IV-4", "IV-5"}.isdisjoint(ids) and len(ids) == 92
    assert assessment["provenance"]["amendments"][0].startswith("Jurisdiction over sexual offences against children")


def test_several_amendments_apply_in_order_and_an_amendment_file_assesses_as_what_it_stands_for():
    both = json.loads(run_selfcheck("assess", ALBANIA, "--amend", HABITUAL_RESIDENTS, "--amend", DUAL_CRIMINALITY, "--format", "json").stdout)
    assert {"IV-4", "IV-5", "IV-6"}.isdisjoint(f["id"] for f in both["recommendations"])
    assert len(both["provenance"]["amendments"]) == 2
    alone = json.loads(run_selfcheck("assess", HABITUAL_RESIDENTS, "--format", "json").stdout)
    direct = json.loads(run_selfcheck("assess", ALBANIA, "--amend", HABITUAL_RESIDENTS, "--format", "json").stdout)
    assert alone == direct


def test_the_text_summary_says_which_bill_it_assumes():
    result = run_selfcheck("assess", ALBANIA, "--amend", DUAL_CRIMINALITY)
    assert "as amended by Removing dual criminality" in result.stdout


def test_an_amendment_may_rest_on_another_amendment(tmp_path):
    path = tmp_path / "second.yaml"
    path.write_text(
        HEAD.replace(str(ALBANIA), str(HABITUAL_RESIDENTS)) + "changes:\n  jurisdiction.dual_criminality.sexual_abuse: {value: no, note: Art. 6(3)}\n"
    )
    resolved = resolve(path)
    assert resolved.answers_file == ALBANIA
    assert [a.title for a in resolved.amendments] == ["Jurisdiction over sexual offences against children committed abroad by habitual residents", "A bill"]


def test_reversing_an_amendment_restores_the_answers_assessment(tmp_path, rulebook, albania):
    result = run_selfcheck("invert", HABITUAL_RESIDENTS, "-o", tmp_path / "reversal.yaml")
    assert result.returncode == 0, result.stderr
    reversal = resolve(tmp_path / "reversal.yaml")
    assert reversal.answers_file == ALBANIA and len(reversal.amendments) == 2
    assert reversal.amendments[1].changes == {
        "jurisdiction.habitual_residents_abroad": "no",
        "jurisdiction.habitual_residents_abroad_threshold": "not_provided",
        "jurisdiction.victim_report_required.nationals": "not_provided",
        "jurisdiction.victim_report_required.habitual_residents": "not_provided",
    }
    assert assess(reversal.answers, rulebook).recommendations == assess(albania, rulebook).recommendations


def test_a_written_amendment_reads_back_the_same(tmp_path, questionnaire, albania):
    amendment = Amendment(
        title='A "quoted" bill: with # and a colon',
        reference="No. 12/2024",
        date=datetime.date(2024, 2, 29),
        applies_to=ALBANIA,
        changes={
            "legal.csam_terminology": "yes",
            "legal.age_of_criminal_responsibility": 16,
            "legal.extortion.offences.images": ("specific_offence", "both_offences"),
            "professionals.equipped_to_identify": ("education", "health"),
            "research.data_mechanism": "not_provided",
            "education.subject": "true",
            "cooperation.project_partners": "Projects with ECPAT: 2024-01-01, 50% funded; 'null'",
        },
        notes={},
    )
    amendment = amendment.model_copy(update={"notes": {q: f"Art. {i}: note" for i, q in enumerate(amendment.changes)}})
    path = tmp_path / "sub" / "bill.yaml"
    path.parent.mkdir()
    path.write_text(render_amendment(amendment, path.parent, ["a comment"]))
    again = load_amendment(path, questionnaire)
    assert again.model_dump(exclude={"file"}) == amendment.model_dump(exclude={"file"})
    assert apply(albania, again).value("legal.age_of_criminal_responsibility") == 16


def test_the_inverse_of_an_amendment_is_an_amendment_of_it(albania):
    amendment = resolve(HABITUAL_RESIDENTS).amendments[0]
    reversal = invert(amendment, albania)
    assert reversal.applies_to == HABITUAL_RESIDENTS
    assert set(reversal.changes) == set(amendment.changes) and all(reversal.notes.values())


def test_an_amendment_that_would_not_read_back_as_given_is_refused_before_anything_is_written(monkeypatch, tmp_path, questionnaire):
    import selfcheck.engine.answers.amendments as amendments
    from selfcheck.engine.common.errors import EngineError

    amendment = load_amendment(HABITUAL_RESIDENTS, questionnaire)
    assert amendments.amendment_text(amendment, questionnaire, (), tmp_path / "a.yaml")  # the real writer reads back
    dropping_notes = lambda *args: render_amendment(*args).replace("note:", "# note:")  # noqa: E731
    monkeypatch.setattr(amendments, "render_amendment", dropping_notes)
    with pytest.raises(EngineError, match="would not read back as given"):
        amendments.amendment_text(amendment, questionnaire, (), tmp_path / "a.yaml")
    assert list(tmp_path.iterdir()) == []
