"""Law over time: whether a bill (or a measure) is in force on a date, and how outputs say so.

A bill records when it was ``adopted``, when it is ``in_force`` and, where it applies, until when
(``in_force_until``, the first day it no longer is). On a date it is in force, adopted but not yet
in force, not adopted, or no longer in force. The words are data, in templates/in-force.yaml.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from selfcheck.engine.answers.answer_file import NotInForce
from selfcheck.engine.common.data import TEMPLATES

IN_FORCE, NOT_ADOPTED, ADOPTED_NOT_IN_FORCE, NO_LONGER_IN_FORCE = "in_force", "not_adopted", "adopted_not_in_force", "no_longer_in_force"
WORDS = TEMPLATES / "in-force.yaml"


def state_on(adopted: datetime.date | None, in_force: datetime.date | None, until: datetime.date | None, day: datetime.date) -> str:
    if in_force is not None and in_force <= day and (until is None or day < until):
        return IN_FORCE
    if until is not None and until <= day:
        return NO_LONGER_IN_FORCE
    return ADOPTED_NOT_IN_FORCE if adopted is not None and adopted <= day else NOT_ADOPTED


def check_dates(dates: dict[str, datetime.date | None]) -> tuple[str, str] | None:
    """The first problem of a set of adopted / in_force / in_force_until dates, as (key, problem)."""
    adopted, in_force, until = dates.get("adopted"), dates.get("in_force"), dates.get("in_force_until")
    if in_force is not None and adopted is None:
        return "in_force", "an in_force date needs the adopted date too; give adopted: YYYY-MM-DD"
    if in_force is not None and adopted is not None and in_force < adopted:
        return "in_force", f"expected in_force on or after adopted ({adopted}), got {in_force}"
    if until is not None and in_force is None:
        return "in_force_until", "an in_force_until date needs the in_force date too; give in_force: YYYY-MM-DD"
    if until is not None and in_force is not None and until <= in_force:
        return "in_force_until", f"expected in_force_until after in_force ({in_force}), got {until}"
    return None


@lru_cache(maxsize=1)
def words() -> dict:
    from selfcheck.engine.common.safe_files import read_document

    return read_document(WORDS).data


def describe(item: NotInForce, day: datetime.date | None) -> str:
    """Why a bill was not applied on ``day``, in words."""
    state = "adopted_in_force_from" if item.state == ADOPTED_NOT_IN_FORCE and item.in_force else item.state
    return _fill(words()["states"][state], date=day, adopted=item.adopted, in_force=item.in_force, in_force_until=item.in_force_until)


def law_line(day: datetime.date | None) -> str:
    """The date the law was taken at, or that every amendment given applies."""
    return _fill(words()["law_as_of"], date=day) if day else words()["all_amendments"]


def not_in_force_lines(law_as_of: datetime.date | None, items: list[NotInForce] | tuple[NotInForce, ...]) -> list[str]:
    return [_fill(words()["not_applied"], amendment=item.amendment, why=describe(item, law_as_of)) for item in items]


def factsheet_sentence(law_as_of: datetime.date, items: list[NotInForce]) -> str:
    listed = "; ".join(f"{item.amendment} ({describe(item, law_as_of)})" for item in items)
    not_applied = _fill(words()["factsheet_not_in_force"], items=listed) if items else ""
    return _fill(words()["factsheet"], date=law_as_of, not_in_force=not_applied)


def _fill(template: str, **values) -> str:
    """The template with its values; a date written as the factsheet writes dates (01.03.2026)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value.strftime("%d.%m.%Y") if isinstance(value, datetime.date) else str(value))
    return template
