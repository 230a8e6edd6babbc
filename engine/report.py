"""The report command's work: from an answers file to the factsheet, in a chosen format."""

from __future__ import annotations

from pathlib import Path

from . import rounds
from .answers import load_answers
from .assess import assess
from .factsheet import Factsheet, build_factsheet
from .layout import load_layout


def factsheet_for(answers_path: Path, include_draft: bool = False) -> Factsheet:
    answers = load_answers(answers_path)
    rulebook = rounds.rulebook(answers.round)
    assessment = assess(answers, rulebook, include_draft=include_draft)
    return build_factsheet(assessment, answers, rulebook, load_layout(rulebook))
