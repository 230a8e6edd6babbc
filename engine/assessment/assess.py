"""Assessing a Party's answers: the recommendations durable-rules fires and the observations that hold, with the reasons why."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from selfcheck.engine.answers.answer_file import Answers, NotInForce
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Question, Questionnaire
from selfcheck.engine.assessment.undetermined import Undetermined, undetermined
from selfcheck.engine.common.models import Citations, assembled, constructor
from selfcheck.engine.rules.conditions import holds, tests_in
from selfcheck.engine.rules.markup import PARTY, clean, fill, placeholders_in, plain
from selfcheck.engine.rules.rulebook import Element, Observation, Rule, Rulebook
from selfcheck.engine.rules.wording import answer_text, describe_atom

PARTY_MARK = "{party}"  # where a rule's text and grounds name the Party assessed


class Because(BaseModel):
    """One part of the alternative that held: the question, what it had to be, the answer given."""

    question: str
    number: str
    condition: str
    answer: Any


class Ground(BaseModel):
    para: str
    quote: str


class NoInformation(BaseModel):
    basis: str  # printed or inferred
    because: str


class Unmet(BaseModel):
    """An element of a recommendation that the answers show not in place."""

    element: str  # its id in the rule
    missing: str  # in people's words: helplines are not free of charge
    questions: list[str]  # the numbers of the questions it reads: S6.6
    words: str  # both together: helplines are not free of charge (S6.6)
    applies_because: str  # answer or no_information
    no_information: NoInformation | None  # why no information has this effect, when it is what left it unmet
    provision: Citations  # what the element rests on
    because: list[Because]


class Reserved(BaseModel):
    """An element of a recommendation not in place that the Party is not asked for: it made the reservation Article 48 permits."""

    recommendation: str
    element: str
    missing: str  # in people's words: no jurisdiction over habitual residents abroad
    questions: list[str]
    reserved_by: str  # the provision permitting the reservation: Art. 25(3)
    words: str  # ... (S12.3): not required while the reservation under Art. 25(3) is maintained


class Finding(BaseModel):
    id: str
    level: str
    block: str  # where the factsheet prints it for these answers: specific to the Party, or generic
    chapter: str
    text: str
    reason: str
    basis: str  # printed, all_parties or inferred
    grounds: list[Ground]  # the published sentences that print the reason, the Party they named as the vocabulary's quoted_party
    argument: str | None  # the legal argument where the reason is inferred, or how a printed one is read
    applies_because: str  # answer, no_information or all_parties
    no_information: NoInformation | None  # why no information has this effect, when it is what made it apply
    inferred: bool  # it rests on a reason selfcheck infers: its basis, or what no information does to it
    citations: Citations
    because: list[Because]
    draft: bool
    unmet: list[Unmet] = []  # for a recommendation with elements: those the answers show not in place
    own: bool = False  # under selfcheck's own id: an obligation of the Convention that no published factsheet numbers


class Observed(BaseModel):
    """An observation that holds for the answers: what the Committee would observe, and why."""

    id: str
    tone: str
    chapter: str
    text: str
    citations: Citations
    because: list[Because]
    draft: bool = False  # worded by selfcheck on the Committee's pattern, not printed in any published factsheet


class Provenance(BaseModel):
    round: str
    report: str
    rulebook_sha256: str
    questionnaire_version: str
    answers_as_of: datetime.date | None
    amendments: list[str] = []  # bills overlaid on the answers (``assess --amend``), in order
    law_as_of: datetime.date | None = None  # the date the law was taken at (--as-of); None: every bill given applies
    amendments_not_in_force: list[NotInForce] = []  # bills given but not in force on law_as_of


class Assessment(BaseModel):
    party: str
    provenance: Provenance
    include_draft: bool
    recommendations: list[Finding]
    observations: list[Observed] = []
    reserved: list[Reserved] = []  # elements not in place that a reservation of the Party excludes, naming its article
    undetermined: list[Undetermined] = []  # recommendations neither drawn nor cleared: a question they read was left unanswered

    def ids(self) -> list[str]:
        return [finding.id for finding in self.recommendations]


@lru_cache(maxsize=8)
def engine_for(rulebook: Rulebook):
    """Compile a rulebook into durable-rules once per process."""
    from selfcheck.engine.rules.durable_adapter import DurableEngine, compile_rulebook

    return DurableEngine(compile_rulebook(rulebook))


def assess(answers: Answers, rulebook: Rulebook, include_draft: bool = False) -> Assessment:
    engine = engine_for(rulebook)
    layout = _layout(rulebook)
    fired: dict[str, list[str]] = {}  # item id -> the alternatives of its condition that held, in firing order
    for name in engine.fired_for(answers.values, include_draft):  # answers.value is values.get with not_provided for a default
        fired.setdefault(engine.compiled.conjuncts[name][0], []).append(name)
    applying = fired.keys()
    findings = [_finding(layout, item_id, names, answers, engine.compiled.elements, applying) for item_id, names in fired.items() if item_id in layout.shared]
    observed = [
        layout.observed(
            **layout.observations[item_id],
            text=layout.observation_text(item_id, answers),
            because=_because(layout, names[0], answers),
        )
        for item_id, names in fired.items()
        if item_id in layout.observations
    ]
    return layout.assessment(
        party=answers.party,
        provenance=provenance(rulebook, answers),
        include_draft=include_draft,
        recommendations=sorted(findings, key=lambda f: (layout.order[f.id][0], layout.block_order[f.block], *layout.order[f.id][2:])),
        observations=sorted(observed, key=lambda o: layout.order[o.id]),
        reserved=reserved(layout, rulebook, answers, include_draft),
        undetermined=undetermined(rulebook, answers, set(applying), include_draft),
    )


def reserved(layout: _Layout, rulebook: Rulebook, answers: Answers, include_draft: bool) -> list[Reserved]:
    """The elements not in place that the Party is not asked for because it made the reservation that excludes them."""
    found = []
    for rule in rulebook.rules_in_force(include_draft):
        for element in rule.elements:
            if element.reservation is None or element.unreserved is None:
                continue
            question, option = element.reservation
            made = answers.value(question)
            if made == NOT_PROVIDED or option not in made or not holds(element.unreserved, answers.value):
                continue
            _, _, questions = layout.elements[(rule.id, element.id)]
            reserved_by = str(element.spec.reserved_by)
            words = reserved_words(element, questions)
            found.append(
                Reserved(recommendation=rule.id, element=element.id, missing=element.missing, questions=questions, reserved_by=reserved_by, words=words)
            )
    return found


class _Layout:
    """What every finding of a rule shares, computed once per rulebook: assessing only fills in answers."""

    def __init__(self, rulebook: Rulebook):
        questionnaire, vocabulary = rulebook.questionnaire, rulebook.vocabulary
        self.blocks = vocabulary.block_names
        self.block_order = {block: index for index, block in enumerate(self.blocks)}
        self.rulebook = rulebook
        self.shared = {
            rule.id: dict(
                id=rule.id,
                level=rule.level,
                chapter=rule.chapter,
                reason=rule.reason,
                draft=rule.draft,
                own=rule.own,
                basis=rule.basis,
                argument=rule.argument,
                citations=vocabulary.citations_of(rule.cites, None if rule.own else rule.id),  # an own id is no Recommendation
            )
            for rule in rulebook.rules
        }
        # (rule id, element id) -> the element and the numbers of the questions it reads, in questionnaire order
        self.elements = {
            (rule.id, element.id): (element, vocabulary.citations_of(element.provision), element_questions(element, rulebook))
            for rule in rulebook.rules
            for element in rule.elements
        }
        self.rules = {rule.id: rule for rule in rulebook.rules}
        self.silent_means_none = {q.id for q in questionnaire.questions.values() if q.silence_means == "none"}
        self.texts = {rule.id: rule.text for rule in rulebook.rules}
        self.order = {
            rule.id: (rulebook.chapter_order[rule.chapter], self.blocks.index(rule.block), vocabulary.level_names.index(rule.level), rule.number)
            for rule in rulebook.rules
        }
        self.order.update({observation.id: (index,) for index, observation in enumerate(rulebook.observations)})
        self.observations = {
            observation.id: dict(
                id=observation.id,
                tone=observation.tone,
                chapter=observation.chapter,
                draft=observation.draft,
                citations=vocabulary.citations_of(observation.cites),
            )
            for observation in rulebook.observations
        }
        # why no information has its effect, per rule and per element, as the fields of NoInformation
        self.no_information = {rule.id: rule.no_information.model_dump() for rule in rulebook.rules if rule.no_information is not None}
        self.no_information.update({f"{rule.id}/{element.id}": element.no_information.model_dump() for rule in rulebook.rules for element in rule.elements})
        self.grounds = {rule.id: quoted_grounds(rule, vocabulary.quoted_party) for rule in rulebook.rules}
        # each rule's finding as far as the answers do not change it, every field in the model's order
        self.templates = {rule.id: {name: self.shared[rule.id].get(name) for name in Finding.model_fields} for rule in rulebook.rules}
        # the models an assessment builds by the hundred, built as model_construct would, faster
        self.observed, self.unmet = constructor(Observed), constructor(Unmet)
        self.because, self.reason = constructor(Because), constructor(NoInformation)
        self.assessment, self.provenance = constructor(Assessment), constructor(Provenance)
        # the answers each observation quotes, and its sentences as worded for some answers
        self.quoted = {o.id: [name for name in placeholders_in(o.text) if name != PARTY] for o in rulebook.observations}
        self.worded: dict[tuple, str] = {}
        self.reasons: dict[str, list[tuple[str, str, str]]] = {}  # conjunct name -> (question, number, condition)
        for name, (_, atoms) in engine_for(rulebook).compiled.conjuncts.items():
            parts = []
            for atom in atoms:
                question = questionnaire.questions[atom.question]
                choices = question.choices if question.type in ("tri_state", "one_of") else ()
                parts.append((question, describe_atom(atom, choices)))
            parts.sort(key=lambda part: questionnaire.index(part[0].id))
            self.reasons[name] = [(question.id, question.number, condition) for question, condition in parts]

    def observation_text(self, observation_id: str, answers: Answers) -> str:
        """An observation's plain sentence for these answers, worded once per Party and answers it quotes."""
        key = (observation_id, answers.party, *(answers.value(name) for name in self.quoted[observation_id]))
        text = self.worded.get(key)
        if text is None:
            if len(self.worded) > 4096:  # bounded: a server assesses many Parties' answers
                self.worded.clear()
            text = self.worded[key] = plain(observation_text(self.rulebook.observation_by_id[observation_id], answers))
        return text


@lru_cache(maxsize=8)
def _layout(rulebook: Rulebook) -> _Layout:
    return _Layout(rulebook)


def _because(layout: _Layout, conjunct: str, answers: Answers) -> list[Because]:
    because, make = [], layout.because
    for question_id, number, condition in layout.reasons[conjunct]:
        answer = answers.value(question_id)
        because.append(make(question=question_id, number=number, condition=condition, answer=list(answer) if isinstance(answer, tuple) else answer))
    return because


def _explained(layout: _Layout, conjuncts: list[str], answers: Answers) -> tuple[list[Because], bool]:
    """Why some alternatives held: the first that held on answers given, if any did, and whether one did."""
    first = None
    for name in conjuncts:
        because = _because(layout, name, answers)
        # no part held only because its question was left unanswered (no information)
        if not any(b.answer == NOT_PROVIDED and b.question not in layout.silent_means_none for b in because):
            return because, True
        first = because if first is None else first
    assert first is not None, "an item fires through at least one alternative"
    return first, False


def _unmet(layout: _Layout, rule_id: str, conjuncts: list[str], answers: Answers, elements: dict[str, str]) -> list[Unmet]:
    """The elements not in place, in the rule's order, from the alternatives that fired."""
    by_element: dict[str, list[str]] = {}
    for name in conjuncts:
        by_element.setdefault(elements[name], []).append(name)
    unmet = []
    for element in layout.rules[rule_id].elements:
        if element.id not in by_element:
            continue
        because, answered = _explained(layout, by_element[element.id], answers)
        _, provision, questions = layout.elements[(rule_id, element.id)]
        unmet.append(
            layout.unmet(
                element=element.id,
                missing=element.missing,
                questions=questions,
                words=f"{element.missing} ({', '.join(questions)})",
                applies_because="answer" if answered else "no_information",
                no_information=None if answered else layout.reason(**layout.no_information[f"{rule_id}/{element.id}"]),
                provision=provision,
                because=because,
            )
        )
    return unmet


def _finding(layout: _Layout, rule_id: str, conjuncts: list[str], answers: Answers, elements: dict[str, str], applying: AbstractSet[str]) -> Finding:
    """A fired recommendation, explained by the first alternative that held on answers given, if any did."""
    rule = layout.rules[rule_id]
    party = answers.party
    values = layout.templates[rule_id].copy()  # the rule's own fields, in the model's order
    values["block"] = layout.rulebook.block_for(rule, applying)
    values["text"] = layout.texts[rule_id].replace(PARTY_MARK, party)
    values["grounds"] = list(layout.grounds[rule_id])
    if rule.condition is None and not rule.elements:  # addressed to all Parties: no answer explains it
        values.update(applies_because="all_parties", no_information=None, inferred=rule.basis == "inferred", because=[], unmet=[])
        return assembled(Finding, values)
    because, answered = _explained(layout, conjuncts, answers)
    unmet = _unmet(layout, rule_id, conjuncts, answers, elements) if rule.elements else []
    if rule.condition is None:
        applies_because = "all_parties"
    else:
        applies_because = "answer" if answered else "no_information"
    no_information = None
    if applies_because == "no_information":
        reason = unmet[0].no_information.__dict__ if unmet and unmet[0].no_information else layout.no_information.get(rule_id) if not unmet else None
        if reason is None:  # the rulebook refuses a rule with a condition and no reason for what no information does
            raise ValueError(f"{rule_id} applies on no information but says not why")
        no_information = layout.reason(**reason)
    values["applies_because"] = applies_because
    values["no_information"] = no_information
    values["inferred"] = rule.basis == "inferred" or (no_information is not None and no_information.basis == "inferred")
    values["because"] = because
    values["unmet"] = unmet
    return assembled(Finding, values)


def reserved_words(element: Element, questions: list[str]) -> str:
    """An element a reservation excludes, for people: what is missing, its questions, and the article permitting the reservation."""
    return f"{element.missing} ({', '.join(questions)}): not required while the reservation under {element.spec.reserved_by} is maintained"


def quoted_grounds(rule: Rule, quoted_party: str) -> list[Ground]:
    """A rule's grounds as quoted: the Committee's words for the Party it monitored, which they name as ``quoted_party``."""
    return [Ground(para=g.para, quote=g.quote.replace(PARTY_MARK, quoted_party)) for g in rule.grounds]


def element_questions(element: Element, rulebook: Rulebook) -> list[str]:
    """The numbers of the questions an element reads, in the questionnaire's order: S6.6."""
    questionnaire = rulebook.questionnaire
    read = sorted({test.question for test in tests_in(element.condition)}, key=questionnaire.index)
    return [questionnaire.questions[question].number for question in read]


def observation_text(observation: Observation, answers: Answers) -> str:
    """The observation's sentence for these answers, its markup kept: Party named, answers quoted."""

    def value_of(name: str) -> str:
        return answers.party if name == PARTY else str(answers.value(name))

    return clean(fill(observation.text, value_of))


def provenance(rulebook: Rulebook, answers: Answers) -> Provenance:
    return _layout(rulebook).provenance(
        round=rulebook.meta.round,
        report=rulebook.meta.report,
        rulebook_sha256=rulebook.digest,
        questionnaire_version=rulebook.questionnaire.version,
        answers_as_of=answers.as_of,
        amendments=list(answers.amendments),
        law_as_of=answers.law_as_of,
        amendments_not_in_force=list(answers.not_in_force),
    )


def because_words(because: Iterable[Because], questionnaire: Questionnaire | None = None) -> str:
    """Why a recommendation fires, one answer after another. For people (``questionnaire`` given): each
    question in its own words and the answer given, 'S12.2 “Do you establish ...?” answered yes'; for
    the rule's reader: the condition on the answer, 'S12.2 jurisdiction... is not no (answer: yes)'."""
    if questionnaire is None:
        return "; ".join(f"{b.number} {b.question} {b.condition} (answer: {answer_text(b.answer, None)})" for b in because)
    return "; ".join(answered_words(b.number, questionnaire.question(b.question), b.answer) for b in because)


def answered_words(number: str, question: Question | None, answer: Any) -> str:
    """A question and its answer as people read them: 'S12.2 “Do you establish ...?” answered yes'."""
    if question is None:
        return f"{number} answered {answer_text(answer, None)}"
    given = question.in_words(answer)
    return f"{number} “{question.prompt}” " + ("not answered" if given == "not provided" else f"answered {given}")
