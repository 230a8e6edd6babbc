"""Errors a person can act on: each names the file, the place in it and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Place:
    """Where in a file a problem sits: a path of keys and, when known, a line and column (1-based)."""

    keys: tuple[str | int, ...] = ()
    line: int | None = None
    column: int | None = None

    def describe(self) -> str:
        return ".".join(str(key) for key in self.keys)


class InputError(Exception):
    """Bad input: the command stops with exit code 2 and prints this one message."""

    def __init__(self, file: str | Path, problem: str, place: Place | None = None):
        self.file = str(file)
        self.problem = problem
        self.place = place or Place()
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.place.line is not None:
            where += f":{self.place.line}"
            if self.place.column is not None:
                where += f":{self.place.column}"
        keys = self.place.describe()
        return f"{where}: {keys + ': ' if keys else ''}{self.problem}"


class RulebookError(Exception):
    """A rulebook that fails its lint: every problem found, each one an InputError."""

    def __init__(self, problems: list[InputError]):
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"the rulebook has {count} problem{'s' if count != 1 else ''}:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class EngineError(Exception):
    """durable-rules reported a failure while assessing; the engine was rebuilt before this was raised."""
