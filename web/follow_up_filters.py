"""The follow-up page at the scale of a round (some ninety recommendations): the list narrowed by
chapter, level, status, flag and lead institution, and the summary's counts as links to the list they
count. A filter is part of the page's address (``?chapter=IV&flag=inconsistent``), so that it can be
bookmarked, and is carried through a save by the form's ``filter`` field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from selfcheck.web.follow_up_forms import ItemForm

KEYS = ("chapter", "level", "status", "flag", "lead")
NO_LEAD = "none"  # the lead filter of the recommendations without a lead institution
FLAG_WORDS = {"inconsistent": "Inconsistent", "overdue": "Overdue", "notice": "To note", "any": "Any flag"}
STATUS_COLUMNS = ("open", "in_progress", "partially_implemented", "implemented", "not_applicable")  # the summary's columns a status filters


@dataclass(frozen=True)
class Filter:
    chosen: dict[str, str]

    @classmethod
    def of(cls, values: Any) -> Filter:
        """The filter a query (or a form's ``filter`` field, parsed) asks for; empty values dropped."""
        return cls({key: str(values.get(key, "")).strip()[:200] for key in KEYS if str(values.get(key, "")).strip()})

    @classmethod
    def of_text(cls, text: str) -> Filter:
        return cls.of(dict(parse_qsl(text[:2000])))

    def query(self, **changes: str) -> str:
        """The page's query with this filter, some keys changed ('' removes one)."""
        values = {**self.chosen, **changes}
        return urlencode({key: values[key] for key in KEYS if values.get(key)})

    def matches(self, form: ItemForm) -> bool:
        item, chosen = form.item, self.chosen
        categories = {flag.category for flag in form.flags}
        return (
            chosen.get("chapter", item.chapter) == item.chapter
            and chosen.get("level", item.level) == item.level
            and chosen.get("status", form.values["status"]) == form.values["status"]
            and ("flag" not in chosen or (bool(categories) if chosen["flag"] == "any" else chosen["flag"] in categories))
            and chosen.get("lead", form.values["lead"] or NO_LEAD) == (form.values["lead"] or NO_LEAD)
        )

    def __bool__(self) -> bool:
        return bool(self.chosen)


def summary_links(sections: list[tuple[str, list[Any]]], columns: list[tuple[str, str]], no_lead: str) -> list[dict[str, Any]]:
    """Each summary table with, for each row, the filter of its row and of each status cell."""
    keys = ("level", "lead", "chapter")  # summary_sections' order: by level, by lead, by chapter
    tables = []
    for (heading, tallies), key in zip(sections, keys, strict=True):
        rows = []
        for tally in tallies:
            value = NO_LEAD if key == "lead" and tally.name == no_lead else tally.name
            cells = [(getattr(tally, column), Filter({key: value, "status": column}).query() if column in STATUS_COLUMNS else "") for column, _ in columns]
            rows.append({"name": tally.name, "query": Filter({key: value}).query(), "cells": cells})
        tables.append({"heading": heading, "rows": rows})
    return tables
