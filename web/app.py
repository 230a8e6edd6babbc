"""The web questionnaire's pages: each one reads or writes files of DATA_DIR and asks the engine the rest.

Answers are checked by the engine's readers, merged one question at a time (``engine.answers.merge``),
written by ``answers_text`` (read back before they replace anything), recorded in DATA_DIR's
database (``engine.team.history``), assessed by ``assess``, explained by ``explain``, printed by the
factsheet and reply renderers, and drafted into amendments and diffed by ``amendments`` and ``diff``.
Who may do what is ``auth``'s to say; the follow-up's pages are ``follow_up_pages``.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import anyio
import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import Resolved, changes_between, draft_amendment, file_name_for, is_amendment, resolve
from selfcheck.engine.answers.answer_file import Answers, answers_text
from selfcheck.engine.answers.merge import HEAD, Merged, entries_of, merge
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.assessment.explain import explain
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import Document, document_from_bytes, document_from_text, leading_comments
from selfcheck.engine.documents.factsheet import build_factsheet
from selfcheck.engine.documents.layout import load_layout
from selfcheck.engine.documents.rendering import FORMATS, SUFFIXES, render
from selfcheck.engine.drafting.diff import compare_files
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.team import accounts, database, history
from selfcheck.engine.team.reply import build_reply
from selfcheck.engine.team.reply_formats import FORMATS as REPLY_FORMATS
from selfcheck.engine.team.reply_formats import SUFFIXES as REPLY_SUFFIXES
from selfcheck.engine.team.reply_formats import render_reply
from selfcheck.web import forms
from selfcheck.web.auth import Person, Sessions, Throttle, local_person, verify
from selfcheck.web.follow_up_pages import FollowUpPages
from selfcheck.web.refusals import Forbidden, LoginRequired, NotAllowed, Refused
from selfcheck.web.security import CSP, HEADERS, SESSION_COOKIE, AllowedHosts, Csrf, LimitBody, SecurityHeaders, hosts_allowed
from selfcheck.web.storage import NAME_RULE, BadName, Conflict, DataDir, Stored, version_of

HERE = Path(__file__).resolve().parent
FACTSHEET_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
MEDIA_TYPES = {
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "yaml": "application/yaml; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FAILED = (
    '<!DOCTYPE html><html lang="en-GB"><meta charset="utf-8"><title>Something went wrong – selfcheck</title>'
    '<link rel="stylesheet" href="/static/style.css"><main><section class="message"><h1>Something went wrong</h1>'
    "<p>The questionnaire failed while answering this request; the details are in the log of <code>selfcheck serve</code>. "
    'Nothing was saved by this request.</p><p><a href="/">Back to the start page</a></p></section></main></html>'
)
PAGE_WORKERS = 4
SINCE_LAST_VISIT = 50  # changes listed on a file's page since the person's last visit
log = logging.getLogger("selfcheck.web")


def create_app(
    data_dir: Path,
    round_id: str | None = None,
    host: str = "127.0.0.1",
    allow_hosts: tuple[str, ...] = (),
    *,
    trust_user_header: str | None = None,
    behind_tls: bool = False,
    idle_minutes: float = 120,
    lifetime_hours: float = 12,
) -> Starlette:
    """The questionnaire's application. Pages that compute run in worker threads, so that the event
    loop keeps answering (static files, other pages) while one is rendered."""
    round_id = round_id or rounds.default_round()
    site = Site(DataDir(data_dir), round_id, trust_user_header, behind_tls, idle_minutes * 60, lifetime_hours * 3600)
    with database.connect(site.data.root):  # created (or migrated) before the first page, so that a broken one stops here
        pass
    t = site.threaded
    routes = [
        Route("/", t(site.index)),
        Route("/login", t(site.login_page)),
        Route("/login", site.posted(site.login), methods=["POST"]),
        Route("/logout", site.posted(site.logout), methods=["POST"]),
        Route("/team", t(site.team)),
        Route("/team/{user}", site.posted(site.assign), methods=["POST"]),
        Route("/new", site.posted(site.create), methods=["POST"]),
        Route("/answers/{name}", t(site.overview)),
        Route("/answers/{name}", site.posted(site.save_about), methods=["POST"]),
        Route("/answers/{name}/history", t(site.history_page)),
        Route("/answers/{name}/file", t(site.download_file)),
        Route("/answers/{name}/import", site.import_file, methods=["POST"]),
        Route("/answers/{name}/reply/{format}", t(site.download_reply)),
        Route("/answers/{name}/chapters/{chapter}", t(site.chapter_page)),
        Route("/answers/{name}/chapters/{chapter}", site.posted(site.save_chapter), methods=["POST"]),
        Route("/answers/{name}/chapters/{chapter}/amendment", site.posted(site.draft), methods=["POST"]),
        Route("/answers/{name}/chapters/{chapter}/review", site.posted(site.review), methods=["POST"]),
        Route("/amendments/{name}", t(site.amendment)),
        Route("/factsheet/{name}", t(site.factsheet)),
        Route("/factsheet/{name}/{format}", t(site.download)),
        *FollowUpPages(site).routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    # Host names the server answers to: a page of another site that rebinds its name to this
    # machine's address is refused, so it cannot read a form's token.
    middleware = [Middleware(SecurityHeaders), Middleware(AllowedHosts, allowed=hosts_allowed(host, allow_hosts)), Middleware(LimitBody)]
    handlers = {
        HTTPException: site.http_error,
        BadName: site.bad_name,
        Forbidden: site.forbidden,
        forms.Malformed: site.malformed_request,
        NotAllowed: site.not_allowed,
        LoginRequired: site.login_required,
        InputError: site.input_error,
        Exception: site.failed,
    }
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


@dataclass
class Explained:
    """A recommendation in the results panel, with its explanation."""

    finding: Any
    explanation: Any


class Site:
    def __init__(self, data: DataDir, round_id: str, trust_user_header: str | None, behind_tls: bool, idle: float, lifetime: float):
        self.data = data
        self.round = round_id
        self.csrf = Csrf()
        self.trust_user_header = trust_user_header.lower() if trust_user_header else None
        self.behind_tls = behind_tls
        self.sessions = Sessions(data.root, idle, lifetime)
        self.throttle = Throttle(data.root)
        self.local = local_person()
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
        )
        self.templates.filters.update(citations=lambda citations: rulebooks.rulebook(round_id).vocabulary.citation_line(citations), when=_when)
        self.computed = OncePerVersion()
        self.workers: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None

    async def run(self, page: Callable[..., Response], *args: Any) -> Response:
        """``page(*args)`` in one of PAGE_WORKERS threads kept for pages. Pages are CPU work under
        one GIL: more threads would only take its turns from the event loop, which accepts
        requests; static files are read in threads of their own and do not queue behind pages."""
        loop = asyncio.get_running_loop()
        if self.workers is None or self.workers[0] is not loop:  # a limiter belongs to its event loop
            self.workers = (loop, anyio.CapacityLimiter(PAGE_WORKERS))
        return await anyio.to_thread.run_sync(functools.partial(page, *args), limiter=self.workers[1])

    def threaded(self, page: Callable[[Request], Response]) -> Callable[[Request], Any]:
        """An endpoint running ``page(request)`` in the page workers."""

        async def endpoint(request: Request) -> Response:
            return await self.run(page, request)

        return endpoint

    def posted(self, page: Callable[[Request, Any], Response]) -> Callable[[Request], Any]:
        """An endpoint for a POSTed form: its token checked, then ``page(request, fields or what makes them unreadable)``."""

        async def endpoint(request: Request) -> Response:
            return await self.run(page, request, await self.form_or_problem(request))

        return endpoint

    # -- who is asking ------------------------------------------------------------------------------

    def person(self, request: Request) -> Person | None:
        """The person asking: the one local user without a team; with one, the logged-in user (or None)."""
        if not accounts.has_users(self.data.root):
            return self.local
        if self.trust_user_header:
            name = request.headers.get(self.trust_user_header, "")
            user = accounts.find_user(self.data.root, name) if accounts.NAME.fullmatch(name) else None
            return Person(user.name, user.role, user.chapters) if user else None
        return self.sessions.find(request.cookies.get(SESSION_COOKIE))

    def who(self, request: Request) -> Person:
        person = self.person(request)
        if person is None:
            raise LoginRequired
        return person

    def login_page(self, request: Request) -> Response:
        if not accounts.has_users(self.data.root):
            return RedirectResponse("/", 303)
        return self.page(request, "login.html", next=_local_path(request.query_params.get("next", "/")), name="", error=None)

    def login(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        fields = dict(_pairs(pairs))
        name, password, next_page = fields.get("name", "").strip(), fields.get("password", ""), _local_path(fields.get("next", "/"))
        if self.trust_user_header or not accounts.has_users(self.data.root):
            return RedirectResponse("/", 303)
        keys = [f"name:{name.lower()}", f"address:{request.client.host if request.client else ''}"]
        wait = self.throttle.wait(keys)
        if wait:
            error = (
                f"Too many failed attempts: wait {wait} seconds before trying again. "
                "If you have forgotten your password, ask your coordinator to set a new one."
            )
            return self.page(request, "login.html", 429, next=next_page, name=name, error=error, headers={"Retry-After": str(wait)})
        person = verify(self.data.root, name, password) if accounts.NAME.fullmatch(name) else None
        if person is None:
            self.throttle.failed(keys)
            return self.page(request, "login.html", 401, next=next_page, name=name, error="The name or the password is wrong.")
        self.throttle.succeeded(keys[:1])
        user = accounts.find_user(self.data.root, person.name)
        assert user is not None
        token = self.sessions.start(user)
        response = RedirectResponse(next_page, 303)
        self.set_session_cookie(request, response, token)  # a new session at every login: none planted before is taken over
        return response

    def logout(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        _pairs(pairs)
        self.sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login" if accounts.has_users(self.data.root) else "/", 303)
        self.set_session_cookie(request, response, Csrf.new_session())
        return response

    def set_session_cookie(self, request: Request, response: Response, value: str) -> None:
        response.set_cookie(SESSION_COOKIE, value, httponly=True, samesite="strict", path="/", secure=self.behind_tls or request.url.scheme == "https")

    # -- the start page and the team ------------------------------------------------------------------

    def index(self, request: Request) -> Response:
        person = self.who(request)
        return self.page(request, "index.html", files=self.files(), person=person)

    def team(self, request: Request) -> Response:
        person = self.who(request)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator assigns chapters.")
        return self.page(request, "team.html", person=person, users=accounts.list_users(self.data.root), chapters=self.chapter_titles())

    def assign(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        person = self.who(request)
        pairs = _pairs(pairs)
        if not person.coordinates or not person.team:
            raise NotAllowed("Only the coordinator assigns chapters.")
        chosen = [value for key, value in pairs if key == "chapter"]
        if any(key not in ("csrf", "chapter") for key, _ in pairs) or any(value not in self.chapter_titles() for value in chosen):
            raise forms.Malformed("unexpected fields or chapters")
        accounts.set_user(self.data.root, request.path_params["user"], chapters=tuple(c for c in self.chapter_titles() if c in chosen))
        return RedirectResponse("/team?saved=1", 303)

    def create(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        person = self.who(request)
        pairs = _pairs(pairs)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator starts new answer files.")
        fields = dict(pairs)
        if set(fields) - {"csrf", "file", "party"} or len(fields) != len(pairs):
            raise forms.Malformed("unexpected or repeated fields")
        name, party = fields.get("file", "").strip(), fields.get("party", "")
        errors: dict[str, list[str]] = {}
        today = datetime.date.today()
        data = {"party": party, "round": self.round, "as_of": today.isoformat(), "answers": {}}
        try:
            path = self.data.path(name)
        except BadName as problem:
            errors["file"] = [str(problem)]
            path = self.data.root / "new.yaml"  # only names the document whose party is checked
        answers, problems = rounds.check_answers(Document(path, data))
        for problem in problems:
            errors.setdefault(problem.place.describe() or "file", []).append(forms._head_words(problem.place.describe(), problem.problem))
        if answers is not None and not errors:
            comments = [f"{answers.party}'s answers to {self.round}, started in the web questionnaire on {today} by {person.name}"]
            text = answers_text(answers, rounds.questionnaire(self.round), comments, path)
            try:
                self.data.create(name, text)
                with database.connect(self.data.root) as db:
                    history.remember(db, name, version_of(text.encode("utf-8")), document_from_text(path, text).data, rounds.questionnaire(self.round))
            except BadName as problem:
                errors["file"] = [str(problem)]
        if errors:
            return self.page(request, "index.html", 422, files=self.files(), person=person, new={"file": name, "party": party}, errors=errors)
        return RedirectResponse(f"/answers/{name}", 303)

    # -- a file: its overview, the Party's name and date, its history, exports ---------------------

    def overview(self, request: Request) -> Response:
        person = self.who(request)
        name = request.path_params["name"]
        stored, document = self.current(name)
        if is_amendment(document.data):
            return RedirectResponse(f"/amendments/{name}", 303)
        return self.overview_page(request, person, name, stored, document.data, saved=request.query_params.get("saved") == "1")

    def overview_page(
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
        questionnaire = self.questionnaire_of(data)
        saved_answers, saved_problems = rounds.check_answers(self.document(stored))
        state = forms.form_state(questionnaire, data if isinstance(data, dict) else {}, problems or saved_problems, tokens=tokens, chapter="")
        with database.connect(self.data.root, write=False) as db:  # read only: a refused save may hold the write lock
            statuses = history.statuses(db, name)
            visit = history.last_visit(db, person.name, name)
            since = [r for r in history.records(db, name, after=visit[0] if visit else 0) if r.who != person.name] if visit else []
            seen = history.last_id(db, name)
        if status == 200:
            with database.connect(self.data.root) as db:
                history.mark_visit(db, person.name, name, seen)
        chapters = self.progress(questionnaire, stored, statuses)
        assessment = self.assessment(saved_answers) if saved_answers else None
        return self.page(
            request,
            "overview.html",
            status,
            person=person,
            name=name,
            state=state,
            chapters=chapters,
            saved_problems=saved_problems,
            since=[(r, history.record_in_words(r, questionnaire)) for r in since[-SINCE_LAST_VISIT:]],
            visit=visit,
            counts=_counts(assessment),
            results=self.results(saved_answers, name) if saved_answers else None,
            conflicts=conflicts or {},
            answered=sum(c["answered"] for c in chapters),
            total=sum(c["total"] for c in chapters),
            version=stored.version,
            **extra,
        )

    def save_about(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """The Party's name and the date of the answers, merged like answers."""
        person = self.who(request)
        name = request.path_params["name"]
        if not person.coordinates:
            raise NotAllowed("Only the coordinator changes the Party's name and the date of the answers.")
        questionnaire = rounds.questionnaire(self.round)
        try:
            submission = forms.submitted(questionnaire, _pairs(pairs))
        except forms.Malformed as problem:
            stored, document = self.current(name)
            return self.overview_page(
                request,
                person,
                name,
                stored,
                document.data,
                status=400,
                general=[problem.said()],
            )
        if set(submission.entries) - set(HEAD):
            raise forms.Malformed("this form holds only the Party's name and the date of the answers")
        return self.save_entries(request, person, name, submission, chapter=None)

    def history_page(self, request: Request) -> Response:
        person = self.who(request)
        name = request.path_params["name"]
        stored, document = self.current(name)
        questionnaire = self.questionnaire_of(document.data)
        question = request.query_params.get("question") or None
        if question is not None and question not in questionnaire.questions and question not in HEAD:
            raise HTTPException(404, "There is no such question in the questionnaire.")
        with database.connect(self.data.root, write=False) as db:
            records = history.records(db, name, question=question, newest_first=True, limit=1000)
        shown = [(r, history.record_in_words(r, questionnaire), questionnaire.question(r.question or "")) for r in records]
        label = history.question_label(question, questionnaire) if question else None
        return self.page(request, "history.html", person=person, name=name, records=shown, question=question, label=label)

    def download_file(self, request: Request) -> Response:
        person = self.who(request)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator exports the answers file.")
        name = request.path_params["name"]
        stored, _ = self.current(name)
        headers = {"Content-Disposition": f'attachment; filename="{name}.yaml"'}
        return Response(stored.data, media_type=MEDIA_TYPES["yaml"], headers=headers)

    def download_reply(self, request: Request) -> Response:
        person = self.who(request)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator exports the reply.")
        name, format = request.path_params["name"], request.path_params["format"]
        if format not in REPLY_FORMATS:
            raise HTTPException(404, f"no reply format {format!r}; the formats are {', '.join(REPLY_FORMATS)}")
        stored, document = self.current(name)
        answers = rounds.answers_of(self.document(stored))
        with database.connect(self.data.root, write=False) as db:
            statuses = history.statuses(db, name)
        made = build_reply(answers, rounds.questionnaire(answers.round), self.chapter_titles(), statuses, f"{name}.yaml")
        headers = {"Content-Disposition": f'attachment; filename="{name}-reply{REPLY_SUFFIXES[format]}"'}
        return Response(render_reply(made, format), media_type=MEDIA_TYPES[format], headers=headers)

    async def import_file(self, request: Request) -> Response:
        """An answers file sent from the browser replaces the answers of this one (multipart form)."""
        raw, version, _ = await self.upload_of(request)
        return await self.run(self.imported, request, raw, version)

    async def upload_of(self, request: Request) -> tuple[bytes, str, str]:
        """The bytes of the file a multipart form sends, the version its page showed and the file's
        name, once the form's token is checked (the body is capped like every other)."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "multipart/form-data":
            raise forms.Malformed(f"expected a file sent as multipart/form-data, got {kind or 'no content type'}")
        async with request.form(max_files=1, max_fields=10) as form:
            tokens = form.getlist("csrf")
            if len(tokens) != 1 or not isinstance(tokens[0], str) or not self.csrf.valid(request.cookies.get(SESSION_COOKIE), tokens[0]):
                raise Forbidden
            upload = form.get("file")
            version = form.get("version")
            raw = await upload.read() if isinstance(upload, UploadFile) else b""
            filename = (upload.filename or "") if isinstance(upload, UploadFile) else ""
        return raw, version if isinstance(version, str) else "", filename

    def imported(self, request: Request, raw: bytes, version: str) -> Response:
        person = self.who(request)
        name = request.path_params["name"]
        if not person.coordinates:
            raise NotAllowed("Only the coordinator imports an answers file.")
        stored, document = self.current(name)
        questionnaire = self.questionnaire_of(document.data)

        def refused(problem: str, status: int = 422) -> Response:
            return self.overview_page(request, person, name, stored, document.data, status=status, import_error=problem)

        if not raw:
            return refused("Choose an answers file (.yaml) to import.")
        try:
            given = document_from_bytes(stored.path.with_name(f"imported-{name}.yaml"), raw)
            answers, problems = rounds.check_answers(given)
        except InputError as problem:
            return refused(f"The file cannot be read: {problem.problem}")
        if answers is None or problems:
            return refused("The file has problems, so nothing was imported: " + "; ".join(str(p).split(": ", 1)[-1] for p in problems[:5]))
        if answers.round != questionnaire.round:
            return refused(f"The file answers another questionnaire ({answers.round}), so nothing was imported.")
        with self.data.editing(name) as current, database.connect(self.data.root) as db:
            if current is None or current.version != version:
                return refused("The answers changed since this page was opened, so nothing was imported: reload the page and import again.", 409)
            history.sync(db, name, current.version, self.document(current).data, questionnaire)
            text = answers_text(answers, questionnaire, leading_comments(current.data), current.path)
            written = document_from_text(current.path, text).data
            before, after = entries_of(self.document(current).data, questionnaire), entries_of(written, questionnaire)
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
            self.data.replace(current, text)
        return RedirectResponse(f"/answers/{name}?saved=1", 303)

    # -- a chapter: its questions, saving, review, amendments ------------------------------------------

    def chapter_page(self, request: Request) -> Response:
        person = self.who(request)
        name, chapter = request.path_params["name"], self.chapter_of(request)
        stored, document = self.current(name)
        if is_amendment(document.data):
            return RedirectResponse(f"/amendments/{name}", 303)
        saved = request.query_params.get("saved")
        return self.chapter_view(request, person, name, chapter, stored, document.data, saved=saved is not None, saved_count=saved or "")

    def chapter_view(
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
        drafting: bool = False,
    ) -> Response:
        data = data if isinstance(data, dict) else {}
        questionnaire = self.questionnaire_of(data)
        saved_answers, saved_problems = rounds.check_answers(self.document(stored))
        if not problems and status == 200:
            problems = saved_problems  # a file edited by hand: its problems beside their fields
        state = forms.form_state(
            questionnaire, data, problems, bill or {"date": datetime.date.today().isoformat()}, chapter=chapter, tokens=merged.tokens if merged else None
        )
        state.general[:0] = list(general)
        if file_error:
            state.errors["bill.file"] = [file_error]
        with database.connect(self.data.root, write=False) as db:
            statuses = history.statuses(db, name)
            counts = history.counts_by_question(db, name)
            events = [r for r in history.records(db, name, chapter=chapter) if r.kind != "answer"]
            last_change = {key: history.records(db, name, question=key, newest_first=True, limit=1) for key in (merged.conflicts if merged else {})}
        for _, fields in state.sections:
            for f in fields:
                f.changes = counts.get(f.question.id, 0)
                if merged and f.question.id in merged.conflicts:
                    theirs = merged.conflicts[f.question.id][0]
                    f.theirs = history.entry_in_words(theirs, f.question)
                    latest = last_change[f.question.id]
                    f.theirs_by = f"{latest[0].who}, {_when(latest[0].at)}" if latest else ""
        chapter_status = statuses.get(chapter, history.DRAFT)
        titles = self.chapter_titles()
        progress = self.progress(questionnaire, stored, statuses)
        index = list(titles).index(chapter)
        return self.page(
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
            conflicts=len(merged.conflicts) if merged else 0,
            drafting=drafting or bool(file_error),
            unsaved=status != 200,
            editable=person.edits(chapter) and chapter_status.status == "draft",
            chapter_status=chapter_status,
            events=[(r, history.record_in_words(r, questionnaire)) for r in events],
            progress=progress,
            previous=list(titles)[index - 1] if index else None,
            next=list(titles)[index + 1] if index + 1 < len(titles) else None,
            results=self.results(saved_answers, name, chapter) if saved_answers else None,
            party=state.party or name,
        )

    def save_chapter(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        person = self.who(request)
        name, chapter = request.path_params["name"], self.chapter_of(request)
        self.ensure_edits(person, chapter, pairs)
        questionnaire = rounds.questionnaire(self.round)
        try:
            submission = forms.submitted(questionnaire, _pairs(pairs))
        except forms.Malformed as problem:
            stored, document = self.current(name)
            return self.chapter_view(
                request,
                person,
                name,
                chapter,
                stored,
                document.data,
                status=400,
                general=[problem.said()],
            )
        return self.save_entries(request, person, name, submission, chapter)

    def save_entries(self, request: Request, person: Person, name: str, submission: forms.Submission, chapter: str | None) -> Response:
        """Merge what the form sent into the file, under its lock; record each change; or show why not."""
        try:
            return self.merged_save(request, person, name, submission, chapter)
        except Refused as refused:
            return refused.response

    def merged_save(self, request: Request, person: Person, name: str, submission: forms.Submission, chapter: str | None) -> Response:
        with self.data.editing(name) as current, database.connect(self.data.root) as db:
            if current is None:
                raise HTTPException(404, f"There is no {name}.yaml in the data folder; the start page lists the files there.")
            document = self.document(current)
            questionnaire = self.questionnaire_of(document.data)
            history.sync(db, name, current.version, document.data, questionnaire)
            merged = merge(document.data, submission.entries, submission.seen, questionnaire)
            for question_id, value in submission.unknown.items():
                merged.data.setdefault("answers", {})[question_id] = merged.shown.setdefault("answers", {})[question_id] = value

            def again(status: int, problems: list[InputError] = (), general: list[str] = ()) -> Response:
                if chapter is None:
                    return self.overview_page(
                        request, person, name, current, merged.shown, problems, status, merged.tokens, merged.conflicts, general=list(general)
                    )
                return self.chapter_view(request, person, name, chapter, current, merged.shown, problems, status, merged=merged, general=list(general))

            locked = self.locked_chapters(db, name, merged, questionnaire)
            if locked:
                return again(409, general=[locked])
            if merged.conflicts:
                return again(409)
            answers, problems = rounds.check_answers(Document(current.path, merged.data))
            if answers is None or problems:
                return again(422, problems)
            if merged.changed:
                text = answers_text(answers, questionnaire, leading_comments(current.data), current.path)
                history.record_changes(db, name, person.name, "web", merged.changed, questionnaire)
                history.remember(db, name, version_of(text.encode("utf-8")), document_from_text(current.path, text).data, questionnaire)
                try:
                    self.data.replace(current, text)
                except Conflict:  # an editor wrote the file meanwhile, without the lock: nothing is recorded either
                    raise Refused(
                        again(409, general=[f"{name}.yaml was changed outside selfcheck while saving, so nothing was saved: reload the page."])
                    ) from None
                self.results(answers, name, chapter)  # the page the browser goes to next shows them: computed meanwhile
        anchor = (
            f"#q-{submission.focus}"
            if submission.focus in submission.entries
            else (f"#{submission.save}" if re.fullmatch(r"question-\d+", submission.save) else "")
        )
        target = f"/answers/{name}" if chapter is None else f"/answers/{name}/chapters/{chapter}"
        return RedirectResponse(f"{target}?saved={len(merged.changed)}{anchor}", 303)

    def locked_chapters(self, db: Any, name: str, merged: Merged, questionnaire: Any) -> str:
        """Why the changes may not land: a chapter under review or approved (since the page was opened)."""
        statuses = history.statuses(db, name)
        touched = {questionnaire.questions[key].chapter for key in {*merged.changed, *merged.conflicts} if key in questionnaire.questions}
        for chapter in sorted(touched):
            status = statuses.get(chapter, history.DRAFT)
            if status.status != "draft":
                state = "approved" if status.status == "approved" else "submitted for review"
                return (
                    f"Chapter {chapter} was {state} by {status.who} ({_when(status.at)}), so it is read-only and nothing was "
                    "saved. What you typed is still on this page: copy what you need, and ask for the chapter to be "
                    "returned or reopened."
                )
        return ""

    def review(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """Submit a chapter for review, approve it, return it with a comment, reopen it, or comment on it."""
        person = self.who(request)
        name, chapter = request.path_params["name"], self.chapter_of(request)
        fields = dict(_pairs(pairs))
        if set(fields) - {"csrf", "action", "comment"}:
            raise forms.Malformed("unexpected fields")
        action, comment = fields.get("action", ""), fields.get("comment", "").strip()
        stored, _ = self.current(name)
        allowed = {
            "submit": person.edits(chapter),
            "approve": person.reviews(chapter),
            "return": person.reviews(chapter),
            "reopen": person.coordinates,
            "comment": True,
        }
        if action not in allowed:
            raise forms.Malformed(f"unknown action {action[:40]!r}")
        if not allowed[action]:
            raise NotAllowed(f"Your role ({person.describe()}) does not let you {action} chapter {chapter}.")
        from selfcheck.engine.common.characters import text_problem

        problem = text_problem(comment) if comment else None
        with database.connect(self.data.root) as db:
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
            _, document = self.current(name)
            return self.chapter_view(request, person, name, chapter, stored, document.data, status=409 if "cannot be" in error else 422, general=[error])
        return RedirectResponse(f"/answers/{name}/chapters/{chapter}#review", 303)

    def draft(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """An amendment named after the bill, with the answers the form changes from the saved ones."""
        person = self.who(request)
        name, chapter = request.path_params["name"], self.chapter_of(request)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator drafts amendments.")
        stored, document = self.current(name)
        if is_amendment(document.data):
            return RedirectResponse(f"/amendments/{name}", 303)
        questionnaire = self.questionnaire_of(document.data)
        try:
            submission = forms.submitted(questionnaire, _pairs(pairs))
        except forms.Malformed as problem:
            return self.chapter_view(
                request,
                person,
                name,
                chapter,
                stored,
                document.data,
                status=400,
                general=[problem.said()],
            )
        merged = merge(document.data, submission.entries, submission.seen, questionnaire)
        bill = submission.bill

        def again(problems: list[InputError] = (), status: int = 422, **extra: Any) -> Response:
            return self.chapter_view(request, person, name, chapter, stored, merged.shown, problems, status, merged=merged, bill=bill, drafting=True, **extra)

        if merged.conflicts:
            return again(status=409)
        answers, problems = rounds.check_answers(Document(stored.path, merged.data))
        saved, saved_problems = rounds.check_answers(document)
        if answers is None or saved is None or problems or saved_problems:
            general = ["The saved answers have problems: save them once corrected, then draft the amendment."] if saved_problems else []
            return again(problems, general=general)
        changes = changes_between(saved, answers, questionnaire)
        if not changes:
            return again(general=["No answer differs from the saved answers: change the answers the bill would change, then draft the amendment."])
        file_name = bill["file"] or file_name_for(bill["title"])
        try:
            path = self.data.path(file_name)
            if path.exists():
                raise BadName(f"{file_name}.yaml already exists: choose another name")
        except BadName as problem:
            return again(file_error=str(problem) if bill["file"] or bill["title"] else f"Give the bill's title or a file name ({NAME_RULE}).")
        head = {"title": bill["title"], "reference": bill["reference"], "date": bill["date"], "applies_to": f"{name}.yaml"}
        text, problems = draft_amendment(
            head, changes, path, questionnaire, [f"Drafted in the web questionnaire by {person.name} from changed answers to {name}.yaml"]
        )
        if text is None:
            return again(problems)
        try:
            self.data.create(file_name, text)
        except BadName as problem:
            return again(file_error=str(problem))
        return RedirectResponse(f"/amendments/{file_name}", 303)

    # -- amendments and the factsheet -------------------------------------------------------------------

    def amendment(self, request: Request) -> Response:
        person = self.who(request)
        name = request.path_params["name"]
        stored = self.stored(name)
        if not is_amendment(self.document(stored).data):
            return RedirectResponse(f"/answers/{name}", 303)
        resolved = self.resolve(stored.path)
        amendment = resolved.amendments[-1]
        comparison = compare_files(resolved.answers_file, stored.path)
        before = self.resolve(amendment.applies_to).answers
        questionnaire = rounds.questionnaire(resolved.answers.round)
        changes = [
            (questionnaire.question(q), before.value(q), value, amendment.notes[q])
            for q, value in sorted(amendment.changes.items(), key=lambda item: questionnaire.index(item[0]))
        ]
        base = resolved.answers_file.resolve()
        base_name = base.stem if base.parent == self.data.root else None
        return self.page(
            request,
            "amendment.html",
            person=person,
            name=name,
            amendment=amendment,
            resolved=resolved,
            changes=changes,
            comparison=comparison,
            base_name=base_name,
            questionnaire=questionnaire,
            levels=rulebooks.rulebook(resolved.answers.round).vocabulary.level_names,
        )

    def factsheet(self, request: Request) -> Response:
        self.who(request)
        html = self.rendered_factsheet(self.stored(request.path_params["name"]).path, "html")
        return Response(html, media_type=MEDIA_TYPES["html"], headers={"Content-Security-Policy": FACTSHEET_CSP})

    def download(self, request: Request) -> Response:
        self.who(request)
        name, format = request.path_params["name"], request.path_params["format"]
        if format not in FORMATS:
            raise HTTPException(404, f"no factsheet format {format!r}; the formats are {', '.join(FORMATS)}")
        data = self.rendered_factsheet(self.stored(name).path, format)
        headers = {"Content-Disposition": f'attachment; filename="{name}-factsheet{SUFFIXES[format]}"', "Content-Security-Policy": FACTSHEET_CSP}
        return Response(data, media_type=MEDIA_TYPES[format], headers=headers)

    # -- errors -----------------------------------------------------------------------------------

    async def http_error(self, request: Request, error: HTTPException) -> Response:
        titles = {404: "Not found", 405: "Not allowed"}
        return self.message(request, error.status_code, titles.get(error.status_code, "Refused"), error.detail)

    async def bad_name(self, request: Request, error: BadName) -> Response:
        return self.message(request, 404, "No such file", f"{error} Files are listed on the start page.")

    async def forbidden(self, request: Request, error: Forbidden) -> Response:
        back = re.sub(r"/(amendment|review|import)$", "", request.url.path) if request.url.path not in ("/new", "/login", "/logout") else "/"
        back = re.sub(r"/follow-up/.*$", "/follow-up", back)
        return self.message(
            request,
            403,
            "Form refused",
            "This form did not carry the questionnaire's security token: it may come from before the questionnaire was "
            "restarted, from a page left open too long, or from another site. Nothing was saved. Use your browser's Back "
            "button to return to what you typed, reload the page in another tab, and submit again.",
            back=back,
        )

    async def not_allowed(self, request: Request, error: NotAllowed) -> Response:
        return self.message(request, 403, "Not allowed", f"{error} Nothing was changed.", back=_parent(request.url.path))

    async def login_required(self, request: Request, error: LoginRequired) -> Response:
        if request.method == "GET":
            return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
        return self.message(
            request,
            401,
            "Please log in",
            "Your session has ended (or you have not logged in), so nothing was saved. "
            "Use your browser's Back button to return to what you typed, log in in another tab, then submit again.",
            back="/login",
        )

    async def malformed_request(self, request: Request, error: forms.Malformed) -> Response:
        return self.message(request, 400, "Form refused", f"The form could not be read, so nothing was saved: {error}.")

    async def input_error(self, request: Request, error: InputError) -> Response:
        return self.message(request, 422, "A file has a problem", str(error))

    async def failed(self, request: Request, error: Exception) -> Response:
        """A plain page without the traceback, which goes to the log (stderr); no template, in case they failed."""
        log.error("error while serving %s %s", request.method, request.url.path, exc_info=error)
        return HTMLResponse(FAILED, 500, headers={"Content-Security-Policy": CSP, **HEADERS})  # outside SecurityHeaders

    # -- helpers ----------------------------------------------------------------------------------

    def page(self, request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
        """A page with the browser's CSRF token in its forms; a new session cookie if it had none."""
        session = request.cookies.get(SESSION_COOKIE, "")
        fresh = not re.fullmatch(r"[A-Za-z0-9_-]{40,64}", session)
        if fresh:
            session = Csrf.new_session()
        context.setdefault("person", None)
        html = self.templates.get_template(template).render(csrf=self.csrf.token(session), **context)
        response = HTMLResponse(html, status, headers=headers)
        if fresh:
            self.set_session_cookie(request, response, session)
        return response

    def message(self, request: Request, status: int, title: str, text: str, back: str = "/") -> HTMLResponse:
        return self.page(request, "message.html", status, title=title, text=text, back=back, code=status)

    async def form(self, request: Request) -> list[tuple[str, str]]:
        """The fields of a POSTed form, once its CSRF token is checked."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise forms.Malformed(f"expected a form sent as application/x-www-form-urlencoded, got {kind or 'no content type'}")
        pairs = forms.parse_body(await request.body())
        tokens = [value for key, value in pairs if key == "csrf"]
        if len(tokens) != 1 or not self.csrf.valid(request.cookies.get(SESSION_COOKIE), tokens[0]):
            raise Forbidden
        return pairs

    async def form_or_problem(self, request: Request) -> list[tuple[str, str]] | forms.Malformed:
        """The form's fields, or what makes it unreadable, to show on the page it came from (a refused token is raised)."""
        try:
            return await self.form(request)
        except forms.Malformed as problem:
            return problem

    def ensure_edits(self, person: Person, chapter: str, pairs: list[tuple[str, str]] | forms.Malformed) -> None:
        """A contributor's form for a chapter not theirs is refused outright, whatever it holds."""
        questionnaire = rounds.questionnaire(self.round)
        chapters = {chapter}
        if not isinstance(pairs, forms.Malformed):
            for key, _ in pairs:
                question = questionnaire.question(key[2:]) if key[:2] in ("a.", "s.", "n.", "q.", "i.", "v.") else None
                if question is not None:
                    chapters.add(question.chapter)
        self.ensure_chapters(person, chapters)

    def ensure_chapters(self, person: Person, chapters: set[str]) -> None:
        """Refused (403) unless the person edits every one of ``chapters``."""
        refused = sorted(c for c in chapters if not person.edits(c))
        if refused:
            mine = f"you answer chapters {', '.join(person.chapters)}" if person.chapters else "you answer no chapter"
            role = "reviewer: you comment on chapters and approve or return them" if person.role == "reviewer" else mine
            raise NotAllowed(f"Chapter {', '.join(refused)} is not yours to answer ({person.name}, {role}).")

    def current(self, name: str) -> tuple[Stored, Document]:
        """The file as it is now, with what changed outside selfcheck since it was last seen recorded."""
        stored = self.stored(name)
        document = self.document(stored)
        with database.connect(self.data.root, write=False) as db:
            known = history.known_version(db, name)
        if known != stored.version and isinstance(document.data, dict) and not is_amendment(document.data):
            with database.connect(self.data.root) as db:  # read again inside the write lock: a save in progress has finished
                stored = self.stored(name)
                document = self.document(stored)
                if isinstance(document.data, dict):
                    history.sync(db, name, stored.version, document.data, self.questionnaire_of(document.data))
        return stored, document

    def stored(self, name: str) -> Stored:
        stored = self.data.read(name)
        if stored is None:
            raise HTTPException(404, f"There is no {name}.yaml in the data folder; the start page lists the files there.")
        return stored

    def chapter_of(self, request: Request) -> str:
        chapter = request.path_params["chapter"]
        if chapter not in self.chapter_titles():
            raise HTTPException(404, f"There is no chapter {chapter[:10]!r}; the chapters are {', '.join(self.chapter_titles())}.")
        return chapter

    def chapter_titles(self) -> dict[str, str]:
        return {entry.chapter: entry.title for entry in rulebooks.rulebook(self.round).meta.chapters}

    def progress(self, questionnaire: Any, stored: Stored, statuses: dict[str, history.Status]) -> list[dict[str, Any]]:
        """Each chapter: its title, questions answered and not, its status."""
        entries = entries_of(self.document(stored).data, questionnaire)
        chapters = []
        for chapter, title in self.chapter_titles().items():
            questions = questionnaire.in_chapter(chapter)
            answered = sum("value" in entries.get(q.id, {}) for q in questions)
            chapters.append({"chapter": chapter, "title": title, "total": len(questions), "answered": answered, "status": statuses.get(chapter, history.DRAFT)})
        return chapters

    def document(self, stored: Stored) -> Document:
        """The file's data, parsed once per version (callers only read it)."""
        return self.computed.get(("document", stored.path, stored.version), lambda: document_from_bytes(stored.path, stored.data))

    def rendered_factsheet(self, path: Path, format: str) -> bytes:
        """The factsheet of a file of DATA_DIR in ``format``, rendered once per version of its answers and of the rulebook."""
        answers = self.resolve(path).answers
        rulebook = rulebooks.rulebook(answers.round)

        def rendered() -> bytes:
            layout = self.computed.get(("layout", rulebook.digest), lambda: load_layout(rulebook))
            return render(build_factsheet(self.assessment(answers), answers, rulebook, layout), format)

        return self.computed.get(("factsheet", format, _digest(answers), rulebook.digest), rendered)

    def listed(self, name: str) -> Resolved:
        """What a file of the start page stands for: an answers file from its parse cached by version,
        an amendment resolved afresh (the files it rests on may have changed)."""
        stored = self.stored(name)
        document = self.document(stored)
        if is_amendment(document.data):
            return self.resolve(stored.path)
        return self.computed.get(("answers", stored.path, stored.version), lambda: Resolved(rounds.answers_of(document), stored.path))

    def resolve(self, path: Path) -> Resolved:
        """What a file of DATA_DIR stands for; an amendment leading out of DATA_DIR is refused before that file is read."""
        return resolve(path, within=self.data.root)

    def assessment(self, answers: Answers) -> Any:
        return self.computed.get(("assessment", *self.fingerprint(answers)), lambda: assess(answers, rulebooks.rulebook(answers.round)))

    def fingerprint(self, answers: Answers) -> tuple[str, str]:
        """What anything computed from ``answers`` depends on, as a part of its key: the answers and the rulebook."""
        return _digest(answers), rulebooks.rulebook(answers.round).digest

    def results(self, answers: Answers, name: str, chapter: str | None = None) -> Markup:
        """The results panel as HTML (of one chapter, or all), computed and rendered once per version of the answers and of the rulebook."""
        rulebook = rulebooks.rulebook(answers.round)

        def rendered() -> Markup:
            panel = results(answers, self.assessment(answers), chapter)
            panel["link"] = f"/answers/{name}/chapters/"
            panel["chapter_of"] = {q.id: q.chapter for q in rounds.questionnaire(answers.round).questions.values()}
            panel["words"] = {q.id: q for q in rounds.questionnaire(answers.round).questions.values()}
            return self.templates.get_template("_results.html").module.results(panel)  # type: ignore[attr-defined]

        return self.computed.get(("results", _digest(answers), rulebook.digest, name, chapter), rendered)

    def questionnaire_of(self, data: Any) -> Any:
        given = data.get("round") if isinstance(data, dict) else None
        return rounds.questionnaire(given if given in rounds.known_rounds() else self.round)

    def files(self) -> list[dict[str, Any]]:
        """Every file of DATA_DIR for the start page: answers with their counts and progress, amendments with their bill."""
        listed = []
        statuses_of: dict[str, dict[str, history.Status]] = {}
        with database.connect(self.data.root, write=False) as db:
            for name in self.data.names():
                statuses_of[name] = history.statuses(db, name)
        for name in self.data.names():
            entry: dict[str, Any] = {"name": name, "amendment": None, "error": None}
            try:
                resolved = self.listed(name)
                assessment = self.assessment(resolved.answers)
                entry.update(
                    party=resolved.answers.party,
                    as_of=resolved.answers.as_of,
                    counts=_counts(assessment),
                    amendment=resolved.amendments[-1] if resolved.amendments else None,
                )
                if not resolved.amendments:
                    progress = self.progress(rounds.questionnaire(resolved.answers.round), self.stored(name), statuses_of.get(name, {}))
                    entry.update(
                        answered=sum(c["answered"] for c in progress),
                        total=sum(c["total"] for c in progress),
                        approved=sum(c["status"].status == "approved" for c in progress),
                        chapters=len(progress),
                    )
            except (InputError, BadName, HTTPException) as error:  # listed as refused (or gone meanwhile); the page goes on
                entry["error"] = str(error)
            listed.append(entry)
        return listed


class OncePerVersion:
    """Values computed once per key (a file's version, the rulebook's digest...) and kept for the most
    recent ``size`` keys; shared by the worker threads. Two threads asking for a missing key at once
    may both compute it: the values are equal, and no lock is held while computing."""

    def __init__(self, size: int = 256):
        self.size = size
        self.values: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        value = compute()
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.popitem(last=False)
        return value


def _digest(answers: Answers) -> str:
    return hashlib.sha256(answers.model_dump_json().encode("utf-8")).hexdigest()


def _counts(assessment: Any) -> dict[str, Any] | None:
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


def results(answers: Answers, assessment: Any, chapter: str | None = None) -> dict[str, Any]:
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
    return {"assessment": assessment, "chapters": chapters, "counts": _counts(assessment), "chapter": chapter}


def _pairs(pairs: list[tuple[str, str]] | forms.Malformed) -> list[tuple[str, str]]:
    if isinstance(pairs, forms.Malformed):
        raise pairs
    return pairs


def _local_path(path: str) -> str:
    """A path on this site to go to after logging in, never another site's address."""
    parts = urlsplit(path)
    return path if path.startswith("/") and not path.startswith("//") and not parts.scheme and not parts.netloc and "\\" not in path else "/"


def _parent(path: str) -> str:
    match = re.match(r"^/answers/[a-z0-9-]+(/follow-up)?", path)
    return match.group(0) if match else "/"


def _when(at: str) -> str:
    """A moment of the history as people read it: 1 Dec 2026, 14:03 UTC."""
    try:
        moment = datetime.datetime.fromisoformat(at)
    except ValueError:
        return at
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"
