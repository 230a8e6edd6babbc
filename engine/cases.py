"""Rule cases: answers named as a sentence, with the recommendations and observations they must draw or not.

A case file holds one chapter's cases; each starts from a baseline answers file and changes the
answers under ``given``:

    chapter: II
    cases:
      - name: A Party without a legislative definition of CSAM is invited to introduce one (II-3)
        given: {legal.csam_definition_in_law: no}
        fires: [II-3]                  # and/or does_not_fire, observes, does_not_observe
        include_draft: false           # whether the draft rules are in force (default false)

Running a case compares what an evaluator finds with what the case expects: durable-rules as the
product runs it (``durable``), or the reference evaluator (``reference``), which the mutation run
uses. Where the files live is the caller's business: the loader takes a directory, the runner the
baseline answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .answers import Answers
from .conditions import holds
from .documents import read_document
from .errors import InputError
from .questionnaire import Questionnaire, pydantic_input_error
from .rulebook import Conditional, Rule, Rulebook

CASE_FILES = "[0-9][0-9]-*.yaml"
EXPECTATIONS = ("fires", "does_not_fire", "observes", "does_not_observe")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _CaseSpec(_Strict):
    name: str = Field(min_length=1)
    given: dict[str, Any]
    fires: list[str] = []
    does_not_fire: list[str] = []
    observes: list[str] = []
    does_not_observe: list[str] = []
    include_draft: bool = False


class _CaseFile(_Strict):
    chapter: str = Field(pattern=r"^[IVX]+$")
    cases: list[_CaseSpec]


@dataclass(frozen=True)
class Case:
    name: str
    chapter: str
    file: Path
    line: int | None
    given: dict[str, Any]  # as written: lists as lists
    fires: frozenset[str]
    does_not_fire: frozenset[str]
    observes: frozenset[str]
    does_not_observe: frozenset[str]
    include_draft: bool

    def mentions(self, item_id: str) -> bool:
        return any(item_id in getattr(self, expectation) for expectation in EXPECTATIONS)


@dataclass(frozen=True)
class Outcome:
    """What an evaluator finds for one set of answers: the recommendations fired, the observations made."""

    fired: frozenset[str]
    observed: frozenset[str]

    def with_item(self, item: Conditional, present: bool) -> Outcome:
        """The outcome had ``item`` held (or not) and everything else stayed as it is."""
        found = self.fired if isinstance(item, Rule) else self.observed
        found = found | {item.id} if present else found - {item.id}
        return Outcome(found, self.observed) if isinstance(item, Rule) else Outcome(self.fired, found)


Evaluator = Callable[[Answers, Rulebook, bool], Outcome]


def durable(answers: Answers, rulebook: Rulebook, include_draft: bool) -> Outcome:
    """The product's own path: durable-rules through ``assess``."""
    from .assess import assess

    assessment = assess(answers, rulebook, include_draft=include_draft)
    return Outcome(frozenset(assessment.ids()), frozenset(observation.id for observation in assessment.observations))


def reference(answers: Answers, rulebook: Rulebook, include_draft: bool) -> Outcome:
    """The pure-Python reference evaluator: the condition trees walked as written."""
    fired = frozenset(rule.id for rule in rulebook.rules_in_force(include_draft) if holds(rule.condition, answers.value))
    observed = frozenset(observation.id for observation in rulebook.observations if holds(observation.condition, answers.value))
    return Outcome(fired, observed)


def in_force(item: Conditional, include_draft: bool) -> bool:
    return not (isinstance(item, Rule) and item.draft and not include_draft)


def load_cases(directory: Path) -> list[Case]:
    """Every case of the chapter files (NN-*.yaml) in ``directory``, in file order; InputError names a bad one."""
    cases: list[Case] = []
    seen: dict[str, Case] = {}
    for path in sorted(Path(directory).glob(CASE_FILES)):
        document = read_document(path)
        try:
            spec = _CaseFile.model_validate(document.data)
        except ValidationError as error:
            raise pydantic_input_error(document, error) from None
        for index, case in enumerate(spec.cases):
            keys = ("cases", index)
            if not any(getattr(case, expectation) for expectation in EXPECTATIONS):
                raise document.error(f"{case.name!r} expects nothing; give fires, does_not_fire, observes or does_not_observe", keys)
            if case.name in seen:
                raise document.error(f"{case.name!r} is already the name of a case at {seen[case.name].file.name}:{seen[case.name].line}", keys + ("name",))
            seen[case.name] = Case(
                name=case.name,
                chapter=spec.chapter,
                file=path,
                line=document.place(keys).line,
                given=dict(case.given),
                include_draft=case.include_draft,
                **{expectation: frozenset(getattr(case, expectation)) for expectation in EXPECTATIONS},
            )
            cases.append(seen[case.name])
    if not cases:
        raise InputError(directory, f"holds no case files ({CASE_FILES})")
    return cases


def case_problems(case: Case, rulebook: Rulebook) -> list[str]:
    """What makes a case wrong whatever the rules say: unknown questions or answers, ids of another chapter."""
    problems = given_answers(case, rulebook.questionnaire)[1]
    for expectation in EXPECTATIONS:
        known = rulebook.by_id if expectation in ("fires", "does_not_fire") else rulebook.observation_by_id
        kind = "recommendation" if known is rulebook.by_id else "observation"
        for item_id in sorted(getattr(case, expectation)):
            if item_id not in known:
                problems.append(f"{expectation}: unknown {kind} {item_id}")
            elif known[item_id].chapter != case.chapter:
                problems.append(f"{expectation}: {item_id} is not a chapter {case.chapter} {kind}")
    return problems


def given_answers(case: Case, questionnaire: Questionnaire) -> tuple[dict[str, Any], list[str]]:
    """The answers under ``given`` as stored (checked by their questions), and the problems found."""
    values, problems = {}, []
    for question_id, value in case.given.items():
        question = questionnaire.question(question_id)
        if question is None:
            problems.append(f"given: unknown question {question_id}")
            continue
        try:
            values[question_id] = question.check(value)
        except ValueError as problem:
            problems.append(f"given: {question_id}: {problem}")
    return values, problems


def case_answers(case: Case, baseline: Answers, questionnaire: Questionnaire) -> Answers:
    """The baseline answers with the case's ``given`` over them (the case assumed free of problems)."""
    values, _ = given_answers(case, questionnaire)
    return baseline.model_copy(update={"values": {**baseline.values, **values}})


def expectation_failures(case: Case, outcome: Outcome) -> list[str]:
    """How the outcome falls short of what the case expects, one line each; empty when it meets it."""
    failures = []
    for missing, extra, found, what in (
        (case.fires, case.does_not_fire, outcome.fired, ("did not fire", "fired although it should not")),
        (case.observes, case.does_not_observe, outcome.observed, ("not observed", "observed although it should not be")),
    ):
        if missing - found:
            failures.append(f"{what[0]}: {', '.join(sorted(missing - found))}")
        if extra & found:
            failures.append(f"{what[1]}: {', '.join(sorted(extra & found))}")
    return failures


def run_case(case: Case, baseline: Answers, rulebook: Rulebook, evaluate: Evaluator) -> list[str]:
    """The case's failures with this evaluator, each a readable line; empty when it passes."""
    problems = case_problems(case, rulebook)
    if problems:
        return problems
    return expectation_failures(case, evaluate(case_answers(case, baseline, rulebook.questionnaire), rulebook, case.include_draft))
