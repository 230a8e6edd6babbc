"""Whether a bill is in force on a day, which of its dates are refused, and how outputs say so
(engine.answers.in_force), each boundary day on both sides."""

from __future__ import annotations

import datetime

from selfcheck.engine.answers import in_force
from selfcheck.engine.answers.answer_file import NotInForce
from selfcheck.engine.answers.in_force import ADOPTED_NOT_IN_FORCE, IN_FORCE, NO_LONGER_IN_FORCE, NOT_ADOPTED, check_dates, state_on

ADOPTED, IN_FORCE_FROM, UNTIL = datetime.date(2024, 7, 18), datetime.date(2025, 1, 1), datetime.date(2030, 12, 31)
DAY = datetime.timedelta(days=1)


def test_a_bill_is_in_force_from_its_in_force_date_until_the_day_before_its_end():
    assert state_on(ADOPTED, IN_FORCE_FROM, UNTIL, ADOPTED - DAY) == NOT_ADOPTED
    assert state_on(ADOPTED, IN_FORCE_FROM, UNTIL, ADOPTED) == ADOPTED_NOT_IN_FORCE
    assert state_on(ADOPTED, IN_FORCE_FROM, UNTIL, IN_FORCE_FROM - DAY) == ADOPTED_NOT_IN_FORCE
    assert state_on(ADOPTED, IN_FORCE_FROM, UNTIL, IN_FORCE_FROM) == IN_FORCE
    assert state_on(ADOPTED, IN_FORCE_FROM, UNTIL, UNTIL - DAY) == IN_FORCE
    assert state_on(ADOPTED, IN_FORCE_FROM, UNTIL, UNTIL) == NO_LONGER_IN_FORCE
    assert state_on(ADOPTED, IN_FORCE_FROM, None, UNTIL) == IN_FORCE


def test_a_bill_without_dates_is_never_in_force_on_a_date():
    assert state_on(None, None, None, UNTIL) == NOT_ADOPTED
    assert state_on(ADOPTED, None, None, UNTIL) == ADOPTED_NOT_IN_FORCE
    assert state_on(None, None, None, ADOPTED) == NOT_ADOPTED


def test_dates_out_of_order_or_missing_their_predecessor_are_refused():
    assert check_dates({}) is None
    assert check_dates({"adopted": ADOPTED, "in_force": IN_FORCE_FROM, "in_force_until": UNTIL}) is None
    assert check_dates({"adopted": ADOPTED, "in_force": ADOPTED}) is None
    assert check_dates({"in_force": IN_FORCE_FROM}) == ("in_force", "an in_force date needs the adopted date too; give adopted: YYYY-MM-DD")
    assert check_dates({"adopted": ADOPTED, "in_force": ADOPTED - DAY}) == ("in_force", "expected in_force on or after adopted (2024-07-18), got 2024-07-17")
    assert check_dates({"adopted": ADOPTED, "in_force_until": UNTIL}) == (
        "in_force_until",
        "an in_force_until date needs the in_force date too; give in_force: YYYY-MM-DD",
    )
    assert check_dates({"adopted": ADOPTED, "in_force": IN_FORCE_FROM, "in_force_until": IN_FORCE_FROM}) == (
        "in_force_until",
        "expected in_force_until after in_force (2025-01-01), got 2025-01-01",
    )
    assert check_dates({"adopted": ADOPTED, "in_force": IN_FORCE_FROM, "in_force_until": IN_FORCE_FROM + DAY}) is None


def test_outputs_say_why_a_bill_was_not_applied_with_dates_as_the_factsheet_writes_them():
    day = datetime.date(2026, 3, 1)
    waiting = NotInForce(amendment="Bill A", state=ADOPTED_NOT_IN_FORCE, adopted=ADOPTED, in_force=datetime.date(2027, 1, 1))
    undated = NotInForce(amendment="Bill B", state=ADOPTED_NOT_IN_FORCE, adopted=ADOPTED)
    lapsed = NotInForce(amendment="Bill C", state=NO_LONGER_IN_FORCE, adopted=ADOPTED, in_force=IN_FORCE_FROM, in_force_until=datetime.date(2026, 1, 1))
    draft = NotInForce(amendment="Bill D", state=NOT_ADOPTED)
    assert in_force.describe(waiting, day) == "adopted on 18.07.2024, in force from 01.01.2027, not yet on 01.03.2026"
    assert in_force.describe(undated, day) == "adopted on 18.07.2024, not yet in force on 01.03.2026"
    assert in_force.describe(lapsed, day) == "in force from 01.01.2025 until 01.01.2026, no longer on 01.03.2026"
    assert in_force.describe(draft, day) == "not adopted on 01.03.2026"
    assert in_force.law_line(day) == "the law as in force on 01.03.2026"
    assert in_force.law_line(None) == "every amendment given applied, whatever its dates"
    assert in_force.not_in_force_lines(day, [draft]) == ["not applied: Bill D - not adopted on 01.03.2026"]
    assert in_force.factsheet_sentence(day, []) == "The law is taken as in force on 01.03.2026."
    assert in_force.factsheet_sentence(day, [draft, undated]) == (
        "The law is taken as in force on 01.03.2026; not applied: Bill D (not adopted on 01.03.2026); "
        "Bill B (adopted on 18.07.2024, not yet in force on 01.03.2026)."
    )
