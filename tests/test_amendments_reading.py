"""Amendments read, chained, dated and compared in this process (engine.answers.amendments): every
problem at its place, the limits of a chain, and the words a diff's head uses."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from conftest import ALBANIA, ROUND
from selfcheck.engine.answers import amendments, rounds
from selfcheck.engine.answers.amendments import (
    Amendment,
    Resolved,
    answers_for,
    changes_between,
    check_amendment_document,
    draft_amendment,
    ensure_comparable,
    file_name_for,
    invert,
    is_amendment,
    load_amendment,
    overlay,
    render_amendment,
    resolve,
)
from selfcheck.engine.answers.answer_file import Answers, NotInForce
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import Document, document_from_text

QUESTIONNAIRE = rounds.questionnaire(ROUND)
TRI, TRI2 = "jurisdiction.habitual_residents_abroad", "legal.csam_terminology"


def bill(tmp_path: Path, name: str = "bill.yaml", applies_to: Path = ALBANIA, extra: str = "", changes: str | None = None) -> Path:
    path = tmp_path / name
    changes = changes if changes is not None else f"changes:\n  {TRI}: {{value: yes, note: Art. 6}}\n"
    path.write_text(f"title: A bill\nreference: Law 1/2024\ndate: 2024-01-31\n{extra}applies_to: {applies_to}\n{changes}")
    return path


def problems_of(path: Path) -> list[tuple[tuple, int | None, str]]:
    text = path.read_text()
    amendment, problems = check_amendment_document(document_from_text(path, text), QUESTIONNAIRE)
    assert amendment is None
    return [(problem.place.keys, problem.place.line, problem.problem) for problem in problems]


def test_an_amendment_is_read_with_its_dates_notes_and_file(tmp_path):
    path = bill(tmp_path, extra="adopted: 2024-03-01\nin_force: 2025-01-01\nin_force_until: 2030-01-01\n")
    amendment = load_amendment(path, QUESTIONNAIRE)
    assert amendment == Amendment(
        title="A bill",
        reference="Law 1/2024",
        date=datetime.date(2024, 1, 31),
        adopted=datetime.date(2024, 3, 1),
        in_force=datetime.date(2025, 1, 1),
        in_force_until=datetime.date(2030, 1, 1),
        applies_to=ALBANIA,
        changes={TRI: "yes"},
        notes={TRI: "Art. 6"},
        file=path,
    )
    assert amendment.label == "A bill (Law 1/2024, 2024-01-31)"


def test_every_problem_of_an_amendment_is_named_at_its_place(tmp_path):
    path = tmp_path / "bill.yaml"
    path.write_text(
        "title: ' '\nreference: \"Law\\u0007\"\ndate: soon\nadopted: 2024-03-01\nin_force: 2024-02-01\nparty: Albania\n"
        f"applies_to: missing.yaml\nchanges:\n  {TRI}: {{value: maybe, note: Art. 6}}\n  {TRI2}: yes\n"
    )
    listed = problems_of(path)
    assert [(keys, line) for keys, line, _ in listed] == [
        (("party",), 6),
        (("title",), 1),
        (("reference",), 2),
        (("date",), 3),
        (("in_force",), 5),
        (("applies_to",), 7),
        (("changes", TRI, "value"), 9),
        (("changes", TRI2), 10),
    ]
    said = [problem for _, _, problem in listed]
    assert said[0].startswith("unknown field 'party'; an amendment has only title, reference, date, adopted, in_force, in_force_until, applies_to, changes")
    assert said[1] == "expected the bill's title as a text"
    assert said[2].startswith("the bill's reference holds ")
    assert said[3] == "expected a date written YYYY-MM-DD, got 'soon'"
    assert said[4] == "expected in_force on or after adopted (2024-03-01), got 2024-02-01"
    assert said[5] == f"applies_to names {tmp_path / 'missing.yaml'}, which is not a file; give the answers file's path relative to this file"
    assert said[7] == "expected a mapping with value and note, got 'yes'"


def test_an_amendment_without_changes_or_naming_no_file_is_refused(tmp_path):
    assert problems_of(bill(tmp_path, changes="changes: []\n")) == [
        (("changes",), 5, "expected changes: a mapping of question ids to {value, note}, at least one")
    ]
    (problem,) = problems_of(bill(tmp_path, applies_to=Path(" "), changes=f"changes:\n  {TRI}: {{value: yes, note: x}}\n"))
    assert problem[:2] == (("applies_to",), 4) and problem[2] == "expected the answers file it applies to, relative to this file as a text"


def test_an_answers_file_is_not_an_amendment():
    assert is_amendment({"applies_to": "a.yaml"}) and is_amendment({"changes": {}})
    assert not is_amendment({"answers": {}, "changes": {}}) and not is_amendment({"title": "x"}) and not is_amendment(["changes"])
    with pytest.raises(InputError, match="this looks like an answers file"):
        load_amendment(ALBANIA, QUESTIONNAIRE)


def test_a_chain_of_amendments_leading_back_or_too_long_is_refused(tmp_path):
    first = bill(tmp_path, "a.yaml", applies_to=tmp_path / "b.yaml")
    bill(tmp_path, "b.yaml", applies_to=first)
    with pytest.raises(InputError) as refused:
        resolve(first)
    assert refused.value.place.keys == ("applies_to",)
    assert refused.value.problem == f"applies_to leads back to {first}; amendments must rest on an answers file"
    previous = ALBANIA
    for number in range(21):
        previous = bill(tmp_path, f"chain-{number}.yaml", applies_to=previous)
        if number == 19:
            assert len(resolve(previous).amendments) == 20
    with pytest.raises(InputError, match="leads back to"):
        resolve(previous)


def test_an_amendment_leading_outside_the_folder_given_is_refused_before_reading_it(tmp_path):
    inside = tmp_path / "inside"
    inside.mkdir()
    path = bill(inside, applies_to=ALBANIA)
    with pytest.raises(InputError) as refused:
        resolve(path, within=inside)
    assert refused.value.problem == f"applies_to {ALBANIA} leads outside the folder {inside}; give a file of that folder"
    assert refused.value.place.keys == ("applies_to",)
    chained = bill(inside, "chained.yaml", applies_to=path)  # inside, but resting on a bill that leads outside
    with pytest.raises(InputError, match="leads outside the folder"):
        resolve(chained, within=inside)
    assert resolve(path, within=ALBANIA.parent.parent.parent).answers.value(TRI) == "yes"


def test_a_bill_not_in_force_on_the_date_is_recorded_with_why(tmp_path):
    path = bill(tmp_path, extra="adopted: 2024-03-01\nin_force: 2025-01-01\n")
    answers = resolve(path, as_of=datetime.date(2024, 6, 1)).answers
    assert answers.value(TRI) == "no" and answers.law_as_of == datetime.date(2024, 6, 1) and answers.amendments == ()
    assert answers.not_in_force == (
        NotInForce(
            amendment="A bill (Law 1/2024, 2024-01-31)", state="adopted_not_in_force", adopted=datetime.date(2024, 3, 1), in_force=datetime.date(2025, 1, 1)
        ),
    )
    resolved = resolve(path, as_of=datetime.date(2024, 6, 1))
    assert resolved.label(Path("bill.yaml")) == (
        "Albania (bill.yaml); not amended by A bill (Law 1/2024, 2024-01-31): adopted on 01.03.2024, in force from 01.01.2025, not yet on 01.06.2024"
    )
    in_force = resolve(path, as_of=datetime.date(2025, 1, 1))
    assert in_force.answers.value(TRI) == "yes" and in_force.label(Path("b.yaml")) == "Albania (b.yaml); amended by A bill (Law 1/2024, 2024-01-31)"
    assert resolve(path).answers.law_as_of is None


def test_bills_given_with_amend_combine_whatever_they_apply_to(tmp_path):
    first = bill(tmp_path, "first.yaml")
    second = bill(tmp_path, "second.yaml", applies_to=first, changes=f"changes:\n  {TRI2}: {{value: no, note: Art. 2}}\n")
    combined = answers_for(ALBANIA, [first, second])
    assert combined.value(TRI) == "yes" and combined.value(TRI2) == "no"
    assert combined.sources[TRI2] == "A bill (Law 1/2024)" and combined.notes[TRI2] == "Art. 2"
    assert combined.amendments == ("A bill (Law 1/2024, 2024-01-31)",) * 2
    dated = answers_for(ALBANIA, [bill(tmp_path, "draft.yaml")], as_of=datetime.date(2024, 6, 1))
    assert dated.value(TRI) == "no" and dated.not_in_force[0].state == "not_adopted"


def test_the_inverse_restores_the_answers_and_says_where_they_came_from(tmp_path):
    albania = resolve(ALBANIA).answers
    amendment = load_amendment(
        bill(tmp_path, changes=f"changes:\n  {TRI}: {{value: yes, note: Art. 6}}\n  {TRI2}: {{value: no, note: Art. 2}}\n"), QUESTIONNAIRE
    )
    reversal = invert(amendment, albania)
    assert reversal.title == "Reversal of: A bill" and reversal.reference == "reverses Law 1/2024" and reversal.applies_to == tmp_path / "bill.yaml"
    assert reversal.changes == {TRI: albania.value(TRI), TRI2: albania.value(TRI2)}
    assert reversal.notes[TRI] == f"restores the answer given before the bill ({albania.sources[TRI]})"
    restored = overlay(overlay(albania, amendment, None), reversal, None)
    assert {question: restored.value(question) for question in QUESTIONNAIRE.questions} == {
        question: albania.value(question) for question in QUESTIONNAIRE.questions
    }


def test_a_written_amendment_names_its_dates_and_its_file_relative_to_the_folder(tmp_path):
    amendment = load_amendment(bill(tmp_path, extra="adopted: 2024-03-01\nin_force: 2025-01-01\n"), QUESTIONNAIRE)
    (tmp_path / "out").mkdir()
    text = render_amendment(amendment, tmp_path / "out", ["drafted"])
    assert text.startswith('# drafted\ntitle: "A bill"\nreference: "Law 1/2024"\ndate: 2024-01-31\nadopted: 2024-03-01\nin_force: 2025-01-01\napplies_to: "')
    assert f'\nchanges:\n  {TRI}:\n    value: yes\n    note: "Art. 6"\n' in text
    relative = Path(text.split('applies_to: "')[1].split('"')[0])
    assert (tmp_path / "out" / relative).resolve() == ALBANIA.resolve()


def test_a_drafted_amendment_is_checked_then_read_back(tmp_path):
    head = {"title": "A bill", "reference": "Law 1/2024", "date": "2024-01-31", "applies_to": str(ALBANIA)}
    text, problems = draft_amendment(head, {TRI: {"value": "yes", "note": "Art. 6"}}, tmp_path / "bill.yaml", QUESTIONNAIRE, ["web"])
    assert problems == [] and text.startswith("# web\n")
    text, problems = draft_amendment(head, {TRI: {"value": "maybe", "note": "Art. 6"}}, tmp_path / "bill.yaml", QUESTIONNAIRE, [])
    assert text is None and [problem.place.keys for problem in problems] == [("changes", TRI, "value")]


def test_the_changes_between_two_sets_of_answers_are_the_answers_that_differ():
    saved = Answers(party="R", round=ROUND, values={TRI: "no", "professionals.equipped_to_identify": ("education",)})
    changed = Answers(party="R", round=ROUND, values={TRI: "yes", TRI2: "no", "professionals.equipped_to_identify": ("education",)}, notes={TRI: "Art. 6"})
    assert changes_between(saved, changed, QUESTIONNAIRE) == {TRI: {"value": "yes", "note": "Art. 6"}, TRI2: {"value": "no"}}
    listed = Answers(party="R", round=ROUND, values={"professionals.equipped_to_identify": ("education", "health")})
    assert changes_between(saved, listed, QUESTIONNAIRE) == {
        TRI: {"value": "not_provided"},
        "professionals.equipped_to_identify": {"value": ["education", "health"]},
    }


def test_a_file_name_is_made_from_the_title():
    assert file_name_for("Jurisdiction: Article 25(4) -- Habitual Residents!") == "jurisdiction-article-25-4-habitual-residents"
    assert file_name_for("x" * 70) == "x" * 61
    assert file_name_for("a" * 60 + " b") == "a" * 60


def test_only_answers_and_the_amendments_resting_on_them_are_compared(tmp_path):
    albania = resolve(ALBANIA)
    other_round = Resolved(albania.answers.model_copy(update={"round": "other-1"}), ALBANIA)
    with pytest.raises(InputError) as refused:
        ensure_comparable(albania, ALBANIA, other_round, Path("o.yaml"))
    assert str(refused.value) == f"o.yaml: answers round other-1, but {ALBANIA} answers round {ROUND}"
    elsewhere = tmp_path / "copy.yaml"
    elsewhere.write_text(ALBANIA.read_text())
    amended = resolve(bill(tmp_path, applies_to=elsewhere))
    with pytest.raises(InputError) as refused:
        ensure_comparable(albania, ALBANIA, amended, tmp_path / "bill.yaml")
    assert refused.value.file == str(tmp_path / "bill.yaml")
    assert refused.value.problem == (f"applies to {elsewhere}, not to {ALBANIA}; compare an amendment with the answers it applies to, or change its applies_to")
    with pytest.raises(InputError) as refused:
        ensure_comparable(amended, tmp_path / "bill.yaml", albania, ALBANIA)
    assert refused.value.file == str(tmp_path / "bill.yaml")
    ensure_comparable(albania, ALBANIA, resolve(bill(tmp_path, "ok.yaml")), tmp_path / "ok.yaml")
    ensure_comparable(albania, ALBANIA, albania, ALBANIA)


def test_an_amendment_document_of_no_mapping_changes_lists_its_head_problems_only(tmp_path):
    amendment, problems = check_amendment_document(Document(tmp_path / "a.yaml", {"changes": "x"}), QUESTIONNAIRE)
    assert amendment is None and [problem.place.keys for problem in problems] == [("title",), ("reference",), ("applies_to",), ("date",), ("changes",)]
    assert amendments.MAX_CHAIN == 20


def test_a_file_name_never_starts_or_ends_with_a_hyphen():
    assert file_name_for("  ¡A bill!  ") == "a-bill"


def test_an_amendment_that_would_read_back_otherwise_is_not_written(monkeypatch, tmp_path):
    from selfcheck.engine.common.errors import EngineError

    amendment = load_amendment(bill(tmp_path), QUESTIONNAIRE)
    assert render_amendment(amendment, tmp_path, ["", "drafted"]).startswith("#\n# drafted\ntitle: ")
    # applies_to written as a path with ".." reads back as the same file: what it says is the same
    roundabout = amendment.model_copy(update={"applies_to": ALBANIA.parent / ".." / ALBANIA.parent.name / ALBANIA.name})
    assert amendments.amendment_text(roundabout, QUESTIONNAIRE, (), tmp_path / "again.yaml")
    changed_value = lambda *args: render_amendment(*args).replace("value: yes", "value: no")  # noqa: E731
    monkeypatch.setattr(amendments, "render_amendment", changed_value)
    with pytest.raises(EngineError, match="would not read back as given; nothing was written"):
        amendments.amendment_text(amendment, QUESTIONNAIRE, (), tmp_path / "again.yaml")


def test_a_bill_no_longer_in_force_is_recorded_with_its_end(tmp_path):
    path = bill(tmp_path, extra="adopted: 2024-03-01\nin_force: 2025-01-01\nin_force_until: 2026-01-01\n")
    answers = resolve(path, as_of=datetime.date(2026, 6, 1)).answers
    assert answers.value(TRI) == "no"
    assert answers.not_in_force == (
        NotInForce(
            amendment="A bill (Law 1/2024, 2024-01-31)",
            state="no_longer_in_force",
            adopted=datetime.date(2024, 3, 1),
            in_force=datetime.date(2025, 1, 1),
            in_force_until=datetime.date(2026, 1, 1),
        ),
    )
    assert load_amendment(path, QUESTIONNAIRE).state_on(datetime.date(2026, 1, 1)) == "no_longer_in_force"
    # an amendment file given as the answers, on a date it is not in force, stands for what it applies to
    assert answers_for(path, [], as_of=datetime.date(2026, 6, 1)).value(TRI) == "no"


def test_a_diffs_head_names_every_bill_applied_and_every_bill_not_applied(tmp_path):
    first = bill(tmp_path, "first.yaml")
    second = bill(tmp_path, "second.yaml", applies_to=first, changes=f"changes:\n  {TRI2}: {{value: no, note: Art. 2}}\n")
    assert resolve(second).label(Path("s.yaml")) == "Albania (s.yaml); amended by A bill (Law 1/2024, 2024-01-31); amended by A bill (Law 1/2024, 2024-01-31)"
    said = resolve(second, as_of=datetime.date(2024, 6, 1)).label(Path("s.yaml"))
    assert said == "Albania (s.yaml)" + "; not amended by A bill (Law 1/2024, 2024-01-31): not adopted on 01.06.2024" * 2


def test_an_answers_file_given_as_an_amendment_is_refused_naming_what_an_amendment_has():
    with pytest.raises(InputError) as refused:
        load_amendment(ALBANIA, QUESTIONNAIRE)
    assert refused.value.problem == (
        "expected an amendment with title, reference, date, adopted, in_force, in_force_until, applies_to, changes; this looks like an answers file"
    )


def test_the_inverse_of_a_change_to_an_answer_without_a_source_says_only_what_it_restores(tmp_path):
    albania = resolve(ALBANIA).answers
    unsourced = next(
        question for question in QUESTIONNAIRE.questions if question not in albania.sources and QUESTIONNAIRE.questions[question].type == "tri_state"
    )
    amendment = load_amendment(bill(tmp_path, changes=f"changes:\n  {unsourced}: {{value: yes, note: Art. 9}}\n"), QUESTIONNAIRE)
    assert invert(amendment, albania).notes == {unsourced: "restores the answer given before the bill"}


def test_resolving_on_a_date_keeps_the_answers_file_and_the_bills_applied(tmp_path):
    path = bill(tmp_path, extra="adopted: 2024-03-01\nin_force: 2025-01-01\n")
    resolved = resolve(path, as_of=datetime.date(2025, 6, 1))
    assert resolved.answers_file == ALBANIA and [amendment.file for amendment in resolved.amendments] == [path]


def test_an_applies_to_holding_a_control_character_is_named_once(tmp_path):
    path = tmp_path / "bill.yaml"
    path.write_text(f'title: A bill\nreference: Law 1/2024\ndate: 2024-01-31\napplies_to: "a\\u0007b.yaml"\nchanges:\n  {TRI}: {{value: yes, note: x}}\n')
    (problem,) = problems_of(path)
    assert problem[0] == ("applies_to",) and problem[2].startswith("the answers file it applies to, relative to this file holds ")
