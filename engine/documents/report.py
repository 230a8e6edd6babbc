"""The report command's work: from an answers file (or an amendment of one) to the factsheet."""

from __future__ import annotations

import datetime
from pathlib import Path

from selfcheck.engine.answers.amendments import resolve
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.documents.factsheet import Factsheet, build_factsheet
from selfcheck.engine.documents.layout import load_layout
from selfcheck.engine.rules import rulebooks


def factsheet_for(answers_path: Path, include_draft: bool = False, as_of: datetime.date | None = None) -> Factsheet:
    answers = resolve(answers_path, as_of).answers
    rulebook = rulebooks.rulebook(answers.round)
    assessment = assess(answers, rulebook, include_draft=include_draft)
    return build_factsheet(assessment, answers, rulebook, load_layout(rulebook))
