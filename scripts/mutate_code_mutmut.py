"""mutmut's command line, for scripts/mutate-code: after mutmut has recorded which tests call which
mutated function, it adds the calls made in the ``selfcheck`` child processes those tests started
(mutation/plugin.py wrote them to $MUTATION_HITS), so that those tests are run against the mutants
of functions they reach only through a child process."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import mutmut.__main__ as mutmut_main
from mutmut.state import state
from mutmut.stats import save_stats

_collect = mutmut_main.run_stats_collection


def run_stats_collection(runner, tests=None) -> None:
    _collect(runner, tests)
    known = state().duration_by_test
    for path in Path(os.environ["MUTATION_HITS"]).glob("*.json"):
        record = json.loads(path.read_text())
        test = record["test"].rpartition(" (")[0] or record["test"]
        if test in known:
            for function in record["functions"]:
                state().tests_by_mangled_function_name[function].add(test)
        path.unlink()
    save_stats()


mutmut_main.run_stats_collection = run_stats_collection
if __name__ == "__main__":
    Path(os.environ["MUTATION_HITS"]).mkdir(parents=True, exist_ok=True)
    sys.argv[0] = "mutmut"
    mutmut_main.cli()
