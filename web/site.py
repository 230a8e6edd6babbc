"""The core every page builds on: the Site holds the configuration, DATA_DIR and what is computed from
its files, says who is asking and what they may edit, reads a POSTed form once its token is checked,
and renders a page or a message with the browser's CSRF token.

Pages are CPU work run in worker threads (``threaded``, ``posted``), so that the event loop keeps
answering while one is rendered. The page modules (``start_pages``, ``team_pages``, ``file_pages``,
``chapter_pages``...) hold a Site and ask it the rest; ``app`` composes them into routes.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import Resolved, is_amendment, resolve
from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.merge import entries_of
from selfcheck.engine.assessment.assess import assess
from selfcheck.engine.common.safe_files import Document, document_from_bytes
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.team import accounts, database, history
from selfcheck.web import forms
from selfcheck.web.auth import Person, Sessions, Throttle, local_person
from selfcheck.web.cache import OncePerVersion
from selfcheck.web.gate import TeamGate
from selfcheck.web.refusals import Forbidden, LoginRequired, NotAllowed
from selfcheck.web.security import SESSION_COOKIE, Csrf
from selfcheck.web.storage import DataDir, Stored

HERE = Path(__file__).resolve().parent
MEDIA_TYPES = {
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "yaml": "application/yaml; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PAGE_WORKERS = 4


class Site:
    def __init__(self, data: DataDir, round_id: str, trust_user_header: str | None, behind_tls: bool, idle: float, lifetime: float):
        self.data = data
        self.gate = TeamGate(data.root)  # before anything else touches the database: a team's that is gone stops the server here
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
        self.templates.filters.update(
            citations=lambda citations: rulebooks.rulebook(round_id).vocabulary.citation_line(citations), when=when, people_date=forms.people_date
        )
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

    # -- who is asking, and what they may edit ---------------------------------------------------------

    def team(self, request: Request) -> bool:
        """Whether the folder has a team, as the gate found it for this request (``gate.FailClosed``)."""
        team = request.scope.get("state", {}).get("team")
        return self.gate.check() if team is None else bool(team)

    def person(self, request: Request) -> Person | None:
        """The person asking: the one local user without a team; with one, the logged-in user (or None)."""
        if not self.team(request):
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

    def shown(self, problem: Exception | str) -> str:
        """A problem as a page shows it: DATA_DIR's files by their names, never by the server's path to them."""
        root = str(self.data.root)
        return str(problem).replace(f"{root}{os.sep}", "").replace(f"the folder {root}", "the folder of answer files").replace(root, "the data folder")

    # -- pages and forms ---------------------------------------------------------------------------------

    def page(self, request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
        """A page with the browser's CSRF token in its forms; a new session cookie if it had none."""
        session = request.cookies.get(SESSION_COOKIE, "")
        fresh = not re.fullmatch(r"[A-Za-z0-9_-]{40,64}", session)
        if fresh:
            session = Csrf.new_session()
        context.setdefault("person", None)
        context.setdefault("page_error", status >= 400)  # the title starts "Error:"
        context.setdefault("address", page_address(request) if request.method == "POST" else "")  # only a page shown by a form takes another address
        html = self.templates.get_template(template).render(csrf=self.csrf.token(session), **context)
        response = HTMLResponse(html, status, headers=headers)
        if fresh:
            self.set_session_cookie(request, response, session)
        return response

    def message(self, request: Request, status: int, title: str, text: str, back: str = "/") -> HTMLResponse:
        return self.page(request, "message.html", status, title=title, text=text, back=back, code=status)

    def set_session_cookie(self, request: Request, response: Response, value: str) -> None:
        response.set_cookie(SESSION_COOKIE, value, httponly=True, samesite="strict", path="/", secure=self.behind_tls or request.url.scheme == "https")

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
            for key in form.keys():
                if key not in ("csrf", "file", "version"):
                    raise forms.Holds("the upload form").refuse(key)
            upload = form.get("file")
            version = form.get("version")
            raw = await upload.read() if isinstance(upload, UploadFile) else b""
            filename = (upload.filename or "") if isinstance(upload, UploadFile) else ""
        return raw, version if isinstance(version, str) else "", filename

    # -- the files of DATA_DIR and what is computed from them -------------------------------------------

    def current(self, name: str) -> tuple[Stored, Document]:
        """The file as it is now, with what changed outside selfcheck since it was last seen recorded."""
        stored = self.stored(name)
        document = self.document(stored)
        with database.connect(self.data.root, write=False) as db:
            known = history.known_version(db, name)
        if known != stored.version and isinstance(document.data, dict) and not is_amendment(document.data):
            # read again under the file's lock (a save in progress has finished, one stopped midway is settled) and the write lock
            with self.data.editing(name) as now, database.connect(self.data.root) as db:
                stored = now or self.stored(name)
                document = self.document(stored)
                if isinstance(document.data, dict):
                    history.sync(db, name, stored.version, document.data, self.questionnaire_of(document.data))
        return stored, document

    def stored(self, name: str) -> Stored:
        stored = self.data.read(name)
        if stored is None:
            raise HTTPException(404, f"There is no {name}.yaml in the data folder; the start page lists the files there.")
        return stored

    def document(self, stored: Stored) -> Document:
        """The file's data, parsed once per version (callers only read it)."""
        return self.computed.get(("document", stored.path, stored.version), lambda: document_from_bytes(stored.path, stored.data))

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

    def questionnaire_of(self, data: Any) -> Any:
        given = data.get("round") if isinstance(data, dict) else None
        return rounds.questionnaire(given if given in rounds.known_rounds() else self.round)

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
        return hashlib.sha256(answers.model_dump_json().encode("utf-8")).hexdigest(), rulebooks.rulebook(answers.round).digest


def fields_of(pairs: list[tuple[str, str]] | forms.Malformed) -> list[tuple[str, str]]:
    """A posted form's fields; what makes the form unreadable is raised."""
    if isinstance(pairs, forms.Malformed):
        raise pairs
    return pairs


def page_address(request: Request) -> str:
    """The address of the page a POSTed form is on: the page shown again when it is refused takes it
    (app.js sets it in the browser, so that a reload shows the page instead of sending the form again)."""
    path = request.url.path
    if path in ("/new", "/logout"):
        return "/"
    path = re.sub(r"/(amendment|review|import)$", "", path)
    path = re.sub(r"^/team/.*$", "/team", path)
    return re.sub(r"/follow-up/chapters/([^/]+)$", r"/follow-up?chapter=\1", path)


def when(at: str) -> str:
    """A moment of the history as people read it, dated as the factsheet dates: 01.12.2026, 14:03 UTC."""
    try:
        moment = datetime.datetime.fromisoformat(at)
    except ValueError:
        return at
    return f"{moment:%d.%m.%Y, %H:%M} UTC"
