"""mutmut's command line, for scripts/mutate-code, with two additions:

- after mutmut has recorded which tests call which mutated function, it adds the calls made in the
  ``selfcheck`` child processes those tests started (mutation/plugin.py wrote them to $MUTATION_HITS),
  so that those tests are run against the mutants of functions they reach only through a child process;
- each mutant's tests run fastest first;
- the clean run that mutmut makes before the mutants is left out when this process has just collected
  the stats of every test (that run has already run the same tests unmutated, and mutmut stops if
  one of them fails), and when no mutant is left to test.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import mutmut.__main__ as mutmut_main
from mutmut.state import state
from mutmut.stats import save_stats

_collect = mutmut_main.run_stats_collection


_collected_all = False
_to_test = True


def run_stats_collection(runner, tests=None) -> None:
    global _collected_all
    _collect(runner, tests)
    _collected_all = _collected_all or tests is None
    known = state().duration_by_test
    for path in Path(os.environ["MUTATION_HITS"]).glob("*.json"):
        record = json.loads(path.read_text())
        test = record["test"].rpartition(" (")[0] or record["test"]
        if test in known:
            for function in record["functions"]:
                state().tests_by_mangled_function_name[function].add(test)
        path.unlink()
    save_stats()


_mutants = mutmut_main.collect_source_file_mutation_data


def collect_source_file_mutation_data(*, mutant_names):
    global _to_test
    mutants, by_path = _mutants(mutant_names=mutant_names)
    _to_test = bool(mutant_names) or any(result is None for _, _, result in mutants)
    return mutants, by_path


_runner = mutmut_main.get_mutant_runner


def get_mutant_runner(*args, **kwargs):
    """mutmut's runner, handed each mutant's tests fastest first: with -x, a killed mutant stops at its first failing test."""
    runner = _runner(*args, **kwargs)
    submit = runner.submit

    def fastest_first(mutant_name, tests, *rest, **options):
        durations = state().duration_by_test
        return submit(mutant_name, sorted(tests, key=lambda test: (durations.get(test, 0.0), test)), *rest, **options)

    runner.submit = fastest_first
    clean = runner.run_clean_tests
    runner.run_clean_tests = lambda tests: clean(tests) if _to_test and not _collected_all else 0
    return runner


def timed(name: str, function):
    """``function``, printing its wall and CPU time (this process and those it waited for) to mutmut's log."""

    def run(*args, **kwargs):
        usage = lambda: sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))  # noqa: E731
        wall, cpu = time.monotonic(), usage()
        try:
            return function(*args, **kwargs)
        finally:
            print(f"\nmutate-code phase {name}: {time.monotonic() - wall:.1f} s, {usage() - cpu:.1f} s of CPU", flush=True)

    return run


mutmut_main.run_stats_collection = run_stats_collection
mutmut_main.get_mutant_runner = get_mutant_runner
mutmut_main.collect_source_file_mutation_data = collect_source_file_mutation_data
# which parts of a module's run take the time: the stats run is one process, the mutants run side by side
mutmut_main.collect_or_load_stats = timed("stats", mutmut_main.collect_or_load_stats)
mutmut_main.run_forced_fail_test = timed("forced fail", mutmut_main.run_forced_fail_test)
mutmut_main._run = timed("all", mutmut_main._run)
if __name__ == "__main__":
    Path(os.environ["MUTATION_HITS"]).mkdir(parents=True, exist_ok=True)
    sys.argv[0] = "mutmut"
    mutmut_main.cli()
