"""Law over time: amendments carry their dates, and --as-of takes the law as in force on a day."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ALBANIA, ROOT, ROUND, run_selfcheck
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import Amendment, apply, load_amendment, overlay, render_amendment
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.rules import rulebooks
from strategies import answer_to, answer_values, answers_from

QUESTIONNAIRE = rounds.questionnaire(ROUND)
RULEBOOK = rulebooks.rulebook(ROUND)
HABITUAL_RESIDENTS = ROOT / "questionnaires" / ROUND / "amendments" / "albania-jurisdiction-habitual-residents.yaml"
NEXT_YEAR = datetime.date(datetime.date.today().year + 1, 1, 1)
DAY = datetime.timedelta(days=1)


def dated_bill(directory: Path, adopted: datetime.date | None = None, in_force: datetime.date | None = None, until: datetime.date | None = None) -> Path:
    """The habitual-residence bill of the shipped examples, with dates, applying to Albania's answers."""
    dates = "".join(f"{key}: {day}\n" for key, day in (("adopted", adopted), ("in_force", in_force), ("in_force_until", until)) if day)
    text = HABITUAL_RESIDENTS.read_text().replace("applies_to: ../parties/albania.yaml", f"{dates}applies_to: {ALBANIA}")
    path = directory / "habitual-residents-dated.yaml"
    path.write_text(text)
    return path


def assessed(*args) -> dict:
    result = run_selfcheck("assess", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_bill_in_force_next_year_resolves_iv_4_only_from_that_day(tmp_path):
    bill = dated_bill(tmp_path, adopted=datetime.date.today(), in_force=NEXT_YEAR)
    before = assessed(ALBANIA, "--amend", bill, "--as-of", NEXT_YEAR - DAY)
    after = assessed(ALBANIA, "--amend", bill, "--as-of", NEXT_YEAR)
    assert {"IV-4", "IV-5"} <= {f["id"] for f in before["recommendations"]}
    assert {"IV-4", "IV-5"}.isdisjoint(f["id"] for f in after["recommendations"])
    assert before["provenance"]["law_as_of"] == str(NEXT_YEAR - DAY) and after["provenance"]["law_as_of"] == str(NEXT_YEAR)
    assert before["provenance"]["amendments"] == []
    [pending] = before["provenance"]["amendments_not_in_force"]
    assert pending["state"] == "adopted_not_in_force" and pending["in_force"] == str(NEXT_YEAR)
    assert pending["amendment"].startswith("Jurisdiction over sexual offences against children")
    assert after["provenance"]["amendments_not_in_force"] == [] and len(after["provenance"]["amendments"]) == 1


def test_the_text_summary_names_the_date_and_lists_the_bill_adopted_but_not_yet_in_force(tmp_path):
    bill = dated_bill(tmp_path, adopted=datetime.date.today(), in_force=NEXT_YEAR)
    result = run_selfcheck("assess", bill, "--as-of", NEXT_YEAR - DAY)
    text = " ".join(result.stdout.split())
    assert f"the law as in force on {(NEXT_YEAR - DAY):%d.%m.%Y}" in text
    assert "not applied: Jurisdiction over sexual offences" in text
    assert f"adopted on {datetime.date.today():%d.%m.%Y}, in force from {NEXT_YEAR:%d.%m.%Y}, not yet on {(NEXT_YEAR - DAY):%d.%m.%Y}" in text


def test_without_as_of_every_amendment_given_applies_whatever_its_dates(tmp_path):
    bill = dated_bill(tmp_path, adopted=datetime.date.today(), in_force=NEXT_YEAR)
    assessment = assessed(ALBANIA, "--amend", bill)
    assert "IV-4" not in {f["id"] for f in assessment["recommendations"]}
    assert assessment["provenance"]["law_as_of"] is None and assessment["provenance"]["amendments_not_in_force"] == []


def test_a_bill_is_no_longer_applied_from_its_in_force_until_date_and_an_undated_draft_never_on_a_date(tmp_path):
    bill = dated_bill(tmp_path, adopted=datetime.date(2020, 1, 1), in_force=datetime.date(2021, 1, 1), until=datetime.date(2023, 1, 1))
    assert "IV-4" not in {f["id"] for f in assessed(bill, "--as-of", "2022-12-31")["recommendations"]}
    gone = assessed(bill, "--as-of", "2023-01-01")
    assert "IV-4" in {f["id"] for f in gone["recommendations"]}
    assert gone["provenance"]["amendments_not_in_force"][0]["state"] == "no_longer_in_force"
    draft = assessed(HABITUAL_RESIDENTS, "--as-of", "2030-01-01")
    assert "IV-4" in {f["id"] for f in draft["recommendations"]}
    assert draft["provenance"]["amendments_not_in_force"][0]["state"] == "not_adopted"


def test_report_explain_and_diff_take_the_law_as_of_a_date(tmp_path):
    bill = dated_bill(tmp_path, adopted=datetime.date.today(), in_force=NEXT_YEAR)
    report = run_selfcheck("report", bill, "--as-of", NEXT_YEAR - DAY)
    assert report.returncode == 0, report.stderr
    provenance = " ".join(report.stdout.split())
    assert f"The law is taken as in force on {(NEXT_YEAR - DAY):%d.%m.%Y}; not applied: Jurisdiction over" in provenance
    assert (
        "to establish jurisdiction over offences established under the Lanzarote Convention committed abroad by persons who have their habitual residence in Albania"
        in provenance
    )
    explained = json.loads(run_selfcheck("explain", bill, "IV-4", "--as-of", NEXT_YEAR, "--format", "json").stdout)
    assert explained["fires"] is False and explained["provenance"]["law_as_of"] == str(NEXT_YEAR)
    text = run_selfcheck("explain", bill, "IV-4", "--as-of", NEXT_YEAR - DAY).stdout
    assert text.startswith("IV-4 fires for Albania") and f"the law as in force on {(NEXT_YEAR - DAY):%d.%m.%Y}" in text
    before = json.loads(run_selfcheck("diff", ALBANIA, bill, "--as-of", NEXT_YEAR - DAY, "--format", "json").stdout)
    after = json.loads(run_selfcheck("diff", ALBANIA, bill, "--as-of", NEXT_YEAR, "--format", "json").stdout)
    assert before["resolved"] == [] and before["law_as_of"] == str(NEXT_YEAR - DAY)
    assert before["amendments_not_in_force"][0]["state"] == "adopted_not_in_force"
    assert [entry["id"] for entry in after["resolved"]] == ["IV-4", "IV-5"] and after["amendments_not_in_force"] == []
    shown = run_selfcheck("diff", ALBANIA, bill, "--as-of", NEXT_YEAR - DAY).stdout
    assert f"LAW   the law as in force on {(NEXT_YEAR - DAY):%d.%m.%Y}" in shown and "not amended by Jurisdiction over" in shown


def test_a_bill_resting_on_a_bill_not_yet_in_force_applies_alone(tmp_path):
    first = dated_bill(tmp_path, adopted=datetime.date(2024, 1, 1), in_force=datetime.date(2026, 1, 1))
    second = tmp_path / "second.yaml"
    second.write_text(
        f"title: Dual criminality\nreference: Law 2/2024\ndate: 2024-02-01\nadopted: 2024-03-01\nin_force: 2024-04-01\napplies_to: {first}\n"
        "changes:\n"
        + "".join(
            f"  jurisdiction.dual_criminality.{group}: {{value: no, note: Art. 6(3)}}\n"
            for group in ("sexual_abuse", "child_prostitution", "production", "pornographic_performances")
        )
    )
    ids = {f["id"] for f in assessed(second, "--as-of", "2025-01-01")["recommendations"]}
    assert "IV-6" not in ids and "IV-4" in ids


BAD_DATES = [
    ("in force before adoption", "adopted: 2024-05-01\nin_force: 2024-04-30\n", "expected in_force on or after adopted (2024-05-01), got 2024-04-30", 5),
    ("in force without adoption", "in_force: 2024-04-30\n", "an in_force date needs the adopted date too", 4),
    (
        "until before in force",
        "adopted: 2024-01-01\nin_force: 2024-02-01\nin_force_until: 2024-02-01\n",
        "expected in_force_until after in_force (2024-02-01)",
        6,
    ),
    ("until without in force", "adopted: 2024-01-01\nin_force_until: 2025-01-01\n", "an in_force_until date needs the in_force date too", 5),
    ("a date that is not a date", "adopted: next week\n", "expected a date written YYYY-MM-DD, got 'next week'", 4),
]


@pytest.mark.parametrize("name, dates, fragment, line", BAD_DATES, ids=[case[0] for case in BAD_DATES])
def test_wrong_dates_of_a_bill_get_one_message_naming_the_file_and_line(tmp_path, name, dates, fragment, line):
    path = tmp_path / "bill.yaml"
    path.write_text(
        f"title: A bill\nreference: Law 1/2024\ndate: 2024-01-31\n{dates}applies_to: {ALBANIA}\nchanges:\n  legal.csam_terminology: {{value: yes, note: x}}\n"
    )
    for args in (("validate", path), ("assess", ALBANIA, "--amend", path, "--as-of", "2025-01-01")):
        result = run_selfcheck(*args)
        message = result.stderr.strip()
        assert result.returncode == 2 and len(message.splitlines()) == 1 and "Traceback" not in message, message
        assert message.startswith(f"selfcheck: {path}:{line}:") and fragment in message, message


def test_a_date_given_to_as_of_that_is_not_a_date_is_refused_with_exit_2():
    result = run_selfcheck("assess", ALBANIA, "--as-of", "2026-02-30")
    assert result.returncode == 2 and "--as-of" in result.stderr and "Traceback" not in result.stderr


def test_a_written_amendment_keeps_its_dates(tmp_path):
    amendment = load_amendment(dated_bill(tmp_path, datetime.date(2024, 1, 1), datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)), QUESTIONNAIRE)
    path = tmp_path / "again.yaml"
    path.write_text(render_amendment(amendment, tmp_path))
    again = load_amendment(path, QUESTIONNAIRE)
    assert (again.adopted, again.in_force, again.in_force_until) == (datetime.date(2024, 1, 1), datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
    assert again.model_dump(exclude={"file"}) == amendment.model_dump(exclude={"file"})


# -- the property ---------------------------------------------------------------------------------------

DAYS = st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31))


@st.composite
def dated_amendments(draw) -> Amendment:
    """A bill changing a few answers, with any consistent dates, or none (a draft)."""
    questions = draw(st.lists(st.sampled_from(sorted(QUESTIONNAIRE.questions)), min_size=1, max_size=6, unique=True))
    changes = {q: draw(answer_to(QUESTIONNAIRE.question(q))) for q in questions}
    adopted = draw(st.none() | DAYS)
    in_force = draw(st.none() | st.dates(adopted, adopted + datetime.timedelta(days=900))) if adopted else None
    until = draw(st.none() | st.dates(in_force + DAY, in_force + datetime.timedelta(days=2000))) if in_force else None
    return Amendment(
        title="A generated bill",
        reference="No. 1",
        date=datetime.date(2019, 1, 1),
        adopted=adopted,
        in_force=in_force,
        in_force_until=until,
        applies_to=Path("generated.yaml"),
        changes=changes,
        notes={q: "a provision" for q in changes},
    )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@given(values=answer_values(QUESTIONNAIRE), bills=st.lists(dated_amendments(), max_size=3), day=DAYS)
def test_assessing_as_of_a_day_equals_assessing_with_exactly_the_amendments_in_force_that_day(values, bills, day):
    base = answers_from(values, QUESTIONNAIRE)
    as_of = base
    for bill in bills:
        as_of = overlay(as_of, bill, day)
    in_force = [b for b in bills if b.in_force is not None and b.in_force <= day and (b.in_force_until is None or day < b.in_force_until)]
    exactly = base
    for bill in in_force:
        exactly = apply(exactly, bill)
    left_aside = [b for b in bills if b not in in_force]
    one, other = assess(as_of, RULEBOOK), assess(exactly, RULEBOOK)
    assert one.recommendations == other.recommendations
    assert one.observations == other.observations
    assert [item.amendment for item in as_of.not_in_force] == [b.label for b in left_aside]
    assert all(
        item.state == "adopted_not_in_force"
        for item, b in zip(as_of.not_in_force, left_aside, strict=False)
        if b.adopted and b.adopted <= day and (b.in_force is None or day < b.in_force)
    )
