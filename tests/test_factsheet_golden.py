"""The golden of the factsheet: Albania's, as `selfcheck report` writes it, is the published one.

The published factsheet is transcribed item by item in published/albania-factsheet.yaml; the first
tests prove that transcription is the published text, the others compare the report with it,
bullet by bullet.
"""

from __future__ import annotations

import re

from conftest import ROOT, ROUND
from published import first_difference, normalise, transcription

PUBLISHED = ROOT / "questionnaires" / ROUND / "published"
GOLDEN = transcription(PUBLISHED / "albania-factsheet.yaml")


def test_the_transcription_is_the_published_text_word_for_word():
    published = GOLDEN.published()
    transcribed = normalise(" ".join(item.words() for item in GOLDEN.items))
    assert transcribed == published.body, first_difference(published.body, transcribed)


def test_the_transcription_marks_every_published_footnote_once_and_in_order():
    published = GOLDEN.published()
    marked = [int(n) for item in GOLDEN.items for n in re.findall(r"\[\^(\d+)\]", item.words())]
    assert marked == sorted(published.footnotes) == list(range(1, len(published.footnotes) + 1))
