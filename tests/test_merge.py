"""Merging a save into the answers file one question at a time (engine.answers.merge), and a
follow-up one recommendation at a time (engine.follow_up.merge), without the web pages around them."""

from __future__ import annotations

import datetime

from conftest import ROUND
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.merge import NO_ANSWER, entries_of, entry_of, merge, plain, token
from selfcheck.engine.follow_up import merge as follow_up_merge

QUESTIONNAIRE = rounds.questionnaire(ROUND)
TRI, TRI2 = "civil_society.involved_in_prevention", "civil_society.awareness_activities_for_adults"
LIST = "education.levels"  # primary, lower_secondary, upper_secondary


def file_with(answers) -> dict:
    return {"party": "Ruritania", "round": ROUND, "answers": answers}


def test_a_save_into_a_file_whose_answers_are_null_keeps_the_answer():
    merged = merge(file_with(None), {TRI: {"value": "yes"}}, {TRI: NO_ANSWER}, QUESTIONNAIRE)
    assert merged.data["answers"] == {TRI: "yes"}
    assert merged.changed == {TRI: (None, {"value": "yes"})} and merged.conflicts == {}
    assert merged.shown["answers"] == {TRI: "yes"}


def test_a_save_writes_only_what_was_changed_and_leaves_the_file_it_was_given_alone():
    current = file_with({TRI: "no", TRI2: "yes"})
    seen = {TRI: token({"value": "no"}), TRI2: token({"value": "yes"})}
    merged = merge(current, {TRI: {"value": "yes", "note": "since 2023"}, TRI2: {"value": "yes"}}, seen, QUESTIONNAIRE)
    assert merged.data["answers"] == {TRI: {"value": "yes", "note": "since 2023"}, TRI2: "yes"}
    assert merged.changed == {TRI: ({"value": "no"}, {"value": "yes", "note": "since 2023"})}
    assert current["answers"] == {TRI: "no", TRI2: "yes"}


def test_the_tokens_sent_back_after_a_save_are_those_the_form_must_carry():
    seen = {TRI: token({"value": "no"}), TRI2: token({"value": "yes"})}
    # meanwhile someone else answered TRI2 no: left as seen, it keeps that, and the form carries its token
    merged = merge(file_with({TRI: "no", TRI2: "no"}), {TRI: {"value": "yes"}, TRI2: {"value": "yes"}}, seen, QUESTIONNAIRE)
    assert merged.tokens == {TRI: seen[TRI], TRI2: token({"value": "no"})}
    assert merged.data["answers"] == {TRI: "yes", TRI2: "no"} and merged.shown["answers"] == {TRI: "yes", TRI2: "no"}


def test_a_conflict_writes_nothing_shows_what_was_typed_and_carries_the_saved_token():
    seen = {TRI: token({"value": "no"})}
    merged = merge(file_with({TRI: "not_provided"}), {TRI: {"value": "yes"}}, seen, QUESTIONNAIRE)
    merged_again = merge(file_with({TRI: {"value": "not_provided", "note": "checked"}}), {TRI: {"value": "yes"}}, seen, QUESTIONNAIRE)
    assert merged.conflicts == {TRI: (None, {"value": "yes"})} and merged.changed == {}
    assert merged_again.conflicts == {TRI: ({"note": "checked"}, {"value": "yes"})}
    assert merged_again.data["answers"] == {TRI: {"value": "not_provided", "note": "checked"}}
    assert merged_again.shown["answers"] == {TRI: {"value": "yes", "note": "checked"}}  # what they typed, beside the note saved meanwhile
    assert merged_again.tokens == {TRI: token({"note": "checked"})}
    assert merged.tokens == {TRI: NO_ANSWER}


def test_typing_what_is_already_saved_is_neither_a_change_nor_a_conflict():
    merged = merge(file_with({TRI: "yes"}), {TRI: {"value": "yes"}}, {TRI: token({"value": "no"})}, QUESTIONNAIRE)
    assert merged.changed == {} and merged.conflicts == {} and merged.tokens == {TRI: token({"value": "no"})}


def test_a_list_answer_in_another_order_is_neither_a_change_nor_a_conflict():
    saved = {"value": ["primary", "upper_secondary"]}
    assert entry_of(["upper_secondary", "primary"], QUESTIONNAIRE, LIST) == saved
    assert entry_of({"value": ("upper_secondary", "primary")}, QUESTIONNAIRE, LIST) == saved
    merged = merge(file_with({LIST: ["upper_secondary", "primary"]}), {LIST: {"value": ["primary", "upper_secondary"]}}, {LIST: token(saved)}, QUESTIONNAIRE)
    assert merged.changed == {} and merged.conflicts == {}
    # options the question does not offer are kept in the order given, for the reader to name
    assert entry_of(["upper_secondary", "nursery"], QUESTIONNAIRE, LIST) == {"value": ["upper_secondary", "nursery"]}


def test_two_people_clearing_the_same_answer_is_no_change_and_no_crash():
    seen = {TRI: token({"value": "yes"})}
    merged = merge(file_with({TRI2: "no"}), {TRI: None}, seen, QUESTIONNAIRE)
    assert merged.changed == {} and merged.conflicts == {} and merged.data["answers"] == {TRI2: "no"}
    cleared = merge(file_with({TRI: "yes"}), {TRI: None}, seen, QUESTIONNAIRE)
    assert cleared.changed == {TRI: ({"value": "yes"}, None)} and cleared.data["answers"] == {}
    no_date = merge(
        {"party": "R", "round": ROUND, "as_of": datetime.date(2024, 1, 2), "answers": {}},
        {"as_of": None},
        {"as_of": token({"value": "2024-01-02"})},
        QUESTIONNAIRE,
    )
    assert "as_of" not in no_date.data and no_date.changed == {"as_of": ({"value": "2024-01-02"}, None)}
    again = merge({"party": "R", "round": ROUND, "answers": {}}, {"as_of": None}, {"as_of": token({"value": "2024-01-02"})}, QUESTIONNAIRE)
    assert again.changed == {} and again.conflicts == {}


def test_a_note_with_windows_line_ends_or_blanks_around_is_not_a_change():
    saved = file_with({TRI: {"value": "yes", "note": "first line\nsecond line"}})
    typed = {"value": "yes", "note": "  first line\r\nsecond line \r\n"}
    assert entry_of(typed) == {"value": "yes", "note": "first line\nsecond line"}
    merged = merge(saved, {TRI: entry_of(typed)}, {TRI: token({"value": "yes", "note": "first line\nsecond line"})}, QUESTIONNAIRE)
    assert merged.changed == {} and merged.conflicts == {}
    assert plain(" a\r\nb ") == "a\nb" and plain((1, 2)) == [1, 2] and plain(datetime.date(2024, 1, 2)) == "2024-01-02" and plain(3) == 3


def test_an_entry_holds_only_what_was_given():
    assert entry_of("not_provided") is None and entry_of("") is None and entry_of({"value": "  "}) is None
    assert entry_of({"note": "only a note"}) == {"note": "only a note"}
    assert entry_of({"value": "yes", "source": " ", "quote": 3}) == {"value": "yes"}
    assert entry_of({"value": "yes", "inferred_from": " IV-4, ,III-15 "}) == {"value": "yes", "inferred_from": ["IV-4", "III-15"]}
    assert entry_of({"value": "yes", "inferred_from": ["IV-4", 7]}) == {"value": "yes", "inferred_from": ["IV-4", "7"]}
    assert entry_of({"value": "yes", "inferred_from": []}) == {"value": "yes"}
    assert entry_of(datetime.datetime(2024, 1, 2, 3, 4)) == {"value": "2024-01-02T03:04:00"}


def test_the_entries_of_a_file_are_its_answers_party_and_date():
    data = {"party": " Ruritania ", "round": ROUND, "as_of": datetime.date(2024, 1, 2), "answers": {TRI: "yes", TRI2: "not_provided", 7: "x"}}
    assert entries_of(data, QUESTIONNAIRE) == {
        "party": {"value": "Ruritania"},
        "as_of": {"value": "2024-01-02"},
        TRI: {"value": "yes"},
        "7": {"value": "x"},
    }
    assert entries_of({"party": None, "answers": [TRI]}) == {}
    assert entries_of(["not", "a", "file"]) == {}


def test_the_head_of_a_file_is_written_as_a_plain_value():
    seen = {"party": token({"value": "Ruritania"})}
    merged = merge(file_with({}), {"party": {"value": "Ruritania (2024)"}}, seen, QUESTIONNAIRE)
    assert merged.data["party"] == "Ruritania (2024)" and merged.data["answers"] == {}
    long = merge(file_with({}), {TRI: {"note": "asked the ministry"}}, {TRI: NO_ANSWER}, QUESTIONNAIRE)
    assert long.data["answers"] == {TRI: {"value": "not_provided", "note": "asked the ministry"}}
    assert merge("not a mapping", {TRI: {"value": "yes"}}, {TRI: NO_ANSWER}, QUESTIONNAIRE).data == {"answers": {TRI: "yes"}}


def test_a_token_is_the_same_for_equal_entries_and_differs_otherwise():
    assert token(None) == token({}) == NO_ANSWER
    assert token({"value": "yes", "note": "é"}) == token({"note": "é", "value": "yes"})
    assert token({"value": "yes"}) != token({"value": "no"}) != NO_ANSWER


# -- the follow-up -----------------------------------------------------------------------------------


def follow_up(**items) -> dict:
    return {"party": "Ruritania", "recommendations": {key: {"level": "invites", "text": "Do it.", **value} for key, value in items.items()}}


def test_a_follow_up_entry_is_the_partys_part_only_written_plainly():
    given = {
        "level": "urges",
        "status": " planned ",
        "note": "",
        "deadline": datetime.date(2025, 1, 31),
        "measures": [{"what": " a law ", "who": ""}, {}, " x "],
    }
    assert follow_up_merge.item_entry(given) == {"status": "planned", "deadline": "2025-01-31", "measures": [{"what": "a law"}, "x"]}
    assert follow_up_merge.item_entry("not a mapping") == {}
    assert follow_up_merge.item_entry({"measures": []}) == {}


def test_a_follow_up_save_changes_only_the_recommendations_changed():
    current = follow_up(**{"IV-4": {"status": "planned"}, "IV-5": {"status": "done"}})
    seen = {"IV-4": token({"status": "planned"}), "IV-5": token({"status": "done"})}
    merged = follow_up_merge.merge(current, {"IV-4": {"status": "in_progress", "lead": "Ministry"}, "IV-5": {"status": "done"}}, seen)
    assert merged.changed == {"IV-4": ({"status": "planned"}, {"status": "in_progress", "lead": "Ministry"})}
    assert merged.data["recommendations"]["IV-4"] == {"level": "invites", "text": "Do it.", "status": "in_progress", "lead": "Ministry"}
    assert merged.data["recommendations"]["IV-5"]["status"] == "done"
    cleared = follow_up_merge.merge(current, {"IV-4": None}, seen)
    assert cleared.data["recommendations"]["IV-4"] == {"level": "invites", "text": "Do it."}


def test_a_follow_up_save_to_a_recommendation_removed_meanwhile_writes_nothing():
    current = follow_up(**{"IV-4": {}})
    merged = follow_up_merge.merge(current, {"IV-9": {"status": "planned"}}, {"IV-9": NO_ANSWER})
    assert merged.data == current and follow_up_merge.missing(current, ["IV-4", "IV-9"]) == ["IV-9"]
    assert follow_up_merge.entries_of({"recommendations": ["IV-4"]}) == {} and follow_up_merge.entries_of(None) == {}
    assert follow_up_merge.entries_of({"recommendations": {"IV-4": "text", 5: {"status": "done"}}}) == {"5": {"status": "done"}}
    assert follow_up_merge.merge(None, {"IV-4": {"status": "done"}}, {"IV-4": NO_ANSWER}).data == {}


def test_a_follow_up_change_is_told_field_by_field_in_the_history():
    old = {"status": "open", "reason": "waiting", "measures": [{"what": "A law", "act": "Law 5", "adopted": "2024-01-02"}]}
    new = {"status": "in_progress", "lead": "Ministry", "measures": [{"what": "A law"}, "a plain text"], "note": "x" * 201}
    assert follow_up_merge.changes_in_words(old, new) == (
        "status open → in progress; reason “waiting” → none; lead institution none → “Ministry”; "
        "measures “A law” (Law 5, adopted 2024-01-02) → “A law”, a plain text; note none → “" + "x" * 197 + "...”"
    )
    assert follow_up_merge.changes_in_words(old, old) == "nothing changed" and follow_up_merge.changes_in_words(None, None) == "nothing changed"
    assert follow_up_merge.change_line("IV-4", None, {"deadline": "2025-01-31"}) == "changed recommendation IV-4: deadline none → 2025-01-31"
    assert follow_up_merge.change_line("IV-4", None, {"status": "done"}, imported=True) == "changed recommendation IV-4 (imported): status none → done"


def test_a_follow_up_entry_is_told_in_words_beside_a_conflict():
    entry = {"status": "implemented", "lead": "Ministry", "measures": [{"what": "w" * 121, "in_force": "2025-01-01", "reference": "OJ 1"}]}
    assert (
        follow_up_merge.entry_in_words(entry) == "status implemented; lead institution “Ministry”; measures “" + "w" * 117 + "...” (in force 2025-01-01, OJ 1)"
    )
    assert follow_up_merge.entry_in_words(None) == "" and follow_up_merge.entry_in_words({"note": ""}) == ""
    assert follow_up_merge.entry_in_words({"deadline": "2025-01-31", "reason": "r" * 200}) == f"reason “{'r' * 200}”; deadline 2025-01-31"


def test_a_web_save_into_a_file_whose_answers_are_null_keeps_the_answer(client, data_dir):
    import yaml

    from web_client import changed, form_of, post

    (data_dir / "ruritania.yaml").write_text(f"party: Ruritania\nround: {ROUND}\nanswers:\n")
    chapter = QUESTIONNAIRE.questions[TRI].chapter
    page = client.get(f"/answers/ruritania/chapters/{chapter}")
    assert page.status_code == 200
    response = post(client, f"/answers/ruritania/chapters/{chapter}", changed(form_of(page.text), **{f"a__{TRI.replace('.', '__')}": "yes"}))
    assert response.status_code == 303, response.text[:500]
    assert yaml.safe_load((data_dir / "ruritania.yaml").read_text())["answers"] == {TRI: True}


def test_a_list_answer_is_held_in_the_questionnaires_order_not_the_alphabets():
    assert entry_of(["lower_secondary", "primary"], QUESTIONNAIRE, LIST) == {"value": ["primary", "lower_secondary"]}
    assert entries_of(file_with({LIST: ["lower_secondary", "primary"]}), QUESTIONNAIRE)[LIST] == {"value": ["primary", "lower_secondary"]}
    # the person saw the list in the questionnaire's order and added an option: a change, not a conflict
    seen = {LIST: token({"value": ["primary", "lower_secondary"]})}
    typed = {LIST: {"value": ["primary", "lower_secondary", "upper_secondary"]}}
    merged = merge(file_with({LIST: ["lower_secondary", "primary"]}), typed, seen, QUESTIONNAIRE)
    assert merged.conflicts == {} and merged.data["answers"] == {LIST: ["primary", "lower_secondary", "upper_secondary"]}


def test_a_question_sent_without_its_token_carries_no_answers_token_when_it_matches():
    merged = merge(file_with({TRI: "yes"}), {TRI: {"value": "yes"}}, {}, QUESTIONNAIRE)
    assert merged.tokens == {TRI: NO_ANSWER} and merged.changed == {} and merged.conflicts == {}


def test_a_follow_up_history_line_names_each_field_as_it_was_and_is():
    assert follow_up_merge.change_line("IV-4", {"status": "open"}, {"status": "implemented"}) == "changed recommendation IV-4: status open → implemented"
    assert follow_up_merge.changes_in_words({"note": ""}, {"note": "short"}) == "note none → “short”"
    assert follow_up_merge.changes_in_words({"measures": "a law"}, None) == "measures a law → none"
    assert follow_up_merge.changes_in_words(None, {"lead": ["a", "b"]}) == "lead institution none → “['a', 'b']”"
    assert follow_up_merge.entry_in_words({"measures": [{"act": "Law 5"}, {"what": "w" * 120}]}) == "measures “” (Law 5), “" + "w" * 120 + "”"


def test_a_follow_up_whose_recommendations_are_not_a_mapping_takes_no_save():
    current = {"party": "Ruritania", "recommendations": ["IV-4"]}
    merged = follow_up_merge.merge(current, {"IV-4": {"status": "planned"}}, {"IV-4": NO_ANSWER})
    assert merged.data == current and merged.changed == {"IV-4": (None, {"status": "planned"})}


def test_a_token_names_each_field_with_a_twelve_digit_digest():
    import re

    from selfcheck.engine.answers import merge as answers_merge

    assert re.fullmatch(r"note:[0-9a-f]{12},value:[0-9a-f]{12}", token({"value": "yes", "note": "x"}))
    assert token({"measures": [{"what": "a", "act": "b"}]}) == token({"measures": [{"act": "b", "what": "a"}]})
    assert answers_merge._digests("note:1a,value:2b:3c") == {"note": "1a", "value": "2b:3c"}
    assert answers_merge._digests(NO_ANSWER) == {} and answers_merge._digests(None) == {} and answers_merge._digests("value:,:x") == {}


def test_a_new_answer_carries_no_answers_token_until_saved():
    merged = merge(file_with({}), {TRI: {"value": "yes"}}, {TRI: NO_ANSWER}, QUESTIONNAIRE)
    assert merged.tokens == {TRI: NO_ANSWER} and merged.changed == {TRI: (None, {"value": "yes"})}


def test_a_conflict_on_one_question_leaves_the_others_merged_and_those_left_as_they_were():
    saved = {TRI: {"value": "yes", "note": "line\r\n"}, TRI2: "no", LIST: ["primary"]}
    seen = {TRI: token({"value": "yes", "note": "line"}), TRI2: token({"value": "yes"}), LIST: token({"value": ["primary"]})}
    typed = {TRI: {"value": "yes", "note": "line"}, TRI2: {"value": "not_provided", "note": "x"}, LIST: {"value": ["primary", "lower_secondary"]}}
    merged = merge(file_with(saved), typed, seen, QUESTIONNAIRE)
    assert set(merged.conflicts) == {TRI2} and set(merged.changed) == {LIST}
    assert merged.shown["answers"][TRI] == {"value": "yes", "note": "line\r\n"}  # left as seen: kept as the file holds it
    assert merged.tokens[LIST] == seen[LIST]
