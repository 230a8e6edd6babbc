"""The golden of the factsheet: Albania's, as `selfcheck report` writes it, is the published one.

The published factsheet is transcribed item by item in published/albania-factsheet.yaml; the first
tests prove that transcription is the published text, the others compare the report with it,
bullet by bullet.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from conftest import ROOT, ROUND
from published import Item, citation, factsheet_items, first_difference, normalise, transcription, with_citations

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


def _built_items():
    from conftest import ALBANIA
    from selfcheck.engine.documents.report import factsheet_for

    return factsheet_items(factsheet_for(ALBANIA))


def _published_items():
    footnotes = GOLDEN.published().footnotes
    return [Item(i.role, with_citations(i.text, footnotes), [with_citations(p, footnotes) for p in i.parts]) for i in GOLDEN.items]


def _line(item: Item) -> str:
    return f"{item.role}: {item.words()}"


def test_albanias_factsheet_prints_every_published_bullet_in_the_published_words():
    """Item by item, in order: the words, and what each footnote cites."""
    expected, got = [_line(i) for i in _published_items()], [_line(i) for i in _built_items()]
    differences = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=expected, b=got, autojunk=False).get_opcodes():
        if op != "equal":
            differences += [f"  published: {line}" for line in expected[a1:a2]] + [f"  report:    {line}" for line in got[b1:b2]] + [""]
    compared, identical = Counter(line.split(":")[0] for line in expected), Counter()
    for line, times in (Counter(expected) & Counter(got)).items():
        identical[line.split(":")[0]] += times
    summary = ", ".join(f"{identical[role]}/{count} {role}" for role, count in compared.items())
    assert not differences, f"identical: {summary}\n" + "\n".join(differences)


def test_the_published_recommendation_bullets_cite_all_94_recommendations_and_are_all_compared():
    bullets = [i for i in _published_items() if i.role == "recommendation"]
    cited = {rule_id for i in bullets for rule_id in re.findall(r"\b[IVX]+-\d+\b", " ".join(re.findall(r"\[\^([^\]]*)\]", i.words())))}
    assert len(bullets) == 81 and len(cited) == 94
    assert len([i for i in _published_items() if i.role == "observation"]) == 25


def test_the_footnotes_are_numbered_in_reading_order_as_published():
    from conftest import ALBANIA
    from selfcheck.engine.documents.report import factsheet_for

    published = GOLDEN.published().footnotes
    built = factsheet_for(ALBANIA).footnotes
    assert [f.number for f in built] == list(range(1, len(built) + 1))
    got = [(f.number, citation("".join(getattr(r, "text", "") for r in f.runs))) for f in built]
    assert got == [(n, citation(text)) for n, text in sorted(published.items())]
