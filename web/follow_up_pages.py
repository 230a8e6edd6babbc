"""The follow-up of a Party's answers file in the web questionnaire: its page, saved one chapter's form
at a time and merged one recommendation at a time, started from the assessment, downloaded and
uploaded, with its history.

The file is ``NAME.follow-up.yaml`` beside ``NAME.yaml``: the file ``selfcheck follow-up`` reads,
written whole under the same lock and with the same atomic replacement as the answers, merged by
``engine.follow_up.merge`` (the rule of ``engine.answers.merge``), checked by the follow-up reader,
recorded in the history under the name ``NAME.follow-up``, and checked against the rules once per
version of the answers, of the follow-up file and of the date.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import is_amendment
from selfcheck.engine.answers.answer_file import FOLLOW_UP_SUFFIX
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import Document, document_from_bytes, document_from_text, leading_comments
from selfcheck.engine.follow_up import merge as follow_up_merge
from selfcheck.engine.follow_up.follow_up_file import STATUSES, FollowUp, check_follow_up_document, ensure_same_party, follow_up_from, follow_up_text, words
from selfcheck.engine.follow_up.formats import render_status
from selfcheck.engine.follow_up.status import FollowUpStatus, check_status, head_lines, summary_columns, summary_sections
from selfcheck.engine.follow_up.workbook import workbook_from_bytes
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.team import database, history
from selfcheck.web import follow_up_forms, forms
from selfcheck.web.auth import Person
from selfcheck.web.refusals import NotAllowed, Refused
from selfcheck.web.site import MEDIA_TYPES, Site
from selfcheck.web.storage import SUFFIX, BadName, Conflict, Stored, version_of

DOWNLOADS = {  # format -> (file name after NAME, who may: "all" or "coordinator")
    "markdown": ("-situation-report.md", "all"),
    "docx": ("-situation-report.docx", "all"),
    "xlsx": ("-plan-of-action.xlsx", "all"),
    "yaml": (FOLLOW_UP_SUFFIX, "coordinator"),
}
WORKBOOK_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip package


class FollowUpPages:
    def __init__(self, site: Site):
        self.site = site
        self.kind = history.follow_up_kind(rulebooks.rulebook(site.round))

    # -- reading ------------------------------------------------------------------------------------

    def answers_file(self, name: str) -> Stored:
        """The answers file NAME (what changed in it outside selfcheck recorded); an amendment has no follow-up."""
        stored, document = self.site.current(name)
        if is_amendment(document.data):
            raise HTTPException(404, f"{name}.yaml is an amendment: a follow-up belongs to the answers file it applies to.")
        return stored

    def stored(self, name: str) -> Stored | None:
        """The follow-up file as it is now, with what changed in it outside selfcheck recorded."""
        followed = self.site.data.read(name, FOLLOW_UP_SUFFIX)
        if followed is not None:
            with database.connect(self.site.data.root, write=False) as db:
                known = history.known_version(db, _history_name(name))
            if known != followed.version:
                with self.site.data.editing(name, FOLLOW_UP_SUFFIX) as current, database.connect(self.site.data.root) as db:
                    if current is not None:  # read under the lock: a save in progress has finished
                        history.sync(db, _history_name(name), current.version, self.site.document(current).data, self.kind)
                        followed = current
        return followed

    def parsed(self, followed: Stored) -> tuple[FollowUp | None, list[InputError]]:
        """The follow-up and its problems, read once per version."""
        return self.site.computed.get(("follow-up", followed.path, followed.version), lambda: check_follow_up_document(self.site.document(followed)))

    def checked(self, name: str, followed: Stored, follow_up: FollowUp, on: datetime.date, law_as_of: datetime.date | None) -> FollowUpStatus:
        """The follow-up checked against the rules on the current answers, once per version of both and of the date."""
        resolved = self.site.listed(name)
        answers = resolved.answers if law_as_of is None else resolved.answers.model_copy(update={"law_as_of": law_as_of})
        ensure_same_party(follow_up, followed.path, answers, resolved.answers_file)
        rulebook = rulebooks.rulebook(answers.round)
        return self.site.computed.get(
            ("follow-up status", followed.version, *self.site.fingerprint(answers), on),
            lambda: check_status(follow_up, answers, rulebook, on, self.site.assessment(answers)),
        )

    # -- the page -------------------------------------------------------------------------------------

    def page(self, request: Request) -> Response:
        person = self.site.who(request)
        name = request.path_params["name"]
        query = request.query_params
        return self.view(request, person, name, saved=query.get("saved"), started="started" in query, imported=query.get("imported"))

    def view(
        self,
        request: Request,
        person: Person,
        name: str,
        status: int = 200,
        *,
        shown: Any = None,
        merged: Any = None,
        problems: list[InputError] = (),
        general: list[str] = (),
        upload_error: str = "",
        **flags: Any,
    ) -> Response:
        """The page: the recommendations of the saved follow-up, each with what is ``shown`` (the saved
        Party's part, or what was typed after a refused save) and the check against the rules."""
        site = self.site
        self.answers_file(name)
        on, law_as_of, date_error = _date_asked(request)
        followed = self.stored(name)
        context: dict[str, Any] = {
            "person": person,
            "name": name,
            "followed": followed is not None,
            "on": on,
            "law_as_of": law_as_of,
            "date_error": date_error,
            "as_of_query": f"?as_of={law_as_of.isoformat()}" if law_as_of else "",
            "general": list(general),
            "upload_error": upload_error,
            "version": followed.version if followed else "",
            "statuses": [(s, words()["statuses"][s]) for s in STATUSES],
            **flags,
        }
        try:
            answers = site.listed(name).answers
            context["party"] = answers.party
        except InputError as problem:
            answers, context["party"] = None, name
            context["answers_problem"] = str(problem)
        if followed is None:
            if answers is not None:
                context["count"] = sum(not f.draft for f in site.assessment(answers).recommendations)
            return site.page(request, "follow_up.html", status, **context)
        follow_up, file_problems = self.parsed(followed)
        if follow_up is None:
            context["file_problem"] = str(file_problems[0])
            return site.page(request, "follow_up.html", status, **context)
        checked = None
        if answers is not None:
            try:
                checked = self.checked(name, followed, follow_up, on, law_as_of)
            except InputError as problem:
                context["answers_problem"] = str(problem)
        entries = follow_up_merge.entries_of(shown if shown is not None else site.document(followed).data)
        items = {item.id: follow_up_forms.item_form(item, entries.get(item.id), merged.tokens if merged else None) for item in follow_up.recommendations}
        context["general"] += follow_up_forms.place_problems(items, list(problems))
        self.annotate(name, items, checked, merged)
        titles = site.chapter_titles()
        chapters = []
        for item in follow_up.recommendations:
            if not chapters or chapters[-1]["chapter"] != item.chapter:
                chapters.append({"chapter": item.chapter, "title": titles.get(item.chapter, ""), "editable": person.edits(item.chapter), "items": []})
            chapters[-1]["items"].append(items[item.id])
        context.update(
            chapters=chapters,
            checked=checked,
            conflicts=len(merged.conflicts) if merged else 0,
            unsaved_chapter=request.path_params.get("chapter") if status != 200 else None,
            problem_count=len(context["general"]) + sum(form.problem_count for form in items.values()),
            head=head_lines(checked) if checked else [],
            summary=summary_sections(checked) if checked else [],
            columns=summary_columns(),
            flag_counts=checked.flags if checked else {},
            check_words=words()["report"]["check"],
            verbs=words()["report"]["verbs"],
        )
        return site.page(request, "follow_up.html", status, **context)

    def annotate(self, name: str, items: dict[str, follow_up_forms.ItemForm], checked: FollowUpStatus | None, merged: Any) -> None:
        """Each recommendation's flags and what the rules say, its history count, and in a conflict what was saved meanwhile, by whom."""
        for entry in checked.items if checked else []:
            if entry.id in items:
                items[entry.id].flags, items[entry.id].rules_say = entry.flags, entry.rules_say
        with database.connect(self.site.data.root, write=False) as db:
            counts = history.counts_by_question(db, _history_name(name), self.kind)
            for item_id, (theirs, _) in merged.conflicts.items() if merged else ():
                latest = history.records(db, _history_name(name), question=item_id, newest_first=True, limit=1)
                items[item_id].theirs = follow_up_merge.entry_in_words(theirs) or "nothing"
                items[item_id].theirs_by = (latest[0].who, latest[0].at) if latest else None
        for item_id, form in items.items():
            form.changes = counts.get(item_id, 0)

    # -- starting, saving, uploading ------------------------------------------------------------------

    def start(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """The follow-up drawn from the saved answers' assessment, as ``selfcheck follow-up init`` writes it; never over a file."""
        person = self.site.who(request)
        name = request.path_params["name"]
        if isinstance(pairs, forms.Malformed) or {key for key, _ in pairs} - {"csrf"}:
            raise pairs if isinstance(pairs, forms.Malformed) else forms.Malformed("unexpected fields")
        if not person.coordinates:
            raise NotAllowed("Only the coordinator starts the follow-up.")
        self.answers_file(name)
        answers = self.site.listed(name).answers
        rulebook = rulebooks.rulebook(answers.round)
        path = self.site.data.path(name, FOLLOW_UP_SUFFIX)
        text = follow_up_text(follow_up_from(self.site.assessment(answers)), rulebook, path)
        try:
            self.site.data.create(name, text, FOLLOW_UP_SUFFIX)
        except BadName:
            return self.view(request, person, name, 409, general=[f"{name}{FOLLOW_UP_SUFFIX} exists already, so nothing was written: it is shown below."])
        with database.connect(self.site.data.root) as db:
            history.remember(db, _history_name(name), version_of(text.encode("utf-8")), document_from_text(path, text).data, self.kind)
        return RedirectResponse(f"/answers/{name}/follow-up?started=1", 303)

    def save(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """A chapter's form merged into the file one recommendation at a time, under its lock; each change recorded; or the page saying why not."""
        person = self.site.who(request)
        name, chapter = request.path_params["name"], self.site.chapter_of(request)
        rulebook = rulebooks.rulebook(self.site.round)
        shown_ids = [
            key[len(follow_up_forms.SEEN) :] for key, _ in ([] if isinstance(pairs, forms.Malformed) else pairs) if key.startswith(follow_up_forms.SEEN)
        ]
        self.site.ensure_chapters(person, {chapter} | {rulebook.by_id[i].chapter for i in shown_ids if i in rulebook.by_id})
        try:
            if isinstance(pairs, forms.Malformed):
                raise pairs
            submission = follow_up_forms.submitted(pairs, rulebook.by_id)
        except forms.Malformed as problem:
            return self.view(request, person, name, 400, general=[problem.said()])
        try:
            changed = self.merged_save(request, person, name, submission)
        except Refused as refused:
            return refused.response
        anchor = f"#fu-{submission.save}" if submission.save in submission.entries else f"#chapter-{chapter}"
        as_of = next((value for key, value in pairs if key == "as_of" and value), "")
        return RedirectResponse(f"/answers/{name}/follow-up?saved={changed}{'&as_of=' + as_of if _date_or_none(as_of) else ''}{anchor}", 303)

    def merged_save(self, request: Request, person: Person, name: str, submission: follow_up_forms.Submission) -> int:
        """The number of recommendations changed; Refused with the page to show when nothing may be written."""
        refusal: tuple[int, dict[str, Any]] | None = None
        try:
            with self.site.data.editing(name, FOLLOW_UP_SUFFIX) as current, database.connect(self.site.data.root) as db:
                if current is None:
                    raise HTTPException(404, f"There is no {name}{FOLLOW_UP_SUFFIX} in the data folder: start the follow-up on its page.")
                data = self.site.document(current).data
                history.sync(db, _history_name(name), current.version, data, self.kind)
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
                    history.record_changes(db, _history_name(name), person.name, "web", merged.changed, self.kind)
                    history.remember(db, _history_name(name), version_of(text.encode("utf-8")), document_from_text(current.path, text).data, self.kind)
                    self.site.data.replace(current, text)  # Conflict leaves the block: what was recorded is rolled back
        except Conflict:  # an editor wrote the file meanwhile, without the lock
            refusal = (409, {"general": [f"{name}{FOLLOW_UP_SUFFIX} was changed outside selfcheck while saving, so nothing was saved: reload the page."]})
        if refusal is not None:  # shown once the lock is released: the page reads the answers, which may record outside changes
            status, extra = refusal
            raise Refused(self.view(request, person, name, status, shown=merged.shown, merged=merged, **extra))
        return len(merged.changed)

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
            return self.view(request, person, name, status, upload_error=problem)

        self.answers_file(name)
        if not raw:
            return refused("Choose a plan of action (.xlsx) or a follow-up file (.yaml) to upload.")
        label = Path(Path(filename).name[-100:] or "the uploaded file")  # names it in the messages
        workbook = raw.startswith(WORKBOOK_MAGIC)
        try:
            made = workbook_from_bytes(label, raw) if workbook else _follow_up_of(document_from_bytes(label, raw))
            answers = self.site.listed(name).answers
        except InputError as problem:
            return refused(f"The file was refused whole, so nothing changed: {problem}")
        if (made.party, made.round) != (answers.party, answers.round):
            return refused(f"The file follows up {made.party} in {made.round}, but these answers are {answers.party}'s to {answers.round}, so nothing changed.")
        rulebook = rulebooks.rulebook(made.round)
        with self.site.data.editing(name, FOLLOW_UP_SUFFIX) as current, database.connect(self.site.data.root) as db:
            if current is None or current.version != version:
                return refused("The follow-up changed since this page was opened, so nothing was uploaded: reload the page and upload again.", 409)
            data = self.site.document(current).data
            history.sync(db, _history_name(name), current.version, data, self.kind)
            text = follow_up_text(made, rulebook, current.path, leading_comments(current.data if workbook else raw))
            written = document_from_text(current.path, text).data
            before, after = follow_up_merge.entries_of(data), follow_up_merge.entries_of(written)
            changes = {key: (before.get(key), after.get(key)) for key in set(before) | set(after) if before.get(key) != after.get(key)}
            history.record_changes(db, _history_name(name), person.name, "import", changes, self.kind)
            history.remember(db, _history_name(name), version_of(text.encode("utf-8")), written, self.kind)
            self.site.data.replace(current, text)
        return RedirectResponse(f"/answers/{name}/follow-up?imported={len(changes)}", 303)

    # -- downloads and history ------------------------------------------------------------------------

    def download(self, request: Request) -> Response:
        person = self.site.who(request)
        name, format = request.path_params["name"], request.path_params["format"]
        if format not in DOWNLOADS:
            raise HTTPException(404, f"no follow-up format {format!r}; the formats are {', '.join(DOWNLOADS)}")
        suffix, who = DOWNLOADS[format]
        if who == "coordinator" and not person.coordinates:
            raise NotAllowed("Only the coordinator exports the follow-up file.")
        self.answers_file(name)
        followed = self.stored(name)
        if followed is None:
            raise HTTPException(404, f"There is no {name}{FOLLOW_UP_SUFFIX} yet: the coordinator starts it on the follow-up page.")
        headers = {"Content-Disposition": f'attachment; filename="{name}{suffix}"'}
        if format == "yaml":
            return Response(followed.data, media_type=MEDIA_TYPES[format], headers=headers)
        follow_up, problems = self.parsed(followed)
        if follow_up is None:
            raise problems[0]
        on, law_as_of, _ = _date_asked(request)
        checked = self.checked(name, followed, follow_up, on, law_as_of)
        data = self.site.computed.get(
            ("follow-up download", format, followed.version, *self.site.fingerprint(self.site.listed(name).answers), on, law_as_of),
            lambda: render_status(checked, follow_up, rulebooks.rulebook(follow_up.round), format),
        )
        return Response(data, media_type=MEDIA_TYPES[format], headers=headers)

    def history_page(self, request: Request) -> Response:
        person = self.site.who(request)
        name = request.path_params["name"]
        self.answers_file(name)
        self.stored(name)
        recommendation = request.query_params.get("recommendation") or None
        if recommendation is not None and recommendation not in rulebooks.rulebook(self.site.round).by_id:
            raise HTTPException(404, "There is no such recommendation in this round.")
        with database.connect(self.site.data.root, write=False) as db:
            records = history.records(db, _history_name(name), question=recommendation, newest_first=True, limit=1000)
        questionnaire = rounds.questionnaire(self.site.round)
        shown = [(record, history.record_in_words(record, questionnaire), None) for record in records]
        return self.site.page(
            request,
            "history.html",
            person=person,
            name=name,
            records=shown,
            question=recommendation,
            label=f"recommendation {recommendation}" if recommendation else None,
            follow_up=True,
            file=f"{name}{FOLLOW_UP_SUFFIX}",
        )


def _history_name(name: str) -> str:
    """The follow-up's name in the history, as an answers file's is its name: albania.follow-up."""
    return name + FOLLOW_UP_SUFFIX.removesuffix(SUFFIX)


def _follow_up_of(document: Document) -> FollowUp:
    follow_up, problems = check_follow_up_document(document)
    if problems or follow_up is None:
        raise problems[0]
    return follow_up


def _date_or_none(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _date_asked(request: Request) -> tuple[datetime.date, datetime.date | None, str]:
    """The date deadlines and measures are checked on, and the law taken at (as ``--as-of``): the
    page's ``as_of``, or today with every bill applied; and what is wrong with the date given."""
    given = request.query_params.get("as_of", "").strip()
    day = _date_or_none(given)
    if given and day is None:
        return datetime.date.today(), None, f"Give the date as year-month-day, for example 2026-07-01; {given[:40]!r} is not such a date, so today is used."
    return day or datetime.date.today(), day, ""
