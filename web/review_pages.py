"""A chapter's review: submitted by who answers it, approved or returned with a comment by its reviewer,
reopened by the coordinator, commented on by who answers or reviews it; each step recorded in the history, and a step
the chapter's state no longer allows shown on the chapter page instead."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from selfcheck.engine.common.characters import text_problem
from selfcheck.engine.team import database, history
from selfcheck.web import forms
from selfcheck.web.chapter_pages import ChapterPages
from selfcheck.web.refusals import NotAllowed
from selfcheck.web.saving import ensure_answers
from selfcheck.web.site import Site, fields_of


class ReviewPages:
    def __init__(self, site: Site, chapters: ChapterPages):
        self.site = site
        self.chapters = chapters

    def review(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """Submit a chapter for review, approve it, return it with a comment, reopen it, or comment on it."""
        person = self.site.who(request)
        name, chapter = request.path_params["name"], self.site.chapter_of(request)
        fields = forms.only(fields_of(pairs), ("csrf", "action", "comment"), f"the review form of chapter {chapter}")
        action, comment = fields.get("action", ""), fields.get("comment", "").strip()
        stored, document = self.site.current(name)
        ensure_answers(name, document.data)
        allowed = {
            "submit": person.edits(chapter),
            "approve": person.reviews(chapter),
            "return": person.reviews(chapter),
            "reopen": person.coordinates,
            "comment": person.edits(chapter) or person.reviews(chapter),  # within the chapters one answers or reviews
        }
        if action not in allowed:
            raise forms.Malformed(f"unknown action {action[:40]!r}")
        if not allowed[action]:
            raise NotAllowed(f"Your role ({person.describe()}) does not let you {'comment on' if action == 'comment' else action} chapter {chapter}.")
        problem = text_problem(comment) if comment else None
        with database.connect(self.site.data.root) as db:
            status = history.statuses(db, name).get(chapter, history.DRAFT).status
            expected = {
                "submit": ("draft",),
                "approve": ("submitted",),
                "return": ("submitted",),
                "reopen": ("submitted", "approved"),
                "comment": history.STATUSES,
            }[action]
            if problem:
                error = f"The comment {problem}."
            elif status not in expected:
                error = f"Chapter {chapter} is {status} now, so it cannot be {history.ACTION_WORDS.get(action, action)}: the page shows it as it is."
            elif action in ("return", "comment") and not comment:
                error = "Write a comment saying what to change." if action == "return" else "Write a comment first."
            else:
                error = ""
                if action == "comment":
                    history.add_comment(db, name, chapter, person.name, comment[:4000])
                else:
                    history.set_status(db, name, chapter, action, person.name, comment[:4000])
        if error:
            _, document = self.site.current(name)
            return self.chapters.view(request, person, name, chapter, stored, document.data, status=409 if "cannot be" in error else 422, general=[error])
        return RedirectResponse(f"/answers/{name}/chapters/{chapter}#review", 303)
