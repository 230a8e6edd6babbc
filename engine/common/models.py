"""The base of every model read from a data file, the one model of what an item cites, and of a
recommendation as outputs show it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A model of a data file: unknown fields refused, read-only once read.

    Built when first used (``defer_build``), so that a command pays only for the models it reads.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Citations(BaseModel):
    """What a recommendation (its id) or an observation cites, one list per kind of source.

    The kinds are the rulebook's (``vocabulary.citations`` in rulebook.yaml), so the fields beside
    ``recommendation`` are whatever it declares: report_paras, convention ... for the Lanzarote
    Committee's rounds.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    recommendation: str | None = None

    def of(self, kind: str) -> list:
        return list(getattr(self, kind, None) or [])


class Recommended(BaseModel):
    """A recommendation as an output shows it: where it stands, the Committee's words and citations."""

    id: str
    level: str
    block: str
    chapter: str
    text: str
    citations: Citations
