"""The results panel of a file's overview and chapter pages: the recommendations by chapter and level,
each with its explanation, and the counts by level the start page shows too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.assessment.explain import explain
from selfcheck.engine.rules import rulebooks
from selfcheck.web.site import Site


@dataclass
class Explained:
    """A recommendation in the results panel, with its explanation."""

    finding: Any
    explanation: Any


def panel_html(site: Site, answers: Answers, name: str, chapter: str | None = None) -> Markup:
    """The results panel as HTML (of one chapter, or all), computed and rendered once per version of the answers and of the rulebook."""

    def rendered() -> Markup:
        shown = panel(answers, site.assessment(answers), chapter)
        shown["link"] = f"/answers/{name}/chapters/"
        shown["chapter_of"] = {q.id: q.chapter for q in rounds.questionnaire(answers.round).questions.values()}
        shown["words"] = {q.id: q for q in rounds.questionnaire(answers.round).questions.values()}
        return site.templates.get_template("_results.html").module.results(shown)  # type: ignore[attr-defined]

    return site.computed.get(("results", *site.fingerprint(answers), name, chapter), rendered)


def panel(answers: Answers, assessment: Any, chapter: str | None = None) -> dict[str, Any]:
    """The results panel: recommendations by chapter and level, each with its explanation."""
    rulebook = rulebooks.rulebook(answers.round)
    chapters = []
    for entry in rulebook.meta.chapters:
        if chapter is not None and entry.chapter != chapter:
            continue
        found = [f for f in assessment.recommendations if f.chapter == entry.chapter]
        levels = [
            (level, [Explained(f, explain(answers, rulebook, f.id, assessment=assessment)) for f in found if f.level == level])
            for level in rulebook.vocabulary.level_names
        ]
        chapters.append((entry, [(level, items) for level, items in levels if items]))

    def by_chapter(items: list[Any]) -> dict[str, list[Any]]:
        grouped: dict[str, list[Any]] = {}
        for item in items:
            grouped.setdefault(rulebook.by_id[item.recommendation].chapter, []).append(item)
        return grouped

    return {
        "assessment": assessment,
        "chapters": chapters,
        "counts": counts(assessment),
        "chapter": chapter,
        "reserved": by_chapter(getattr(assessment, "reserved", [])),  # what a reservation of the Party excludes, with the article
        "undetermined": by_chapter(getattr(assessment, "undetermined", [])),  # what questions left unanswered keep open
    }


def counts(assessment: Any) -> dict[str, Any] | None:
    """Recommendations by level, and how many apply only because no information was given."""
    if assessment is None:
        return None
    found = assessment.recommendations
    levels = rulebooks.rulebook(assessment.provenance.round).vocabulary.level_names
    return {
        "levels": {level: sum(f.level == level for f in found) for level in levels},
        "total": len(found),
        "no_information": sum(f.applies_because == "no_information" for f in found),
    }


def changed_recommendations(before: Any, after: Any) -> dict[str, list[str]]:
    """What a save did to the recommendations: the ids it added, removed, and changed (in level or in
    why they apply), from the assessments before and after it."""
    was = {f.id: f for f in before.recommendations} if before is not None else {}
    now = {f.id: f for f in after.recommendations}
    return {
        "added": [i for i in now if i not in was] if before is not None else [],
        "removed": [i for i in was if i not in now],
        "changed": [i for i in now if i in was and (now[i].level, now[i].applies_because) != (was[i].level, was[i].applies_because)],
    }


def saved_changes(assessment: Any, query: Any) -> dict[str, list[tuple[str, str]]]:
    """The recommendations a save added, removed and changed, as its redirect names them, each with
    its text (an id the round does not know is left out)."""
    if assessment is None:
        return {}
    rulebook = rulebooks.rulebook(assessment.provenance.round)
    found = {f.id: f.text for f in assessment.recommendations}
    shown: dict[str, list[tuple[str, str]]] = {}
    for kind in ("added", "removed", "changed"):
        ids = [i for i in query.get(kind, "").split(",") if i in rulebook.by_id][:40]
        shown[kind] = [(i, found.get(i) or rulebook.by_id[i].text.replace("{party}", assessment.party)) for i in ids]
    return shown
