"""The report command's work: from an answers file (or an amendment of one) to the factsheet."""

from __future__ import annotations

import datetime
from pathlib import Path

from . import rounds
from .amendments import resolve
from .assess import assess
from .factsheet import Factsheet, build_factsheet
from .layout import load_layout


def factsheet_for(answers_path: Path, include_draft: bool = False, as_of: datetime.date | None = None) -> Factsheet:
    answers = resolve(answers_path, as_of).answers
    rulebook = rounds.rulebook(answers.round)
    assessment = assess(answers, rulebook, include_draft=include_draft)
    return build_factsheet(assessment, answers, rulebook, load_layout(rulebook))
