"""The follow-up's writes from the web: started from the assessment, a form merged one recommendation
at a time, a recommendation added, a plan of action or file uploaded; each under the file's lock,
recorded in the history, or refused with the page saying why (``follow_up_pages``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from selfcheck.engine.answers.answer_file import FOLLOW_UP_SUFFIX
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import Document, document_from_bytes, document_from_text, leading_comments
from selfcheck.engine.follow_up import merge as follow_up_merge
from selfcheck.engine.follow_up.follow_up_file import FollowUp, check_follow_up_document, follow_up_from, follow_up_text, with_recommendation
from selfcheck.engine.follow_up.workbook import workbook_from_bytes
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.team import history
from selfcheck.web import follow_up_forms, forms
from selfcheck.web.auth import Person
from selfcheck.web.follow_up_filters import Filter
from selfcheck.web.follow_up_pages import FollowUpPages
from selfcheck.web.follow_up_reading import date_or_none, follow_up_of, history_name
from selfcheck.web.refusals import NotAllowed, Refused
from selfcheck.web.saving import not_saved
from selfcheck.web.site import fields_of
from selfcheck.web.storage import BadName, Conflict, NotSaved, version_of

WORKBOOK_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip package


class FollowUpWrites:
    def __init__(self, pages: FollowUpPages):
        self.site, self.files, self.pages = pages.site, pages.files, pages

    def start(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """The follow-up drawn from the saved answers' assessment, as ``selfcheck follow-up init`` writes it; never over a file."""
        person = self.site.who(request)
        name = request.path_params["name"]
        forms.only(fields_of(pairs), ("csrf",), "the form starting the follow-up")
        if not person.coordinates:
            raise NotAllowed("Only the coordinator starts the follow-up.")
        self.files.answers_file(name)
        answers = self.site.listed(name).answers
        rulebook = rulebooks.rulebook(answers.round)
        path = self.site.data.path(name, FOLLOW_UP_SUFFIX)
        text = follow_up_text(follow_up_from(self.site.assessment(answers)), rulebook, path)
        try:
            with self.site.data.writing(name, FOLLOW_UP_SUFFIX) as writing:
                writing.create(text)
                history.remember(writing.db, history_name(name), version_of(text.encode("utf-8")), document_from_text(path, text).data, self.files.kind)
        except BadName:
            return self.pages.view(request, person, name, 409, general=[f"{name}{FOLLOW_UP_SUFFIX} exists already, so nothing was written: it is shown below."])
        except NotSaved as error:
            raise HTTPException(503, not_saved(error, "Start it again once that is put right, or tell whoever runs the questionnaire.")) from None
        return RedirectResponse(f"/answers/{name}/follow-up?started=1", 303)

    def save(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """The page's form merged into the file one recommendation at a time, under its lock; each change
        recorded; or the page saying why not. The form may hold several chapters' recommendations (a
        filtered list), each of which the person must edit."""
        person = self.site.who(request)
        name = request.path_params["name"]
        chapter = self.site.chapter_of(request) if "chapter" in request.path_params else None
        rulebook = rulebooks.rulebook(self.site.round)
        fields = [] if isinstance(pairs, forms.Malformed) else pairs
        shown_ids = [key[len(follow_up_forms.SEEN) :] for key, _ in fields if key.startswith(follow_up_forms.SEEN)]
        self.site.ensure_chapters(person, ({chapter} if chapter else set()) | {rulebook.by_id[i].chapter for i in shown_ids if i in rulebook.by_id})
        chosen = Filter.of_text(next((value for key, value in fields if key == "filter"), ""))
        try:
            if isinstance(pairs, forms.Malformed):
                raise pairs
            held = [rule.id for rule in rulebook.rules if chapter in (None, rule.chapter)]
            submission = follow_up_forms.submitted(pairs, held, f"the follow-up's form of chapter {chapter}" if chapter else "the follow-up's form")
        except forms.Malformed as problem:
            return self.pages.view(request, person, name, 400, general=[problem.said()], chosen=chosen)
        try:
            changed = self.merged_save(request, person, name, submission, chosen)
        except Refused as refused:
            return refused.response
        focus = next((value for key, value in fields if key == "focus"), "")
        at = submission.theirs or (focus if focus in submission.entries else (submission.save if submission.save in submission.entries else ""))
        as_of = next((value for key, value in fields if key == "as_of" and value), "")
        query = "&".join(
            part for part in (chosen.query(), f"saved={changed}", f"at=fu-{at}" if at else "", f"as_of={as_of}" if date_or_none(as_of) else "") if part
        )
        return RedirectResponse(f"/answers/{name}/follow-up?{query}#{'saved' if at else 'list'}", 303)

    def merged_save(self, request: Request, person: Person, name: str, submission: follow_up_forms.Submission, chosen: Filter) -> int:
        """The number of recommendations changed; Refused with the page to show when nothing may be written."""
        refusal: tuple[int, dict[str, Any]] | None = None
        merged = None
        try:
            with self.site.data.writing(name, FOLLOW_UP_SUFFIX) as writing:
                current, db = writing.current, writing.db
                if current is None:
                    raise HTTPException(404, f"There is no {name}{FOLLOW_UP_SUFFIX} in the data folder: start the follow-up on its page.")
                data = self.site.document(current).data
                history.sync(db, history_name(name), current.version, data, self.files.kind)
                merged = follow_up_merge.merge(data, submission.entries, submission.seen)
                gone = follow_up_merge.missing(data, [*merged.changed, *merged.conflicts])
                follow_up, problems = check_follow_up_document(Document(current.path, merged.data)) if merged.changed else (None, [])
                if gone:
                    refusal = (
                        409,
                        {
                            "general": [
                                f"{', '.join(gone)} is no longer in {name}{FOLLOW_UP_SUFFIX} (it was replaced meanwhile), so nothing was saved: reload the page."
                            ]
                        },
                    )
                elif merged.conflicts:
                    refusal = (409, {})
                elif problems or (merged.changed and follow_up is None):
                    refusal = (422, {"problems": problems})
                elif merged.changed and follow_up is not None:
                    text = follow_up_text(follow_up, rulebooks.rulebook(follow_up.round), current.path, leading_comments(current.data))
                    history.record_changes(db, history_name(name), person.name, "web", merged.changed, self.files.kind)
                    history.remember(db, history_name(name), version_of(text.encode("utf-8")), document_from_text(current.path, text).data, self.files.kind)
                    writing.replace(text)  # Conflict leaves the block: what was recorded is rolled back
        except Conflict:  # an editor wrote the file meanwhile, without the lock
            refusal = (409, {"general": [f"{name}{FOLLOW_UP_SUFFIX} was changed outside selfcheck while saving, so nothing was saved: reload the page."]})
        except NotSaved as error:
            if merged is None:
                raise HTTPException(503, not_saved(error)) from None
            refusal = (503, {"general": [not_saved(error)]})
        if refusal is not None:  # shown once the lock is released: the page reads the answers, which may record outside changes
            status, extra = refusal
            raise Refused(self.pages.view(request, person, name, status, shown=merged.shown, merged=merged, chosen=chosen, **extra))
        return len(merged.changed)

    def add(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """A recommendation the rules apply on the current answers, not yet in the follow-up, added to it, open."""
        person = self.site.who(request)
        name = request.path_params["name"]
        fields = forms.only(fields_of(pairs), ("csrf", "id", "filter"), "the form adding a recommendation")
        if not person.coordinates:
            raise NotAllowed("Only the coordinator adds recommendations to the follow-up.")
        item_id, chosen = fields.get("id", ""), Filter.of_text(fields.get("filter", ""))
        self.files.answers_file(name)
        answers = self.site.listed(name).answers
        finding = next((f for f in self.site.assessment(answers).recommendations if f.id == item_id and not f.draft), None)
        if finding is None:
            return self.pages.view(
                request, person, name, 409, general=[f"The rules do not apply {item_id[:40]} on the current answers, so nothing was added."], chosen=chosen
            )
        rulebook = rulebooks.rulebook(answers.round)
        status = 409
        try:
            problem = self.added(person, name, finding, rulebook)
        except Conflict:  # an editor wrote the file meanwhile, without the lock: what was recorded is rolled back
            problem = f"{name}{FOLLOW_UP_SUFFIX} was changed outside selfcheck meanwhile, so nothing was added."
        except NotSaved as error:
            status, problem = 503, not_saved(error, "Add it again once that is put right, or tell whoever runs the questionnaire.")
        if problem:  # shown once the lock is released
            return self.pages.view(request, person, name, status, general=[problem], chosen=chosen)
        query = "&".join(part for part in (chosen.query(), f"added={item_id}", f"at=fu-{item_id}") if part)
        return RedirectResponse(f"/answers/{name}/follow-up?{query}#saved", 303)

    def added(self, person: Person, name: str, finding: Any, rulebook: Any) -> str:
        """``finding`` added to the follow-up under its lock, recorded in the history; or why not."""
        item_id = finding.id
        with self.site.data.writing(name, FOLLOW_UP_SUFFIX) as writing:
            current, db = writing.current, writing.db
            if current is None:
                raise HTTPException(404, f"There is no {name}{FOLLOW_UP_SUFFIX} yet: the coordinator starts it on the follow-up page.")
            follow_up, problems = self.files.parsed(current)
            if follow_up is None:
                return f"{name}{FOLLOW_UP_SUFFIX} cannot be read, so nothing was added: {problems[0]}"
            if follow_up.item(item_id) is None:
                history.sync(db, history_name(name), current.version, self.site.document(current).data, self.files.kind)
                added = with_recommendation(follow_up, finding, [entry.chapter for entry in rulebook.meta.chapters])
                text = follow_up_text(added, rulebook, current.path, leading_comments(current.data))
                written = document_from_text(current.path, text).data
                history.record_changes(
                    db, history_name(name), person.name, "web", {item_id: (None, follow_up_merge.entries_of(written)[item_id])}, self.files.kind
                )
                history.remember(db, history_name(name), version_of(text.encode("utf-8")), written, self.files.kind)
                writing.replace(text)
        return ""

    async def upload(self, request: Request) -> Response:
        raw, version, filename = await self.site.upload_of(request)
        return await self.site.run(self.imported, request, raw, version, filename)

    def imported(self, request: Request, raw: bytes, version: str, filename: str) -> Response:
        """A plan of action (.xlsx) or a follow-up file (.yaml) sent from the browser replaces the follow-up, if it is valid whole."""
        person = self.site.who(request)
        name = request.path_params["name"]
        if not person.coordinates:
            raise NotAllowed("Only the coordinator uploads the follow-up.")

        def refused(problem: str, status: int = 422) -> Response:
            return self.pages.view(request, person, name, status, upload_error=problem)

        self.files.answers_file(name)
        if not raw:
            return refused("Choose a plan of action (.xlsx) or a follow-up file (.yaml) to upload.")
        label = Path(Path(filename).name[-100:] or "the uploaded file")  # names it in the messages
        workbook = raw.startswith(WORKBOOK_MAGIC)
        try:
            made = workbook_from_bytes(label, raw) if workbook else follow_up_of(document_from_bytes(label, raw))
            answers = self.site.listed(name).answers
        except InputError as problem:
            return refused(f"The file was refused whole, so nothing changed: {self.site.shown(problem)}")
        if (made.party, made.round) != (answers.party, answers.round):
            return refused(f"The file follows up {made.party} in {made.round}, but these answers are {answers.party}'s to {answers.round}, so nothing changed.")
        try:
            changed = self.uploaded(person, name, made, workbook, raw, version)
        except NotSaved as error:
            return refused(not_saved(error, "Upload the file again once that is put right, or tell whoever runs the questionnaire."), 503)
        except Conflict:  # an editor wrote the file meanwhile, without the lock
            return refused(f"{name}{FOLLOW_UP_SUFFIX} was changed outside selfcheck while uploading, so nothing was uploaded: reload the page.", 409)
        if changed is None:
            return refused("The follow-up changed since this page was opened, so nothing was uploaded: reload the page and upload again.", 409)
        return RedirectResponse(f"/answers/{name}/follow-up?imported={changed}", 303)

    def uploaded(self, person: Person, name: str, made: FollowUp, workbook: bool, raw: bytes, version: str) -> int | None:
        """The follow-up replaced by ``made`` under its lock, each change recorded; the number of
        recommendations changed, or None if the file is no longer at ``version``."""
        rulebook = rulebooks.rulebook(made.round)
        with self.site.data.writing(name, FOLLOW_UP_SUFFIX) as writing:
            current, db = writing.current, writing.db
            if current is None or current.version != version:
                return None
            data = self.site.document(current).data
            history.sync(db, history_name(name), current.version, data, self.files.kind)
            text = follow_up_text(made, rulebook, current.path, leading_comments(current.data if workbook else raw))
            written = document_from_text(current.path, text).data
            before, after = follow_up_merge.entries_of(data), follow_up_merge.entries_of(written)
            changes = {key: (before.get(key), after.get(key)) for key in set(before) | set(after) if before.get(key) != after.get(key)}
            history.record_changes(db, history_name(name), person.name, "import", changes, self.files.kind)
            history.remember(db, history_name(name), version_of(text.encode("utf-8")), written, self.files.kind)
            writing.replace(text)
        return len(changes)
