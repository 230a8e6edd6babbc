"""A path to compliance: the answer changes that would clear a Party's recommendations, as an amendment.

For each recommendation at the chosen levels, ``smallest_changes`` gives every smallest set of
answer changes that clears it. Combining them is a small exact search, made apart for each group
of recommendations whose changes meet: one set per recommendation, no question given two values,
the union as small as possible and clearing every one of them (where a group has none, it clears
what agrees). Which of equally small unions to propose is data (``plan.yaml`` beside the
questionnaire; a round without one has no preferences): answers narrowing the law's reach are a
last resort; otherwise the union with most answers a compliant Party gives wins. The result is
checked by re-assessing through durable-rules, and any recommendation it would create is reported.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import Amendment, apply
from selfcheck.engine.answers.answer_file import Answers, in_words, read_answer
from selfcheck.engine.assessment.assess import Finding, assess
from selfcheck.engine.assessment.counterfactual import questions_read, smallest_changes
from selfcheck.engine.common.safe_files import read_document
from selfcheck.engine.rules.conditions import holds
from selfcheck.engine.rules.rulebook import Rulebook

PREFERENCES = "plan.yaml"


@dataclass(frozen=True)
class Preferences:
    last_resort: dict[str, str]  # question -> why changing it is a last resort
    aims: dict[str, Any]  # question -> the answer a compliant Party gives


@dataclass(frozen=True)
class Target:
    """A recommendation to clear and the smallest sets of answer changes that clear it."""

    finding: Finding
    options: tuple[dict[str, Any], ...]  # leaving the last-resort answers alone
    last_resort: tuple[dict[str, Any], ...]  # as small or smaller, but changing a last-resort answer


@dataclass(frozen=True)
class Plan:
    targets: tuple[Target, ...]
    changes: dict[str, Any]  # the combined set, in questionnaire order
    cleared: tuple[str, ...]  # ids the changes clear, checked with durable-rules
    uncleared: tuple[Finding, ...]  # no change of answers clears these
    not_together: tuple[Finding, ...]  # each can be cleared, but not together with the cleared ones: their changes contradict
    new: tuple[Finding, ...]  # recommendations the changes would create
    amendment: Amendment


def load_preferences(round_id: str) -> Preferences:
    questionnaire = rounds.questionnaire(round_id)
    path = rounds.questionnaire_dir(round_id) / PREFERENCES
    if not path.exists():  # a round without preferences: every change is fair, none aimed for
        return Preferences(last_resort={}, aims={})
    document = read_document(path)
    data = document.data
    if not isinstance(data, dict) or set(data) != {"round", "last_resort", "aims"} or data["round"] != round_id:
        raise document.error(f"expected round: {round_id}, last_resort and aims")
    for section in ("last_resort", "aims"):
        if not isinstance(data[section], dict):
            raise document.error("expected a mapping of question ids", (section,))
    last_resort = {}
    for question_id, why in data["last_resort"].items():
        if questionnaire.question(question_id) is None:
            raise document.error(f"unknown question {question_id!r}", ("last_resort", question_id))
        if not isinstance(why, str) or not why.strip():
            raise document.error("expected why changing this answer is a last resort, as a text", ("last_resort", question_id))
        last_resort[question_id] = why.strip()
    aims = {q: read_answer(document, questionnaire, ("aims", q), given, texts=())[0] for q, given in data["aims"].items()}
    both = set(aims) & set(last_resort)
    if both:
        raise document.error("a question is either a last resort or has an aim, not both", ("aims", sorted(both)[0]))
    return Preferences(last_resort, aims)


def plan(
    answers: Answers, answers_file: Path, rulebook: Rulebook, levels: tuple[str, ...], include_draft: bool = False, date: datetime.date | None = None
) -> Plan:
    preferences = load_preferences(answers.round)
    questionnaire = rulebook.questionnaire
    before = assess(answers, rulebook, include_draft)
    targets, uncleared = [], []
    for finding in before.recommendations:
        if finding.level not in levels:
            continue
        rule = rulebook.by_id[finding.id]
        kept = smallest_changes(rule, answers.value, questionnaire, fire=False, keep=frozenset(preferences.last_resort))
        narrowing = [c for c in smallest_changes(rule, answers.value, questionnaire, fire=False) if set(c) & set(preferences.last_resort)]
        if kept or narrowing:
            targets.append(Target(finding, tuple(kept), tuple(narrowing)))
        else:
            uncleared.append(finding)
    changes = _combine(targets, answers, rulebook, preferences, include_draft)
    changes = dict(sorted(changes.items(), key=lambda item: questionnaire.index(item[0])))
    amendment = _amendment(answers, answers_file, changes, targets, rulebook, levels, date)
    after = assess(apply(answers, amendment), rulebook, include_draft)
    still = {f.id for f in after.recommendations} & {t.finding.id for t in targets}
    found_before = set(before.ids())
    return Plan(
        targets=tuple(t for t in targets if t.finding.id not in still),
        changes=changes,
        cleared=tuple(t.finding.id for t in targets if t.finding.id not in still),
        uncleared=tuple(uncleared),
        not_together=tuple(t.finding for t in targets if t.finding.id in still),
        new=tuple(f for f in after.recommendations if f.id not in found_before),
        amendment=amendment,
    )


def _combine(targets: list[Target], answers: Answers, rulebook: Rulebook, preferences: Preferences, include_draft: bool) -> dict[str, Any]:
    """The best union of one change set per target (see the module's docstring), group by group.

    Targets are searched together only where one's changes touch a question another reads, or a rule
    not firing reads questions both touch (it might be created by the two together): across groups
    nothing one group changes can clear, un-clear or create what another's does, and every part of
    the score adds up, so the best of each group together are the best of all.
    """
    rules = [rulebook.by_id[t.finding.id] for t in targets]
    choices = [t.options or t.last_resort for t in targets]
    touched = [{q for option in options for q in option} for options in choices]
    quiet = [rule for rule in rulebook.rules_in_force(include_draft) if not holds(rule.condition, answers.value)]
    read = {rule.id: set(questions_read(rule)) for rule in rules + quiet}
    combined: dict[str, Any] = {}
    for group in _groups(touched, list(read.values())):
        watched = [rule for rule in quiet if read[rule.id] & set().union(*(touched[i] for i in group))]
        search = _Search(answers, preferences, rulebook, [rules[i] for i in group], [choices[i] for i in group], watched)
        best = search.best()
        combined.update(search.greedy() if best is None else best)
    return combined


def _groups(touched: list[set[str]], read: list[set[str]]) -> list[list[int]]:
    """The targets' indices grouped so that no set of questions ``read`` (by a target's rule, or by a rule
    the changes might create) meets what two groups' changes touch."""
    group = list(range(len(touched)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for questions in read:
        meeting = [i for i, changed in enumerate(touched) if changed & questions]
        for i in meeting[1:]:
            group[root(i)] = root(meeting[0])
    members: dict[int, list[int]] = {}
    for i in range(len(touched)):
        members.setdefault(root(i), []).append(i)
    return list(members.values())


@dataclass
class _Search:
    """The best union of one change set per target of a group, by branch and bound."""

    answers: Answers
    preferences: Preferences
    rulebook: Rulebook
    rules: list  # the targets' rules
    choices: list  # each target's change sets
    watched: list  # the rules not firing that these changes might create

    def answer_of(self, changes: dict) -> Callable[[str], Any]:
        return lambda q: changes[q] if q in changes else self.answers.value(q)

    def size_key(self, changes: dict) -> tuple[int, int]:
        return (len(set(changes) & set(self.preferences.last_resort)), len(changes))

    def best(self) -> dict[str, Any] | None:
        ordered = sorted(range(len(self.rules)), key=lambda i: len(self.choices[i]))
        best: list = [None, None]  # score, changes
        seen: set = set()

        def search(position: int, changes: dict) -> None:
            state = (position, frozenset(changes.items()))
            if state in seen or (best[0] is not None and self.size_key(changes) > best[0][:2]):
                return
            seen.add(state)
            if position == len(ordered):
                if any(holds(rule.condition, self.answer_of(changes)) for rule in self.rules):
                    return
                created = sum(1 for rule in self.watched if holds(rule.condition, self.answer_of(changes)))
                departures = sum(1 for q, v in changes.items() if self.preferences.aims.get(q) != v)
                score = self.size_key(changes) + (created, departures, sorted(map(self.rulebook.questionnaire.index, changes)))
                if best[0] is None or score < best[0]:
                    best[:] = [score, changes]
                return
            index = ordered[position]
            if not holds(self.rules[index].condition, self.answer_of(changes)):
                search(position + 1, changes)  # already cleared by the changes chosen so far
            for option in self.choices[index]:
                if all(changes.get(q, v) == v for q, v in option.items()) and not set(option) <= set(changes):
                    search(position + 1, {**changes, **option})

        search(0, {})
        return best[1]

    def greedy(self) -> dict[str, Any]:
        """When the smallest changes contradict each other (e.g. around an answer that varies): changes that
        clear as many targets as agree with one another, in order, each keeping the earlier ones cleared;
        the plan lists the rest as not cleared together with them."""
        changes: dict[str, Any] = {}
        rules, answer_of = self.rules, self.answer_of
        for index in range(len(rules)):
            if not holds(rules[index].condition, answer_of(changes)):
                continue
            for option in self.choices[index]:
                tried = {**changes, **option}
                if not holds(rules[index].condition, answer_of(tried)) and not any(
                    holds(rules[earlier].condition, answer_of(tried)) and not holds(rules[earlier].condition, answer_of(changes)) for earlier in range(index)
                ):
                    changes = tried
                    break
        return changes


def _amendment(
    answers: Answers, answers_file: Path, changes: dict, targets: list[Target], rulebook: Rulebook, levels: tuple[str, ...], date: datetime.date | None
) -> Amendment:
    read = [set(questions_read(rulebook.by_id[t.finding.id])) for t in targets]

    def served(question: str) -> str:
        return ", ".join(f"{t.finding.id} ({t.finding.level})" for t, questions in zip(targets, read, strict=True) if question in questions)

    return Amendment(
        title=f"Path to compliance for {answers.party}: its {in_words(levels)} recommendations",
        reference="proposed by selfcheck plan; replace with the bill's reference",
        date=date or datetime.date.today(),
        applies_to=answers_file,
        changes=changes,
        notes={q: f"for {served(q)}; replace with the provision that makes this answer true" for q in changes},
    )
