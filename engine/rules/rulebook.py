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
    Any_,
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
from selfcheck.engine.rules.convention import CitedConvention, convention_file, load_convention_index
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


class ElementSpec(Strict):
    """One fact a recommendation's own text asks for, and the answers that show it is not in place."""

    id: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", description="Unique in its rule: free-of-charge")
    fact: str = Field(min_length=1, description="The element in place, in people's words: Helplines are free of charge for the caller.")
    missing: str = Field(min_length=1, description="How the outputs name it when it is not in place: helplines are not free of charge")
    unmet: Any = Field(description="The condition over answers under which the element is not in place")
    provision: Cites = Field(description="What it rests on, by the vocabulary's kinds of citation: Convention article, Explanatory Report, Opinion")
    on_no_information: Literal["fires", "silent"] = Field(description="What its questions left unanswered do to the rule")
    no_information: NoInformation | None = Field(None, description="Why; if left out, the rule's no_information says it")
    reserved_by: str | None = Field(
        None,
        description="The provision of the Convention permitting a reservation to what the element asks (Art. 25(3)): a Party whose answers record "
        "that reservation is not asked it, and the outputs name the article",
    )


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
    elements: list[ElementSpec] = Field([], description="The facts its text asks for; the rule fires when any is not in place (instead of when)")
    on_no_information: Literal["fires", "silent"] | None = Field(None, description="What a question left unanswered does to the rule")
    no_information: NoInformation | None = Field(
        None, description="Why no information has that effect, and on what basis (with elements: for those that give no reason of their own)"
    )
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
class Alternative:
    """One alternative of an item's condition in disjunctive normal form, as durable-rules runs it."""

    name: str  # the durable rule's name and the coverage key: IV-6#0, or VI-1/free-of-charge#0 for an element's
    element: str | None  # the element it belongs to, if the rule has elements
    atoms: tuple[Atom, ...]


@dataclass(frozen=True)
class Element:
    """A checked element of a rule: its spec, its parsed condition, and the reason no information has its effect."""

    spec: ElementSpec
    condition: Condition  # with reserved_by: not in place and not reserved
    no_information: NoInformation
    reservation: tuple[str, str] | None = None  # with reserved_by: the question and the option that record the reservation
    unreserved: Condition | None = None  # with reserved_by: not in place, whatever was reserved

    id = property(lambda self: self.spec.id)
    fact = property(lambda self: self.spec.fact)
    missing = property(lambda self: self.spec.missing)
    provision = property(lambda self: self.spec.provision)
    on_no_information = property(lambda self: self.spec.on_no_information)


@dataclass(frozen=True)
class Conditional:
    """A checked rule or observation: its spec, where it came from, its parsed condition and its alternatives."""

    spec: Any
    chapter: str
    file: str
    line: int | None
    condition: Condition | None
    alternatives: tuple[Alternative, ...]
    number: int = 0  # the number in a recommendation's id, for its order in a chapter and level
    section: ClassVar[str]  # the key of its list in a rule file
    only_with_drafts: ClassVar[bool]

    id = property(lambda self: self.spec.id)
    text = property(lambda self: self.spec.text)
    cites = property(lambda self: self.spec.cites)
    draft = property(lambda self: self.spec.draft)
    argument = property(lambda self: self.spec.argument)

    @property
    def conjuncts(self) -> tuple[tuple[Atom, ...], ...]:
        return tuple(alternative.atoms for alternative in self.alternatives)

    @property
    def source(self) -> str:
        return f"{Path(self.file).name}:{self.line}" if self.line else Path(self.file).name

    def error(self, problem: str) -> InputError:
        return InputError(self.file, problem, Place((self.section, self.id), self.line))


@dataclass(frozen=True)
class Rule(Conditional):
    """A recommendation; with elements, it fires when any of them is not in place."""

    elements: tuple[Element, ...] = ()
    own: bool = False  # under an id of selfcheck's own: an obligation of the Convention no published factsheet numbers
    section = "rules"
    level = property(lambda self: self.spec.level)
    block = property(lambda self: self.spec.block)
    reason = property(lambda self: self.spec.reason)
    note = property(lambda self: self.spec.note)
    basis = property(lambda self: self.spec.basis)
    grounds = property(lambda self: self.spec.grounds)
    printed_with = property(lambda self: self.spec.printed_with)
    only_with_drafts = property(lambda self: self.spec.draft)  # an inferred id fires only with --include-draft

    @property
    def on_no_information(self) -> str | None:
        """Fires or silent; with elements, fires when any element fires on no information."""
        if not self.elements:
            return self.spec.on_no_information
        return "fires" if any(element.on_no_information == "fires" for element in self.elements) else "silent"

    @property
    def no_information(self) -> NoInformation | None:
        """Why no information has its effect (with elements, each element says it: see ``element``)."""
        return None if self.elements else self.spec.no_information

    def element(self, element_id: str) -> Element:
        return next(element for element in self.elements if element.id == element_id)


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


class ConventionRef(Strict):
    """The convention the rules cite, indexed in conventions/<index>.yaml, and the kind of citation that cites it."""

    index: str = Field(pattern=r"^[a-z0-9-]+$", description="conventions/<index>.yaml under the root that holds the round")
    cited_as: str = Field(description="The vocabulary's kind of citation whose items are its provisions: convention")


class RulebookMeta(Strict):
    round: str
    title: str
    report: str
    adopted: str
    default: bool = Field(False, description="The round a command assesses when the answers do not say")
    vocabulary: Vocabulary
    baseline: str | None = Field(None, pattern=r"^[a-z0-9-]+\.yaml$", description="The answers file the rule cases start from")
    convention: ConventionRef | None = Field(None, description="The convention the rules cite, whose index checks every citation of it")
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
    convention: CitedConvention | None = None  # the index of the convention its citations are checked against

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
    convention = _convention(meta, meta_document, problems)
    if convention is not None:
        problems += citation_problems(convention, rules, observations)
    if problems:
        raise RulebookError(problems)
    return Rulebook(
        meta=meta,
        rules=tuple(rules),
        questionnaire=questionnaire,
        digest=_digest(directory, meta.test_files()),
        observations=tuple(observations),
        directory=directory,
        convention=convention,
    )


def _convention(meta: RulebookMeta, document: Document, problems: list[InputError]) -> CitedConvention | None:
    """The index the rulebook names, or None (a problem recorded if it names one that cannot be read)."""
    if meta.convention is None:
        return None
    if meta.convention.cited_as not in meta.vocabulary.kinds:
        problems.append(document.error(f"cited_as {meta.convention.cited_as!r} is not one of the vocabulary's kinds of citation", ("convention", "cited_as")))
        return None
    path = convention_file(meta.round, meta.convention.index)
    if not path.is_file():
        problems.append(document.error(f"no convention index {path}; write it or name another under convention.index", ("convention", "index")))
        return None
    try:
        return CitedConvention(load_convention_index(path), meta.convention.cited_as, path)
    except InputError as error:
        problems.append(error)
        return None


def citation_problems(convention: CitedConvention, rules: list[Rule], observations: list[Observation]) -> list[InputError]:
    """Every citation of the convention names provisions it has; an own rule rests only on obligations with no reservation."""
    index, kind = convention.index, convention.kind
    problems = []
    for item in [*rules, *observations]:
        cited = [(item.id, "cites", c) for c in item.cites.get(kind, [])]
        if isinstance(item, Rule):
            cited += [(f"{item.id}/{e.id}", "provision", c) for e in item.elements for c in e.provision.get(kind, [])]
        if isinstance(item, Rule):
            problems += [item.error(problem) for problem in _reserved_by_problems(index, kind, item)]
        for name, field, citation in cited:
            found = index.provisions_cited(str(citation))
            if isinstance(found, str):
                problems.append(item.error(f"{name}: {field}.{kind} {citation!r} {found}"))
            elif isinstance(item, Rule) and item.own:
                if index.reservations(str(citation)):
                    permitted = ", ".join(index.reservations(str(citation)))
                    problems.append(
                        item.error(f"{name} is selfcheck's own obligation, but {citation} admits a reservation ({permitted}): only the Committee may read it")
                    )
                elif index.duty(str(citation)) != "shall":
                    problems.append(
                        item.error(f"{name} is selfcheck's own obligation, but {citation} is no obligation (its duty is {index.duty(str(citation))})")
                    )
    return problems


def _reserved_by_problems(index, kind: str, rule: Rule) -> list[str]:
    """An element's reserved_by names a reservation the Convention permits to what the element cites."""
    problems = []
    for element in rule.elements:
        reserved_by = element.spec.reserved_by
        if reserved_by is None:
            continue
        permitted = {r for citation in element.provision.get(kind, []) for r in index.reservations(str(citation))}
        if not any(reserved_by == r or reserved_by.startswith(r + ",") for r in permitted):
            problems.append(
                f"{rule.id}/{element.id}: reserved_by {reserved_by} is no reservation Article 48 permits to what the element cites"
                f" ({', '.join(map(str, element.provision.get(kind, []))) or 'nothing of the Convention'})"
            )
        elif rule.own:
            problems.append(f"{rule.id}/{element.id} is selfcheck's own obligation, which admits no reservation; it gives reserved_by {reserved_by}")
    return problems


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
        Rule(spec, chapter, str(document.file), document.place(keys).line, condition, alternatives, vocabulary.number_of(spec.id), elements, own)
        for keys, spec, condition, alternatives, elements in _checked(document, "rules", RuleSpec, chapter, questionnaire, vocabulary, problems)
        for own in [vocabulary.is_own(spec.id)]
    ]
    observations = [
        Observation(spec, chapter, str(document.file), document.place(keys).line, condition, alternatives)
        for keys, spec, condition, alternatives, _ in _checked(document, "observations", ObservationSpec, chapter, questionnaire, vocabulary, problems)
    ]
    return rules, observations


class _Refused(Exception):
    """A part of an entry failed its checks; the problem is recorded and the entry left out."""


def _checked(
    document: Document,
    section: str,
    model: type[RuleSpec] | type[ObservationSpec],
    chapter: str,
    questionnaire: Questionnaire,
    vocabulary: Vocabulary,
    problems: list,
):
    """Each entry of a section that passes its checks, with its parsed condition, its alternatives and its elements."""
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
        try:
            if isinstance(spec, RuleSpec) and spec.elements:
                elements, alternatives = _elements(document, keys, spec, questionnaire)
                condition: Condition | None = Any_(tuple(element.condition for element in elements))
            else:
                elements = ()
                # a rule fails closed on an answer that varies by region; an observation states only what holds everywhere
                condition, conjuncts = _condition(document, keys + ("when",), spec.id, spec.when, questionnaire, somewhere=isinstance(spec, RuleSpec))
                alternatives = tuple(Alternative(f"{spec.id}#{k}", None, atoms) for k, atoms in enumerate(conjuncts))
                if isinstance(spec, RuleSpec) and condition is not None:
                    _check_no_information(document, keys, spec.id, condition, spec.on_no_information)
        except _Refused as refused:
            problems.append(refused.args[0])
            continue
        problem = _wording_problem(spec, [a.atoms for a in alternatives], questionnaire, vocabulary, observation=model is ObservationSpec)
        if problem:
            problems.append(document.error(f"{spec.id}: {problem}", keys + ("text",)))
            continue
        yield keys, spec, condition, alternatives, elements


def _condition(
    document: Document, keys: tuple, item_id: str, raw: Any, questionnaire: Questionnaire, somewhere: bool = True
) -> tuple[Condition | None, list[tuple[Atom, ...]]]:
    """A condition parsed and put in normal form; _Refused names the place of a problem."""
    if raw is None:
        return None, [()]
    try:
        condition = parse_condition(raw, questionnaire, (), somewhere)
        conjuncts = disjunctive_normal_form(condition, questionnaire)
    except ConditionError as error:
        raise _Refused(document.error(f"{item_id}: {error}", keys + error.keys)) from None
    except TooComplex as error:
        raise _Refused(document.error(f"{item_id}: {error}", keys)) from None
    if not conjuncts:
        raise _Refused(document.error(f"{item_id}: the condition can never hold, so the rule never fires", keys))
    return condition, conjuncts


def _check_no_information(document: Document, keys: tuple, name: str, condition: Condition, effect: str | None) -> None:
    """With every question unanswered, the condition fires exactly when it says ``fires``."""
    if holds(condition, lambda _: NOT_PROVIDED) != (effect == "fires"):
        found = "fires" if effect == "silent" else "stays silent"
        raise _Refused(
            document.error(f"{name}: says on_no_information: {effect}, but with no answer given the condition {found}", keys + ("on_no_information",))
        )


def _elements(document: Document, keys: tuple, spec: RuleSpec, questionnaire: Questionnaire) -> tuple[tuple[Element, ...], tuple[Alternative, ...]]:
    """A rule's elements, each condition in normal form on its own: durable-rules names the element that fired."""
    elements, alternatives = [], []
    for index, element in enumerate(spec.elements):
        here = keys + ("elements", index)
        name = f"{spec.id}/{element.id}"
        if element.unmet is None:  # the model requires unmet; a YAML null reaches here
            raise _Refused(document.error(f"{name}: give the condition under which it is not in place (unmet)", here + ("unmet",)))
        reservation, unreserved, unmet = None, None, element.unmet
        if element.reserved_by is not None:
            reservation = _reservation_option(questionnaire, element.reserved_by)
            if reservation is None:
                raise _Refused(
                    document.error(f"{name}: no option of the questionnaire records a reservation under {element.reserved_by}", here + ("reserved_by",))
                )
            unreserved, _ = _condition(document, here + ("unmet",), name, element.unmet, questionnaire)
            unmet = {"all": [element.unmet, {reservation[0]: {"lacks": reservation[1]}}]}  # what is reserved is not asked
        condition, conjuncts = _condition(document, here + ("unmet",), name, unmet, questionnaire)
        assert condition is not None
        _check_no_information(document, here, name, condition, element.on_no_information)
        reason = element.no_information or spec.no_information
        if reason is None:
            raise _Refused(document.error(f"{name}: say why no information has its effect (no_information), here or for the whole rule", here))
        elements.append(Element(element, condition, reason, reservation, unreserved))
        alternatives += [Alternative(f"{name}#{k}", element.id, atoms) for k, atoms in enumerate(conjuncts)]
    return tuple(elements), tuple(alternatives)


def _reservation_option(questionnaire: Questionnaire, provision: str) -> tuple[str, str] | None:
    """The list question and its option that record a reservation under ``provision``."""
    for question in questionnaire.questions.values():
        for option in question.options if question.type == "list" else ():
            if option.provision == provision:
                return question.id, option.value
    return None


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
    conditional = spec.when is not None or bool(spec.elements)
    if spec.when is not None and spec.elements:
        return f"{spec.id} gives both when and elements; with elements, the rule fires when any element is not in place"
    if spec.block == vocabulary.party_block and not conditional:
        return f"{spec.id} is in the {spec.block} block but has no condition; say which answers address it to a Party"
    if spec.basis == "all_parties":
        if conditional or spec.block != vocabulary.all_block:
            return f"{spec.id} is addressed to all Parties: it has no condition and belongs in the {vocabulary.all_block} block"
    elif not conditional:
        return f"{spec.id} has no condition, so it is addressed to all Parties; say basis: all_parties"
    if spec.printed_with is not None and spec.basis != "all_parties":
        return f"{spec.id}: printed_with places a recommendation to all Parties; this one has a condition of its own"
    if spec.basis == "printed" and not spec.grounds:
        return f"{spec.id} says its reason is printed; quote the sentences under grounds, each with its para"
    if spec.basis == "inferred" and spec.argument is None:
        return f"{spec.id} rests on an inferred reason; write the legal argument under argument"
    if spec.draft and spec.basis != "inferred":
        return f"{spec.id} is a draft: no factsheet prints it, so its basis is inferred"
    if spec.elements:
        return _elements_problem(spec, vocabulary)
    if (spec.when is None) != (spec.on_no_information is None) or (spec.on_no_information is None) != (spec.no_information is None):
        return f"{spec.id}: a rule with a condition says what no information does (on_no_information: fires or silent) and why (no_information); a rule without one says neither"
    return _own_problem(spec, vocabulary) if vocabulary.is_own(spec.id) else None


def _elements_problem(spec: RuleSpec, vocabulary: Vocabulary) -> str | None:
    if spec.on_no_information is not None:
        return f"{spec.id}: with elements, each element says what no information does (on_no_information), not the rule"
    seen: set[str] = set()
    for element in spec.elements:
        if element.id in seen:
            return f"{spec.id}: two elements are named {element.id}"
        seen.add(element.id)
        problem = _cites_problem(f"{spec.id}/{element.id}", element.provision, vocabulary, "provision")
        if problem:
            return problem
    return _own_problem(spec, vocabulary) if vocabulary.is_own(spec.id) else None


def _own_problem(spec: RuleSpec, vocabulary: Vocabulary) -> str | None:
    """A rule under selfcheck's own id states an obligation of the Convention in selfcheck's voice."""
    own = vocabulary.own
    if own is None:  # is_own is false without the vocabulary's own ids
        return None
    if spec.draft or spec.basis != "inferred" or spec.level != own.level or spec.block != vocabulary.party_block:
        return (
            f"{spec.id} is under selfcheck's own id: an obligation no published factsheet numbers, so it says level {own.level}, "
            f"block {vocabulary.party_block}, basis inferred (with its argument) and is no draft"
        )
    if spec.grounds:
        return f"{spec.id} is under selfcheck's own id: no published sentence prints its reason, so it has no grounds"
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
    if not re.fullmatch(pattern, item_id) and (observation or not vocabulary.is_own(item_id)):
        own = "" if observation or vocabulary.ids.own_recommendation is None else f" or selfcheck's own pattern {vocabulary.ids.own_recommendation!r}"
        return f"{item_id!r} does not match the vocabulary's {'observation' if observation else 'recommendation'} id pattern {pattern!r}{own}"
    if not observation and vocabulary.is_own(item_id) and re.fullmatch(vocabulary.ids.recommendation, item_id):
        return f"{item_id!r} matches both the Committee's id pattern and selfcheck's own: an own id must never be taken for the Committee's"
    named = vocabulary.chapter_of(item_id, observation)
    if named is not None and named != chapter:
        return f"{item_id} belongs to chapter {named}, not to chapter {chapter}"
    return None


def _cites_problem(item_id: str, cites: Cites, vocabulary: Vocabulary, field: str = "cites") -> str | None:
    unknown = sorted(set(cites) - set(vocabulary.kinds))
    if unknown:
        return f"{item_id}: {field} names {unknown[0]!r}, which is not one of the vocabulary's kinds of citation ({', '.join(vocabulary.kinds)})"
    if not vocabulary.cites_a_source(cites):
        sources = ", ".join(kind.kind for kind in vocabulary.citations if kind.source)
        return f"{item_id} cites no source; give {sources}" + ("" if field == "cites" else f" under {field}")
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
