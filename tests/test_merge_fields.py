"""A save merged field by field (engine.answers.merge): the value, the source and the note of an answer
are each the person's to write only if they changed it, so a colleague's words saved meanwhile in
another field are never lost; the same for a follow-up's recommendation."""

from __future__ import annotations

from conftest import ROUND
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.merge import NO_ANSWER, merge, token
from selfcheck.engine.follow_up import merge as follow_up_merge

QUESTIONNAIRE = rounds.questionnaire(ROUND)
TRI = "civil_society.involved_in_prevention"


def file_with(answer) -> dict:
    return {"party": "Ruritania", "round": ROUND, "answers": {TRI: answer}}


def test_a_value_changed_while_a_colleague_added_a_note_keeps_the_note():
    seen = {TRI: token({"value": "no"})}
    merged = merge(file_with({"value": "no", "note": "Law 12/2024"}), {TRI: {"value": "yes"}}, seen, QUESTIONNAIRE)
    assert merged.conflicts == {}
    assert merged.changed == {TRI: ({"value": "no", "note": "Law 12/2024"}, {"value": "yes", "note": "Law 12/2024"})}
    assert merged.data["answers"][TRI] == {"value": "yes", "note": "Law 12/2024"}


def test_a_note_changed_while_a_colleague_changed_the_value_keeps_their_value():
    seen = {TRI: token({"value": "no", "source": "Para. 12"})}
    typed = {"value": "no", "source": "Para. 12", "note": "checked"}
    merged = merge(file_with({"value": "yes", "source": "Para. 12"}), {TRI: typed}, seen, QUESTIONNAIRE)
    assert merged.conflicts == {} and merged.data["answers"][TRI] == {"value": "yes", "source": "Para. 12", "note": "checked"}


def test_a_source_cleared_by_the_person_is_cleared_and_the_value_saved_meanwhile_stays():
    seen = {TRI: token({"value": "no", "source": "Para. 12"})}
    merged = merge(file_with({"value": "yes", "source": "Para. 12"}), {TRI: {"value": "no"}}, seen, QUESTIONNAIRE)
    assert merged.data["answers"][TRI] == "yes", "the source is gone, the colleague's value stays"


def test_the_same_field_changed_by_both_is_a_conflict_and_shows_what_was_typed_over_the_colleagues_other_fields():
    seen = {TRI: token({"value": "no"})}
    now = {"value": "yes", "note": "their note"}
    merged = merge(file_with(now), {TRI: None}, seen, QUESTIONNAIRE)  # "not provided", as the form sends it
    assert merged.changed == {} and merged.conflicts == {TRI: (now, None)}
    assert merged.shown["answers"][TRI] == {"value": "not_provided", "note": "their note"}, "their note, never opened, is kept on the page"
    assert merged.tokens == {TRI: token(now)}
    # "Keep mine": the form shown again is sent as it stands, with the token of what is saved now
    again = merge(file_with(now), {TRI: {"note": "their note"}}, merged.tokens, QUESTIONNAIRE)
    assert again.conflicts == {} and again.data["answers"][TRI] == {"value": "not_provided", "note": "their note"}


def test_both_writing_a_different_note_is_a_conflict_on_the_note_alone():
    seen = {TRI: token({"value": "no"})}
    merged = merge(file_with({"value": "no", "note": "theirs"}), {TRI: {"value": "no", "note": "mine"}}, seen, QUESTIONNAIRE)
    assert TRI in merged.conflicts and merged.changed == {}
    same = merge(file_with({"value": "no", "note": "mine"}), {TRI: {"value": "no", "note": "mine"}}, seen, QUESTIONNAIRE)
    assert same.conflicts == {} and same.changed == {}, "the same words typed by both are no conflict"


def test_a_token_no_page_made_fails_closed_into_a_conflict_never_an_overwrite():
    for forged in ("", "nonsense", "value:000000000000", NO_ANSWER):
        merged = merge(file_with({"value": "no", "note": "kept"}), {TRI: {"value": "yes"}}, {TRI: forged}, QUESTIONNAIRE)
        assert TRI in merged.conflicts and merged.changed == {}, forged


def test_the_token_of_an_answer_shown_again_makes_a_second_save_merge_as_the_first_would():
    seen = {TRI: token({"value": "no", "note": "old"})}
    now = {"value": "no", "note": "new, by a colleague"}
    first = merge(file_with(now), {TRI: {"value": "yes", "note": "old"}}, seen, QUESTIONNAIRE)
    assert first.shown["answers"][TRI] == {"value": "yes", "note": "new, by a colleague"}
    # meanwhile the colleague changes the value too: the second save is a conflict, as the first would have been
    moved = {"value": "not_provided", "note": "new, by a colleague"}
    second = merge(file_with(moved), {TRI: first.shown["answers"][TRI]}, first.tokens, QUESTIONNAIRE)
    assert TRI in second.conflicts


def test_a_follow_up_recommendation_merges_field_by_field_too():
    saved = {"status": "open"}
    seen = {"IV-4": token(follow_up_merge.item_entry(saved))}
    data = {"recommendations": {"IV-4": {"level": "require", "status": "open", "lead": "Ministry of Justice"}}}
    merged = follow_up_merge.merge(data, {"IV-4": follow_up_merge.item_entry({"status": "in_progress"})}, seen)
    assert merged.conflicts == {}
    assert merged.data["recommendations"]["IV-4"] == {"level": "require", "status": "in_progress", "lead": "Ministry of Justice"}
