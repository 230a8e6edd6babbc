"""An answers file's own pages: its overview (chapters and their progress, what changed since the
person's last visit, the results panel), the Party's name and the date of the answers saved from it,
the file's history, and an answers file imported from the browser in its place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import is_amendment
from selfcheck.engine.answers.answer_file import answers_text
from selfcheck.engine.answers.merge import HEAD, Merged, entries_of
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import document_from_bytes, document_from_text, leading_comments
from selfcheck.engine.team import accounts, database, history
from selfcheck.web import forms
from selfcheck.web.auth import Person
from selfcheck.web.refusals import NotAllowed
from selfcheck.web.results import counts, panel_html
from selfcheck.web.saving import ensure_answers, not_saved, save_answers
from selfcheck.web.site import Site, fields_of
from selfcheck.web.storage import Conflict, NotSaved, Stored, version_of
from selfcheck.web.todo import to_do

SINCE_LAST_VISIT = 50  # changes listed on a file's page since the person's last visit


class FilePages:
    def __init__(self, site: Site):
        self.site = site

    def overview(self, request: Request) -> Response:
        person = self.site.who(request)
        name = request.path_params["name"]
        stored, document = self.site.current(name)
        if is_amendment(document.data):
            return RedirectResponse(f"/amendments/{name}", 303)
        query = request.query_params
        return self.view(
            request, person, name, stored, document.data, saved=query.get("saved") is not None, saved_count=query.get("saved", ""), saved_at=query.get("at", "")
        )

    def view(
        self,
        request: Request,
        person: Person,
        name: str,
        stored: Stored,
        data: Any,
        problems: list[InputError] = (),
        status: int = 200,
        tokens: dict[str, str] | None = None,
        conflicts: dict | None = None,
        **extra: Any,
    ) -> Response:
        """The overview, of the saved file or, after a refused form, of what was typed."""
        site = self.site
        questionnaire = site.questionnaire_of(data)
        saved_answers, saved_problems = rounds.check_answers(site.document(stored))
        state = forms.form_state(questionnaire, data if isinstance(data, dict) else {}, problems or saved_problems, tokens=tokens, chapter="")
        with database.connect(site.data.root, write=False) as db:  # read only: a refused save may hold the write lock
            statuses = history.statuses(db, name)
            visit = history.last_visit(db, person.name, name)
            since = [r for r in history.records(db, name, after=visit[0] if visit else 0) if r.who != person.name] if visit else []
            seen = history.last_id(db, name)
        if status == 200:
            with database.connect(site.data.root) as db:
                history.mark_visit(db, person.name, name, seen)
        chapters = site.progress(questionnaire, stored, statuses)
        extra.setdefault("saved_count", "")
        extra.setdefault("saved_at", "")
        assessment = site.assessment(saved_answers) if saved_answers else None
        return site.page(
            request,
            "overview.html",
            status,
            person=person,
            name=name,
            state=state,
            chapters=chapters,
            todo=to_do(person, chapters, accounts.list_users(site.data.root)),
            saved_problems=saved_problems,
            since=[(r, history.record_in_words(r, questionnaire)) for r in since[-SINCE_LAST_VISIT:]],
            visit=visit,
            counts=counts(assessment),
            results=panel_html(site, saved_answers, name) if saved_answers else None,
            conflicts=conflicts or {},
            answered=sum(c["answered"] for c in chapters),
            total=sum(c["total"] for c in chapters),
            version=stored.version,
            **extra,
        )

    def save_about(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """The Party's name and the date of the answers, merged like answers."""
        person = self.site.who(request)
        name = request.path_params["name"]
        if not person.coordinates:
            raise NotAllowed("Only the coordinator changes the Party's name and the date of the answers.")
        questionnaire = rounds.questionnaire(self.site.round)
        try:
            submission = forms.submitted(questionnaire, fields_of(pairs), forms.ABOUT)
        except forms.Malformed as problem:
            stored, document = self.site.current(name)
            return self.view(request, person, name, stored, document.data, status=400, general=[problem.said()])

        def again(current: Stored, merged: Merged, status: int, problems: list[InputError], general: list[str]) -> Response:
            return self.view(request, person, name, current, merged.shown, problems, status, merged.tokens, merged.conflicts, general=general)

        return save_answers(self.site, person, name, submission, None, again)

    def history(self, request: Request) -> Response:
        person = self.site.who(request)
        name = request.path_params["name"]
        stored, document = self.site.current(name)
        questionnaire = self.site.questionnaire_of(document.data)
        question = request.query_params.get("question") or None
        if question is not None and question not in questionnaire.questions and question not in HEAD:
            raise HTTPException(404, "There is no such question in the questionnaire.")
        with database.connect(self.site.data.root, write=False) as db:
            records = history.records(db, name, question=question, newest_first=True, limit=1000)
        shown = [(r, history.record_in_words(r, questionnaire), questionnaire.question(r.question or "")) for r in records]
        label = history.question_label(question, questionnaire) if question else None
        return self.site.page(request, "history.html", person=person, name=name, records=shown, question=question, label=label)

    async def import_file(self, request: Request) -> Response:
        """An answers file sent from the browser replaces the answers of this one (multipart form)."""
        raw, version, _ = await self.site.upload_of(request)
        return await self.site.run(self.imported, request, raw, version)

    def imported(self, request: Request, raw: bytes, version: str) -> Response:
        site = self.site
        person = site.who(request)
        name = request.path_params["name"]
        if not person.coordinates:
            raise NotAllowed("Only the coordinator imports an answers file.")
        stored, document = site.current(name)
        ensure_answers(name, document.data)
        questionnaire = site.questionnaire_of(document.data)

        def refused(problem: str, status: int = 422) -> Response:
            return self.view(request, person, name, stored, document.data, status=status, import_error=problem)

        if not raw:
            return refused("Choose an answers file (.yaml) to import.")
        try:
            given = document_from_bytes(stored.path.with_name(f"imported-{name}.yaml"), raw)
            answers, problems = rounds.check_answers(given)
        except InputError as problem:
            return refused(f"The file cannot be read: {problem.problem}")
        if is_amendment(given.data):
            return refused("The file is an amendment (a bill's changes), not an answers file, so nothing was imported.")
        if answers is None or problems:
            return refused("The file has problems, so nothing was imported: " + "; ".join(str(p).split(": ", 1)[-1] for p in problems[:5]))
        if answers.round != questionnaire.round:
            return refused(f"The file answers another questionnaire ({answers.round}), so nothing was imported.")
        try:
            return self.import_written(person, name, answers, version, questionnaire, refused)
        except NotSaved as error:
            return refused(not_saved(error, "Import the file again once that is put right, or tell whoever runs the questionnaire."), 503)
        except Conflict:  # an editor wrote the file meanwhile, without the lock
            return refused(f"{name}.yaml was changed outside selfcheck while importing, so nothing was imported: reload the page and import again.", 409)

    def import_written(self, person: Person, name: str, answers: Any, version: str, questionnaire: Any, refused: Callable[..., Response]) -> Response:
        """The answers imported in the file's place, each change recorded, under the file's lock."""
        site = self.site
        with site.data.writing(name) as writing:
            current, db = writing.current, writing.db
            if current is None or current.version != version:
                return refused("The answers changed since this page was opened, so nothing was imported: reload the page and import again.", 409)
            history.sync(db, name, current.version, site.document(current).data, questionnaire)
            text = answers_text(answers, questionnaire, leading_comments(current.data), current.path)
            written = document_from_text(current.path, text).data
            before, after = entries_of(site.document(current).data, questionnaire), entries_of(written, questionnaire)
            changes = {key: (before.get(key), after.get(key)) for key in set(before) | set(after) if before.get(key) != after.get(key)}
            locked = sorted(
                {questionnaire.questions[key].chapter for key in changes if key in questionnaire.questions}
                & {chapter for chapter, s in history.statuses(db, name).items() if s.status != "draft"}
            )
            if locked:
                return refused(
                    f"The file changes answers of chapters under review or approved ({', '.join(locked)}), so nothing was imported: reopen them first."
                )
            history.record_changes(db, name, person.name, "import", changes, questionnaire)
            history.remember(db, name, version_of(text.encode("utf-8")), written, questionnaire)
            writing.replace(text)
        return RedirectResponse(f"/answers/{name}?saved={len(changes)}&at=import#imported", 303)
