"""Rule cases: answers named as a sentence, with the recommendations and observations they must draw or not.

Each chapter's cases sit beside its rule file (``02-legal-framework.cases.yaml``, listed in
``rulebook.yaml`` with the baseline answers they start from); each case changes the answers under
``given``:

    chapter: II
    cases:
      - name: A Party without a legislative definition of CSAM is invited to introduce one (II-3)
        given: {legal.csam_definition_in_law: no}
        fires: [II-3]                  # and/or does_not_fire, observes, does_not_observe
        include_draft: false           # whether the draft rules are in force (default false)

Running a case compares what an evaluator finds with what the case expects: durable-rules as the
product runs it (``durable``), or the reference evaluator (``reference``), which the mutation run
uses. ``coverage`` says which alternative of each condition (``IV-6#0`` ...) some case exercises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Questionnaire, pydantic_input_error
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.models import Strict
from selfcheck.engine.common.safe_files import read_document
from selfcheck.engine.rules.conditions import holds, tests_in
from selfcheck.engine.rules.reference import reference_fired, reference_observed
from selfcheck.engine.rules.rulebook import Conditional, Rule, Rulebook

EXPECTATIONS = ("fires", "does_not_fire", "observes", "does_not_observe")


class _CaseSpec(Strict):
    name: str = Field(min_length=1)
    given: dict[str, Any]
    fires: list[str] = []
    does_not_fire: list[str] = []
    observes: list[str] = []
    does_not_observe: list[str] = []
    include_draft: bool = False


class _CaseFile(Strict):
    chapter: str = Field(min_length=1, description="One of the rulebook's chapters")
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
    from selfcheck.engine.assessment.assess import assess

    assessment = assess(answers, rulebook, include_draft=include_draft)
    return Outcome(frozenset(assessment.ids()), frozenset(observation.id for observation in assessment.observations))


def reference(answers: Answers, rulebook: Rulebook, include_draft: bool) -> Outcome:
    """The pure-Python reference evaluator: the condition trees walked as written."""
    return Outcome(frozenset(reference_fired(rulebook, answers, include_draft)), frozenset(reference_observed(rulebook, answers)))


def in_force(item: Conditional, include_draft: bool) -> bool:
    return include_draft or not item.only_with_drafts


def rulebook_cases(rulebook: Rulebook) -> list[Case]:
    """The cases the rulebook lists beside its rule files, chapter by chapter; InputError names a bad one."""
    paths = [rulebook.directory / entry.cases for entry in rulebook.meta.chapters if entry.cases]
    if not paths:
        raise InputError(rulebook.directory / "rulebook.yaml", "lists no case files; give each chapter its cases: NN-name.cases.yaml")
    return load_cases(paths, rulebook)


def rulebook_baseline(rulebook: Rulebook) -> Answers:
    """The answers the rulebook's cases start from."""
    from selfcheck.engine.answers.rounds import load_answers

    if rulebook.meta.baseline is None:
        raise InputError(rulebook.directory / "rulebook.yaml", "names no baseline: the answers file its cases start from")
    return load_answers(rulebook.directory / rulebook.meta.baseline)


def load_cases(paths: list[Path], rulebook: Rulebook) -> list[Case]:
    """Every case of these case files for this rulebook, in order; InputError names a bad one."""
    chapters = [entry.chapter for entry in rulebook.meta.chapters]
    cases: list[Case] = []
    seen: dict[str, Case] = {}
    for path in paths:
        document = read_document(path)
        try:
            spec = _CaseFile.model_validate(document.data)
        except ValidationError as error:
            raise pydantic_input_error(document, error) from None
        if spec.chapter not in chapters:
            raise document.error(f"chapter {spec.chapter!r} is not a chapter of the rulebook ({', '.join(chapters)})", ("chapter",))
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


def coverage(cases: list[Case], baseline: Answers, rulebook: Rulebook) -> dict[str, bool]:
    """For each alternative of each condition (``IV-6#0``): whether a case expecting the item holds through it.

    An alternative is exercised when some case expects its rule to fire (or its observation to
    hold) and the case's answers satisfy that alternative.
    """
    from selfcheck.engine.rules.conditions import conjunct_holds

    exercised: dict[str, bool] = {}
    expected: dict[str, list[Answers]] = {}
    for case in cases:
        if case_problems(case, rulebook):
            continue
        answers = case_answers(case, baseline, rulebook.questionnaire)
        for item_id in case.fires | case.observes:
            expected.setdefault(item_id, []).append(answers)
    for item in [*rulebook.rules, *rulebook.observations]:
        if item.condition is None:
            continue
        for index, conjunct in enumerate(item.conjuncts):
            exercised[f"{item.id}#{index}"] = any(conjunct_holds(conjunct, answers.value) for answers in expected.get(item.id, []))
    return exercised


ELEMENT_CHECKS = {
    "alone": "no case where it alone is not in place, on an answer given, expects {rule} to fire",
    "no information": "no case with its questions unanswered expects of {rule} what its on_no_information says",
    "all in place": "no case with every element in place expects {rule} not to fire",
}


def element_coverage(cases: list[Case], baseline: Answers, rulebook: Rulebook) -> dict[tuple[str, str], bool]:
    """For each rule with elements, the three checks its cases must make of it.

    Each element alone not in place, on an answer given, fires the rule (``(VI-1/free-of-charge,
    alone)``); with its
    questions unanswered, the rule fires or stays silent as the element declares (``no
    information``); and with every element in place the rule is silent (``(VI-1, all in place)``).
    """
    runs = [(case, case_answers(case, baseline, rulebook.questionnaire)) for case in cases if not case_problems(case, rulebook)]
    covered: dict[tuple[str, str], bool] = {}
    for rule in rulebook.rules:
        if not rule.elements:
            continue
        relevant = [(case, answers) for case, answers in runs if in_force(rule, case.include_draft)]
        unmet = [{e.id for e in rule.elements if holds(e.condition, answers.value)} for _, answers in relevant]
        for element in rule.elements:
            asked = {test.question for test in tests_in(element.condition)}
            silent = [i for i, (_, answers) in enumerate(relevant) if all(answers.value(q) == NOT_PROVIDED for q in asked)]
            if element.on_no_information == "fires":
                no_information = any(rule.id in relevant[i][0].fires and element.id in unmet[i] for i in silent)
            else:
                no_information = any(rule.id in relevant[i][0].does_not_fire for i in silent)
            covered[(f"{rule.id}/{element.id}", "alone")] = any(
                rule.id in case.fires and unmet[i] == {element.id} and i not in silent for i, (case, _) in enumerate(relevant)
            )
            covered[(f"{rule.id}/{element.id}", "no information")] = no_information
        covered[(rule.id, "all in place")] = any(rule.id in case.does_not_fire and not unmet[i] for i, (case, _) in enumerate(relevant))
    return covered


@dataclass(frozen=True)
class CaseRun:
    """The rulebook's own cases run on durable-rules: what failed, which alternatives no case exercises,
    and which checks of an element no case makes."""

    cases: list[Case]
    failures: dict[str, list[str]]  # case name -> its failures
    coverage: dict[str, bool]  # IV-6#0 -> exercised
    elements: dict[tuple[str, str], bool] = field(default_factory=dict)  # (VI-1/free-of-charge, alone) -> checked

    @property
    def unexercised(self) -> list[str]:
        return [name for name, exercised in self.coverage.items() if not exercised]

    @property
    def unchecked(self) -> list[tuple[str, str]]:
        return [key for key, checked in self.elements.items() if not checked]

    @property
    def passed(self) -> bool:
        return not self.failures and not self.unexercised and not self.unchecked


def run_rulebook_cases(rulebook: Rulebook) -> CaseRun:
    cases, baseline = rulebook_cases(rulebook), rulebook_baseline(rulebook)
    failures = {case.name: found for case in cases if (found := run_case(case, baseline, rulebook, durable))}
    return CaseRun(cases, failures, coverage(cases, baseline, rulebook), element_coverage(cases, baseline, rulebook))


def render_case_run(run: CaseRun) -> str:
    lines = []
    for case in run.cases:
        if case.name in run.failures:
            lines.append(f"FAIL {case.file.name}:{case.line}: {case.name}")
            lines += [f"     {failure}" for failure in run.failures[case.name]]
    passed = len(run.cases) - len(run.failures)
    lines.append(f"{len(run.cases)} cases: {passed} passed, {len(run.failures)} failed")
    total = len(run.coverage)
    if run.unexercised:
        lines.append(f"{total - len(run.unexercised)} of {total} alternatives of the conditions exercised; no case fires through:")
        lines += [f"  {name}" for name in run.unexercised]
    else:
        lines.append(f"every one of the {total} alternatives of the conditions is exercised by a case")
    rules = len({name for name, check in run.elements if check == "all in place"})
    elements = len({name for name, check in run.elements if check == "alone"})
    if run.unchecked:
        lines.append(f"{len(run.elements) - len(run.unchecked)} of {len(run.elements)} checks of the {elements} elements of {rules} rules made; missing:")
        for name, check in run.unchecked:
            lines.append(f"  {name} ({check}): {ELEMENT_CHECKS[check].format(rule=name.split('/')[0])}")
    elif run.elements:
        lines.append(f"every one of the {elements} elements of {rules} rules is checked alone, with no information and all in place")
    return "\n".join(lines) + "\n"
