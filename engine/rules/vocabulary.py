"""The words of a convention's monitoring, declared by its rulebook: nothing here names a level or a block.

``rulebook.yaml`` says, under ``vocabulary``: the levels of a recommendation (most urgent first)
with their verb and meaning; the blocks a recommendation is printed in, and which of them holds
those addressed to a Party because of its answers and which those addressed to all Parties; the
lead-in before a list of recommendations of one level in each block; the patterns of chapter,
recommendation and observation ids and of the places a ground is quoted from; the kinds of
citation; and the tones of an observation. The engine reads these; a second round, or another
convention, is a folder of data.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from selfcheck.engine.common.models import Citations, Strict


class Level(Strict):
    name: str = Field(pattern=r"^[a-z][a-z_]*$")
    verb: str = Field(min_length=1, description="The verb a text uses for it: requires, requests ...")
    meaning: str = Field(min_length=1, description="What the level means, as the introduction says it")


class Block(Strict):
    name: str = Field(pattern=r"^[a-z][a-z_]*$")
    addressed_to: Literal["party", "all"] = Field(description="party: because of its answers; all: to every Party")
    heading: str = Field(min_length=1, description="How a summary names the block; {party} allowed")
    lead: str = Field(min_length=1, description="Before a list of recommendations of one level; {verb} and {party} allowed")
    statement: str = Field(min_length=1, description="One recommendation printed alone; {verb}, {party} and {text} allowed")


class CitationKind(Strict):
    kind: str = Field(pattern=r"^[a-z][a-z_]*$")
    label: str = Field("", description="Printed before the items in a line of citations; empty: the items alone")
    plural: str = Field("", description="The label before more than one item; the label if empty")
    paragraphs: bool = Field(False, description="Its items are paragraph numbers a text may cite in a footnote, [^50]")
    source: bool = Field(True, description="Whether citing only this kind is citing a source")


class Ids(Strict):
    chapter: str = Field(description="A chapter's id")
    recommendation: str = Field(description="A recommendation's id; a group named chapter ties it to its chapter, one named number orders it")
    observation: str = Field(description="An observation's id; a group named chapter ties it to its chapter")
    ground: str = Field(description="The place a ground is quoted from: a paragraph, a footnote ...")
    own_recommendation: str | None = Field(
        None, description="selfcheck's own ids, for obligations no published factsheet numbers; never matching a recommendation's"
    )

    @model_validator(mode="after")
    def _patterns_compile(self) -> Ids:
        for name in ("chapter", "recommendation", "observation", "ground", "own_recommendation"):
            if getattr(self, name) is None:
                continue
            try:
                re.compile(getattr(self, name))
            except re.error as error:
                raise ValueError(f"the {name} pattern is not a regular expression: {error}") from None
        return self


class Own(Strict):
    """Obligations of the convention that no published factsheet numbers, stated by selfcheck under its own ids."""

    level: str = Field(description="The level they are stated at: the convention obliges, so the most urgent")
    label: str = Field(min_length=1, description="How every output labels them: selfcheck's inference")
    meaning: str = Field(min_length=1, description="What they are, as outputs explain it")


class Vocabulary(Strict):
    recommendation: str = Field(min_length=1, description="What one recommendation is called: Recommendation")
    levels: list[Level] = Field(min_length=1)
    blocks: list[Block] = Field(min_length=2, max_length=2)
    ids: Ids
    citations: list[CitationKind] = Field(min_length=1)
    tones: list[str] = Field(min_length=1)
    own: Own | None = Field(None, description="selfcheck's own ids (ids.own_recommendation): how they are stated and labelled")
    quoted_party: str = Field(
        "[the Party]",
        min_length=1,
        description="What a quoted ground prints where the published sentence named the Party the Committee monitored: "
        "the quote is the Committee's finding for that Party, never one about the Party assessed",
    )

    @model_validator(mode="after")
    def _one_block_each(self) -> Vocabulary:
        if sorted(block.addressed_to for block in self.blocks) != ["all", "party"]:
            raise ValueError("declare one block addressed to a party and one addressed to all")
        if (self.own is None) != (self.ids.own_recommendation is None):
            raise ValueError("selfcheck's own ids need both ids.own_recommendation and own (their level and label)")
        if self.own is not None and self.own.level not in [level.name for level in self.levels]:
            raise ValueError(f"own.level {self.own.level!r} is not one of the levels")
        if len([kind for kind in self.citations if kind.paragraphs]) > 1:
            raise ValueError("at most one kind of citation holds paragraph numbers")
        return self

    @cached_property
    def level_names(self) -> tuple[str, ...]:
        return tuple(level.name for level in self.levels)

    @cached_property
    def level_width(self) -> int:
        """The longest level name, for the columns of plain-text outputs."""
        return max(len(name) for name in self.level_names)

    @cached_property
    def block_names(self) -> tuple[str, ...]:
        return tuple(block.name for block in self.blocks)

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind.kind for kind in self.citations)

    def level(self, name: str) -> Level:
        return next(level for level in self.levels if level.name == name)

    def block(self, name: str) -> Block:
        return next(block for block in self.blocks if block.name == name)

    @cached_property
    def party_block(self) -> str:
        return next(block.name for block in self.blocks if block.addressed_to == "party")

    @cached_property
    def all_block(self) -> str:
        return next(block.name for block in self.blocks if block.addressed_to == "all")

    @cached_property
    def paragraphs(self) -> str | None:
        """The kind of citation whose items are paragraphs a text cites in footnotes, if any."""
        return next((kind.kind for kind in self.citations if kind.paragraphs), None)

    def verb(self, level: str) -> str:
        return self.level(level).verb

    def at_least(self, level: str) -> tuple[str, ...]:
        """The levels as urgent as ``level`` or more."""
        return self.level_names[: self.level_names.index(level) + 1]

    # -- ids -----------------------------------------------------------------------------------

    @cached_property
    def _recommendation(self) -> re.Pattern:
        return re.compile(self.ids.recommendation)

    @cached_property
    def _observation(self) -> re.Pattern:
        return re.compile(self.ids.observation)

    @cached_property
    def _own(self) -> re.Pattern | None:
        return re.compile(self.ids.own_recommendation) if self.ids.own_recommendation else None

    def is_own(self, item_id: str) -> bool:
        """Whether the id is one of selfcheck's own: an obligation no published factsheet numbers."""
        return bool(self._own and self._own.fullmatch(item_id))

    def is_recommendation(self, item_id: str) -> bool:
        return bool(self._recommendation.fullmatch(item_id)) or self.is_own(item_id)

    def _match(self, item_id: str, observation: bool) -> re.Match | None:
        if observation:
            return self._observation.fullmatch(item_id)
        return self._recommendation.fullmatch(item_id) or (self._own.fullmatch(item_id) if self._own else None)

    def chapter_of(self, item_id: str, observation: bool = False) -> str | None:
        """The chapter an id names (its group ``chapter``), or None if the pattern names none."""
        found = self._match(item_id, observation)
        return found.groupdict().get("chapter") if found else None

    def number_of(self, rule_id: str) -> int:
        found = self._match(rule_id, observation=False)
        number = found.groupdict().get("number") if found else None
        return int(number) if number else 0

    # -- citations ------------------------------------------------------------------------------

    def citations_of(self, cites: dict[str, list], recommendation: str | None = None) -> Citations:
        """Every kind the rulebook declares, in its order, for the output of an item."""
        return Citations(recommendation=recommendation, **{kind: list(cites.get(kind, [])) for kind in self.kinds})

    def cites_a_source(self, cites: dict[str, list]) -> bool:
        return any(cites.get(kind.kind) for kind in self.citations if kind.source)

    def citation_line(self, citations: Citations) -> str:
        """The citations as one line of text: 'Recommendation IV-6; report para 222; Convention Art. 25(4)'."""
        parts = [f"{self.recommendation} {citations.recommendation}"] if citations.recommendation else []
        for kind in self.citations:
            items = citations.of(kind.kind)
            if not items:
                continue
            label = (kind.plural or kind.label) if len(items) > 1 else kind.label
            words = ", ".join(map(str, items))
            parts.append(f"{label} {words}" if label else words)
        return "; ".join(parts)
