"""The smallest answer changes found by trying every one: the oracle for the searches of counterfactual and plan."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations, product
from typing import Any


def every_smallest_change(
    candidates: dict[str, list[Any]], answer_of: Callable[[str], Any], wanted: Callable[[Callable[[str], Any]], bool], most: int
) -> list[dict[str, Any]]:
    """Every smallest set of at most ``most`` changes, each question of ``candidates`` to one of its answers, after which
    the answers are ``wanted``: every set of one size tried, in the order of the questions and answers, before the next."""
    questions = list(candidates)
    for size in range(min(most, len(questions)) + 1):
        found = []
        for chosen in combinations(questions, size):
            for values in product(*(candidates[q] for q in chosen)):
                changes = dict(zip(chosen, values, strict=True))
                if wanted(lambda q, changes=changes: changes[q] if q in changes else answer_of(q)):
                    found.append(changes)
        if found:
            return found
    return []
