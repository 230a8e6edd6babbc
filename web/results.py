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
    return {"assessment": assessment, "chapters": chapters, "counts": counts(assessment), "chapter": chapter}


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
