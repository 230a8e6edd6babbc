"""A chapter of an answers file: its questions as a form, beside its progress, its review and the results
panel; and the form saved (``saving``). The page is also shown again, with what was typed, by a
refused save, review or amendment draft."""

from __future__ import annotations

import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import is_amendment
from selfcheck.engine.answers.merge import Merged
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.team import database, history
from selfcheck.web import forms
from selfcheck.web.auth import Person
from selfcheck.web.results import panel_html, saved_changes
from selfcheck.web.saving import save_answers
from selfcheck.web.site import Site, fields_of, when
from selfcheck.web.storage import Stored


class ChapterPages:
    def __init__(self, site: Site):
        self.site = site

    def page(self, request: Request) -> Response:
        person = self.site.who(request)
        name, chapter = request.path_params["name"], self.site.chapter_of(request)
        stored, document = self.site.current(name)
        if is_amendment(document.data):
            return RedirectResponse(f"/amendments/{name}", 303)
        query = request.query_params
        saved = query.get("saved")
        return self.view(
            request,
            person,
            name,
            chapter,
            stored,
            document.data,
            saved=saved is not None,
            saved_count=saved or "",
            saved_at=query.get("at", ""),
            drafting=query.get("amend") == "1" and person.coordinates,
        )

    def view(
        self,
        request: Request,
        person: Person,
        name: str,
        chapter: str,
        stored: Stored,
        data: Any,
        problems: list[InputError] = (),
        status: int = 200,
        *,
        merged: Merged | None = None,
        bill: dict | None = None,
        general: list[str] = (),
        file_error: str | None = None,
        saved: bool = False,
        saved_count: str = "",
        saved_at: str = "",
        drafting: bool = False,
    ) -> Response:
        site = self.site
        data = data if isinstance(data, dict) else {}
        questionnaire = site.questionnaire_of(data)
        saved_answers, saved_problems = rounds.check_answers(site.document(stored))
        if not problems and status == 200:
            problems = saved_problems  # a file edited by hand: its problems beside their fields
        state = forms.form_state(
            questionnaire, data, problems, bill or {"date": datetime.date.today().isoformat()}, chapter=chapter, tokens=merged.tokens if merged else None
        )
        state.general[:0] = list(general)
        if file_error:
            state.errors["bill.file"] = [file_error]
        with database.connect(site.data.root, write=False) as db:
            statuses = history.statuses(db, name)
            counts = history.counts_by_question(db, name)
            records = history.records(db, name, chapter=chapter)
            events = [r for r in records if r.kind != "answer"]
            last_change = {key: history.records(db, name, question=key, newest_first=True, limit=1) for key in (merged.conflicts if merged else {})}
        for _, fields in state.sections:
            for f in fields:
                f.changes = counts.get(f.question.id, 0)
                if merged and f.question.id in merged.conflicts:
                    theirs = merged.conflicts[f.question.id][0]
                    f.theirs = history.entry_in_words(theirs, f.question)
                    latest = last_change[f.question.id]
                    f.theirs_by = f"{latest[0].who}, {when(latest[0].at)}" if latest else ""
        chapter_status = statuses.get(chapter, history.DRAFT)
        since_submission = _changed_since_last_submission(records, questionnaire) if chapter_status.status != "draft" else {}
        titles = site.chapter_titles()
        progress = site.progress(questionnaire, stored, statuses)
        index = list(titles).index(chapter)
        return site.page(
            request,
            "chapter.html",
            status,
            person=person,
            name=name,
            chapter=chapter,
            title=titles[chapter],
            state=state,
            saved=saved,
            saved_count=saved_count,
            saved_at=saved_at if saved else "",
            saved_changes=saved_changes(site.assessment(saved_answers) if saved_answers else None, request.query_params) if saved else {},
            since_submission=since_submission,
            conflicts=len(merged.conflicts) if merged else 0,
            drafting=drafting or bool(file_error),
            unsaved=status != 200,
            editable=person.edits(chapter) and chapter_status.status == "draft",
            amending=person.coordinates and chapter_status.status != "draft" and (drafting or bool(file_error)),
            chapter_status=chapter_status,
            events=[(r, history.record_in_words(r, questionnaire)) for r in events],
            progress=progress,
            previous=list(titles)[index - 1] if index else None,
            next=list(titles)[index + 1] if index + 1 < len(titles) else None,
            results=panel_html(site, saved_answers, name, chapter) if saved_answers else None,
            party=state.party or name,
        )

    def save(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        person = self.site.who(request)
        name, chapter = request.path_params["name"], self.site.chapter_of(request)
        self.site.ensure_edits(person, chapter, pairs)
        questionnaire = rounds.questionnaire(self.site.round)
        try:
            submission = forms.submitted(questionnaire, fields_of(pairs), forms.chapter_holds(questionnaire, chapter, bill=person.coordinates))
        except forms.Malformed as problem:
            stored, document = self.site.current(name)
            return self.view(request, person, name, chapter, stored, document.data, status=400, general=[problem.said()])

        def again(current: Stored, merged: Merged, status: int, problems: list[InputError], general: list[str]) -> Response:
            return self.view(request, person, name, chapter, current, merged.shown, problems, status, merged=merged, general=general)

        return save_answers(self.site, person, name, submission, chapter, again)


def _changed_since_last_submission(records: list[history.Record], questionnaire: Any) -> dict[str, str]:
    """The answers of a chapter under review or approved that changed between its two last submissions,
    each as what it was before in words (a first submission has nothing to compare with)."""
    submits = [i for i, r in enumerate(records) if r.kind == "status" and (r.new or {}).get("action") == "submit"]
    if len(submits) < 2:
        return {}
    changed: dict[str, str] = {}
    for record in records[submits[-2] + 1 : submits[-1]]:
        if record.kind == "answer" and record.question and record.question not in changed:
            changed[record.question] = history.entry_in_words(record.old, questionnaire.question(record.question))
    return changed
