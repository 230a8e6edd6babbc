"""The follow-up of the recommendations: the file, its check against the rules, the reports, the workbook."""

from __future__ import annotations

import datetime
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_law_over_time import DAY, NEXT_YEAR, dated_bill

from conftest import ALBANIA, ROUND, run_selfcheck
from selfcheck.engine.answers.amendments import resolve
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.follow_up.follow_up_file import STATUSES, FollowUp, Measure, follow_up_from, read_follow_up, render_follow_up
from selfcheck.engine.follow_up.workbook import read_workbook, render_workbook, workbook_from_bytes
from selfcheck.engine.rules import rulebooks

RULEBOOK = rulebooks.rulebook(ROUND)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NO_LIBREOFFICE = "LibreOffice is not installed (no soffice or libreoffice on PATH): run scripts/ensure-system-packages as root"
ALBANIA_FOLLOW_UP = follow_up_from(assess(resolve(ALBANIA).answers, RULEBOOK))


def write(path: Path, follow_up: FollowUp) -> Path:
    path.write_text(render_follow_up(follow_up, RULEBOOK))
    return path


def declared(follow_up: FollowUp, **by_id: dict) -> FollowUp:
    """The follow-up with what the Party declares for some recommendations (ids with _ for -)."""
    items = [item.model_copy(update=by_id.get(item.id.replace("-", "_"), {})) for item in follow_up.recommendations]
    return follow_up.model_copy(update={"recommendations": tuple(items)})


def status(*args) -> tuple[subprocess.CompletedProcess, dict | None]:
    result = run_selfcheck("follow-up", "status", *args, "--format", "json")
    return result, json.loads(result.stdout) if result.stdout else None


def item_of(report: dict, item_id: str) -> dict:
    return next(item for item in report["items"] if item["id"] == item_id)


@pytest.fixture(scope="module")
def initialised(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("follow-up") / "albania-follow-up.yaml"
    result = run_selfcheck("follow-up", "init", ALBANIA, "-o", path)
    assert result.returncode == 0, result.stderr
    assert "94 recommendations to Albania (13 require, 12 request, 69 invite), all open" in result.stderr
    return path


# -- init -----------------------------------------------------------------------------------------------


def test_init_lists_albanias_94_recommendations_open_with_the_committees_words(initialised):
    follow_up = read_follow_up(initialised)
    assessment = assess(resolve(ALBANIA).answers, RULEBOOK)
    assert [item.id for item in follow_up.recommendations] == assessment.ids() and len(follow_up.recommendations) == 94
    for item, finding in zip(follow_up.recommendations, assessment.recommendations, strict=True):
        assert (item.level, item.block, item.chapter, item.text, item.citations) == (
            finding.level,
            finding.block,
            finding.chapter,
            finding.text,
            finding.citations,
        )
        assert (item.status, item.lead, item.deadline, item.measures, item.note, item.reason) == ("open", "", None, (), "", "")
    assert follow_up.drawn_from.answers_as_of == datetime.date(2022, 3, 10) and follow_up.drawn_from.rulebook_sha256 == RULEBOOK.digest
    assert initialised.read_text().startswith("# Follow-up of the Lanzarote Committee's recommendations to Albania: the Party's own account")


def test_init_never_writes_over_an_existing_file_nor_over_its_input(initialised, tmp_path):
    before = initialised.read_bytes()
    again = run_selfcheck("follow-up", "init", ALBANIA, "-o", initialised)
    assert again.returncode == 2 and initialised.read_bytes() == before
    assert again.stderr.strip() == f"selfcheck: {initialised}: already exists; selfcheck never writes over another file: give a new name"
    answers = tmp_path / "answers.yaml"
    answers.write_bytes(ALBANIA.read_bytes())
    over_input = run_selfcheck("follow-up", "init", answers, "-o", answers)
    assert over_input.returncode == 2 and answers.read_bytes() == ALBANIA.read_bytes()
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "nowhere.yaml")
    assert run_selfcheck("follow-up", "init", ALBANIA, "-o", link).returncode == 2 and not (tmp_path / "nowhere.yaml").exists()


def test_init_without_o_prints_the_file(initialised):
    result = run_selfcheck("follow-up", "init", ALBANIA)
    assert result.returncode == 0 and result.stdout == initialised.read_text()


# -- status: the "done when" scenario -------------------------------------------------------------------


def test_a_bill_in_force_next_year_leaves_iv_4_open_the_day_before_and_resolves_it_the_day_after(initialised, tmp_path):
    bill = dated_bill(tmp_path, adopted=datetime.date.today(), in_force=NEXT_YEAR)
    before, shown_before = status(initialised, "--answers", ALBANIA, "--amend", bill, "--as-of", NEXT_YEAR - DAY)
    after, shown_after = status(initialised, "--answers", ALBANIA, "--amend", bill, "--as-of", NEXT_YEAR)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    iv_4 = item_of(shown_before, "IV-4")
    assert iv_4["rules_apply"] is True and iv_4["flags"] == [] and iv_4["status"] == "open"
    assert shown_before["provenance"]["amendments_not_in_force"][0]["state"] == "adopted_not_in_force"
    iv_4 = item_of(shown_after, "IV-4")
    assert iv_4["rules_apply"] is False and [a["question"] for a in iv_4["resolved_by"]] == [
        "jurisdiction.habitual_residents_abroad",
        "jurisdiction.habitual_residents_abroad_threshold",
    ]
    [flag] = iv_4["flags"]
    assert flag["kind"] == "resolved_still_open" and flag["category"] == "inconsistent"
    assert flag["text"].startswith("resolved by the answers (S12.3 “Do you establish jurisdiction over offences established under the Convention committed")
    assert "” answered yes, from Jurisdiction over sexual offences" in flag["text"] and "jurisdiction.habitual_residents_abroad" not in flag["text"]
    assert flag["text"].endswith("still declared open")
    text = run_selfcheck("follow-up", "status", initialised, "--answers", ALBANIA, "--amend", bill, "--as-of", NEXT_YEAR).stdout
    assert f"checked on {NEXT_YEAR:%d.%m.%Y}; the law as in force on {NEXT_YEAR:%d.%m.%Y}" in text and "IV-4    require  Open" in text


def test_a_recommendation_declared_implemented_while_its_rule_still_fires_is_flagged_and_fails_on_inconsistent(tmp_path):
    path = write(tmp_path / "follow-up.yaml", declared(ALBANIA_FOLLOW_UP, IV_6={"status": "implemented"}, III_30={"status": "implemented"}))
    result, shown = status(path, "--answers", ALBANIA)
    assert result.returncode == 0
    [flag] = item_of(shown, "IV-6")["flags"]
    assert flag["kind"] == "still_applies" and flag["category"] == "inconsistent"
    assert (
        flag["text"].startswith("declared implemented, but the rules still apply it because S12.")
        and "must the act also be punishable where it was committed?” answered yes" in flag["text"]
        and "jurisdiction." not in flag["text"]
    )
    # addressed to all Parties whatever they answer: the rules cannot tell, so they do not contradict
    assert item_of(shown, "III-30")["flags"] == [] and item_of(shown, "III-30")["addressed_to_all"] is True
    failed = run_selfcheck("follow-up", "status", path, "--answers", ALBANIA, "--fail-on", "inconsistent")
    assert failed.returncode == 1 and failed.stderr.strip() == "selfcheck: --fail-on inconsistent: IV-6"
    assert run_selfcheck("follow-up", "status", path, "--answers", ALBANIA, "--fail-on", "overdue").returncode == 0


def test_a_recommendation_declared_implemented_that_the_rules_no_longer_apply_is_not_flagged(tmp_path):
    path = write(
        tmp_path / "follow-up.yaml", declared(ALBANIA_FOLLOW_UP, IV_4={"status": "implemented"}, IV_5={"status": "not_applicable", "reason": "Repealed."})
    )
    bill = dated_bill(tmp_path, adopted=datetime.date(2024, 1, 1), in_force=datetime.date(2024, 6, 1))
    result, shown = status(path, "--answers", bill, "--as-of", "2024-06-01", "--fail-on", "inconsistent")
    assert result.returncode == 0, result.stderr
    assert item_of(shown, "IV-4")["flags"] == item_of(shown, "IV-5")["flags"] == []


def test_a_passed_deadline_is_overdue_unless_implemented_and_fails_on_overdue(tmp_path):
    path = write(
        tmp_path / "follow-up.yaml",
        declared(
            ALBANIA_FOLLOW_UP,
            II_6={"status": "in_progress", "deadline": datetime.date(2025, 6, 30), "lead": "Ministry of Justice"},
            II_8={"status": "implemented", "deadline": datetime.date(2025, 6, 30)},
            II_9={"deadline": datetime.date(2025, 7, 1)},
        ),
    )
    result, shown = status(path, "--answers", ALBANIA, "--as-of", "2025-07-01")
    [flag] = item_of(shown, "II-6")["flags"]
    assert flag == {"kind": "overdue", "category": "overdue", "text": "deadline 30.06.2025 passed on 01.07.2025, still declared in progress"}
    assert not [f for f in item_of(shown, "II-8")["flags"] if f["kind"] == "overdue"]
    assert item_of(shown, "II-9")["flags"] == []  # due that very day: not yet passed
    assert shown["flags"]["overdue"] == 1
    failed = run_selfcheck("follow-up", "status", path, "--answers", ALBANIA, "--as-of", "2025-07-01", "--fail-on", "overdue")
    assert failed.returncode == 1 and failed.stderr.strip() == "selfcheck: --fail-on overdue: II-6"


def test_a_measure_not_yet_in_force_is_noted_and_inconsistent_only_under_implemented(tmp_path):
    law = Measure(what="Law No. 12/2025 adds Article 6/a", act="Law No. 12/2025", adopted=datetime.date(2025, 1, 10), in_force=datetime.date(2026, 1, 1))
    path = write(
        tmp_path / "follow-up.yaml",
        declared(ALBANIA_FOLLOW_UP, IV_4={"status": "in_progress", "measures": (law,)}, V_3={"status": "implemented", "measures": (law,)}),
    )
    _, before = status(path, "--answers", ALBANIA, "--as-of", "2025-12-31")
    [noted] = item_of(before, "IV-4")["flags"]
    assert noted["kind"] == "measure_not_in_force" and noted["category"] == "notice"
    assert noted["text"] == "measure not yet in force on 31.12.2025: Law No. 12/2025 adds Article 6/a (in force from 01.01.2026)"
    assert "inconsistent" in {f["category"] for f in item_of(before, "V-3")["flags"] if f["kind"] == "measure_not_in_force"}
    _, after = status(path, "--answers", ALBANIA, "--as-of", "2026-01-01")
    assert item_of(after, "IV-4")["flags"] == []


def test_a_recommendation_the_rules_apply_but_the_file_lacks_is_flagged(tmp_path):
    shortened = ALBANIA_FOLLOW_UP.model_copy(update={"recommendations": tuple(i for i in ALBANIA_FOLLOW_UP.recommendations if i.id != "IV-6")})
    result, shown = status(write(tmp_path / "follow-up.yaml", shortened), "--answers", ALBANIA, "--fail-on", "inconsistent")
    assert result.returncode == 1
    [missing] = shown["not_in_file"]
    assert missing["id"] == "IV-6" and missing["flags"][0]["kind"] == "not_in_file"


def test_the_summary_counts_by_level_lead_institution_and_chapter(tmp_path):
    path = write(
        tmp_path / "follow-up.yaml",
        declared(
            ALBANIA_FOLLOW_UP,
            IV_4={"status": "implemented", "lead": "Ministry of Justice"},
            IV_6={"status": "partially_implemented", "lead": "Ministry of Justice"},
            II_6={"status": "not_applicable", "reason": "Covered by Article 117.", "lead": "Ministry of Education"},
        ),
    )
    _, shown = status(path, "--answers", ALBANIA)
    require = next(t for t in shown["summary"]["by_level"] if t["name"] == "require")
    assert (require["total"], require["implemented"], require["partially_implemented"], require["remaining"], require["rules_apply"]) == (13, 1, 1, 12, 13)
    assert [t["name"] for t in shown["summary"]["by_level"]] == ["require", "request", "invite"]
    leads = {t["name"]: (t["total"], t["remaining"]) for t in shown["summary"]["by_lead"]}
    assert leads == {"Ministry of Education": (1, 0), "Ministry of Justice": (2, 1), "(no lead institution)": (91, 91)}
    chapters = {t["name"]: t["total"] for t in shown["summary"]["by_chapter"]}
    assert sum(chapters.values()) == 94 and list(chapters)[:3] == ["II", "III", "IV"]


def test_the_answers_of_another_party_are_refused(tmp_path, initialised):
    other = tmp_path / "testland.yaml"
    other.write_text("party: Testland\nround: lanzarote-2\nanswers: {}\n")
    result = run_selfcheck("follow-up", "status", initialised, "--answers", other)
    assert result.returncode == 2 and "follows up Albania" in result.stderr and result.stdout == ""


def test_status_never_writes_over_the_follow_up_or_the_answers(initialised):
    before = initialised.read_bytes()
    for target in (initialised, ALBANIA):
        result = run_selfcheck("follow-up", "status", initialised, "--answers", ALBANIA, "--format", "markdown", "-o", target)
        assert result.returncode == 2 and "which this command reads" in result.stderr
    assert initialised.read_bytes() == before


def test_word_and_workbook_need_a_file_to_go_to(initialised):
    for format in ("docx", "xlsx"):
        result = run_selfcheck("follow-up", "status", initialised, "--answers", ALBANIA, "--format", format)
        assert result.returncode == 2 and result.stdout == "" and f"give -o FILE.{format}" in result.stderr


# -- bad follow-up files ------------------------------------------------------------------------------------

HEAD = "party: Albania\nround: lanzarote-2\nrecommendations:\n  IV-4:\n    level: require\n    block: specific\n    chapter: IV\n    text: to establish jurisdiction\n    citations: {report_paras: [217]}\n"
BAD = [
    ("an unknown status", HEAD + "    status: done\n", "expected one of open, in_progress, partially_implemented, implemented, not_applicable, got 'done'", 10),
    ("not applicable without a reason", HEAD + "    status: not_applicable\n", "needs its reason", 10),
    ("a reason with another status", HEAD + "    status: open\n    reason: No cases.\n", "a reason is given only with status not_applicable", 11),
    (
        "a deadline that is not a date",
        HEAD + "    status: open\n    deadline: next spring\n",
        "expected a date written YYYY-MM-DD (or null for none), got 'next spring'",
        11,
    ),
    ("an unknown recommendation", HEAD.replace("IV-4", "IV-44") + "    status: open\n", "no recommendation 'IV-44' in lanzarote-2; did you mean 'IV-4'?", 4),
    (
        "a measure in force before its adoption",
        HEAD + "    status: open\n    measures:\n      - what: Law 1\n        adopted: 2025-02-01\n        in_force: 2025-01-01\n",
        "expected in_force on or after adopted (2025-02-01), got 2025-01-01",
        14,
    ),
    ("a measure without what was done", HEAD + "    status: open\n    measures:\n      - act: Law 1\n", "what is missing", 12),
    ("an unknown field", HEAD + "    status: open\n    owner: someone\n", "unknown field 'owner'", 11),
    ("a lead on two lines", HEAD + '    status: open\n    lead: "Ministry\\nof Justice"\n', "expected the lead institution on one line", 11),
    ("a control character", HEAD + '    status: open\n    note: "a\\u0007b"\n', "contains the control character U+0007", 11),
    ("a missing status", HEAD, "status is missing", 4),
    (
        "a level that is not a level",
        HEAD.replace("level: require", "level: demand") + "    status: open\n",
        "expected one of require, request, invite, got 'demand'",
        5,
    ),
]


@pytest.mark.parametrize("name, content, fragment, line", BAD, ids=[case[0] for case in BAD])
def test_a_bad_follow_up_file_gets_one_message_naming_the_file_and_line_and_exit_2(tmp_path, name, content, fragment, line):
    path = tmp_path / "follow-up.yaml"
    path.write_text(content)
    result = run_selfcheck("follow-up", "status", path, "--answers", ALBANIA)
    message = result.stderr.strip()
    assert result.returncode == 2 and result.stdout == "" and len(message.splitlines()) == 1 and "Traceback" not in message, message
    assert message.startswith(f"selfcheck: {path}:{line}:") and fragment in message, message


# -- the reports ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def worked_on(tmp_path_factory) -> Path:
    """Albania's follow-up with a year's work in it: statuses, leads, deadlines, measures, notes."""
    path = tmp_path_factory.mktemp("worked-on") / "follow-up.yaml"
    return write(
        path,
        declared(
            ALBANIA_FOLLOW_UP,
            IV_4={
                "status": "in_progress",
                "lead": "Ministry of Justice",
                "deadline": datetime.date(2026, 6, 30),
                "measures": (
                    Measure(
                        what="Draft law adding Article 6/a to the Criminal Code",
                        act="Law No. 12/2025",
                        adopted=datetime.date(2025, 11, 20),
                        in_force=datetime.date(2026, 7, 1),
                        reference="https://qbz.gov.al/law-12-2025",
                    ),
                ),
                "note": "Tabled in Parliament.\nSecond reading in May.",
            },
            IV_6={"status": "implemented", "lead": "Ministry of Justice"},
            II_6={"status": "not_applicable", "reason": "No child has been prosecuted for possession.", "lead": "Prosecutor General's Office"},
            IX_1={"status": "partially_implemented", "lead": "Ministère de l'Éducation", "note": '=HYPERLINK("http://evil.example","click") & «guillemets»'},
        ),
    )


def test_the_markdown_situation_report_is_the_partys_own_account_with_the_committees_words(worked_on):
    result = run_selfcheck("follow-up", "status", worked_on, "--answers", ALBANIA, "--as-of", "2026-01-15", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert report.startswith("# Situation report – Albania\n")
    assert "> **This is Albania's own account of the measures it has taken" in report and "It is not a document of the Lanzarote Committee" in report
    assert "Situation on 15.01.2026" in report
    iv_4 = report[report.index("#### Recommendation IV-4 (require)") : report.index("#### Recommendation IV-5")]
    assert "The Committee requires Albania:" in iv_4
    assert (
        "> to establish jurisdiction over offences established under the Lanzarote Convention committed abroad by persons who have their habitual residence in Albania"
        in iv_4
    )
    assert "*References: Recommendation IV-4; report para 217; Convention Art. 25(1)(e), Art. 25(3)*" in iv_4
    for line in (
        "- **Status reported by Albania:** In progress",
        "- **Lead institution:** Ministry of Justice",
        "- **Deadline:** 30.06.2026",
        "  - Draft law adding Article 6/a to the Criminal Code  \n    Law or act: Law No. 12/2025  \n    adopted 20.11.2025; in force 01.07.2026",
        "- **What remains:** The recommendation is in progress, according to Albania.",
        "- *Check against the rules:* the rules still apply it because S8.1 “Which reservations permitted by the Convention has your State made and still maintains?” "
        "not answered; S12.3 “Do you establish jurisdiction over offences established under the Convention committed abroad by persons who "
        "have their habitual residence in your territory?” answered no; "
        "measure not yet in force on 15.01.2026: Draft law adding Article 6/a to the Criminal Code (in force from 01.07.2026)",
    ):
        assert line in iv_4, line
    assert "| Ministry of Justice |2 |0 |1 |0 |1 |0 |1 |2 |" in report
    assert report.rstrip().endswith(f"rule files sha256 {RULEBOOK.digest}); the law as in force on 15.01.2026.*")


@pytest.fixture(scope="module")
def word_report(worked_on, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("word") / "situation-report.docx"
    result = run_selfcheck("follow-up", "status", worked_on, "--answers", ALBANIA, "--as-of", "2026-01-15", "--format", "docx", "-o", path)
    assert result.returncode == 0, result.stderr
    return path


def test_the_word_situation_report_is_a4_in_british_english_and_says_whose_account_it_is(word_report):
    from docx import Document

    document = Document(str(word_report))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.core_properties.language == "en-GB"
    with zipfile.ZipFile(word_report) as package:
        assert '<w:lang w:val="en-GB"' in package.read("word/styles.xml").decode()
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Situation report – Albania" and texts[2].startswith("This is Albania's own account")
    assert "Recommendation IV-4 (require)" in texts
    assert "Status reported by Albania: In progress" in texts
    assert any(t.startswith("Check against the rules: the rules still apply it because") for t in texts)
    assert len(document.tables) == 3
    assert [row.cells[0].text for row in document.tables[1].rows] == [
        "",
        "Ministry of Justice",
        "Ministère de l'Éducation",
        "Prosecutor General's Office",
        "(no lead institution)",
    ]


def test_the_word_situation_report_opens_in_libreoffice_and_converts_to_pdf(word_report, tmp_path):
    if not SOFFICE:
        pytest.skip(NO_LIBREOFFICE)
    profile = tmp_path / "profile"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(word_report)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "situation-report.pdf"
    assert pdf.exists(), result.stdout + result.stderr
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 20_000


# -- the plan of action ------------------------------------------------------------------------------------------


def test_the_plan_of_action_reads_back_identically(worked_on, tmp_path):
    workbook = tmp_path / "plan.xlsx"
    result = run_selfcheck("follow-up", "status", worked_on, "--answers", ALBANIA, "--format", "xlsx", "-o", workbook)
    assert result.returncode == 0, result.stderr
    back = tmp_path / "back.yaml"
    imported = run_selfcheck("follow-up", "import", workbook, "-o", back)
    assert imported.returncode == 0, imported.stderr
    assert back.read_text() == worked_on.read_text()
    assert run_selfcheck("follow-up", "import", workbook, "-o", back).returncode == 2, "import never writes over a file"


def test_the_plan_of_action_has_filters_a_status_list_and_a_sheet_per_lead(worked_on):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(render_workbook(read_follow_up(worked_on), RULEBOOK)))
    assert book.sheetnames == ["Recommendations", "Measures", "Ministry of Justice", "Ministère de l Éducation", "Prosecutor General s Office", "About"]
    sheet = book["Recommendations"]
    assert sheet.auto_filter.ref == "A1:N95" and sheet["J1"].value == "Status" and sheet["J2"].value == "Not applicable"
    [choose] = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert choose.formula1 == '"Open,In progress,Partially implemented,Implemented,Not applicable"' and str(choose.sqref) == "J2:J95"
    assert sheet.protection.sheet and not sheet["J2"].protection.locked and sheet["E2"].protection.locked
    justice = book["Ministry of Justice"]
    assert justice["A3"].value == "=IF('Recommendations'!A36=\"\",\"\",'Recommendations'!A36)" and justice.max_row == 4
    note = next(row[13] for row in sheet.iter_rows(min_row=2) if row[0].value == "IX-1")
    assert note.data_type == "s" and note.value.startswith("=HYPERLINK"), "a text that looks like a formula stays a text"


def test_changes_made_in_the_workbook_are_read_back(worked_on, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "plan.xlsx"
    path.write_bytes(render_workbook(read_follow_up(worked_on), RULEBOOK))
    book = load_workbook(path)
    sheet = book["Recommendations"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == "IV-5")
    sheet[f"J{row}"], sheet[f"L{row}"], sheet[f"M{row}"] = "Implemented", "Ministry of Interior", datetime.datetime(2026, 3, 1)
    measures = book["Measures"]
    measures.append(["IV-5", "Decree No. 5", "Council of Ministers decree", datetime.datetime(2026, 1, 5), None, None])
    book.save(path)
    iv_5 = read_workbook(path).item("IV-5")
    assert (iv_5.status, iv_5.lead, iv_5.deadline) == ("implemented", "Ministry of Interior", datetime.date(2026, 3, 1))
    assert iv_5.measures == (Measure(what="Decree No. 5", act="Council of Ministers decree", adopted=datetime.date(2026, 1, 5)),)


def _edited(worked_on: Path, tmp_path: Path, edit) -> subprocess.CompletedProcess:
    from openpyxl import load_workbook

    path = tmp_path / "plan.xlsx"
    path.write_bytes(render_workbook(read_follow_up(worked_on), RULEBOOK))
    book = load_workbook(path)
    edit(book)
    book.save(path)
    return run_selfcheck("follow-up", "import", path)


WORKBOOK_EDITS = [
    (
        "a value typed on a lead institution's sheet",
        lambda b: b["Ministry of Justice"].__setitem__("E3", "Implemented"),
        "sheet 'Ministry of Justice', cell E3: was typed in, but this sheet only shows the Recommendations sheet",
    ),
    ("a formula in the status column", lambda b: b["Recommendations"].__setitem__("J2", "=A2"), "sheet 'Recommendations', cell J2: holds the formula =A2"),
    ("a status not on the list", lambda b: b["Recommendations"].__setitem__("J2", "Done"), "sheet 'Recommendations', cell J2: expected one of open"),
    (
        "a deadline in words",
        lambda b: b["Recommendations"].__setitem__("M2", "next year"),
        "sheet 'Recommendations', cell M2: expected a date written YYYY-MM-DD",
    ),
    ("a measure for an unknown id", lambda b: b["Measures"].append(["IV-99", "A law"]), "sheet 'Measures', cell A3: names 'IV-99'"),
    ("a column renamed", lambda b: b["Recommendations"].__setitem__("J1", "State"), "sheet 'Recommendations', row 1: expected the columns"),
    ("a recommendation twice", lambda b: b["Recommendations"].__setitem__("A3", "II-6"), "sheet 'Recommendations', cell A3: II-6 appears twice"),
]


@pytest.mark.parametrize("name, edit, fragment", WORKBOOK_EDITS, ids=[case[0] for case in WORKBOOK_EDITS])
def test_a_workbook_edited_wrongly_gets_one_message_naming_the_sheet_and_cell(worked_on, tmp_path, name, edit, fragment):
    result = _edited(worked_on, tmp_path, edit)
    message = result.stderr.strip()
    assert result.returncode == 2 and result.stdout == "" and len(message.splitlines()) == 1 and "Traceback" not in message, message
    assert message.startswith(f"selfcheck: {tmp_path / 'plan.xlsx'}: ") and fragment in message, message


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    for content in (b"not a zip", b"PK\x03\x04broken"):
        path = tmp_path / "plan.xlsx"
        path.write_bytes(content)
        result = run_selfcheck("follow-up", "import", path)
        assert result.returncode == 2 and "Traceback" not in result.stderr and "is not an Excel workbook" in result.stderr


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_opened(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/big.xml", b"\0" * 101_000_000)
    result = run_selfcheck("follow-up", "import", path)
    assert result.returncode == 2 and "unpacks to 101,000,000 bytes" in result.stderr


def _rezipped(source: bytes, changes: dict, added: dict | None = None) -> bytes:
    """A copy of the workbook ``source`` with members changed ({name: function of its bytes}) and ``added``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as before, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as after:
        assert set(changes) <= set(before.namelist()), changes
        for member in before.infolist():
            after.writestr(member.filename, changes.get(member.filename, lambda data: data)(before.read(member)))
        for name, data in (added or {}).items():
            after.writestr(name, data)
    return out.getvalue()


def _as_a_spreadsheet_saves_it(worked_on: Path, unused_strings: int = 0) -> bytes:
    """The plan of action as a spreadsheet program saves it: a text (its first header) in a table of shared strings."""
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Id</t></si>' + b"<si><t/></si>" * unused_strings + b"</sst>"
    kind = b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    link = (
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    )
    first = (b'<c r="A1" s="1" t="inlineStr"><is><t>Id</t></is></c>', b'<c r="A1" s="1" t="s"><v>0</v></c>')
    changes = {
        "xl/worksheets/sheet1.xml": lambda data: data.replace(*first),
        "[Content_Types].xml": lambda data: data.replace(b"</Types>", kind + b"</Types>"),
        "xl/_rels/workbook.xml.rels": lambda data: data.replace(b"</Relationships>", link + b"</Relationships>"),
    }
    return _rezipped(render_workbook(read_follow_up(worked_on), RULEBOOK), changes, {"xl/sharedStrings.xml": strings})


def test_a_workbook_with_shared_strings_reads_back(worked_on, tmp_path):
    assert workbook_from_bytes(tmp_path / "plan.xlsx", _as_a_spreadsheet_saves_it(worked_on)) == read_follow_up(worked_on)


DAMAGES = {
    "a sheet cut short": {"xl/worksheets/sheet1.xml": lambda data: data[: len(data) // 2]},
    "a sheet with bytes that are not UTF-8": {"xl/worksheets/sheet1.xml": lambda data: data.replace(b"</t>", b"\xff\xfe</t>", 3)},
    "shared strings that are not UTF-8": {"xl/sharedStrings.xml": lambda data: data.replace(b"<t>", b"<t>\xc3\x28", 1)},
    "the measures sheet cut short": {"xl/worksheets/sheet2.xml": lambda data: data[:-40]},
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES)
def test_a_damaged_workbook_is_refused_with_one_message_and_exit_2(worked_on, tmp_path, damage):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(_rezipped(_as_a_spreadsheet_saves_it(worked_on), damage))
    result = run_selfcheck("follow-up", "import", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f"{path}: cannot be read as an Excel workbook" in result.stderr


def test_a_workbook_of_a_million_unused_shared_strings_is_refused_before_they_are_parsed(worked_on, tmp_path):
    costly = _as_a_spreadsheet_saves_it(worked_on, unused_strings=1_000_000)
    assert len(costly) < 150_000, "small on disk"
    path = tmp_path / "plan.xlsx"
    path.write_bytes(costly)
    result = run_selfcheck("follow-up", "import", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "shared strings, more than its cells" in result.stderr


def _grown(data: bytes, inside: bytes) -> bytes:
    head, tail = data.split(b"</sheetData>", 1)
    return head + inside + b"</sheetData>" + tail


@pytest.mark.parametrize(
    "limit, value, sheet, inside, said",
    [
        ("MAX_ROWS", 100, "xl/worksheets/sheet2.xml", b'<row r="3"><c r="A3"/></row>' * 300, "more than 100 rows"),
        ("MAX_CELLS", 2_000, "xl/worksheets/sheet2.xml", b'<row r="3">' + b'<c r="B3"/>' * 3_000 + b"</row>", "more than 2,000 cells"),
        ("MAX_ELEMENTS", 20_000, "xl/worksheets/sheet2.xml", b"<extLst/>" * 20_000, "more than 20,000 XML elements"),
    ],
)
def test_a_workbook_of_too_many_rows_cells_or_elements_is_refused_before_it_is_parsed(worked_on, tmp_path, monkeypatch, limit, value, sheet, inside, said):
    from selfcheck.engine.follow_up import xlsx_package

    monkeypatch.setattr(xlsx_package, limit, value)
    grown = _rezipped(render_workbook(read_follow_up(worked_on), RULEBOOK), {sheet: lambda data: _grown(data, inside)})
    with pytest.raises(InputError, match=said):
        workbook_from_bytes(tmp_path / "plan.xlsx", grown)


TEXTS = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f",
    ),
    max_size=40,
).map(str.strip)
DATES = st.none() | st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))


@st.composite
def party_accounts(draw) -> dict:
    status = draw(st.sampled_from(STATUSES))
    adopted = draw(DATES)
    in_force = draw(st.none() | st.dates(adopted, datetime.date(2100, 1, 1))) if adopted else None
    measures = draw(
        st.lists(st.builds(Measure, what=TEXTS.filter(bool), act=TEXTS, reference=TEXTS, adopted=st.just(adopted), in_force=st.just(in_force)), max_size=2)
    )
    return {
        "status": status,
        "reason": draw(TEXTS.filter(bool)) if status == "not_applicable" else "",
        "lead": draw(TEXTS.map(lambda text: " ".join(text.split()))),
        "deadline": draw(DATES),
        "measures": tuple(measures),
        "note": draw(TEXTS),
    }


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], max_examples=40)
@given(accounts=st.lists(party_accounts(), min_size=1, max_size=6))
def test_any_follow_up_reads_back_unchanged_from_its_file_and_from_its_workbook(tmp_path, accounts):
    items = [item.model_copy(update=account) for item, account in zip(ALBANIA_FOLLOW_UP.recommendations, accounts, strict=False)]
    follow_up = ALBANIA_FOLLOW_UP.model_copy(update={"recommendations": tuple(items)})
    path = write(tmp_path / "follow-up.yaml", follow_up)
    assert read_follow_up(path) == follow_up
    workbook = tmp_path / "plan.xlsx"
    workbook.write_bytes(render_workbook(follow_up, RULEBOOK))
    assert read_workbook(workbook) == follow_up


def test_an_empty_follow_up_flags_every_recommendation_the_rules_apply_and_still_renders(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("party: Albania\nround: lanzarote-2\nrecommendations: {}\n")
    result, shown = status(path, "--answers", ALBANIA)
    assert result.returncode == 0 and len(shown["not_in_file"]) == 94 and shown["flags"]["inconsistent"] == 94
    for format in ("text", "markdown"):
        rendered = run_selfcheck("follow-up", "status", path, "--answers", ALBANIA, "--format", format)
        assert rendered.returncode == 0 and "IV-4" in rendered.stdout, rendered.stderr
