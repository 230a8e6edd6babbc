"""The index of a convention the rules cite: every provision, its title, and the reservations it admits.

A round's ``rulebook.yaml`` names the index under ``convention`` (``conventions/<index>.yaml`` beside
``rules/`` and ``questionnaires/``: a convention is not a round's) and the kind of citation that
cites it. Citations are written as the rules write them: ``Art. 25(1)(d)``, ``Art. 30(5), first
indent``, ``Art. 20(1)(b)-(f)`` (a range of points). Loading the rulebook refuses a citation of a
provision the index does not list; ``selfcheck rules`` prints each cited provision's title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.models import Strict
from selfcheck.engine.common.safe_files import read_document

CITATION = re.compile(r"^Art\. (?P<article>\d+)(?P<points>(?:\([0-9a-z]+\))*)(?:-\((?P<last>[0-9a-z]+)\))?(?P<indent>, (?:first|second|third) indent)?$")
POINT = re.compile(r"\(([0-9a-z]+)\)")


class Provision(Strict):
    title: str = Field(min_length=1, description="A short title in selfcheck's words")
    duty: Literal["shall", "endeavour", "may", "none"] = Field(
        "shall", description="shall: an obligation; endeavour; may: a possibility; none: a definition or the Convention's machinery"
    )
    reservation: str | None = Field(None, description="The provision that permits a reservation to this one; none: no reservation is permitted")


class ConventionIndex(Strict):
    convention: str = Field(min_length=1)
    short: str = Field(min_length=1)
    treaty_series: str = Field(min_length=1)
    provisions: dict[str, Provision] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys_are_citations(self) -> ConventionIndex:
        for key, provision in self.provisions.items():
            found = CITATION.fullmatch(key)
            if not found or found.group("last"):
                raise ValueError(f"{key!r} is not a provision written as Art. N, Art. N(p), Art. N(p)(x) or with ', first indent'")
            if provision.reservation is not None and provision.reservation not in self.provisions:
                raise ValueError(f"{key}: reservation names {provision.reservation}, which is not a provision of the index")
        return self

    def provisions_cited(self, citation: str) -> list[str] | str:
        """The provisions of the index a citation names (a range names each of its points), or why it names none."""
        found = CITATION.fullmatch(citation)
        if not found:
            return "is not written as Art. N, Art. N(p)(x), Art. N(p)(x)-(y) or Art. N(p), first indent"
        article, indent, last = found.group("article"), found.group("indent") or "", found.group("last")
        points = POINT.findall(found.group("points"))
        if last is None:
            keys = [f"Art. {article}" + "".join(f"({p})" for p in points) + indent]
        else:
            if not points or indent:
                return "gives a range of points without the point it starts from"
            head, first = points[:-1], points[-1]
            span = _span(first, last)
            if span is None:
                return f"gives the range ({first})-({last}), which is no range of letters or numbers"
            keys = [f"Art. {article}" + "".join(f"({p})" for p in head) + f"({point})" for point in span]
        missing = [key for key in keys if key not in self.provisions]
        if missing:
            return f"names {missing[0]}, which the {self.short} does not have"
        return keys

    def title(self, citation: str) -> str:
        """The title of what a citation names: a range joins the titles of its first and last point."""
        keys = self.provisions_cited(citation)
        if isinstance(keys, str):
            raise ValueError(f"{citation} {keys}")
        titles = [self.provisions[keys[0]].title] + ([self.provisions[keys[-1]].title] if len(keys) > 1 else [])
        return " ... ".join(titles)

    def reservations(self, citation: str) -> list[str]:
        """The reservations the Convention permits to what a citation names, or to any provision inside it."""
        keys = self.provisions_cited(citation)
        if isinstance(keys, str):
            return []
        return sorted(
            {provision.reservation for key, provision in self.provisions.items() if provision.reservation and any(_within(key, cited) for cited in keys)}
        )

    def duty(self, citation: str) -> str:
        keys = self.provisions_cited(citation)
        return "none" if isinstance(keys, str) else self.provisions[keys[0]].duty


def _span(first: str, last: str) -> list[str] | None:
    if first.isdigit() and last.isdigit() and int(first) < int(last):
        return [str(n) for n in range(int(first), int(last) + 1)]
    if len(first) == len(last) == 1 and first.isalpha() and last.isalpha() and first < last:
        return [chr(c) for c in range(ord(first), ord(last) + 1)]
    return None


def _within(key: str, cited: str) -> bool:
    """Whether the provision ``key`` is ``cited`` or part of it (Art. 25(1)(e) is part of Art. 25)."""
    return key == cited or key.startswith(cited + "(") or key.startswith(cited + ",")


@dataclass(frozen=True)
class CitedConvention:
    """The index a rulebook checks its citations against, and the kind of citation that cites it."""

    index: ConventionIndex
    kind: str
    file: Path


def load_convention_index(path: Path) -> ConventionIndex:
    from selfcheck.engine.answers.questionnaire import pydantic_input_error

    document = read_document(path)
    try:
        return ConventionIndex.model_validate(document.data)
    except ValidationError as error:
        raise pydantic_input_error(document, error) from None


def convention_file(round_id: str, name: str) -> Path:
    """``conventions/<name>.yaml`` under the root that holds the round (a convention is not a round's)."""
    from selfcheck.engine.answers import rounds

    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise InputError(rounds.rules_dir(round_id) / "rulebook.yaml", f"convention index {name!r}: expected a name like lanzarote")
    return rounds.root_of(round_id) / "conventions" / f"{name}.yaml"
