"""Loaded into every test run of `make mutate-code` (scripts/mutate-code copies it beside the mutants,
as mutation_plugin.py, and as sitecustomize.py for the ``selfcheck`` child processes the tests start).

- A mutant must not hide behind a rulebook parsed before it was active: each run empties the
  in-process caches and gives this process and its children a disk cache of their own.
- While mutmut records which tests call which function, a child process writes down the mutated
  functions it called, under the test that started it ($PYTEST_CURRENT_TEST, inherited).
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


def pytest_configure(config) -> None:
    _fresh_caches()


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
