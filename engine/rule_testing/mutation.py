"""Mutation testing of a rulebook: would the cases notice if a condition were wrong?

Each mutant changes one condition of one rule or observation in one way:

- drop condition: the condition removed, so the item always applies;
- negate: the condition negated;
- replace value: one answer a test names replaced by another answer its question allows (for a
  list question, the option tested by another option);
- move bound: the number a comparison tests moved by one, within the question's bounds;
- drop part: one part of an all/any of two parts or more removed;
- drop element: one element of a rule removed, so that what it asks is never examined;
- swap question: a question an element reads replaced by another of the same type that its
  rule's other elements, or its own section of the questionnaire, ask: the element wired to the
  wrong fact.

A mutant is killed when a check fails with it in place of the original: the rule cases, the
published golden sets (the recommendations as published; the observations the unmutated rulebook
makes, which the factsheet golden proves are the published ones) or the counterfactual cases.
Checks use the reference evaluator and re-evaluate only the mutated item: everything else is as the
unmutated rulebook has it, which must pass every check first.

A mutant that survives is compared with the original on every combination of answers to the
questions the two read (``candidate_answers``: each integer at its bounds and around every
threshold, each list as every subset of its options, each text written or not, and not_provided).
No difference: it is equivalent, and left out of the score. Otherwise the combination nearest the
baseline answers is the hint: a case with those answers would kill it.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from math import prod
from pathlib import Path
from typing import Any, Protocol, cast

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, Questionnaire
from selfcheck.engine.assessment.counterfactual import candidate_answers
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import read_document
from selfcheck.engine.rule_testing.cases import Case, Outcome, case_answers, case_problems, expectation_failures, in_force, reference
from selfcheck.engine.rule_testing.counterfactual_cases import CounterfactualCases, change_between
from selfcheck.engine.rules.conditions import COMPARISONS, All, Any_, Condition, Not, Test, condition_text, holds, tests_in
from selfcheck.engine.rules.rulebook import Conditional, Rule, Rulebook
from selfcheck.engine.rules.wording import ANY_TEXT, answer_text

OPERATORS = ("drop condition", "negate", "replace value", "move bound", "drop part", "drop element", "swap question")
COMBINATION_CAP = 200_000  # answer combinations compared per mutant; beyond it equivalence is not decided


@dataclass(frozen=True)
class Mutant:
    item: Conditional
    operator: str
    before: str  # the part of the condition changed (or dropped), in the rule language
    after: str | None  # what it became; None when it was dropped from its all/any
    condition: Condition | None  # the whole mutated condition; None: the item always applies


def mutants(item: Conditional, questionnaire: Questionnaire) -> list[Mutant]:
    """Every mutant of the item's condition, each a different condition (none for an unconditional item)."""
    original = item.condition
    if original is None:
        return []
    made: dict[Any, Mutant] = {}

    def add(operator: str, before: Condition, after: Condition | None, condition: Condition | None) -> None:
        if condition != original and condition not in made:
            shown = condition_text(after) if after is not None or operator == "drop condition" else None
            made[condition] = Mutant(item, operator, condition_text(before), shown, condition)

    if isinstance(item, Rule) and item.elements and isinstance(original, Any_):
        # first, so that these changes are named for the element even where another operator makes them too
        for index, element in enumerate(item.elements):
            rest = original.parts[:index] + original.parts[index + 1 :]
            add("drop element", element.condition, None, Any_(rest))
            for path, test in _tests_with_paths(element.condition):
                for swapped in _swaps(test, item, questionnaire):
                    add("swap question", test, swapped, _replaced(original, (index, *path), swapped))
    add("drop condition", original, None, None)
    negated = original.part if isinstance(original, Not) else Not(original)
    add("negate", original, negated, negated)
    for path, node in _nodes(original):
        if isinstance(node, Test):
            for operator, test in _test_mutations(node, questionnaire):
                add(operator, node, test, _replaced(original, path, test))
        elif isinstance(node, (All, Any_)) and len(node.parts) >= 2:
            for index, part in enumerate(node.parts):
                rest = node.parts[:index] + node.parts[index + 1 :]
                add("drop part", part, None, _replaced(original, path, rest[0] if len(rest) == 1 else type(node)(rest)))
    return list(made.values())


def _tests_with_paths(condition: Condition) -> Iterator[tuple[tuple, Test]]:
    for path, node in _nodes(condition):
        if isinstance(node, Test):
            yield path, node


def _swaps(test: Test, rule: Rule, questionnaire: Questionnaire) -> Iterator[Test]:
    """The test asked of another question that could be taken for its own: of the same type and
    answers, read by another element of the rule or in the same section of the questionnaire."""
    question = questionnaire.questions[test.question]
    siblings = {t.question for element in rule.elements for t in tests_in(element.condition)}
    for other in questionnaire.questions.values():
        if other.id == question.id or other.type != question.type or (other.id not in siblings and other.section != question.section):
            continue
        if question.type in ("tri_state", "one_of", "list") and other.options != question.options:
            continue
        if question.type == "integer" and other.bounds != question.bounds:
            continue
        yield replace(test, question=other.id)


def _nodes(condition: Condition, path: tuple = ()) -> Iterator[tuple[tuple, Condition]]:
    yield path, condition
    if isinstance(condition, Not):
        yield from _nodes(condition.part, path + (0,))
    elif isinstance(condition, (All, Any_)):
        for index, part in enumerate(condition.parts):
            yield from _nodes(part, path + (index,))


def _replaced(condition: Condition, path: tuple, replacement: Condition) -> Condition:
    if not path:
        return replacement
    if isinstance(condition, Not):
        return Not(_replaced(condition.part, path[1:], replacement))
    if isinstance(condition, Test):  # _nodes gives a test only as the end of a path
        raise ValueError(f"a test has no part {path}")
    parts = list(condition.parts)
    parts[path[0]] = _replaced(parts[path[0]], path[1:], replacement)
    return type(condition)(tuple(parts))


def _test_mutations(test: Test, questionnaire: Questionnaire) -> Iterator[tuple[str, Test]]:
    question = questionnaire.questions[test.question]
    if test.op in COMPARISONS:
        minimum, maximum = question.bounds
        for bound in (test.value - 1, test.value + 1):
            if minimum <= bound <= maximum:
                yield "move bound", replace(test, value=bound)
    elif test.op in ("includes", "lacks"):
        for option in question.option_values:
            if option != test.value:
                yield "replace value", replace(test, value=option)
    elif question.type in ("tri_state", "one_of"):  # in / not_in; other types test only not_provided
        for index in range(len(test.value)):
            for answer in question.choices:
                if answer not in test.value:
                    yield "replace value", replace(test, value=test.value[:index] + (answer,) + test.value[index + 1 :])


# -- telling a mutant from the original ----------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    equivalent: bool | None  # None: too many combinations to decide
    given: dict[str, Any] | None = None  # answers, changed from the baseline, that tell the two apart
    original_holds: bool | None = None  # with those answers


def compare(
    original: Condition | None, mutant: Condition | None, questionnaire: Questionnaire, near: Callable[[str], Any], cap: int = COMBINATION_CAP
) -> Verdict:
    """Whether any answers tell the two conditions apart and, if so, those nearest the baseline ``near``."""
    questions = list(dict.fromkeys(test.question for test in tests_in(original) + tests_in(mutant)))
    domains = []
    for question_id in questions:
        question = questionnaire.questions[question_id]
        values = candidate_answers(question, original, mutant)
        if question.type == "integer" and near(question_id) not in values:
            values.append(near(question_id))  # so that a hint changes only what must change
        domains.append(values)
    if prod(len(values) for values in domains) > cap:
        return Verdict(None)
    best: tuple[int, dict, bool] | None = None
    for combination in itertools.product(*domains):
        answers = dict(zip(questions, combination, strict=True))
        before = holds(original, answers.__getitem__)
        if before == holds(mutant, answers.__getitem__):
            continue
        changed = {q: value for q, value in answers.items() if not _same(value, near(q))}
        if best is None or len(changed) < best[0]:
            best = (len(changed), changed, before)
    return Verdict(True) if best is None else Verdict(False, best[1], best[2])


def _same(candidate: Any, answer: Any) -> bool:
    """Whether a candidate stands for the answer (any text stands for every text written)."""
    return candidate == answer or (candidate == ANY_TEXT and answer != NOT_PROVIDED)


# -- checks -----------------------------------------------------------------------------------------


class Check(Protocol):
    name: str

    def base_failures(self) -> list[str]:
        """What fails with the unmutated rulebook (must be nothing)."""

    def failures(self, item: Conditional, condition: Condition | None) -> list[str]:
        """What fails with ``condition`` in place of the item's own (the first failure is enough)."""


class RuleCases:
    """The rule cases over their baseline answers."""

    name = "rule cases"

    def __init__(self, cases: list[Case], baseline: Answers, rulebook: Rulebook):
        self.problems: list[str] = []
        self.runs: dict[str, list[tuple[Case, Answers, Outcome]]] = {}  # by the ids each case expects something of
        self.outcomes = []
        for case in cases:
            problems = case_problems(case, rulebook)
            if problems:
                self.problems += [f"{case.file.name}:{case.line} {case.name}: {problem}" for problem in problems]
                continue
            answers = case_answers(case, baseline, rulebook.questionnaire)
            outcome = reference(answers, rulebook, case.include_draft)
            self.outcomes.append((case, outcome))
            for item_id in set().union(case.fires, case.does_not_fire, case.observes, case.does_not_observe):
                self.runs.setdefault(item_id, []).append((case, answers, outcome))
        self.count = len(cases)

    def base_failures(self) -> list[str]:
        return self.problems + [
            f"{case.file.name}:{case.line} {case.name}: {failure}" for case, outcome in self.outcomes for failure in expectation_failures(case, outcome)
        ]

    def failures(self, item: Conditional, condition: Condition | None) -> list[str]:
        for case, answers, outcome in self.runs.get(item.id, []):
            if in_force(item, case.include_draft):
                failures = expectation_failures(case, outcome.with_item(item, holds(condition, answers.value)))
                if failures:
                    return [f"{case.name}: {'; '.join(failures)}"]
        return []


class Golden:
    """A published golden: the answers of a Party whose factsheet is published, and its recommendations."""

    name = "published golden"

    def __init__(self, answers: Answers, published: Path, rulebook: Rulebook):
        self.answers, self.rulebook = answers, rulebook
        self.published = _published_recommendations(published)
        self.outcome = reference(answers, rulebook, include_draft=False)
        self.observed = self.outcome.observed  # the factsheet golden proves these are the published ones

    def _failures(self, outcome: Outcome) -> list[str]:
        applying = outcome.fired | outcome.observed
        rules = [self.rulebook.by_id[rule_id] for rule_id in outcome.fired]
        got = {(rule.id, rule.level, self.rulebook.block_for(rule, applying)) for rule in rules}
        lines = [f"missing {' '.join(item)}" for item in sorted(self.published - got)]
        lines += [f"unexpected {' '.join(item)}" for item in sorted(got - self.published)]
        lines += [f"observation missing {i}" for i in sorted(self.observed - outcome.observed)]
        lines += [f"observation unexpected {i}" for i in sorted(outcome.observed - self.observed)]
        return [f"{self.answers.party}: {'; '.join(lines)}"] if lines else []

    def base_failures(self) -> list[str]:
        return self._failures(self.outcome)

    def failures(self, item: Conditional, condition: Condition | None) -> list[str]:
        if not in_force(item, include_draft=False):  # no draft may fire for a Party whose factsheet is published
            fires = holds(condition, self.answers.value)
            return [f"{self.answers.party}: the draft {item.id} fires, but the published factsheet does not print it"] if fires else []
        return self._failures(self.outcome.with_item(item, holds(condition, self.answers.value)))


class Counterfactuals:
    """The counterfactual cases: what amendments resolve, and the smallest changes found."""

    name = "counterfactual cases"

    def __init__(self, cases: CounterfactualCases, rulebook: Rulebook):
        self.rulebook = rulebook
        questionnaire = rulebook.questionnaire
        self.amendments = []
        for case in cases.amendments:
            before, after = case.sides(questionnaire)
            self.amendments.append((case, before, after, reference(before, rulebook, False), reference(after, rulebook, False)))
        self.smallest = [(case, case.starting_answers()) for case in cases.smallest_changes]
        self.count = len(self.amendments) + len(self.smallest)

    def base_failures(self) -> list[str]:
        failures = []
        for case, _, _, before, after in self.amendments:
            failures += [f"{case.name}: {failure}" for failure in case.failures(change_between(before, after, self.rulebook))]
        for change_case, answers in self.smallest:
            rule = self.rulebook.by_id.get(change_case.rule)
            if rule is None:
                failures.append(f"{change_case.name}: unknown recommendation {change_case.rule}")
                continue
            failures += [f"{change_case.name}: {failure}" for failure in change_case.failures(change_case.found(rule, answers, self.rulebook.questionnaire))]
        return failures

    def failures(self, item: Conditional, condition: Condition | None) -> list[str]:
        if in_force(item, include_draft=False):
            for case, before_answers, after_answers, before, after in self.amendments:
                before = before.with_item(item, holds(condition, before_answers.value))
                after = after.with_item(item, holds(condition, after_answers.value))
                failures = case.failures(change_between(before, after, self.rulebook))
                if failures:
                    return [f"{case.name}: {'; '.join(failures)}"]
        if isinstance(item, Rule):
            for change_case, answers in self.smallest:
                if change_case.rule == item.id:
                    failures = change_case.failures(change_case.found(dataclasses.replace(item, condition=condition), answers, self.rulebook.questionnaire))
                    if failures:
                        return [f"{change_case.name}: {'; '.join(failures)}"]
        return []


def _published_recommendations(path: Path) -> set[tuple[str, str, str]]:
    document = read_document(path)
    listed = document.data.get("recommendations") if isinstance(document.data, dict) else None
    if not isinstance(listed, list) or not all(isinstance(entry, dict) and {"id", "level", "block"} <= set(entry) for entry in listed):
        raise document.error("expected recommendations: a list of {id, level, block}", ("recommendations",))
    return {(entry["id"], entry["level"], entry["block"]) for entry in listed}


# -- the run ----------------------------------------------------------------------------------------


class SuiteFails(Exception):
    """The unmutated rulebook fails its own checks: no mutant could be judged."""

    def __init__(self, failures: list[str]):
        self.failures = failures
        super().__init__("the unmutated rulebook fails its checks; fix them before mutating:\n" + "\n".join(f"  {f}" for f in failures))


@dataclass
class Result:
    killed: list[tuple[Mutant, str]]  # with the check and the failure that killed it
    survivors: list[tuple[Mutant, Verdict]]
    equivalent: list[Mutant]

    @property
    def tested(self) -> int:
        return len(self.killed) + len(self.survivors)


def mutation_run(rulebook: Rulebook, checks: Sequence[Check], near: Callable[[str], Any], cap: int = COMBINATION_CAP) -> Result:
    """Every mutant of every rule and observation, against every check; SuiteFails if the original fails one."""
    base = [f"{check.name}: {failure}" for check in checks for failure in check.base_failures()]
    if base:
        raise SuiteFails(base)
    result = Result([], [], [])
    for item in rulebook.rules + rulebook.observations:
        for mutant in mutants(item, rulebook.questionnaire):
            killer = next((f"{check.name}: {failures[0]}" for check in checks for failures in [check.failures(item, mutant.condition)] if failures), None)
            if killer:
                result.killed.append((mutant, killer))
                continue
            verdict = compare(item.condition, mutant.condition, rulebook.questionnaire, near, cap)
            if verdict.equivalent:
                result.equivalent.append(mutant)
            else:
                result.survivors.append((mutant, verdict))
    return result


def render(result: Result, baseline_name: str, threshold: float) -> str:
    """The survivors, the equivalent mutants, the score by operator; the last line the score."""
    lines = []
    if result.survivors:
        lines += [f"Survivors ({len(result.survivors)}): no check notices these changes", ""]
        for mutant, verdict in result.survivors:
            lines += _mutant_lines(mutant)
            lines.append(f"    hint:     {_hint(mutant, verdict, baseline_name)}")
            lines.append("")
    if result.equivalent:
        lines += [f"Equivalent mutants ({len(result.equivalent)}): no answers tell them from the original; not counted", ""]
        for mutant in result.equivalent:
            lines += _mutant_lines(mutant)[:1]
        lines.append("")
    by_operator = []
    for operator in OPERATORS:
        killed = sum(1 for mutant, _ in result.killed if mutant.operator == operator)
        total = killed + sum(1 for mutant, _ in result.survivors if mutant.operator == operator)
        if total:
            by_operator.append(f"{operator} {killed}/{total}")
    lines.append("Killed by operator: " + ", ".join(by_operator))
    killed, tested = len(result.killed), result.tested
    percent = 100.0 * killed / tested if tested else 100.0
    lines.append(f"{killed} of {tested} mutants killed ({percent:.1f} %; threshold {threshold:g} %), {len(result.equivalent)} equivalent left out")
    lines.append(f"mutation score: {killed}/{tested} killed")
    return "\n".join(lines) + "\n"


def _mutant_lines(mutant: Mutant) -> list[str]:
    item = mutant.item
    draft = " [draft]" if item.only_with_drafts else " [worded by selfcheck]" if item.draft else ""
    head = f"  {item.id}{draft} ({item.source}) {mutant.operator}"
    if mutant.after is None:
        return [f"{head} {mutant.before}", f"    from:     {condition_text(item.condition)}"]
    lines = [f"{head}: {mutant.before} -> {mutant.after}"]
    if mutant.before != condition_text(item.condition):
        lines.append(f"    in:       {condition_text(item.condition)}")
    return lines


def _hint(mutant: Mutant, verdict: Verdict, baseline_name: str) -> str:
    if verdict.equivalent is None:
        return "too many answer combinations to compare; write a case that tells them apart"
    if verdict.given is None:  # compare gives the answers whenever it tells the two apart
        raise ValueError(f"no answers given that tell the mutant of {mutant.item.id} apart")
    item = mutant.item
    verb = "fires" if isinstance(item, Rule) else "is observed"
    not_verb = "does not fire" if isinstance(item, Rule) else "is not observed"
    given = "{" + ", ".join(f"{q}: {answer_text(v, None)}" for q, v in verdict.given.items()) + "}"
    answers = f"given {given} over {baseline_name}" if verdict.given else f"{baseline_name} as it is"
    draft = " with include_draft: true" if item.only_with_drafts else ""
    first, second = (verb, not_verb) if verdict.original_holds else (not_verb, verb)
    return f"{answers}{draft}: the original {first}, the mutant {second}"


# -- command line -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``scripts/mutate``: 0 when the score reaches the threshold, 1 below it, 2 on bad input."""
    import argparse
    import sys

    from selfcheck.engine.answers import rounds
    from selfcheck.engine.answers.rounds import load_answers
    from selfcheck.engine.common.errors import RulebookError
    from selfcheck.engine.rule_testing.cases import load_cases, rulebook_baseline, rulebook_cases
    from selfcheck.engine.rule_testing.counterfactual_cases import load_counterfactual_cases
    from selfcheck.engine.rules import rulebooks

    parser = argparse.ArgumentParser(prog="scripts/mutate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--round", help="the monitoring round (default: the default round)")
    parser.add_argument("--rules", type=Path, help="rulebook directory (default rules/ROUND)")
    parser.add_argument("--cases", type=Path, help="a directory of case files to use instead of those the rulebook lists")
    parser.add_argument("--baseline", type=Path, help="answers the cases start from (default: the rulebook's baseline)")
    parser.add_argument("--counterfactuals", type=Path, help="counterfactual cases (default tests/ROUND/counterfactuals.yaml)")
    parser.add_argument(
        "--golden",
        nargs=2,
        action="append",
        type=Path,
        metavar=("ANSWERS", "PUBLISHED"),
        help="a Party's answers and its published recommendations; repeatable (default: each questionnaires/ROUND/parties/P.yaml with a published/P.yaml)",
    )
    parser.add_argument("--threshold", type=float, default=95.0, help="the lowest score passing, in percent (default %(default)g)")
    parser.add_argument("--cap", type=int, default=COMBINATION_CAP, help="answer combinations compared per mutant at most (default %(default)d)")
    options = parser.parse_args(argv)

    options.round = options.round or rounds.default_round()
    counterfactual_path = options.counterfactuals or Path.cwd() / "tests" / options.round / "counterfactuals.yaml"
    goldens = options.golden or [
        (answers, rounds.published_dir(options.round) / answers.name)
        for answers in sorted(rounds.parties_dir(options.round).glob("*.yaml"))
        if (rounds.published_dir(options.round) / answers.name).is_file()
    ]
    try:
        questionnaire = rounds.questionnaire(options.round)
        rulebook = rulebooks.rulebook_at(options.round, options.rules)
        baseline = load_answers(options.baseline) if options.baseline else rulebook_baseline(rulebook)
        # rulebook_baseline has refused a rulebook that names no baseline
        baseline_name = options.baseline.name if options.baseline else cast(str, rulebook.meta.baseline)
        cases = load_cases(sorted(options.cases.glob("*.yaml")), rulebook) if options.cases else rulebook_cases(rulebook)
        if not cases:
            raise InputError(options.cases, "holds no case files (*.yaml)")
        rule_cases = RuleCases(cases, baseline, rulebook)
        counterfactuals = Counterfactuals(load_counterfactual_cases(counterfactual_path, questionnaire), rulebook)
        checks = [rule_cases] + [Golden(load_answers(answers), published, rulebook) for answers, published in goldens] + [counterfactuals]
        print(
            f"Mutating {len(rulebook.rules)} rules and {len(rulebook.observations)} observations; checks: {rule_cases.count} rule cases, "
            f"{len(goldens)} published golden(s), {counterfactuals.count} counterfactual cases",
            flush=True,
        )
        result = mutation_run(rulebook, checks, baseline.value, options.cap)
    except (InputError, RulebookError, SuiteFails) as error:
        print(f"mutate: {error}", file=sys.stderr)
        return 2
    print(render(result, baseline_name, options.threshold), end="")
    tested = result.tested
    return 0 if not tested or 100.0 * len(result.killed) / tested >= options.threshold else 1
