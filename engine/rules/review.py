"""The rulebook as a lawyer reviews it: each rule and observation with its basis, grounds and condition in words."""

from __future__ import annotations

from pydantic import BaseModel

from selfcheck.engine.common.text import wrap
from selfcheck.engine.rules.conditions import All, Condition, Not, Test, tests_in
from selfcheck.engine.rules.markup import plain
from selfcheck.engine.rules.rulebook import Conditional, Observation, Rule, Rulebook
from selfcheck.engine.rules.wording import describe_test


class GroundView(BaseModel):
    para: str
    quote: str


class NoInformationView(BaseModel):
    effect: str  # fires or silent
    basis: str  # printed or inferred
    because: str


class ProvisionView(BaseModel):
    """A provision of the convention an item cites, with its title in the convention's index."""

    source: str  # how the vocabulary labels the convention's citations: Convention
    citation: str
    title: str
    reservation: list[str]  # the provisions that permit a reservation to it, if any


class ElementView(BaseModel):
    id: str
    fact: str
    missing: str
    unmet_when: str  # the condition in words
    questions: list[str]
    provisions: list[ProvisionView]
    provision: dict[str, list]  # every citation it rests on, by kind
    on_no_information: NoInformationView


class RuleView(BaseModel):
    id: str
    level: str
    block: str
    chapter: str
    draft: bool
    basis: str
    grounds: list[GroundView]
    argument: str | None
    condition: str | None
    questions: list[str]
    on_no_information: NoInformationView | None
    printed_with: str | None
    text: str
    provisions: list[ProvisionView] = []
    elements: list[ElementView] = []
    own: bool = False


class ObservationView(BaseModel):
    id: str
    tone: str
    chapter: str
    draft: bool
    basis: str
    grounds: list[GroundView]
    argument: str | None
    condition: str
    questions: list[str]
    text: str
    provisions: list[ProvisionView] = []


class RulebookView(BaseModel):
    round: str
    rules: list[RuleView]
    observations: list[ObservationView]


def review(rulebook: Rulebook, include_draft: bool = False) -> RulebookView:
    rules = [_rule(rule, rulebook) for rule in rulebook.rules_in_force(include_draft)]
    observations = [_observation(observation, rulebook) for observation in rulebook.observations]
    return RulebookView(round=rulebook.meta.round, rules=rules, observations=observations)


def provisions(cites: dict[str, list], rulebook: Rulebook) -> list[ProvisionView]:
    """The provisions of the convention among these citations, each with its title."""
    convention = rulebook.convention
    if convention is None:
        return []
    index = convention.index
    source = next(kind.label for kind in rulebook.vocabulary.citations if kind.kind == convention.kind)
    return [
        ProvisionView(source=source, citation=str(c), title=index.title(str(c)), reservation=index.reservations(str(c))) for c in cites.get(convention.kind, [])
    ]


def _rule(rule: Rule, rulebook: Rulebook) -> RuleView:
    no_information = None
    if rule.on_no_information is not None and rule.no_information is not None:
        no_information = NoInformationView(effect=rule.on_no_information, **rule.no_information.model_dump())
    elements = [
        ElementView(
            id=element.id,
            fact=element.fact,
            missing=element.missing,
            unmet_when=condition_in_words(element.condition, rulebook),
            questions=list(dict.fromkeys(test.question for test in tests_in(element.condition))),
            provisions=provisions(element.provision, rulebook),
            provision={kind: list(items) for kind, items in element.provision.items()},
            on_no_information=NoInformationView(effect=element.on_no_information, **element.no_information.model_dump()),
        )
        for element in rule.elements
    ]
    return RuleView(
        id=rule.id,
        level=rule.level,
        block=rule.block,
        chapter=rule.chapter,
        draft=rule.draft,
        basis=rule.basis,
        grounds=[GroundView(para=g.para, quote=g.quote) for g in rule.grounds],
        argument=rule.argument,
        condition=condition_in_words(rule.condition, rulebook) if rule.condition is not None else None,
        questions=_questions(rule),
        on_no_information=no_information,
        printed_with=rule.printed_with,
        text=rule.text,
        provisions=provisions(rule.cites, rulebook),
        elements=elements,
        own=rule.own,
    )


def _observation(observation: Observation, rulebook: Rulebook) -> ObservationView:
    if observation.condition is None:  # the rulebook refuses an observation without one
        raise ValueError(f"the observation {observation.id} has no condition")
    grounds = []
    if not observation.draft:  # a printed observation is its own ground: the Committee's sentence
        vocabulary = rulebook.vocabulary
        paras = {vocabulary.paragraphs: observation.cites.get(vocabulary.paragraphs, [])} if vocabulary.paragraphs else {}
        place = vocabulary.citation_line(vocabulary.citations_of(paras)) or f"chapter {observation.chapter}"
        grounds = [GroundView(para=place, quote=plain(observation.text))]
    return ObservationView(
        id=observation.id,
        tone=observation.tone,
        chapter=observation.chapter,
        draft=observation.draft,
        basis=observation.basis,
        grounds=grounds,
        argument=observation.argument,
        condition=condition_in_words(observation.condition, rulebook),
        questions=_questions(observation),
        text=observation.text,
        provisions=provisions(observation.cites, rulebook),
    )


def _questions(item: Conditional) -> list[str]:
    return list(dict.fromkeys(test.question for test in tests_in(item.condition)))


def condition_in_words(condition: Condition, rulebook: Rulebook) -> str:
    """A condition as one readable line: question numbers and ids, what each answer must be."""
    if isinstance(condition, Test):
        question = rulebook.questionnaire.questions[condition.question]
        return f"{question.number} {question.id} {describe_test(condition, question.type)}"
    if isinstance(condition, Not):
        return f"not ({condition_in_words(condition.part, rulebook)})"
    word = "all of" if isinstance(condition, All) else "any of"
    return f"{word} (" + "; ".join(condition_in_words(part, rulebook) for part in condition.parts) + ")"


def render_review(view: RulebookView) -> str:
    lines = [f"The rulebook of {view.round}: {len(view.rules)} recommendations, {len(view.observations)} observations", ""]
    for rule in view.rules:
        draft = ", draft" if rule.draft else ""
        own = ", selfcheck's own obligation" if rule.own else ""
        lines.append(f"{rule.id}  {rule.level}, {rule.block}{draft}{own}, chapter {rule.chapter}; basis: {rule.basis.replace('_', ' ')}")
        if rule.elements:
            lines.append("    when any element is not in place:")
            for element in rule.elements:
                n = element.on_no_information
                lines.append(wrap(f"- {element.id}: {element.fact}", "      ", "        "))
                lines.append(wrap(f"not in place when: {element.unmet_when}", "        ", "          "))
                lines += _provision_lines(element.provisions, "        ")
                lines.append(wrap(f"no information: {n.effect} ({n.basis}) - {n.because}", "        ", "          "))
            lines += _details(None, rule.grounds, rule.argument)[1:]
        else:
            lines += _details(rule.condition, rule.grounds, rule.argument)
        lines += _provision_lines(rule.provisions, "    ")
        if rule.on_no_information is not None:
            n = rule.on_no_information
            lines.append(wrap(f"no information: {n.effect} ({n.basis}) - {n.because}", "    ", "      "))
        if rule.printed_with:
            lines.append(f"    printed beside {rule.printed_with} when that applies")
        lines.append("")
    for observation in view.observations:
        drafted = ", worded by selfcheck" if observation.draft else ""
        lines.append(f"{observation.id}  {observation.tone.replace('_', ' ')} observation{drafted}, chapter {observation.chapter}; basis: {observation.basis}")
        lines += _details(observation.condition, observation.grounds, observation.argument)
        lines += _provision_lines(observation.provisions, "    ")
        lines.append("")
    return "\n".join(lines)


def _provision_lines(provisions: list[ProvisionView], indent: str) -> list[str]:
    """Each cited provision of the convention with its title, and the reservations it admits."""
    lines = []
    for provision in provisions:
        reservation = f" (a reservation is permitted: {', '.join(provision.reservation)})" if provision.reservation else ""
        lines.append(wrap(f"{provision.source} {provision.citation}: {provision.title}{reservation}".strip(), indent, indent + "  "))
    return lines


def _details(condition: str | None, grounds: list[GroundView], argument: str | None) -> list[str]:
    lines = [wrap(f"when: {condition or 'always (addressed to all Parties)'}", "    ", "      ")]
    lines += [wrap(f'{ground.para}: "{ground.quote}"', "    ", "      ") for ground in grounds]
    if argument:
        lines.append(wrap(f"argument: {argument}", "    ", "      "))
    return lines
