"""Assessing many answers or amendment files at once: every Party, or many drafts of one bill.

Each file gets one summary row. A bad file is reported in its row and skipped; the others still
run. The command line shows the progress (commands/common.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from selfcheck.engine.answers.amendments import resolve
from selfcheck.engine.answers.answer_file import FOLLOW_UP_SUFFIX
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.common.characters import printable
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.rules import rulebooks

SUFFIXES = (".yaml", ".yml", ".json")
FORMATS = ("table", "json", "csv")


@dataclass
class Row:
    file: str
    party: str = ""
    amendments: list[str] = field(default_factory=list)  # titles of the bills overlaid, in order
    levels: dict[str, int] = field(default_factory=dict)  # by the rulebook's levels, most urgent first
    blocks: dict[str, int] = field(default_factory=dict)
    total: int = 0
    most_urgent: list[str] = field(default_factory=list)  # the ids at the most urgent level
    most_urgent_level: str = ""
    error: str | None = None


def files_in(paths: list[Path]) -> list[Path]:
    """The files named, with each directory replaced by its YAML and JSON files (not recursively),
    but the follow-up files `selfcheck serve` keeps beside the answers (NAME.follow-up.yaml)."""
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.endswith(FOLLOW_UP_SUFFIX) and p.is_file())
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
        rulebook = rulebooks.rulebook(resolved.answers.round)
        assessment = assess(resolved.answers, rulebook, include_draft)
    except InputError as error:
        return Row(file=printable(str(path)), error=printable(str(error)))
    findings, vocabulary = assessment.recommendations, rulebook.vocabulary
    levels, blocks = Counter(f.level for f in findings), Counter(f.block for f in findings)
    most_urgent = vocabulary.level_names[0]
    return Row(
        file=printable(str(path)),
        party=assessment.party,
        amendments=[amendment.title for amendment in resolved.amendments],
        levels={level: levels[level] for level in vocabulary.level_names},
        blocks={block: blocks[block] for block in vocabulary.block_names},
        total=len(findings),
        most_urgent=[f.id for f in findings if f.level == most_urgent],
        most_urgent_level=most_urgent,
    )


def render(rows: list[Row], format: str) -> str:
    if format == "json":
        failed = sum(row.error is not None for row in rows)
        return json.dumps({"files": [asdict(row) for row in rows], "assessed": len(rows) - failed, "failed": failed}, indent=2) + "\n"
    if format == "csv":
        return _csv(rows)
    return _table(rows)


def _counted(rows: list[Row]) -> tuple[list[str], list[str]]:
    """The levels and blocks the rows count, in the order their rulebooks declare them."""
    levels = list(dict.fromkeys(level for row in rows for level in row.levels))
    blocks = list(dict.fromkeys(block for row in rows for block in row.blocks))
    return levels, blocks


def _counts(row: Row, levels: list[str], blocks: list[str]) -> list[str]:
    if row.error:
        return [""] * (len(levels) + len(blocks) + 1)
    return [str(row.levels.get(level, "")) for level in levels] + [str(row.blocks.get(block, "")) for block in blocks] + [str(row.total)]


def _most_urgent_heading(rows: list[Row]) -> str:
    named = {row.most_urgent_level for row in rows if not row.error}
    return f"ids at {named.pop()} level" if len(named) == 1 else "ids at the most urgent level"


def _csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    levels, blocks = _counted(rows)
    writer.writerow(["file", "party", "amended by"] + levels + blocks + ["total", _most_urgent_heading(rows), "error"])
    for row in rows:
        writer.writerow([row.file, row.party, "; ".join(row.amendments)] + _counts(row, levels, blocks) + [" ".join(row.most_urgent), row.error or ""])
    return out.getvalue()


def _table(rows: list[Row]) -> str:
    """One line per file (an amendment is known by its file name; csv and json also give its title)."""
    levels, blocks = _counted(rows)
    counts = len(levels) + len(blocks) + 1
    headings = ["file", "party"] + levels + blocks + ["total", _most_urgent_heading(rows)]
    body = [[row.file, "FAILED" if row.error else row.party] + _counts(row, levels, blocks) + [" ".join(row.most_urgent)] for row in rows]
    widths = [max(len(line[i]) for line in [headings] + body) for i in range(len(headings))]

    def line(cells: list[str]) -> str:
        padded = [cell.rjust(widths[i]) if 2 <= i < 2 + counts else cell.ljust(widths[i]) for i, cell in enumerate(cells)]
        return "  ".join(padded).rstrip()

    failed = [row for row in rows if row.error]
    lines = [line(headings), line(["-" * width for width in widths])] + [line(cells) for cells in body]
    lines += ["", f"{len(rows) - len(failed)} of {len(rows)} files assessed" + (f"; {len(failed)} failed:" if failed else "")]
    lines += [f"  {row.error}" for row in failed]
    return "\n".join(lines) + "\n"
