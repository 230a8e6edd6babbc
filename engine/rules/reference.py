"""The pure-Python reference evaluator: the test oracle for the durable-rules path.

It walks each rule's condition tree as written, without the normal form or durable-rules, so that
agreement between the two checks the compiler and the engine at once.
"""

from __future__ import annotations

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.rules.conditions import holds
from selfcheck.engine.rules.rulebook import Rulebook


def reference_fired(rulebook: Rulebook, answers: Answers, include_draft: bool = False) -> set[str]:
    return {rule.id for rule in rulebook.rules_in_force(include_draft) if holds(rule.condition, answers.value)}


def reference_observed(rulebook: Rulebook, answers: Answers) -> set[str]:
    return {observation.id for observation in rulebook.observations if holds(observation.condition, answers.value)}
