"""Benchmarks of selfcheck, written to bench/RESULTS.md with the machine they ran on.

Run with `make bench` (or `python bench/run.py [--quick] [--output FILE]`). Each figure is the median
of repeated rounds with its spread (the lowest and highest round), and each ratio is taken within one
round, the two sides measured side by side, so that a machine loaded by other work moves both alike.
Measured: the cold wall time of `selfcheck assess` beside the floor of its stack (`bench/floor.py`);
the engine (durable-rules) beside the pure-Python reference evaluator and a generated-Python
evaluator of the same conditions (the limit, `bench/limit.py`); a full `assess()`; `batch` per file;
memory over many assessments; synthetic rulebooks 10x and 100x the real one; the web
questionnaire, warm and under concurrent load with one worker and with one per core (`bench/load.py`);
and the team's gate that every request passes, remembering a sound database or asking it each time
(`bench/team_gate.py`).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from limit import generated_evaluator  # noqa: E402
from load import web_load  # noqa: E402
from report import write_report  # noqa: E402
from synthetic import write_synthetic_round  # noqa: E402
from team_gate import gate_paths, gate_requests, team_folder  # noqa: E402

from selfcheck.engine.answers import questionnaire as questionnaire_module  # noqa: E402
from selfcheck.engine.answers import rounds  # noqa: E402
from selfcheck.engine.answers.answer_file import Answers  # noqa: E402
from selfcheck.engine.answers.questionnaire import Questionnaire, load_questionnaire  # noqa: E402
from selfcheck.engine.answers.rounds import load_answers  # noqa: E402
from selfcheck.engine.assessment import batch  # noqa: E402
from selfcheck.engine.assessment.assess import assess  # noqa: E402
from selfcheck.engine.common.safe_files import MAX_BYTES, document_from_bytes, read_bytes  # noqa: E402
from selfcheck.engine.rules import rulebook as rulebook_module  # noqa: E402
from selfcheck.engine.rules import rulebooks  # noqa: E402
from selfcheck.engine.rules.conditions import holds  # noqa: E402
from selfcheck.engine.rules.durable_adapter import DurableEngine, compile_rulebook  # noqa: E402
from selfcheck.engine.rules.rulebook import load_rulebook  # noqa: E402

ALBANIA = ROOT / "questionnaires" / "lanzarote-2" / "parties" / "albania.yaml"
SELFCHECK = Path(sys.executable).parent / "selfcheck"


def random_answers(questionnaire: Questionnaire, rng: random.Random) -> Answers:
    values = {}
    for question in questionnaire.questions.values():
        if question.type == "text" or rng.random() < 0.2:
            continue  # left out: not_provided
        if question.type in ("tri_state", "one_of"):
            values[question.id] = rng.choice(question.choices)
        elif question.type == "integer":
            values[question.id] = rng.randint(question.minimum, question.maximum)
        else:
            values[question.id] = tuple(o for o in question.option_values if rng.random() < 0.5)
    return Answers(party="Benchland", round=questionnaire.round, values=values)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def spread(values: list[float]) -> dict:
    """The median of repeated rounds, and the lowest and highest of them."""
    return {"median": statistics.median(values), "low": min(values), "high": max(values), "rounds": len(values)}


def timed(function, inputs) -> list[float]:
    samples = []
    for item in inputs:
        start = time.perf_counter()
        function(item)
        samples.append(time.perf_counter() - start)
    return samples


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def side_by_side(paths: dict, inputs: list, rounds_count: int) -> dict:
    """Each path's p50 and p99 per round, the paths taking turns within every round; with the ratio of
    each path's p50 to the first path's, taken round by round."""
    for path in paths.values():
        for item in inputs[:200]:  # warm up
            path(item)
    per_round: dict[str, list[tuple[float, float, float]]] = {name: [] for name in paths}
    for _ in range(rounds_count):
        for name, path in paths.items():
            samples = timed(path, inputs)
            per_round[name].append((statistics.median(samples), percentile(samples, 0.99), len(samples) / sum(samples)))
    first = next(iter(paths))
    result = {}
    for name, rows in per_round.items():
        result[name] = {
            "p50": spread([row[0] for row in rows]),
            "p99": spread([row[1] for row in rows]),
            "per_s": spread([row[2] for row in rows]),
            "ratio": spread([row[0] / base[0] for row, base in zip(rows, per_round[first], strict=True)]),
        }
    return result


def engine_paths(rulebook, engine: DurableEngine) -> dict:
    """durable-rules, the reference evaluator and the generated limit, over the rules in force and the observations."""
    items = rulebook.rules_in_force() + list(rulebook.observations)
    limit = generated_evaluator(items)
    return {
        "reference": lambda answers: [item.id for item in items if holds(item.condition, answers.value)],
        "durable": lambda answers: engine.fired_for(answers.values),
        "limit": lambda answers: limit(answers.value),
    }


def cold_start(runs: int) -> dict:
    """Wall times of a cold `selfcheck assess`, of the floor of its stack and of `python -c pass`, in turn in every run."""
    commands = {
        "selfcheck": [str(SELFCHECK), "assess", str(ALBANIA), "--format", "json"],
        "floor": [sys.executable, str(ROOT / "bench" / "floor.py"), str(ALBANIA), "--format", "json"],
        "python": [sys.executable, "-c", "pass"],
    }
    subprocess.run(commands["selfcheck"], check=True, capture_output=True, cwd=ROOT)  # the round's cache entries exist
    samples: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start, used = time.perf_counter(), _children_cpu()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            samples[name].append(time.perf_counter() - start)
            cpu[name].append(_children_cpu() - used)
    result = {name: spread(times) for name, times in samples.items()}
    result["cpu"] = {name: spread(times) for name, times in cpu.items()}
    result["ratio"] = spread([a / b for a, b in zip(samples["selfcheck"], samples["floor"], strict=True)])
    result["cpu_ratio"] = spread([a / b for a, b in zip(cpu["selfcheck"], cpu["floor"], strict=True)])
    return result


def _children_cpu() -> float:
    """The processor time (user and system) of the ended child processes: unlike wall time, hardly
    moved by other work waiting for the same cores."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def batch_costs(scratch: Path, files: int, rounds_count: int) -> dict:
    """`batch` per file: in this process (assess_file, as the command runs it), and the command with one
    process and with one per core, over copies of Albania's answers."""
    folder = scratch / "batch"
    folder.mkdir()
    for index in range(files):
        shutil.copy(ALBANIA, folder / f"party-{index:04d}.yaml")
    paths = batch.files_in([folder])
    batch.assess_file(paths[0])
    in_process = []
    for _ in range(rounds_count):
        start = time.perf_counter()
        for path in paths:
            batch.assess_file(path)
        in_process.append((time.perf_counter() - start) / len(paths))
    commands = {"1": [], str(os.cpu_count() or 1): []}
    for _ in range(rounds_count):
        for jobs in commands:
            start = time.perf_counter()
            subprocess.run([str(SELFCHECK), "batch", str(folder), "--format", "csv", "--jobs", jobs], check=True, capture_output=True)
            commands[jobs].append((time.perf_counter() - start) / len(paths))
    return {"files": len(paths), "in_process": spread(in_process), "command": {jobs: spread(times) for jobs, times in commands.items()}}


def memory(engine: DurableEngine, answer_sets: list[Answers], total: int) -> list[tuple[int, int]]:
    gc.collect()
    points = [(0, rss_kib())]
    checkpoints = {total // 10, total // 2, total}
    for count in range(1, total + 1):
        engine.fired_for(answer_sets[count % len(answer_sets)].values)
        if count in checkpoints:
            gc.collect()
            points.append((count, rss_kib()))
    return points


def scaling(scratch: Path, factors: tuple[int, ...], sets: int, repeat: int, rounds_count: int, rng: random.Random) -> list[dict]:
    rows = []
    for factor in factors:
        print(f"rulebook x{factor} ...", file=sys.stderr)
        directory = scratch / f"x{factor}"
        directory.mkdir()
        questionnaire_file, rules_dir = write_synthetic_round(factor, directory)
        loads, compiles = [], []
        for _ in range(repeat if factor < 100 else 1):
            start = time.perf_counter()
            with _larger_questionnaires():
                rulebook = load_rulebook(rules_dir, load_questionnaire(questionnaire_file))
            loaded = time.perf_counter()
            engine = DurableEngine(compile_rulebook(rulebook))
            loads.append(loaded - start)
            compiles.append(time.perf_counter() - loaded)
        questionnaire = rulebook.questionnaire
        count = max(300 if factor >= 100 else 50, sets // factor)  # the x100 row: enough answer sets and rounds to be stable
        random_sets = [random_answers(questionnaire, rng) for _ in range(count)]
        most = [Answers(party="Silentland", round=questionnaire.round, values={})] * count
        paths = {name: path for name, path in engine_paths(rulebook, engine).items() if name != "limit"}
        rows.append(
            {
                "factor": factor,
                "rules": len(rulebook.rules_in_force()),
                "rulesets": len(engine.compiled.plans),
                "load": statistics.median(loads),
                "compile": statistics.median(compiles),
                "random": side_by_side(paths, random_sets, rounds_count),
                "most": side_by_side(paths, most, rounds_count),
                "sets": count,
            }
        )
        del rulebook, engine, random_sets, most, paths
        gc.collect()
    return rows


@contextlib.contextmanager
def _larger_questionnaires():
    """The x100 questionnaire (12,000 questions) and its largest rule files are at or over the 2 MB
    every file is capped at: read them with a cap four times as large (the rulebook's digest reads
    them too), everything else as the loader does."""

    def read_large_bytes(path, limit=MAX_BYTES):
        return read_bytes(path, 4 * limit)

    def read_large(path):
        return document_from_bytes(Path(path), read_large_bytes(path))

    real = questionnaire_module.read_document, rulebook_module.read_document, rulebook_module.read_bytes
    questionnaire_module.read_document = rulebook_module.read_document = read_large
    rulebook_module.read_bytes = read_large_bytes
    try:
        yield
    finally:
        questionnaire_module.read_document, rulebook_module.read_document, rulebook_module.read_bytes = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the benchmark itself runs")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    options = parser.parse_args()
    sizes = (
        {
            "sets": 300,
            "rounds": 2,
            "memory": 2_000,
            "factors": (1, 2),
            "cold": 2,
            "repeat": 1,
            "clients": 5,
            "seconds": 3,
            "requests": 10,
            "files": 10,
            "checks": 100,
        }
        if options.quick
        else {
            "sets": 3_000,
            "rounds": 5,
            "memory": 100_000,
            "factors": (1, 10, 100),
            "cold": 21,
            "repeat": 3,
            "clients": 50,
            "seconds": 30,
            "requests": 100,
            "files": 200,
            "checks": 2_000,
        }
    )
    figures: dict = {"sizes": sizes, "load_before": os.getloadavg()}
    rng = random.Random(20221028)
    real_questionnaire = rounds.questionnaire(rounds.default_round())
    albania = load_answers(ALBANIA)
    nothing = Answers(party="Silentland", round=real_questionnaire.round, values={})
    print("cold start ...", file=sys.stderr)
    figures["cold"] = cold_start(sizes["cold"])

    print("the engine, assess() and batch on the real rulebook ...", file=sys.stderr)
    real_rulebook = rulebooks.rulebook(rounds.default_round())
    real_engine = DurableEngine(compile_rulebook(real_rulebook))
    real_sets = [albania, nothing] + [random_answers(real_questionnaire, rng) for _ in range(sizes["sets"])]
    figures["real"] = {
        "n": len(real_sets),
        "rules": len(real_rulebook.rules_in_force()),
        "observations": len(real_rulebook.observations),
        "unconditional": len(real_engine.compiled.always),
        "rulesets": len(real_engine.compiled.plans),
        "fired": statistics.mean(len(real_engine.fired_for(answers.values)) for answers in real_sets[:200]),
        "paths": side_by_side(engine_paths(real_rulebook, real_engine), real_sets, sizes["rounds"]),
    }
    figures["assess"] = side_by_side({"assess": lambda answers: assess(answers, real_rulebook)}, real_sets[: sizes["sets"] // 3], sizes["rounds"])["assess"]
    with tempfile.TemporaryDirectory() as scratch:
        figures["batch"] = batch_costs(Path(scratch), sizes["files"], max(2, sizes["rounds"] // 2))
    figures["memory"] = memory(real_engine, real_sets, sizes["memory"])

    workers = os.cpu_count() or 1
    figures["web"] = {}
    for count in dict.fromkeys((1, workers)):
        print(f"web questionnaire, {count} worker(s): warm, then {sizes['clients']} clients for {sizes['seconds']} s ...", file=sys.stderr)
        with tempfile.TemporaryDirectory() as scratch:
            figures["web"][count] = web_load(Path(scratch), sizes["clients"], sizes["seconds"], sizes["requests"], count)

    print("the team's gate ...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch:
        folder = team_folder(Path(scratch))
        figures["gate"] = {
            "paths": side_by_side(gate_paths(folder), range(sizes["checks"]), sizes["rounds"]),
            "requests": gate_requests(folder, sizes["requests"]),
        }

    with tempfile.TemporaryDirectory() as scratch:
        figures["scaling"] = scaling(Path(scratch), sizes["factors"], sizes["sets"], sizes["repeat"], sizes["rounds"], rng)
    figures["load_after"] = os.getloadavg()
    options.output.write_text(write_report(figures, ROOT), encoding="utf-8")
    print(f"wrote {options.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
