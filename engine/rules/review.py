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


class RulebookView(BaseModel):
    round: str
    rules: list[RuleView]
    observations: list[ObservationView]


def review(rulebook: Rulebook, include_draft: bool = False) -> RulebookView:
    rules = [_rule(rule, rulebook) for rule in rulebook.rules_in_force(include_draft)]
    observations = [_observation(observation, rulebook) for observation in rulebook.observations]
    return RulebookView(round=rulebook.meta.round, rules=rules, observations=observations)


def _rule(rule: Rule, rulebook: Rulebook) -> RuleView:
    no_information = None
    if rule.on_no_information is not None:
        no_information = NoInformationView(effect=rule.on_no_information, **rule.no_information.model_dump())
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
        lines.append(f"{rule.id}  {rule.level}, {rule.block}{draft}, chapter {rule.chapter}; basis: {rule.basis.replace('_', ' ')}")
        lines += _details(rule.condition, rule.grounds, rule.argument)
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
        lines.append("")
    return "\n".join(lines)


def _details(condition: str | None, grounds: list[GroundView], argument: str | None) -> list[str]:
    lines = [wrap(f"when: {condition or 'always (addressed to all Parties)'}", "    ", "      ")]
    lines += [wrap(f'{ground.para}: "{ground.quote}"', "    ", "      ") for ground in grounds]
    if argument:
        lines.append(wrap(f"argument: {argument}", "    ", "      "))
    return lines
