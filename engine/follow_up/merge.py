"""A follow-up file compared and merged one recommendation at a time, as answers are one question at
a time (``engine.answers.merge``), so that ministries can update the plan of action side by side.

A recommendation's *entry* is the Party's part of it - status, reason, lead, deadline, measures,
note - written the same way whatever the file or the form held: texts without surrounding blanks,
dates as YYYY-MM-DD, no empty field, the measures in their order without blank ones. The
Committee's part (level, block, chapter, text, citations) is never in an entry: nothing merged
changes it.
"""

from __future__ import annotations

from typing import Any

from selfcheck.engine.answers.merge import Entry, Merged, merge_entries, plain
from selfcheck.engine.follow_up.follow_up_file import PARTY_FIELDS, fill, status_label, words


def item_entry(given: Any) -> Entry:
    """The entry of a recommendation as a follow-up file or a form holds it."""
    given = given if isinstance(given, dict) else {}
    entry: Entry = {}
    for name in PARTY_FIELDS:
        value = given.get(name)
        if name == "measures" and isinstance(value, list):
            value = [measure for measure in map(_measure, value) if measure]
        value = plain(value)
        if value not in (None, "", []):
            entry[name] = value
    return entry


def _measure(given: Any) -> Any:
    if not isinstance(given, dict):
        return plain(given)  # not a measure: for the reader to name
    measure = {str(name): plain(value) for name, value in given.items()}
    return {name: value for name, value in measure.items() if value not in (None, "")}


def entries_of(data: Any) -> dict[str, Entry]:
    """The entry of every recommendation a follow-up file's data lists."""
    recommendations = data.get("recommendations") if isinstance(data, dict) else None
    if not isinstance(recommendations, dict):
        return {}
    return {str(item_id): item_entry(given) for item_id, given in recommendations.items() if isinstance(given, dict)}


def merge(current: Any, submitted: dict[str, Entry | None], seen: dict[str, str]) -> Merged:
    """The recommendations a form sent (id -> entry) merged into the follow-up's ``current`` data,
    given the tokens the person saw; only listed recommendations are written (``missing`` names the others)."""
    current = current if isinstance(current, dict) else {}
    return merge_entries(current, entries_of(current), submitted, seen, _put)


def missing(data: Any, keys: Any) -> list[str]:
    """Of ``keys``, the recommendations the follow-up's data does not list (removed meanwhile)."""
    listed = entries_of(data)
    return [key for key in keys if key not in listed]


def _put(data: dict, key: str, entry: Entry | None) -> None:
    item = (data.get("recommendations") or {}).get(key) if isinstance(data.get("recommendations"), dict) else None
    if not isinstance(item, dict):
        return  # not listed: the page refuses the save before anything is written
    for name in PARTY_FIELDS:
        item.pop(name, None)
    item.update({name: value for name, value in (entry or {}).items() if name in PARTY_FIELDS})


# -- in words, for the history ------------------------------------------------------------------------


def changes_in_words(old: Entry | None, new: Entry | None) -> str:
    """What changed in a recommendation: each field before and after."""
    said = words()["history"]
    parts = []
    for name in PARTY_FIELDS:
        before, after = (old or {}).get(name), (new or {}).get(name)
        if before != after:
            parts.append(fill(said["change"], field=said["fields"][name], before=_value_words(name, before), after=_value_words(name, after)))
    return "; ".join(parts) or said["no_change"]


def entry_in_words(entry: Entry | None) -> str:
    """A recommendation's Party's part in words, field by field (what was saved, shown beside a conflict)."""
    said = words()["history"]
    return "; ".join(f"{said['fields'][name]} {_value_words(name, (entry or {}).get(name))}" for name in PARTY_FIELDS if (entry or {}).get(name))


def change_line(item_id: str, old: Entry | None, new: Entry | None, imported: bool = False) -> str:
    said = words()["history"]
    return fill(said["changed"], id=item_id, how=said["imported"] if imported else "", changes=changes_in_words(old, new))


def _value_words(name: str, value: Any) -> str:
    said = words()["history"]
    if value in (None, "", []):
        return said["nothing"]
    if name == "status" and isinstance(value, str) and value in words()["statuses"]:
        return status_label(value).lower()
    if name == "measures" and isinstance(value, list):
        return ", ".join(_measure_words(measure) for measure in value)
    text = str(value)
    return f"“{text[:197]}...”" if len(text) > 200 else (f"“{text}”" if name in ("reason", "note", "lead") else text)


def _measure_words(measure: Any) -> str:
    said = words()["history"]
    if not isinstance(measure, dict):
        return str(measure)
    details = [fill(template, **{name: measure[name]}) for name, template in said["measure_details"].items() if measure.get(name)]
    what = str(measure.get("what", ""))
    return fill(said["measure"], what=what if len(what) <= 120 else what[:117] + "...") + (f" ({', '.join(details)})" if details else "")
