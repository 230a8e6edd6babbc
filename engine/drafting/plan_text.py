"""A plan (``engine.drafting.plan``) written for people: the comment block at the head of the amendment `selfcheck plan` writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selfcheck.engine.answers.answer_file import Answers, in_words
from selfcheck.engine.common.text import wrap
from selfcheck.engine.drafting.plan import Plan

WIDTH = 98  # a comment line, "# " included, stays within 100 columns
NO_BREAK = "\u00a0"


def comments(result: Plan, answers: Answers, answers_file: Path, levels: tuple[str, ...]) -> list[str]:
    """The plan in words, for the head of the amendment file it writes."""
    words = in_words(levels)
    lines = [
        f"Path to compliance for {answers.party}, written by `selfcheck plan` from {answers_file}.",
        f"Each {words} recommendation, with the smallest sets of answer changes that clear it",
        "(any one set on its line does; | separates the sets):",
        "",
    ]
    for target in result.targets:
        head = f"  {target.finding.id:<7}{target.finding.level:<{max(map(len, levels)) + 2}}"
        indent = " " * len(head)
        lines += _wrap(" | ".join(map(_describe, target.options or target.last_resort)), head, indent)
        if target.options and target.last_resort:
            lines += _wrap("or, narrowing the law (last resort): " + " | ".join(map(_describe, target.last_resort)), indent, indent)
        elif not target.options:
            lines.append(indent + "(only by narrowing the law: no other change clears it)")
    if result.uncleared:
        listed = ", ".join(f"{f.id} ({f.level})" for f in result.uncleared)
        lines += [""] + _wrap(f"No change of answers clears {listed}: they are addressed to all Parties whatever they answer.", "", "")
    if result.not_together:
        listed = ", ".join(f"{f.id} ({f.level})" for f in result.not_together)
        lines += [""] + _wrap(
            f"No change found clears {listed} together with the others: the smallest changes that clear each contradict those "
            "below (an answer that varies by region may be read both ways). Plan them on their own: selfcheck explain <answers file> <id>.",
            "",
            "",
        )
    created = in_words(tuple(f"{f.id} ({f.level})" for f in result.new)) if result.new else "no new recommendation"
    lines += [""] + _wrap(
        f"The {len(result.changes)} changes below clear all {len(result.cleared)} at once: the smallest such set, checked by "
        f"re-assessing the amended answers with durable-rules. They create {created}. Edit the notes (and values) to "
        "match the bill, then run: selfcheck diff <answers file> <this file>",
        "",
        "",
    )
    return lines + [""]


def _describe(option: dict[str, Any]) -> str:
    # a no-break space keeps each question on one line with its answer when wrapped
    return ", ".join(f"{q}:{NO_BREAK}{'[' + ', '.join(v) + ']' if isinstance(v, tuple) else v}" for q, v in option.items())


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return wrap(text, first, rest, WIDTH).replace(NO_BREAK, " ").split("\n")
