"""Rulebooks as data: loading the rule files of a round and linting them as they load.

A rulebook directory holds ``rulebook.yaml`` (the round, the report, the chapters and the file of
each) and one YAML file per chapter with its recommendations (``rules``) and the observations the
Committee makes from the answers (``observations``). Both kinds are conditions over answers,
checked and compiled the same way. Every problem found is reported at once, each with its file
and line; a rulebook with problems is never used.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .conditions import Atom, Choice, Compare, Condition, ConditionError, Missing, TooComplex, disjunctive_normal_form, holds, parse_condition
from .documents import Document, read_bytes, read_document
from .errors import InputError, Place, RulebookError
from .markup import PARTY, footnotes_in, placeholders_in
from .questionnaire import NOT_PROVIDED, Questionnaire, pydantic_input_error

LEVELS = ("require", "request", "invite")
BLOCKS = ("specific", "generic")
TONES = ("negative", "positive", "no_information", "reservation")
BASES = ("printed", "all_parties", "inferred")
# Where the factsheet prints a ground: a report paragraph, a footnote, or (for a sentence without
# either) the chapter.
GROUND_PLACE = r"^(Paras?\. \d+(, \d+)*|fn\. \d+|ch\. [IVX]+)$"
RULE_ID = r"^([IVX]+)-([1-9][0-9]*)$"
OBSERVATION_ID = r"^([IVX]+)\.([a-z0-9]+(?:-[a-z0-9]+)*)$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # built when first used: a command pays only for its own models


class Citations(Strict):
    report_paras: list[int | str] = []
    convention: list[str] = []
    opinion: list[str] = []
    other: list[str] = []

    def is_empty(self) -> bool:
        return not (self.report_paras or self.convention or self.opinion)


class Ground(Strict):
    """A sentence of a published factsheet that prints the reason for a rule."""

    para: str = Field(pattern=GROUND_PLACE, description="Where it is printed: Para. 285, Paras. 78, 82, fn. 41, or ch. IV")
    quote: str = Field(min_length=1, description="The factsheet's words, verbatim; {party} stands for the Party's name")


class NoInformation(Strict):
    """Why a question left unanswered has the effect a rule says, and whether a factsheet prints that."""

    basis: Literal["printed", "inferred"]
    because: str = Field(min_length=1)


class RuleSpec(Strict):
    """One recommendation as written in a rule file."""

    id: str = Field(pattern=RULE_ID)
    level: Literal["require", "request", "invite"]
    block: Literal["specific", "generic"]
    reason: str = Field(min_length=1, description="Why the Committee addresses the recommendation, in a sentence")
    basis: Literal["printed", "all_parties", "inferred"] = Field(description="Whether the reason is printed, the rule addressed to all Parties, or the reason inferred")
    grounds: list[Ground] = Field([], description="The published sentences that print the reason (basis printed)")
    argument: str | None = Field(None, min_length=1, description="The legal argument where the reason is not printed (basis inferred), or how a printed reason is read")
    when: Any = None
    on_no_information: Literal["fires", "silent"] | None = Field(None, description="What a question left unanswered does to the rule")
    no_information: NoInformation | None = Field(None, description="Why no information has that effect, and on what basis")
    printed_with: str | None = Field(None, description="For a rule to all Parties: the rule or observation beside which the factsheet prints it, when that one applies")
    text: str = Field(min_length=1)
    note: str | None = Field(None, min_length=1, description="A footnote the factsheet prints with the recommendation")
    cites: Citations
    draft: bool = False


class ObservationSpec(Strict):
    """One observation as written in a rule file: what the Committee observes, and on which answers."""

    id: str = Field(pattern=OBSERVATION_ID)
    tone: Literal["negative", "positive", "no_information", "reservation"]
    when: Any = None
    text: str = Field(min_length=1, description="The sentence(s); {party}, {<question id>} and [^<para>] footnotes allowed")
    cites: Citations
    draft: bool = Field(False, description="Worded by selfcheck on the Committee's pattern: no published factsheet prints it")
    argument: str | None = Field(None, min_length=1, description="Why a drafted observation says what it says")


@dataclass(frozen=True)
class Conditional:
    """A checked rule or observation: its spec, where it came from, its parsed condition and DNF."""

    spec: Any
    chapter: str
    file: str
    line: int | None
    condition: Condition | None
    conjuncts: tuple

    id = property(lambda self: self.spec.id)
    text = property(lambda self: self.spec.text)
    cites = property(lambda self: self.spec.cites)
    draft = property(lambda self: self.spec.draft)
    argument = property(lambda self: self.spec.argument)

    @property
    def source(self) -> str:
        return f"{Path(self.file).name}:{self.line}" if self.line else Path(self.file).name

    def error(self, problem: str) -> InputError:
        return InputError(self.file, problem, Place((self.section, self.id), self.line))


@dataclass(frozen=True)
class Rule(Conditional):
    """A recommendation."""

    section = "rules"
    level = property(lambda self: self.spec.level)
    block = property(lambda self: self.spec.block)
    reason = property(lambda self: self.spec.reason)
    note = property(lambda self: self.spec.note)
    basis = property(lambda self: self.spec.basis)
    grounds = property(lambda self: self.spec.grounds)
    on_no_information = property(lambda self: self.spec.on_no_information)
    no_information = property(lambda self: self.spec.no_information)
    printed_with = property(lambda self: self.spec.printed_with)
    only_with_drafts = property(lambda self: self.spec.draft)  # an inferred id fires only with --include-draft

    @property
    def number(self) -> int:
        return int(self.id.split("-")[1])


@dataclass(frozen=True)
class Observation(Conditional):
    """An observation of the Committee: negative, positive, or that the Party gave no information."""

    section = "observations"
    tone = property(lambda self: self.spec.tone)
    only_with_drafts = False  # drafted words, not a drafted finding: it holds whenever its condition does

    @property
    def basis(self) -> str:
        return "inferred" if self.draft else "printed"


class ChapterEntry(Strict):
    chapter: str = Field(pattern=r"^[IVX]+$")
    title: str
    file: str = Field(pattern=r"^[a-z0-9-]+\.yaml$")
    cases: str | None = Field(None, pattern=r"^[a-z0-9-]+\.cases\.yaml$", description="The chapter's rule cases, beside its rule file")


class RulebookMeta(Strict):
    round: str
    title: str
    report: str
    adopted: str
    levels: dict[Literal["require", "request", "invite"], str]
    baseline: str | None = Field(None, pattern=r"^[a-z0-9-]+\.yaml$", description="The answers file the rule cases start from")
    chapters: list[ChapterEntry]

    def test_files(self) -> set[str]:
        """The files of the rulebook that test it rather than state it: cases and their baseline."""
        return {entry.cases for entry in self.chapters if entry.cases} | ({self.baseline} if self.baseline else set())


@dataclass(frozen=True, eq=False)  # identity equality: an engine is cached per rulebook object
class Rulebook:
    meta: RulebookMeta
    rules: tuple[Rule, ...]
    questionnaire: Questionnaire
    digest: str  # sha256 of every YAML file of the rulebook directory, for provenance
    observations: tuple[Observation, ...] = ()
    directory: Path | None = None  # where it was loaded from; its factsheet/ holds the layout

    @cached_property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def observation_by_id(self) -> dict[str, Observation]:
        return {observation.id: observation for observation in self.observations}

    @cached_property
    def chapter_order(self) -> dict[str, int]:
        return {entry.chapter: index for index, entry in enumerate(self.meta.chapters)}

    def rules_in_force(self, include_draft: bool = False) -> list[Rule]:
        return [rule for rule in self.rules if include_draft or not rule.draft]

    def block_for(self, rule: Rule, applying: set[str] | frozenset[str]) -> str:
        """Where the factsheet prints a recommendation, given the ids of every rule and observation that apply.

        A recommendation to all Parties moves to the Party's own part beside the item it is printed
        with (II-1 beside the invitation to define CSAM), when that item applies.
        """
        return "specific" if rule.printed_with is not None and rule.printed_with in applying else rule.block


def load_rulebook(directory: Path, questionnaire: Questionnaire) -> Rulebook:
    meta_document = read_document(directory / "rulebook.yaml")
    try:
        meta = RulebookMeta.model_validate(meta_document.data)
    except ValidationError as error:
        raise pydantic_input_error(meta_document, error) from None
    if meta.round != questionnaire.round:
        raise meta_document.error(f"expected round {questionnaire.round!r}, got {meta.round!r}", ("round",))
    problems: list[InputError] = []
    rules: list[Rule] = []
    observations: list[Observation] = []
    for index, entry in enumerate(meta.chapters):
        path = directory / entry.file
        if not path.is_file():
            problems.append(meta_document.error(f"no rule file {entry.file} beside rulebook.yaml", ("chapters", index, "file")))
            continue
        document = read_document(path)
        chapter_rules, chapter_observations = _load_chapter(document, entry.chapter, questionnaire, problems)
        rules += chapter_rules
        observations += chapter_observations
    listed = {entry.file for entry in meta.chapters} | meta.test_files()
    for stray in sorted(p.name for p in directory.glob("*.yaml") if p.name != "rulebook.yaml" and p.name not in listed):
        problems.append(InputError(directory / stray, "is not listed under chapters in rulebook.yaml; list it or remove it"))
    for name in sorted(meta.test_files()):
        if not (directory / name).is_file():
            problems.append(meta_document.error(f"no file {name} beside rulebook.yaml, though it is listed there"))
    problems += _cross_rule_problems(rules) + _duplicate_observations(observations) + _placement_problems(rules, observations)
    if problems:
        raise RulebookError(problems)
    return Rulebook(
        meta=meta,
        rules=tuple(rules),
        questionnaire=questionnaire,
        digest=_digest(directory, meta.test_files()),
        observations=tuple(observations),
        directory=directory,
    )


def _digest(directory: Path, tests: set[str]) -> str:
    """One hash for every YAML file that shapes an output: rules, observations, factsheet layout (not the cases)."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.yaml")):
        if path.parent == directory and path.name in tests:
            continue
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + read_bytes(path) + b"\0")
    return digest.hexdigest()


CHAPTER_KEYS = {"chapter", "rules", "observations"}


def _load_chapter(document: Document, chapter: str, questionnaire: Questionnaire, problems: list) -> tuple[list[Rule], list[Observation]]:
    data = document.data
    if (
        not isinstance(data, dict)
        or not {"chapter", "rules"} <= set(data) <= CHAPTER_KEYS
        or not all(isinstance(data.get(key, []), list) for key in ("rules", "observations"))
    ):
        problems.append(document.error("expected a mapping with chapter and rules (a list of rules), and optionally observations (a list)"))
        return [], []
    if data["chapter"] != chapter:
        problems.append(document.error(f"expected chapter {chapter} as listed in rulebook.yaml, got {data['chapter']!r}", ("chapter",)))
        return [], []
    rules = [
        Rule(spec, chapter, str(document.file), document.place(keys).line, condition, conjuncts)
        for keys, spec, condition, conjuncts in _checked(document, "rules", RuleSpec, chapter, questionnaire, problems)
    ]
    observations = [
        Observation(spec, chapter, str(document.file), document.place(keys).line, condition, conjuncts)
        for keys, spec, condition, conjuncts in _checked(document, "observations", ObservationSpec, chapter, questionnaire, problems)
    ]
    return rules, observations


def _checked(document: Document, section: str, model: type, chapter: str, questionnaire: Questionnaire, problems: list):
    """Each entry of a section that passes its checks, with its parsed condition and DNF."""
    for index, raw in enumerate(document.data.get(section, [])):
        keys = (section, index)
        try:
            spec = model.model_validate(raw)
        except ValidationError as error:
            problem = pydantic_input_error(document, error)
            problems.append(document.error(problem.problem, keys + problem.place.keys))
            continue
        problem = _rule_problem(spec, chapter) if model is RuleSpec else _observation_problem(spec, chapter)
        if problem:
            problems.append(document.error(problem, keys + ("id",)))
            continue
        condition, conjuncts = None, [()]
        if spec.when is not None:
            try:
                condition = parse_condition(spec.when, questionnaire, ())
                conjuncts = disjunctive_normal_form(condition, questionnaire)
            except ConditionError as error:
                problems.append(document.error(f"{spec.id}: {error}", keys + ("when",) + error.keys))
                continue
            except TooComplex as error:
                problems.append(document.error(f"{spec.id}: {error}", keys + ("when",)))
                continue
            if not conjuncts:
                problems.append(document.error(f"{spec.id}: the condition can never hold, so the rule never fires", keys + ("when",)))
                continue
            if model is RuleSpec and holds(condition, lambda _: NOT_PROVIDED) != (spec.on_no_information == "fires"):
                effect = "fires" if spec.on_no_information == "silent" else "stays silent"
                problems.append(document.error(f"{spec.id}: says on_no_information: {spec.on_no_information}, but with no answer given the condition {effect}", keys + ("on_no_information",)))
                continue
        problem = _wording_problem(spec, conjuncts, questionnaire, observation=model is ObservationSpec)
        if problem:
            problems.append(document.error(f"{spec.id}: {problem}", keys + ("text",)))
            continue
        yield keys, spec, condition, tuple(conjuncts)


def _rule_problem(spec: RuleSpec, chapter: str) -> str | None:
    if re.match(RULE_ID, spec.id).group(1) != chapter:
        return f"{spec.id} belongs to chapter {spec.id.split('-')[0]}, not to chapter {chapter}"
    if spec.cites.is_empty():
        return f"{spec.id} cites no source; give report_paras, convention articles or opinion paragraphs"
    if spec.block == "specific" and spec.when is None:
        return f"{spec.id} is in the specific block but has no condition; say which answers address it to a Party"
    if spec.basis == "all_parties":
        if spec.when is not None or spec.block != "generic":
            return f"{spec.id} is addressed to all Parties: it has no condition and belongs in the generic block"
    elif spec.when is None:
        return f"{spec.id} has no condition, so it is addressed to all Parties; say basis: all_parties"
    if spec.printed_with is not None and spec.basis != "all_parties":
        return f"{spec.id}: printed_with places a recommendation to all Parties; this one has a condition of its own"
    if spec.basis == "printed" and not spec.grounds:
        return f"{spec.id} says its reason is printed; quote the sentences under grounds, each with its para"
    if spec.basis == "inferred" and spec.argument is None:
        return f"{spec.id} rests on an inferred reason; write the legal argument under argument"
    if spec.draft and spec.basis != "inferred":
        return f"{spec.id} is a draft: no factsheet prints it, so its basis is inferred"
    if (spec.when is None) != (spec.on_no_information is None) or (spec.on_no_information is None) != (spec.no_information is None):
        return f"{spec.id}: a rule with a condition says what no information does (on_no_information: fires or silent) and why (no_information); a rule without one says neither"
    return None


def _observation_problem(spec: ObservationSpec, chapter: str) -> str | None:
    if re.match(OBSERVATION_ID, spec.id).group(1) != chapter:
        return f"{spec.id} belongs to chapter {spec.id.split('.')[0]}, not to chapter {chapter}"
    if spec.cites.is_empty():
        return f"{spec.id} cites no source; give report_paras, convention articles or opinion paragraphs"
    if spec.when is None:
        return f"{spec.id} has no condition; say which answers make the Committee observe it"
    if spec.draft and spec.argument is None:
        return f"{spec.id} is worded by selfcheck; say why it says what it says under argument"
    return None


def _wording_problem(spec: Any, conjuncts: list, questionnaire: Questionnaire, observation: bool) -> str | None:
    """Placeholders and footnotes in a text: known, quotable, and backed by the citations."""
    for name in placeholders_in(spec.text):
        if name == PARTY:
            continue
        question = questionnaire.question(name)
        if not observation or question is None:
            return f"unknown placeholder {{{name}}}; use {{{PARTY}}}" + (" or {<question id>} in an observation" if observation else "")
        if question.type not in ("integer", "text"):
            return f"{{{name}}} quotes a {question.type} answer; only numbers and free texts can be quoted"
        if not all(_provided(name, conjunct) for conjunct in conjuncts):
            return f"{{{name}}} may be not_provided when this holds; add {name}: {{not: {NOT_PROVIDED}}} to the condition"
    for cite in footnotes_in(spec.text):
        if cite.kind == "recommendations" or (cite.kind == "paras" and not observation):
            return f"footnote [^{cite.source}] belongs in cites, not in the text"
        if cite.kind == "paras" and not set(cite.items) <= set(spec.cites.report_paras):
            return f"footnote [^{cite.source}] cites paragraphs missing from cites.report_paras"
    return None


def _provided(question_id: str, conjunct: tuple[Atom, ...]) -> bool:
    for atom in conjunct:
        if atom.question != question_id:
            continue
        if isinstance(atom, Compare) or (isinstance(atom, Missing) and not atom.missing):
            return True
        if isinstance(atom, Choice) and NOT_PROVIDED not in atom.allowed:
            return True
    return False


def _placement_problems(rules: list[Rule], observations: list[Observation]) -> list[InputError]:
    """A rule printed beside another item names one of its own chapter."""
    chapters = {item.id: item.chapter for item in [*rules, *observations]}
    return [
        rule.error(f"{rule.id}: printed_with names {rule.printed_with}, which is no rule or observation of chapter {rule.chapter}")
        for rule in rules
        if rule.printed_with is not None and chapters.get(rule.printed_with) != rule.chapter
    ]


def _cross_rule_problems(rules: list[Rule]) -> list[InputError]:
    problems = []
    first: dict[str, Rule] = {}
    for rule in rules:
        earlier = first.setdefault(rule.id, rule)
        if earlier is not rule:
            if earlier.level != rule.level:
                problem = f"{rule.id} is given at two levels ({earlier.level} at {earlier.source}, {rule.level} here)"
            else:
                problem = f"duplicate id {rule.id}; it is already defined at {earlier.source}"
            problems.append(rule.error(problem))
    return problems


def _duplicate_observations(observations: list[Observation]) -> list[InputError]:
    first: dict[str, Observation] = {}
    return [
        observation.error(f"duplicate id {observation.id}; it is already defined at {first[observation.id].source}")
        for observation in observations
        if first.setdefault(observation.id, observation) is not observation
    ]
