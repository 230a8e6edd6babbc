"""Assessing many answers or amendment files at once: every Party, or many drafts of one bill.

Each file gets one summary row. A bad file is reported (on stderr, and in its row) and skipped;
the others still run. Progress goes to stderr through rich, imported only here and only when
a batch runs.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import rounds
from .amendments import resolve
from .assess import assess
from .characters import printable
from .errors import InputError
from .rulebook import BLOCKS, LEVELS

SUFFIXES = (".yaml", ".yml", ".json")
FORMATS = ("table", "json", "csv")


@dataclass
class Row:
    file: str
    party: str = ""
    amendments: list[str] = field(default_factory=list)  # titles of the bills overlaid, in order
    levels: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, int] = field(default_factory=dict)
    total: int = 0
    require: list[str] = field(default_factory=list)  # the ids at require level
    error: str | None = None


def files_in(paths: list[Path]) -> list[Path]:
    """The files named, with each directory replaced by its YAML and JSON files (not recursively)."""
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
            if not found:
                raise InputError(path, f"holds no {', '.join(SUFFIXES)} file to assess")
            files += found
        else:
            files.append(path)
    return files


def assess_file(path: Path, include_draft: bool = False) -> Row:
    """One file's row; an InputError (a bad file) becomes the row's error."""
    try:
        resolved = resolve(path)
        assessment = assess(resolved.answers, rounds.rulebook(resolved.answers.round), include_draft)
    except InputError as error:
        return Row(file=printable(str(path)), error=printable(str(error)))
    findings = assessment.recommendations
    levels, blocks = Counter(f.level for f in findings), Counter(f.block for f in findings)
    return Row(
        file=printable(str(path)),
        party=assessment.party,
        amendments=[amendment.title for amendment in resolved.amendments],
        levels={level: levels[level] for level in LEVELS},
        blocks={block: blocks[block] for block in BLOCKS},
        total=len(findings),
        require=[f.id for f in findings if f.level == "require"],
    )


def run(files: list[Path], include_draft: bool = False) -> list[Row]:
    """Assess every file with a progress bar on stderr; report each bad file there as it is met."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, highlight=False)
    rows = []
    columns = (TextColumn("assessing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=console.is_terminal) as progress:
        task = progress.add_task("", total=len(files))
        for path in files:
            progress.update(task, description=path.name)
            row = assess_file(path, include_draft)
            if row.error:
                console.print(f"selfcheck: {row.error}", markup=False, soft_wrap=True)
            rows.append(row)
            progress.advance(task)
        progress.update(task, description="")
    return rows


def render(rows: list[Row], format: str) -> str:
    if format == "json":
        failed = sum(row.error is not None for row in rows)
        return json.dumps({"files": [asdict(row) for row in rows], "assessed": len(rows) - failed, "failed": failed}, indent=2) + "\n"
    if format == "csv":
        return _csv(rows)
    return _table(rows)


COUNTS = list(LEVELS) + list(BLOCKS) + ["total"]


def _counts(row: Row) -> list[str]:
    if row.error:
        return [""] * len(COUNTS)
    return [str(row.levels[level]) for level in LEVELS] + [str(row.blocks[block]) for block in BLOCKS] + [str(row.total)]


def _csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "party", "amended by"] + COUNTS + ["ids at require level", "error"])
    for row in rows:
        writer.writerow([row.file, row.party, "; ".join(row.amendments)] + _counts(row) + [" ".join(row.require), row.error or ""])
    return out.getvalue()


def _table(rows: list[Row]) -> str:
    """One line per file (an amendment is known by its file name; csv and json also give its title)."""
    headings = ["file", "party"] + COUNTS + ["ids at require level"]
    body = [[row.file, "FAILED" if row.error else row.party] + _counts(row) + [" ".join(row.require)] for row in rows]
    widths = [max(len(line[i]) for line in [headings] + body) for i in range(len(headings))]

    def line(cells: list[str]) -> str:
        padded = [cell.rjust(widths[i]) if 2 <= i < 2 + len(COUNTS) else cell.ljust(widths[i]) for i, cell in enumerate(cells)]
        return "  ".join(padded).rstrip()

    failed = [row for row in rows if row.error]
    lines = [line(headings), line(["-" * width for width in widths])] + [line(cells) for cells in body]
    lines += ["", f"{len(rows) - len(failed)} of {len(rows)} files assessed" + (f"; {len(failed)} failed:" if failed else "")]
    lines += [f"  {row.error}" for row in failed]
    return "\n".join(lines) + "\n"
