"""The follow-up as HTML forms, one per chapter, and a submitted form back into the entries of its
recommendations (``engine.follow_up.merge``), checked by the follow-up file's own reader, so that
the message beside a field says what ``selfcheck follow-up status`` would say of the file, in the
form's words.

Field names, for the recommendation ID: ``v.ID`` the token of what the person saw (it also says
which recommendations the form shows), ``status.ID``, ``reason.ID``, ``lead.ID``, ``deadline.ID``,
``note.ID``; for its measure N (0, 1, ...): ``m.ID.N.what``, ``.act``, ``.adopted``, ``.in_force``,
``.reference``, and ``m.ID.N.remove`` to take it off. A row left blank adds nothing, so the form
always ends each list with a blank row for a new measure. ``save`` names the recommendation whose
button was pressed, to come back to it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from selfcheck.engine.answers.merge import Entry, token
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.follow_up.follow_up_file import MEASURE_FIELDS, STATUSES, Item
from selfcheck.engine.follow_up.merge import item_entry
from selfcheck.engine.follow_up.status import Flag
from selfcheck.web.forms import Holds, Malformed, date_from_people, people_date

SEEN = "v."
TEXT_FIELDS = ("status", "reason", "lead", "deadline", "note")
MEASURE = re.compile(r"^m\.(?P<id>[^.]{1,40})\.(?P<index>[0-9]{1,3})\.(?P<field>" + "|".join((*MEASURE_FIELDS, "remove")) + ")$")
DATES = ("adopted", "in_force")  # a measure's dates, typed as day.month.year
CONTROL = (
    "csrf",
    "save",
    "as_of",
    "focus",
    "filter",
    "theirs",
)  # as_of, filter: the date the page checks on and its filter, kept after saving; focus: where the person was; theirs: "Take theirs"


@dataclass
class MeasureRow:
    index: int
    values: dict[str, str]  # what, act, adopted, in_force, reference, as shown
    errors: dict[str, list[str]] = field(default_factory=dict)  # a field -> problems
    blank: bool = False  # the row for a new measure


@dataclass
class ItemForm:
    """A recommendation as the page shows it: the Committee's part, what the Party declares, the check."""

    item: Item  # the Committee's part (level, text, citations) as saved
    values: dict[str, str]  # status, reason, lead, deadline, note, as shown
    measures: list[MeasureRow]
    token: str
    errors: dict[str, list[str]] = field(default_factory=dict)  # a field, or "item" for the whole -> problems
    flags: list[Flag] = field(default_factory=list)
    rules_say: str = ""
    theirs: str | None = None  # in a conflict: what was saved meanwhile, in words
    theirs_by: tuple[str, str] | None = None  # who saved it, and when
    changes: int = 0  # changes recorded in its history

    @property
    def problem_count(self) -> int:
        return sum(map(len, self.errors.values())) + sum(len(messages) for row in self.measures for messages in row.errors.values())


def item_form(item: Item, entry: Entry | None, tokens: dict[str, str] | None = None) -> ItemForm:
    """What the form shows for a recommendation whose Party's part is ``entry`` (as saved, or as typed
    after a refused save, when ``tokens`` holds the tokens to carry on)."""
    entry = entry or {}
    values = {name: _text(entry.get(name, "open" if name == "status" else "")) for name in TEXT_FIELDS}
    given = entry.get("measures")
    rows = [
        MeasureRow(index, {name: _text(measure.get(name)) if isinstance(measure, dict) else "" for name in MEASURE_FIELDS})
        for index, measure in enumerate(given if isinstance(given, list) else [])
    ]
    rows.append(MeasureRow(len(rows), dict.fromkeys(MEASURE_FIELDS, ""), blank=True))
    return ItemForm(item, values, rows, (tokens or {}).get(item.id, token(entry)))


def place_problems(forms: dict[str, ItemForm], problems: list[InputError]) -> list[str]:
    """Each problem beside its field, in the form's words; those tied to no recommendation shown are returned."""
    general = []
    for problem in problems:
        keys = problem.place.keys
        shown = forms.get(str(keys[1])) if len(keys) >= 2 and keys[0] == "recommendations" else None
        if shown is None:
            general.append(_plain_words(problem.problem))
            continue
        rest = keys[2:]
        if rest[:1] == ("measures",) and len(rest) >= 2 and isinstance(rest[1], int) and rest[1] < len(shown.measures):
            name = str(rest[2]) if len(rest) >= 3 and rest[2] in MEASURE_FIELDS else "what"
            shown.measures[rest[1]].errors.setdefault(name, []).append(in_people_words(name, problem.problem))
            continue
        name = str(rest[0]) if rest and rest[0] in (*TEXT_FIELDS, "measures") else "item"
        if name == "status" and "needs its reason" in problem.problem:
            name = "reason"  # the field to fill in
        shown.errors.setdefault(name, []).append(in_people_words(name, problem.problem))
    return general


def in_people_words(name: str, problem: str) -> str:
    """The follow-up reader's message about a field, as what to do in this form."""
    if "needs its reason" in problem:
        return "Say why the recommendation does not apply: “Not applicable” needs its reason."
    if problem.startswith("a reason is given only with status not_applicable"):
        return "A reason is given only when the recommendation is declared not applicable: choose that status, or move the text to the note."
    if problem.startswith("expected a date written YYYY-MM-DD"):
        got = problem.rsplit(", got ", 1)[-1]
        got = f"'{people_date(got[1:-1])}'" if got[:1] == got[-1:] == "'" else got  # as it was typed
        return f"Give the date as day.month.year, for example 01.05.2026, or leave it empty; {got} is not such a date."
    if problem.startswith("expected in_force on or after adopted"):
        return "The date it entered into force cannot come before the date it was adopted."
    if problem.startswith("an in_force date needs the adopted date"):
        return "Give the date the measure was adopted too."
    if problem.startswith("what is missing"):
        return "Say what was done (or clear the other fields of this measure, or tick “Remove”)."
    if problem.startswith("expected the lead institution on one line"):
        return "Write the lead institution on one line."
    if name == "status" and problem.startswith("expected one of"):
        return "Choose one of the statuses offered."
    return _plain_words(problem)


def _plain_words(problem: str) -> str:
    for word in (*STATUSES, "in_force"):
        problem = problem.replace(word, word.replace("_", " "))
    return problem


@dataclass
class Submission:
    """A submitted chapter form: an entry for each recommendation it shows, with the token seen."""

    entries: dict[str, Entry]
    seen: dict[str, str]
    save: str = ""
    theirs: str = ""  # the recommendation whose entry saved meanwhile is taken, what was typed in it dropped


def submitted(pairs: list[tuple[str, str]], held: Collection[str], what: str = "the follow-up's form") -> Submission:
    """What a form sends, as entries: NotHeld for a field the form does not hold (a recommendation
    not among ``held``, a field no form has), Malformed for a form no page of ours would send."""
    holds = Holds(what)
    grouped: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        grouped[name].append(value)
    shown = {name[len(SEEN) :] for name in grouped if name.startswith(SEEN)}
    outside = sorted(shown - set(held))
    if outside:
        raise holds.refuse(SEEN + outside[0])
    rows: dict[str, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for name, values in grouped.items():
        if len(values) > 1:
            raise Malformed(f"the field {name[:80]!r} was sent {len(values)} times")
        prefix, _, rest = name.partition(".")
        measure = MEASURE.fullmatch(name)
        if measure:
            if measure["id"] not in shown:
                raise Malformed(f"the field {name[:80]!r} belongs to a recommendation this form does not show")
            rows[measure["id"]][int(measure["index"])][measure["field"]] = values[0]
        elif prefix in TEXT_FIELDS and rest:
            if rest not in shown:
                raise Malformed(f"the field {name[:80]!r} belongs to a recommendation this form does not show")
        elif not (name.startswith(SEEN) or name in CONTROL):
            raise holds.refuse(name)
    entries = {}
    for item_id in shown:
        given: dict[str, Any] = {name: grouped.get(f"{name}.{item_id}", [""])[0] for name in TEXT_FIELDS}
        given["deadline"] = date_from_people(given["deadline"])
        measures = rows.get(item_id, {})
        given["measures"] = [
            {name: date_from_people(measures[index].get(name, "")) if name in DATES else measures[index].get(name, "") for name in MEASURE_FIELDS}
            for index in sorted(measures)
            if not measures[index].get("remove")
        ]
        entries[item_id] = item_entry(given)
    seen = {item_id: grouped[SEEN + item_id][0] for item_id in shown}
    theirs = grouped.get("theirs", [""])[0]
    if theirs:
        if theirs not in shown:
            raise Malformed(f"“take theirs” names {theirs[:40]!r}, which this form does not show")
        del entries[theirs], seen[theirs]  # not merged: what is saved stays
    return Submission(entries, seen, grouped.get("save", [""])[0], theirs)


def _text(value: Any) -> str:
    return "" if value is None else str(value)
