"""The physical limit of evaluating a rulebook in Python: every condition compiled into one generated
function of plain comparisons, for the benchmark to show beside durable-rules and the reference
evaluator. Never used to assess: it only measures how fast the same decisions can be made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED
from selfcheck.engine.rules.conditions import Choice, Compare, Missing

_OPERATORS = {"below": "<", "at_most": "<=", "above": ">", "at_least": ">="}


def generated_evaluator(items: list) -> Callable[[Callable[[str], Any]], list[str]]:
    """A function giving the ids of ``items`` (rules and observations) whose condition holds, as
    ``conditions.holds`` decides, from their alternatives in disjunctive normal form."""
    namespace: dict[str, Any] = {"NP": NOT_PROVIDED}
    variables: dict[str, str] = {}
    reads, tests = [], []
    for item in items:
        if item.condition is None:
            tests.append(f"    fired.append({item.id!r})")
            continue
        alternatives = []
        for alternative in item.alternatives:
            atoms = []
            for atom in alternative.atoms:
                if atom.question not in variables:
                    variables[atom.question] = f"v{len(variables)}"
                    reads.append(f"    {variables[atom.question]} = answer_of({atom.question!r})")
                value = variables[atom.question]
                if isinstance(atom, Compare):
                    atoms.append(f"(isinstance({value}, int) and {value} {_OPERATORS[atom.op]} {atom.number})")
                elif isinstance(atom, Missing):
                    atoms.append(f"({value} {'==' if atom.missing else '!='} NP)")
                else:
                    assert isinstance(atom, Choice)
                    allowed = f"allowed{len(namespace)}"
                    namespace[allowed] = atom.allowed
                    flag = f"(NP if {value} == NP else 'yes' if {atom.option!r} in {value} else 'no')" if atom.option is not None else value
                    atoms.append(f"({flag} in {allowed})")
            alternatives.append(" and ".join(atoms) or "True")
        tests.append(f"    if {' or '.join(f'({a})' for a in alternatives)}:\n        fired.append({item.id!r})")
    source = "\n".join(["def evaluate(answer_of):", *reads, "    fired = []", *tests, "    return fired"])
    exec(source, namespace)  # built above from the rulebook's own ids, question ids and numbers
    return namespace["evaluate"]
