"""The factsheet layout as data: how the Committee arranges each chapter, checked against the rulebook.

``<rules>/factsheet/factsheet.yaml`` holds the document's fixed texts and the words used to print
observations and recommendations; one file per chapter, named like the chapter's rule file, says
in which order, under which lead-ins and with which merged wordings they are printed. A chapter
without a layout file prints its observations, then its recommendations by level. Every problem is
reported at once, with its file and line, as for the rule files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, ValidationError

from selfcheck.engine.answers.questionnaire import pydantic_input_error
from selfcheck.engine.common.data import TEMPLATES
from selfcheck.engine.common.errors import InputError, RulebookError
from selfcheck.engine.common.models import Strict
from selfcheck.engine.common.safe_files import Document, read_document
from selfcheck.engine.rules.conditions import Condition, ConditionError, parse_condition
from selfcheck.engine.rules.markup import footnotes_in, placeholders_in
from selfcheck.engine.rules.rulebook import Rulebook
from selfcheck.engine.rules.vocabulary import Vocabulary

LAYOUT_DIR = "factsheet"
DOCUMENT_FILE = "factsheet.yaml"
PLAIN_REPORT = "plain-report.yaml"  # in templates/: the words of a report for a rulebook without a factsheet layout


class IntroductionHeading(Strict):
    heading: str


class IntroductionBullets(Strict):
    bullets: list[str] = Field(min_length=1)


class IntroductionLevels(Strict):
    levels: dict[str, str] = Field(description="Each level's bullet, by the vocabulary's levels; {meaning} from rulebook.yaml")


class IntroductionText(Strict):
    """A paragraph true of some Parties only ("took part, including {party}"): printed where the answers say so."""

    text: str
    when: Any = Field(description="The answers under which the paragraph is true of the Party, in the rule language")


class Introduction(Strict):
    """Paragraphs (texts), and {heading}, {bullets}, {levels} or {text, when} entries, in order."""

    heading: str
    content: list[str | IntroductionHeading | IntroductionBullets | IntroductionLevels | IntroductionText]


class Headings(Strict):
    """A chapter part's heading where no chapter layout gives one: by block (the vocabulary's), and for free texts."""

    parts: dict[str, str] = Field(description="By block name, or '*' for every block not named; {topic} is the chapter's title, {block} the block's heading")
    difficulties: str
    practices: str

    def part(self, block: str, topic: str, vocabulary: Vocabulary) -> str:
        heading = self.parts.get(block, self.parts.get("*", ""))
        return heading.replace("{topic}", topic).replace("{block}", vocabulary.block(block).heading)


class PartyVoice(Strict):
    """How a free text the Party wrote is printed: as the Party's words, never as the Committee's."""

    difficulty: str = Field(description="One difficulty; {party} and {text}")
    practices: str = Field(description="The heading over the practices the Party reports as promising; {party}")


class Annex(Strict):
    """What selfcheck says of the document after the chapters, in its own voice."""

    heading: str
    about: str
    inferred: str = Field(description="Lead-in to the recommendations resting on an inferred reason")
    no_information: str = Field(description="Lead-in to the recommendations applying because no information was given")
    drafted: str = Field(description="Lead-in to the observations worded by selfcheck")
    draft: str = Field(description="Lead-in to the draft recommendations (inferred ids, --include-draft)")
    own: str = Field(description="Lead-in to the obligations selfcheck states under its own ids")
    elements: str = Field(description="Lead-in to the recommendations whose elements the answers show not in place")
    undetermined: str = Field(description="Lead-in to the recommendations the answers neither draw nor clear, for questions left unanswered")
    reserved: str = Field(description="Lead-in to what a reservation the Party made excludes, naming the article")
    item: str = Field(description="One recommendation of a list: {id}, {level}, {why}")
    element: str = Field(description="One element not in place: {missing}, {question} (its words) and {answer}")


class FootnoteWords(Strict):
    """{items}: the paragraphs or ids cited; {recommendation}: the vocabulary's word for one."""

    paragraph: str
    paragraphs: str
    recommendation: str
    recommendations: str


class DocumentSpec(Strict):
    """factsheet.yaml: what every factsheet of the round says, whatever the answers."""

    language: str = Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    notice: str  # selfcheck's words that the document is a self-assessment, printed outside the Committee's parts
    running_header: str
    title: str
    report_title: str
    last_update: str
    undated: str
    date_format: str
    contents: str
    chapter_heading: str
    provenance: str
    amended: str
    introduction: Introduction
    headings: Headings
    difficulty: str
    party_voice: PartyVoice
    draft: str
    drafted_observation: str
    own: str = Field(description="Before selfcheck's own obligations in a chapter, in its voice: {party}")
    annex: Annex
    footnotes: FootnoteWords


class FreeText(Strict):
    """Practices or difficulties: a free-text answer printed under a heading, after a lead-in."""

    answer: str
    heading: str | None = None
    lead: str | None = None


class ObserveSpec(Strict):
    observe: list[str] = Field(min_length=1)
    lead: str | None = None
    drafted_lead: str | None = Field(
        None, description="The lead where every observation that holds is worded by selfcheck: the Committee's lead never introduces only selfcheck's words"
    )
    as_: Literal["paragraph", "bullets"] = Field("paragraph", alias="as")


class EntrySpec(Strict):
    id: str | None = None
    ids: list[str] | None = Field(None, min_length=2)
    wording: str | None = None
    items: list[str] = []


class RecommendSpec(Strict):
    recommend: list[str | EntrySpec] = Field(min_length=1)
    lead: str | None = None
    run_in: str | None = None
    run_in_after: list[str] = Field([], description="The observations whose finding the recommendations follow from: run_in continues only these (empty: any)")
    each: str = "{text}"
    punctuation: tuple[str, str] = (".", ".")
    nested: bool = False


class StatementSpec(Strict):
    statement: list[str] = Field(min_length=1)
    wording: str
    items: list[str] = []
    as_: Literal["bullet", "paragraph"] = Field("bullet", alias="as")
    repeat: bool = False


class SectionSpec(Strict):
    section: str
    content: list[Any]


class Part(Strict):
    heading: str
    content: list[Any]


class ChapterSpec(Strict):
    chapter: str
    introduction: list[str] = []
    parts: dict[str, Part] = Field(description="By block name (the vocabulary's); written in the file as top-level keys")
    practices: FreeText | None = None
    difficulties: FreeText | None = None


# -- the checked layout ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Observe:
    ids: tuple[str, ...]
    lead: str | None
    bullets: bool
    drafted_lead: str | None = None


@dataclass(frozen=True)
class Entry:
    ids: tuple[str, ...]
    wording: str | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class Recommend:
    entries: tuple[Entry, ...]
    lead: str | None
    run_in: str | None
    each: str
    punctuation: tuple[str, str]
    nested: bool
    run_in_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statement:
    ids: tuple[str, ...]
    wording: str
    items: tuple[str, ...]
    bullet: bool
    repeat: bool


@dataclass(frozen=True)
class Section:
    heading: str
    content: tuple


@dataclass(frozen=True)
class ChapterPart:
    block: str  # the vocabulary's block it prints
    heading: str
    content: tuple


@dataclass(frozen=True)
class ChapterLayout:
    chapter: str
    introduction: tuple[str, ...]
    parts: tuple[ChapterPart, ...]  # in the vocabulary's order of blocks
    practices: FreeText | None
    difficulties: FreeText | None
    placed: dict = field(default_factory=dict)  # block -> the rule ids the layout prints in that part
    observed: frozenset = field(default=frozenset())  # every observation id it places

    def placed_in(self, block: str) -> frozenset:
        return self.placed.get(block, frozenset())


@dataclass(frozen=True)
class Layout:
    document: DocumentSpec
    chapters: dict[str, ChapterLayout]
    plain: bool = False  # no factsheet/ beside the rulebook: the words of templates/plain-report.yaml
    introduction_when: dict[int, Condition] = field(default_factory=dict)  # by index in the introduction's content


BLOCK_KINDS: dict[str, type[Strict]] = {"observe": ObserveSpec, "recommend": RecommendSpec, "statement": StatementSpec, "section": SectionSpec}


def load_layout(rulebook: Rulebook) -> Layout:
    """The layout beside a rulebook, checked against it; RulebookError lists every problem.

    A rulebook without a factsheet/ folder gets a plain report: the words of templates/plain-report.yaml
    and every chapter arranged by default (observations, then recommendations by level).
    """
    directory = rulebook.directory / LAYOUT_DIR
    problems: list[InputError] = []
    document = read_document(directory / DOCUMENT_FILE if directory.is_dir() else TEMPLATES / PLAIN_REPORT)
    try:
        spec = DocumentSpec.model_validate(document.data)
    except ValidationError as error:
        raise RulebookError([pydantic_input_error(document, error)]) from None
    problems += _vocabulary_problems(spec, document, rulebook.vocabulary)
    introduction_when = {}
    for index, entry in enumerate(spec.introduction.content):
        if isinstance(entry, IntroductionText):
            keys = ("introduction", "content", index, "when")
            try:
                introduction_when[index] = parse_condition(entry.when, rulebook.questionnaire, keys)
            except ConditionError as error:
                problems.append(document.error(str(error), error.keys))
    chapters = {}
    files = {entry.file: entry for entry in rulebook.meta.chapters}
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        if path.name == DOCUMENT_FILE:
            continue
        if path.name not in files:
            problems.append(InputError(path, f"is not named after a chapter's rule file in rulebook.yaml ({', '.join(files)})"))
            continue
        chapter = _load_chapter(read_document(path), files[path.name].chapter, rulebook, problems)
        if chapter:
            chapters[chapter.chapter] = chapter
    if problems:
        raise RulebookError(problems)
    return Layout(spec, chapters, plain=not directory.is_dir(), introduction_when=introduction_when)


def _vocabulary_problems(spec: DocumentSpec, document: Document, vocabulary: Vocabulary) -> list[InputError]:
    """The document's words keyed by level or block name the vocabulary's levels and blocks, every one."""
    problems = []
    named = set(spec.headings.parts) - {"*"}
    if not named <= set(vocabulary.block_names) or ("*" not in spec.headings.parts and named != set(vocabulary.block_names)):
        problems.append(document.error(f"give a heading for each block ({', '.join(vocabulary.block_names)}), or one for all under '*'", ("headings", "parts")))
    for index, entry in enumerate(spec.introduction.content):
        if isinstance(entry, IntroductionLevels) and set(entry.levels) != set(vocabulary.level_names):
            problems.append(document.error(f"give the bullet of each level: {', '.join(vocabulary.level_names)}", ("introduction", "content", index)))
    return problems


FREE_KEYS = ("chapter", "introduction", "practices", "difficulties")


def _load_chapter(document: Document, chapter: str, rulebook: Rulebook, problems: list) -> ChapterLayout | None:
    """A chapter's layout: its parts written as top-level keys named after the vocabulary's blocks."""
    blocks = rulebook.vocabulary.block_names
    data = document.data if isinstance(document.data, dict) else {}
    unknown = [key for key in data if key not in FREE_KEYS and key not in blocks]
    if unknown:
        problems.append(document.error(f"unknown field {unknown[0]!r}; expected {', '.join(FREE_KEYS + blocks)}", (unknown[0],)))
        return None
    try:
        spec = ChapterSpec.model_validate(
            {
                **{key: value for key, value in data.items() if key in FREE_KEYS},
                "parts": {key: value for key, value in data.items() if key in blocks},
            }
        )
    except ValidationError as error:
        problem = pydantic_input_error(document, error)
        keys = problem.place.keys[1:] if problem.place.keys[:1] == ("parts",) else problem.place.keys
        problems.append(document.error(problem.problem, keys))
        return None
    if spec.chapter != chapter:
        problems.append(document.error(f"expected chapter {chapter}, the chapter of the rule file of the same name", ("chapter",)))
        return None
    checker = _Checker(document, chapter, rulebook, problems)
    parts = tuple(
        ChapterPart(block, spec.parts[block].heading, checker.blocks(spec.parts[block].content, (block, "content"), block))
        for block in blocks
        if block in spec.parts
    )
    for name, text in (("practices", spec.practices), ("difficulties", spec.difficulties)):
        if text is not None:
            checker.free_text(text, name)
    checker.completeness()
    return ChapterLayout(
        chapter=chapter,
        introduction=tuple(spec.introduction),
        parts=parts,
        practices=spec.practices,
        difficulties=spec.difficulties,
        placed={block: frozenset(ids) for block, ids in checker.placed.items()},
        observed=frozenset(checker.observed),
    )


class _Checker:
    """Parses a chapter's blocks and checks each id, wording and answer against the rulebook."""

    def __init__(self, document: Document, chapter: str, rulebook: Rulebook, problems: list):
        self.document, self.chapter, self.rulebook, self.problems = document, chapter, rulebook, problems
        self.vocabulary = rulebook.vocabulary
        self.placed: dict[str, set[str]] = {block: set() for block in self.vocabulary.block_names}
        self.printed: dict[str, int] = {}  # times each rule is printed, repeats aside
        self.observed: set[str] = set()

    def problem(self, message: str, keys: tuple) -> None:
        self.problems.append(self.document.error(message, keys))

    def blocks(self, raw: list, keys: tuple, block: str) -> tuple:
        parsed = []
        for index, entry in enumerate(raw):
            here = keys + (index,)
            kinds = [kind for kind in BLOCK_KINDS if isinstance(entry, dict) and kind in entry]
            if len(kinds) != 1:
                self.problem(f"expected a block with one of {', '.join(BLOCK_KINDS)}", here)
                continue
            try:
                spec = BLOCK_KINDS[kinds[0]].model_validate(entry)
            except ValidationError as error:
                problem = pydantic_input_error(self.document, error)
                self.problem(problem.problem, here + problem.place.keys)
                continue
            result = getattr(self, kinds[0])(spec, here, block)
            if result is not None:
                parsed.append(result)
        return tuple(parsed)

    def observe(self, spec: ObserveSpec, keys: tuple, block: str) -> Observe | None:
        if block != self.vocabulary.party_block:
            self.problem(f"observations belong in the {self.vocabulary.party_block} part of a chapter", keys)
            return None
        for index, observation_id in enumerate(spec.observe):
            observation = self.rulebook.observation_by_id.get(observation_id)
            if observation is None or observation.chapter != self.chapter:
                self.problem(f"no observation {observation_id} in chapter {self.chapter}", keys + ("observe", index))
            elif observation_id in self.observed:
                self.problem(f"{observation_id} is placed twice", keys + ("observe", index))
            self.observed.add(observation_id)
        self.text(spec.lead, keys + ("lead",))
        self.text(spec.drafted_lead, keys + ("drafted_lead",))
        if spec.as_ == "bullets" and spec.lead is None:
            self.problem("observations printed as bullets need a lead", keys)
        drafted = [i for i in spec.observe if i in self.rulebook.observation_by_id and self.rulebook.observation_by_id[i].draft]
        if spec.lead and drafted and not spec.drafted_lead:
            self.problem(
                f"{', '.join(drafted)} are worded by selfcheck: give a drafted_lead for when only they hold, for the lead is the Committee's",
                keys + ("lead",),
            )
        return Observe(tuple(spec.observe), spec.lead, spec.as_ == "bullets", spec.drafted_lead)

    def recommend(self, spec: RecommendSpec, keys: tuple, block: str) -> Recommend:
        entries = []
        for index, raw in enumerate(spec.recommend):
            here = keys + ("recommend", index)
            entry = Entry((raw,), None, ()) if isinstance(raw, str) else self.entry(raw, here)
            if entry:
                self.rules(entry.ids, here, block)
                self.wording(entry.wording, entry.items, entry.ids, here, require_markers=False)
                entries.append(entry)
        for name in ("lead", "run_in"):
            self.text(getattr(spec, name), keys + (name,))
        self.text(spec.each, keys + ("each",), allowed={"party", "verb", "text"})
        if spec.run_in and not spec.lead:
            self.problem("a run_in lead needs a lead for when no observation precedes it", keys)
        if spec.run_in_after and not spec.run_in:
            self.problem("run_in_after names the observations a run_in continues, so it needs a run_in", keys)
        for index, observation_id in enumerate(spec.run_in_after):
            observation = self.rulebook.observation_by_id.get(observation_id)
            if observation is None or observation.chapter != self.chapter:
                self.problem(f"no observation {observation_id} in chapter {self.chapter}", keys + ("run_in_after", index))
        if spec.nested and not spec.lead:
            self.problem("nested recommendations need a lead to nest under", keys)
        return Recommend(tuple(entries), spec.lead, spec.run_in, spec.each, spec.punctuation, spec.nested, tuple(spec.run_in_after))

    def entry(self, raw: EntrySpec, keys: tuple) -> Entry | None:
        if (raw.id is None) == (raw.ids is None):
            self.problem("an entry names either id or ids", keys)
            return None
        if raw.ids is not None and raw.wording is None:
            self.problem("an entry printing several ids needs their merged wording", keys)
            return None
        if raw.items and raw.wording is None:
            self.problem("items belong to a wording", keys)
            return None
        ids = (raw.id,) if raw.id is not None else tuple(raw.ids or ())  # exactly one of the two, checked above
        return Entry(ids, raw.wording, tuple(raw.items))

    def statement(self, spec: StatementSpec, keys: tuple, block: str) -> Statement:
        self.rules(spec.statement, keys + ("statement",), block, repeat=spec.repeat)
        self.wording(spec.wording, spec.items, spec.statement, keys, require_markers=not spec.repeat)
        return Statement(tuple(spec.statement), spec.wording, tuple(spec.items), spec.as_ == "bullet", spec.repeat)

    def section(self, spec: SectionSpec, keys: tuple, block: str) -> Section:
        self.text(spec.section, keys + ("section",))
        return Section(spec.section, self.blocks(spec.content, keys + ("content",), block))

    def rules(self, ids: list | tuple, keys: tuple, block: str, repeat: bool = False) -> None:
        for index, rule_id in enumerate(ids):
            rule = self.rulebook.by_id.get(rule_id)
            if rule is None or rule.chapter != self.chapter:
                self.problem(f"no recommendation {rule_id} in chapter {self.chapter}", keys + (index,))
                continue
            if rule.block != block and not (rule.printed_with and block == self.vocabulary.party_block):
                self.problem(f"{rule_id} is a {rule.block} recommendation, placed in the {block} part", keys + (index,))
            self.placed[block].add(rule_id)
            if not repeat:
                self.printed[rule_id] = self.printed.get(rule_id, 0) + 1
                if self.printed[rule_id] == 2:
                    self.problem(f"{rule_id} is printed twice; mark one statement repeat: true", keys + (index,))

    def wording(self, wording: str | None, items: tuple | list, ids: tuple | list, keys: tuple, require_markers: bool) -> None:
        if wording is None:
            return
        text = " ".join([wording, *items])
        self.text(text, keys + ("wording",))
        cited = {rule_id for cite in footnotes_in(text, self.vocabulary) if cite.kind == "recommendations" for rule_id in cite.items}
        if not cited <= set(ids):
            self.problem(f"the wording cites {', '.join(sorted(cited - set(ids)))}, which it does not print", keys + ("wording",))
        if require_markers and not set(ids) <= cited:
            self.problem(f"the wording must cite {', '.join(sorted(set(ids) - cited))} with a footnote, e.g. [^{ids[0]}]", keys + ("wording",))
        if any(cite.kind == "paras" for cite in footnotes_in(text, self.vocabulary)):
            self.problem("a recommendation's footnotes cite recommendations; paragraphs belong to observations", keys + ("wording",))

    def text(self, text: str | None, keys: tuple, allowed: frozenset | set = frozenset({"party"})) -> None:
        for name in placeholders_in(text or ""):
            if name not in allowed:
                self.problem(f"unknown placeholder {{{name}}}; expected {', '.join('{' + a + '}' for a in sorted(allowed))}", keys)

    def free_text(self, spec: FreeText, name: str) -> None:
        question = self.rulebook.questionnaire.question(spec.answer)
        if question is None or question.type != "text" or question.chapter != self.chapter:
            self.problem(f"{spec.answer} is not a free-text question of chapter {self.chapter}", (name, "answer"))
        self.text(spec.lead, (name, "lead"))

    def completeness(self) -> None:
        """Every recommendation in force and every observation of the chapter has its place."""
        rules = [r.id for r in self.rulebook.rules if r.chapter == self.chapter and not r.draft and not r.own]
        observations = [o.id for o in self.rulebook.observations if o.chapter == self.chapter]
        placed = set().union(*self.placed.values())
        unplaced = [i for i in rules if i not in placed] + [i for i in observations if i not in self.observed]
        if unplaced:
            self.problem(f"the layout does not place {', '.join(unplaced)}", ())
        own = sorted(i for i in placed if i in self.rulebook.by_id and self.rulebook.by_id[i].own)
        if own:
            self.problem(f"{', '.join(own)} are selfcheck's own, printed in its voice after the Committee's words; remove them from the layout", ())


def default_chapter(chapter: str, document: DocumentSpec, topic: str, vocabulary: Vocabulary) -> ChapterLayout:
    """The arrangement of a chapter without a layout file: observations, then recommendations by level."""
    return ChapterLayout(
        chapter=chapter,
        introduction=(),
        parts=tuple(ChapterPart(block, document.headings.part(block, topic, vocabulary), ()) for block in vocabulary.block_names),
        practices=None,
        difficulties=None,
    )
