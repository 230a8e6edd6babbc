"""Loaded into every test run of `make mutate-code` (scripts/mutate-code copies it beside the mutants,
as mutation_plugin.py, and as sitecustomize.py for the ``selfcheck`` child processes the tests start).

- A mutant must not hide behind a rulebook parsed before it was active: each run empties the
  in-process caches and gives this process and its children a disk cache of their own.
- While mutmut records which tests call which function, a child process writes down the mutated
  functions it called, under the test that started it ($PYTEST_CURRENT_TEST, inherited).
- mutmut's trampolines read the mutant's name from the environment at every call of a mutated
  function (a third of a test's time where they are called most); the name is fixed for a test run
  and for a child process, so it is read once.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import sys
import tempfile
from pathlib import Path


def _fresh_caches() -> None:
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="selfcheck-mutant-cache-")
    for name, module in list(sys.modules.items()):
        if name == "selfcheck" or name.startswith("selfcheck."):
            for value in list(vars(module).values()):
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()


class _ReadOnce:
    """mutmut's reading of the mutant's name, made once."""

    def __init__(self, reading) -> None:
        self.mutmut_reading, self.name = reading, reading()

    def __call__(self) -> str:
        return self.name


def _read_once() -> None:
    from mutmut.mutation import trampoline

    trampoline.get_mutant_under_test = _ReadOnce(_mutmut_reading())


def _mutmut_reading():
    from mutmut.mutation import trampoline

    return getattr(trampoline.get_mutant_under_test, "mutmut_reading", trampoline.get_mutant_under_test)


def pytest_configure(config) -> None:
    _fresh_caches()
    _read_once()


def pytest_unconfigure(config) -> None:
    from mutmut.mutation import trampoline

    trampoline.get_mutant_under_test = _mutmut_reading()  # mutmut's own process names another mutant next


def _record_child_hits() -> None:
    from mutmut.mutation import trampoline

    hits: set[str] = set()
    trampoline.record_trampoline_hit = lambda name, caller=None: hits.add(name)

    def write() -> None:
        if hits:
            folder = Path(os.environ["MUTATION_HITS"])
            record = {"test": os.environ.get("PYTEST_CURRENT_TEST", ""), "functions": sorted(hits)}
            (folder / f"{os.getpid()}.json").write_text(json.dumps(record))

    atexit.register(write)


if __name__ == "sitecustomize" and os.environ.get("MUTANT_UNDER_TEST") == "stats" and os.environ.get("MUTATION_HITS"):
    _record_child_hits()
if __name__ == "sitecustomize" and os.environ.get("MUTANT_UNDER_TEST"):  # a child process of a test run
    _read_once()
