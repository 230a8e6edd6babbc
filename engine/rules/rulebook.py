"""Rulebooks as data: loading the rule files of a round and linting them as they load.

A rulebook directory holds ``rulebook.yaml`` (the round, the report, the words of the monitoring -
its ``vocabulary`` of levels, blocks, ids and kinds of citation - and the chapters with the file
of each) and one YAML file per chapter with its recommendations (``rules``) and the observations the
Committee makes from the answers (``observations``). Both kinds are conditions over answers,
checked and compiled the same way. Every problem found is reported at once, each with its file
and line; a rulebook with problems is never used.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Questionnaire, pydantic_input_error
from selfcheck.engine.common.errors import InputError, Place, RulebookError
from selfcheck.engine.common.models import Strict
from selfcheck.engine.common.safe_files import Document, read_bytes, read_document
from selfcheck.engine.rules.conditions import (
    Atom,
    Choice,
    Compare,
    Condition,
    ConditionError,
    Missing,
    TooComplex,
    disjunctive_normal_form,
    holds,
    parse_condition,
)
from selfcheck.engine.rules.markup import PARTY, footnotes_in, placeholders_in
from selfcheck.engine.rules.vocabulary import Vocabulary

BASES = ("printed", "all_parties", "inferred")
Cites = dict[str, list[int | str]]  # kind of source (the vocabulary's) -> what is cited


class Ground(Strict):
    """A sentence of a published factsheet that prints the reason for a rule."""

    para: str = Field(description="Where it is printed, as the vocabulary's ground pattern says: Para. 285, fn. 41 ...")
    quote: str = Field(min_length=1, description="The factsheet's words, verbatim; {party} stands for the Party's name")


class NoInformation(Strict):
    """Why a question left unanswered has the effect a rule says, and whether a factsheet prints that."""

    basis: Literal["printed", "inferred"]
    because: str = Field(min_length=1)


class RuleSpec(Strict):
    """One recommendation as written in a rule file."""

    id: str = Field(description="As the vocabulary's recommendation pattern says: IV-6")
    level: str = Field(description="One of the vocabulary's levels")
    block: str = Field(description="One of the vocabulary's blocks")
    reason: str = Field(min_length=1, description="Why the Committee addresses the recommendation, in a sentence")
    basis: Literal["printed", "all_parties", "inferred"] = Field(
        description="Whether the reason is printed, the rule addressed to all Parties, or the reason inferred"
    )
    grounds: list[Ground] = Field([], description="The published sentences that print the reason (basis printed)")
    argument: str | None = Field(
        None, min_length=1, description="The legal argument where the reason is not printed (basis inferred), or how a printed reason is read"
    )
    when: Any = None
    on_no_information: Literal["fires", "silent"] | None = Field(None, description="What a question left unanswered does to the rule")
    no_information: NoInformation | None = Field(None, description="Why no information has that effect, and on what basis")
    printed_with: str | None = Field(
        None, description="For a rule to all Parties: the rule or observation beside which the factsheet prints it, when that one applies"
    )
    text: str = Field(min_length=1)
    note: str | None = Field(None, min_length=1, description="A footnote the factsheet prints with the recommendation")
    cites: Cites = Field(description="Lists by the vocabulary's kinds of citation")
    draft: bool = False


class ObservationSpec(Strict):
    """One observation as written in a rule file: what the Committee observes, and on which answers."""

    id: str = Field(description="As the vocabulary's observation pattern says: IV.dual-criminality")
    tone: str = Field(description="One of the vocabulary's tones")
    when: Any = None
    text: str = Field(min_length=1, description="The sentence(s); {party}, {<question id>} and [^<para>] footnotes allowed")
    cites: Cites = Field(description="Lists by the vocabulary's kinds of citation")
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
    number: int = 0  # the number in a recommendation's id, for its order in a chapter and level
    section: ClassVar[str]  # the key of its list in a rule file
    only_with_drafts: ClassVar[bool]

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
    chapter: str = Field(description="As the vocabulary's chapter pattern says: IV")
    title: str
    file: str = Field(pattern=r"^[a-z0-9-]+\.yaml$")
    cases: str | None = Field(None, pattern=r"^[a-z0-9-]+\.cases\.yaml$", description="The chapter's rule cases, beside its rule file")


class RulebookMeta(Strict):
    round: str
    title: str
    report: str
    adopted: str
    default: bool = Field(False, description="The round a command assesses when the answers do not say")
    vocabulary: Vocabulary
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
    directory: Path  # where it was loaded from; its factsheet/ holds the layout
    observations: tuple[Observation, ...] = ()

    @cached_property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def observation_by_id(self) -> dict[str, Observation]:
        return {observation.id: observation for observation in self.observations}

    @property
    def vocabulary(self) -> Vocabulary:
        return self.meta.vocabulary

    @cached_property
    def chapter_order(self) -> dict[str, int]:
        return {entry.chapter: index for index, entry in enumerate(self.meta.chapters)}

    def rules_in_force(self, include_draft: bool = False) -> list[Rule]:
        return [rule for rule in self.rules if include_draft or not rule.draft]

    def block_for(self, rule: Rule, applying: AbstractSet[str]) -> str:
        """Where the factsheet prints a recommendation, given the ids of every rule and observation that apply.

        A recommendation to all Parties moves to the Party's own part beside the item it is printed
        with (II-1 beside the invitation to define CSAM), when that item applies.
        """
        return self.vocabulary.party_block if rule.printed_with is not None and rule.printed_with in applying else rule.block


def load_rulebook(directory: Path, questionnaire: Questionnaire) -> Rulebook:
    meta_document = read_document(directory / "rulebook.yaml")
    try:
        meta = RulebookMeta.model_validate(meta_document.data)
    except ValidationError as error:
        raise pydantic_input_error(meta_document, error) from None
    if meta.round != questionnaire.round:
        raise meta_document.error(f"expected round {questionnaire.round!r}, got {meta.round!r}", ("round",))
    problems: list[InputError] = [
        meta_document.error(f"chapter {entry.chapter!r} does not match the vocabulary's chapter pattern", ("chapters", index, "chapter"))
        for index, entry in enumerate(meta.chapters)
        if not re.fullmatch(meta.vocabulary.ids.chapter, entry.chapter)
    ]
    rules: list[Rule] = []
    observations: list[Observation] = []
    for index, entry in enumerate(meta.chapters):
        path = directory / entry.file
        if not path.is_file():
            problems.append(meta_document.error(f"no rule file {entry.file} beside rulebook.yaml", ("chapters", index, "file")))
            continue
        document = read_document(path)
        chapter_rules, chapter_observations = _load_chapter(document, entry.chapter, questionnaire, meta.vocabulary, problems)
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


def _load_chapter(
    document: Document, chapter: str, questionnaire: Questionnaire, vocabulary: Vocabulary, problems: list
) -> tuple[list[Rule], list[Observation]]:
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
        Rule(spec, chapter, str(document.file), document.place(keys).line, condition, conjuncts, vocabulary.number_of(spec.id))
        for keys, spec, condition, conjuncts in _checked(document, "rules", RuleSpec, chapter, questionnaire, vocabulary, problems)
    ]
    observations = [
        Observation(spec, chapter, str(document.file), document.place(keys).line, condition, conjuncts)
        for keys, spec, condition, conjuncts in _checked(document, "observations", ObservationSpec, chapter, questionnaire, vocabulary, problems)
    ]
    return rules, observations


def _checked(
    document: Document,
    section: str,
    model: type[RuleSpec] | type[ObservationSpec],
    chapter: str,
    questionnaire: Questionnaire,
    vocabulary: Vocabulary,
    problems: list,
):
    """Each entry of a section that passes its checks, with its parsed condition and DNF."""
    for index, raw in enumerate(document.data.get(section, [])):
        keys = (section, index)
        try:
            spec = model.model_validate(raw)
        except ValidationError as error:
            invalid = pydantic_input_error(document, error)
            problems.append(document.error(invalid.problem, keys + invalid.place.keys))
            continue
        problem = _rule_problem(spec, chapter, vocabulary) if isinstance(spec, RuleSpec) else _observation_problem(spec, chapter, vocabulary)
        if problem:
            problems.append(document.error(problem, keys + ("id",)))
            continue
        condition: Condition | None = None
        conjuncts: list[tuple[Atom, ...]] = [()]
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
            if isinstance(spec, RuleSpec) and holds(condition, lambda _: NOT_PROVIDED) != (spec.on_no_information == "fires"):
                effect = "fires" if spec.on_no_information == "silent" else "stays silent"
                problems.append(
                    document.error(
                        f"{spec.id}: says on_no_information: {spec.on_no_information}, but with no answer given the condition {effect}",
                        keys + ("on_no_information",),
                    )
                )
                continue
        problem = _wording_problem(spec, conjuncts, questionnaire, vocabulary, observation=model is ObservationSpec)
        if problem:
            problems.append(document.error(f"{spec.id}: {problem}", keys + ("text",)))
            continue
        yield keys, spec, condition, tuple(conjuncts)


def _rule_problem(spec: RuleSpec, chapter: str, vocabulary: Vocabulary) -> str | None:
    problem = _id_problem(spec.id, chapter, vocabulary, observation=False) or _cites_problem(spec.id, spec.cites, vocabulary)
    if problem:
        return problem
    if spec.level not in vocabulary.level_names:
        return f"{spec.id}: level {spec.level!r} is not one of the vocabulary's levels ({', '.join(vocabulary.level_names)})"
    if spec.block not in vocabulary.block_names:
        return f"{spec.id}: block {spec.block!r} is not one of the vocabulary's blocks ({', '.join(vocabulary.block_names)})"
    for ground in spec.grounds:
        if not re.fullmatch(vocabulary.ids.ground, ground.para):
            return f"{spec.id}: a ground's para {ground.para!r} does not match the vocabulary's ground pattern"
    if spec.block == vocabulary.party_block and spec.when is None:
        return f"{spec.id} is in the {spec.block} block but has no condition; say which answers address it to a Party"
    if spec.basis == "all_parties":
        if spec.when is not None or spec.block != vocabulary.all_block:
            return f"{spec.id} is addressed to all Parties: it has no condition and belongs in the {vocabulary.all_block} block"
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


def _observation_problem(spec: ObservationSpec, chapter: str, vocabulary: Vocabulary) -> str | None:
    problem = _id_problem(spec.id, chapter, vocabulary, observation=True) or _cites_problem(spec.id, spec.cites, vocabulary)
    if problem:
        return problem
    if spec.tone not in vocabulary.tones:
        return f"{spec.id}: tone {spec.tone!r} is not one of the vocabulary's tones ({', '.join(vocabulary.tones)})"
    if spec.when is None:
        return f"{spec.id} has no condition; say which answers make the Committee observe it"
    if spec.draft and spec.argument is None:
        return f"{spec.id} is worded by selfcheck; say why it says what it says under argument"
    return None


def _id_problem(item_id: str, chapter: str, vocabulary: Vocabulary, observation: bool) -> str | None:
    pattern = vocabulary.ids.observation if observation else vocabulary.ids.recommendation
    if not re.fullmatch(pattern, item_id):
        return f"{item_id!r} does not match the vocabulary's {'observation' if observation else 'recommendation'} id pattern {pattern!r}"
    named = vocabulary.chapter_of(item_id, observation)
    if named is not None and named != chapter:
        return f"{item_id} belongs to chapter {named}, not to chapter {chapter}"
    return None


def _cites_problem(item_id: str, cites: Cites, vocabulary: Vocabulary) -> str | None:
    unknown = sorted(set(cites) - set(vocabulary.kinds))
    if unknown:
        return f"{item_id} cites {unknown[0]!r}, which is not one of the vocabulary's kinds of citation ({', '.join(vocabulary.kinds)})"
    if not vocabulary.cites_a_source(cites):
        sources = ", ".join(kind.kind for kind in vocabulary.citations if kind.source)
        return f"{item_id} cites no source; give {sources}"
    return None


def _wording_problem(spec: Any, conjuncts: list, questionnaire: Questionnaire, vocabulary: Vocabulary, observation: bool) -> str | None:
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
    paragraphs = vocabulary.paragraphs
    for cite in footnotes_in(spec.text, vocabulary):
        if cite.kind == "recommendations" or (cite.kind == "paras" and not observation):
            return f"footnote [^{cite.source}] belongs in cites, not in the text"
        if cite.kind == "paras" and not set(cite.items) <= set(spec.cites.get(paragraphs or "", [])):
            return f"footnote [^{cite.source}] cites paragraphs missing from cites.{paragraphs}"
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
