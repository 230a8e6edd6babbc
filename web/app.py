"""The web questionnaire's pages: each one reads or writes files of DATA_DIR and asks the engine the rest.

Answers are checked by the engine's readers, written by ``render_answers`` (and read back before
they replace anything), assessed by ``assess``, explained by ``explain``, printed by the factsheet
renderers, and drafted into amendments and diffed by ``amendments`` and ``diff``.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from engine import rounds
from engine.amendments import Resolved, check_amendment_document, is_amendment, render_amendment, resolve
from engine.answers import Answers, render_answers
from engine.assess import assess
from engine.diff import compare_files
from engine.documents import Document, document_from_bytes, document_from_text, leading_comments
from engine.errors import EngineError, InputError
from engine.explain import explain
from engine.factsheet import build_factsheet
from engine.layout import load_layout
from engine.plaintext import answer_text
from engine.rendering import FORMATS, SUFFIXES, render
from engine.rounds import answers_of, check_answers

from . import forms
from .security import CSP, HEADERS, SESSION_COOKIE, AllowedHosts, Csrf, LimitBody, SecurityHeaders, hosts_allowed
from .storage import NAME_RULE, BadName, Conflict, DataDir, Stored

HERE = Path(__file__).resolve().parent
FACTSHEET_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
MEDIA_TYPES = {
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FAILED = (
    '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Something went wrong – selfcheck</title>'
    '<link rel="stylesheet" href="/static/style.css"><main><section class="message"><h1>Something went wrong</h1>'
    "<p>The questionnaire failed while answering this request; the details are in the log of <code>selfcheck serve</code>. "
    'Nothing was saved by this request.</p><p><a href="/">Back to the start page</a></p></section></main></html>'
)
PAGE_WORKERS = 4
log = logging.getLogger("selfcheck.web")


class Forbidden(Exception):
    """A POST without this process's token for the browser's session."""


def create_app(data_dir: Path, round_id: str | None = None, host: str = "127.0.0.1", allow_hosts: tuple[str, ...] = ()) -> Starlette:
    """The questionnaire's application. Pages that compute run in worker threads, so that the event
    loop keeps answering (static files, other pages) while one is rendered."""
    round_id = round_id or rounds.default_round()
    site = Site(DataDir(data_dir), round_id)
    routes = [
        Route("/", site.threaded(site.index)),
        Route("/new", site.new, methods=["POST"]),
        Route("/answers/{name}", site.answers, methods=["GET", "POST"]),
        Route("/answers/{name}/amendment", site.draft_amendment, methods=["POST"]),
        Route("/amendments/{name}", site.threaded(site.amendment)),
        Route("/factsheet/{name}", site.threaded(site.factsheet)),
        Route("/factsheet/{name}/{format}", site.threaded(site.download)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    # Host names the server answers to: a page of another site that rebinds its name to this
    # machine's address is refused, so it cannot read a form's token.
    middleware = [Middleware(SecurityHeaders), Middleware(AllowedHosts, allowed=hosts_allowed(host, allow_hosts)), Middleware(LimitBody)]
    handlers = {
        HTTPException: site.http_error, BadName: site.bad_name, Forbidden: site.forbidden, forms.Malformed: site.malformed_request,
        InputError: site.input_error, Exception: site.failed,
    }
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


@dataclass
class Explained:
    """A recommendation in the results panel, with its explanation."""

    finding: Any
    explanation: Any


class Site:
    def __init__(self, data: DataDir, round_id: str):
        self.data = data
        self.round = round_id
        self.csrf = Csrf()
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
        )
        self.templates.filters.update(answer=answer_text, citations=lambda citations: rounds.rulebook(round_id).vocabulary.citation_line(citations))
        self.computed = OncePerVersion()
        self.workers: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None

    async def run(self, page, *args) -> Response:
        """``page(*args)`` in one of PAGE_WORKERS threads kept for pages. Pages are CPU work under
        one GIL: more threads would only take its turns from the event loop, which accepts
        requests; static files are read in threads of their own and do not queue behind pages."""
        loop = asyncio.get_running_loop()
        if self.workers is None or self.workers[0] is not loop:  # a limiter belongs to its event loop
            self.workers = (loop, anyio.CapacityLimiter(PAGE_WORKERS))
        return await anyio.to_thread.run_sync(functools.partial(page, *args), limiter=self.workers[1])

    def threaded(self, page):
        """An endpoint running ``page(request)`` in the page workers."""

        async def endpoint(request: Request) -> Response:
            return await self.run(page, request)

        return endpoint

    # -- pages ------------------------------------------------------------------------------------

    def index(self, request: Request) -> Response:
        return self.page(request, "index.html", files=self.files())

    async def new(self, request: Request) -> Response:
        return await self.run(self.create, request, await self.form(request))

    def create(self, request: Request, pairs: list[tuple[str, str]]) -> Response:
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
        answers, problems = check_answers(Document(path, data))
        for problem in problems:
            errors.setdefault(problem.place.describe() or "file", []).append(problem.problem)
        if not errors:
            comments = [f"{answers.party}'s answers to {self.round}, started in the web questionnaire on {today}"]
            text = render_answers(answers, rounds.questionnaire(self.round), comments)
            if answers_of(document_from_text(path, text)) != answers:
                raise EngineError(f"{path}: the answers would not read back as given; nothing was written")
            try:
                self.data.create(name, text)
            except BadName as problem:
                errors["file"] = [str(problem)]
        if errors:
            return self.page(request, "index.html", 422, files=self.files(), new={"file": name, "party": party}, errors=errors)
        return RedirectResponse(f"/answers/{name}", 303)

    async def answers(self, request: Request) -> Response:
        if request.method == "GET":
            return await self.run(self.show_answers, request)
        return await self.run(self.save, request, await self.form_or_problem(request))

    def show_answers(self, request: Request) -> Response:
        name = request.path_params["name"]
        stored = self.stored(name)
        document = self.document(stored)
        if is_amendment(document.data):
            return RedirectResponse(f"/amendments/{name}", 303)
        return self.questionnaire_page(request, name, stored.version, document.data, saved=request.query_params.get("saved") == "1")

    def save(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        name = request.path_params["name"]
        stored = self.stored(name)
        document = self.document(stored)
        if is_amendment(document.data):
            return RedirectResponse(f"/amendments/{name}", 303)
        questionnaire = self.questionnaire_of(document.data)
        try:
            data, _ = forms.submitted(questionnaire, _pairs(pairs), questionnaire.round)
        except forms.Malformed as problem:
            return self.malformed(request, name, stored.version, document.data, problem)
        if dict(pairs).get("version") != stored.version:
            return self.questionnaire_page(request, name, dict(pairs).get("version", ""), data, status=409, conflict=True)
        answers, problems = check_answers(Document(stored.path, data))
        if problems:
            return self.questionnaire_page(request, name, stored.version, data, problems, status=422)
        text = render_answers(answers, questionnaire, leading_comments(stored.data))
        if answers_of(document_from_text(stored.path, text)) != answers:
            raise EngineError(f"{stored.path}: the answers would not read back as given; nothing was written")
        try:
            self.data.save(name, text, stored.version)
        except Conflict:
            return self.questionnaire_page(request, name, stored.version, data, status=409, conflict=True)
        self.results(answers)  # the page the browser is sent to next shows them: computed while it follows the redirect
        return RedirectResponse(f"/answers/{name}?saved=1", 303)

    async def draft_amendment(self, request: Request) -> Response:
        return await self.run(self.draft, request, await self.form_or_problem(request))

    def draft(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """An amendment named after the bill, with the answers the form changes from the saved ones."""
        name = request.path_params["name"]
        stored = self.stored(name)
        document = self.document(stored)
        if is_amendment(document.data):
            return RedirectResponse(f"/amendments/{name}", 303)
        questionnaire = self.questionnaire_of(document.data)
        try:
            data, bill = forms.submitted(questionnaire, _pairs(pairs), questionnaire.round)
        except forms.Malformed as problem:
            return self.malformed(request, name, stored.version, document.data, problem)
        version = dict(pairs).get("version", "")

        def again(problems=(), status=422, **extra):
            return self.questionnaire_page(request, name, version, data, problems, status=status, bill=bill, drafting=True, **extra)

        if version != stored.version:
            return again(status=409, conflict=True)
        answers, problems = check_answers(Document(stored.path, data))
        saved, saved_problems = check_answers(document)
        if problems or saved_problems:
            general = ["the saved answers have problems: save them once corrected, then draft the amendment"] if saved_problems else []
            return again(problems, general=general)
        changes = {}
        for question_id in questionnaire.questions:
            if answers.value(question_id) != saved.value(question_id):
                value = answers.value(question_id)
                changes[question_id] = {"value": list(value) if isinstance(value, tuple) else value}
                if question_id in answers.notes:
                    changes[question_id]["note"] = answers.notes[question_id]
        if not changes:
            return again(general=["no answer differs from the saved answers: change the answers the bill would change, then draft the amendment"])
        file_name = bill["file"] or _slug(bill["title"])
        try:
            path = self.data.path(file_name)
            if path.exists():
                raise BadName(f"{file_name}.yaml already exists: choose another name")
        except BadName as problem:
            return again(file_error=str(problem) if bill["file"] or bill["title"] else f"give the bill's title or a file name ({NAME_RULE})")
        head = {"title": bill["title"], "reference": bill["reference"], "date": bill["date"], "applies_to": f"{name}.yaml"}
        amendment, problems = check_amendment_document(Document(path, {**head, "changes": changes}), questionnaire)
        if problems:
            return again(problems)
        text = render_amendment(amendment, self.data.root, [f"Drafted in the web questionnaire from changed answers to {name}.yaml"])
        written, problems = check_amendment_document(document_from_text(path, text), questionnaire)
        if problems or written.changes != amendment.changes or written.notes != amendment.notes:
            raise EngineError(f"{path}: the amendment would not read back as given; nothing was written")
        try:
            self.data.create(file_name, text)
        except BadName as problem:
            return again(file_error=str(problem))
        return RedirectResponse(f"/amendments/{file_name}", 303)

    def amendment(self, request: Request) -> Response:
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
        return self.page(request, "amendment.html", name=name, amendment=amendment, resolved=resolved, changes=changes,
                         comparison=comparison, base_name=base_name,
                         levels=rounds.rulebook(resolved.answers.round).vocabulary.level_names)

    def factsheet(self, request: Request) -> Response:
        html = self.rendered_factsheet(self.stored(request.path_params["name"]).path, "html")
        return Response(html, media_type=MEDIA_TYPES["html"], headers={"Content-Security-Policy": FACTSHEET_CSP})

    def download(self, request: Request) -> Response:
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
        return self.message(
            request, 403, "Form refused",
            "This form did not carry the questionnaire's security token: it may come from before the questionnaire was "
            "restarted, from a page left open too long, or from another site. Nothing was saved. Reload the page and "
            "submit again (changes you made on the old page are lost).",
            back=request.url.path.removesuffix("/amendment") if request.url.path != "/new" else "/",
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

    def page(self, request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        """A page with the browser's CSRF token in its forms; a new session cookie if it had none."""
        session = request.cookies.get(SESSION_COOKIE, "")
        fresh = not re.fullmatch(r"[A-Za-z0-9_-]{40,64}", session)
        if fresh:
            session = Csrf.new_session()
        html = self.templates.get_template(template).render(csrf=self.csrf.token(session), **context)
        response = HTMLResponse(html, status)
        if fresh:
            response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict", path="/")
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

    def stored(self, name: str) -> Stored:
        stored = self.data.read(name)
        if stored is None:
            raise HTTPException(404, f"There is no {name}.yaml in the data folder; the start page lists the files there.")
        return stored

    def document(self, stored: Stored) -> Document:
        """The file's data, parsed once per version (callers only read it)."""
        return self.computed.get(("document", stored.path, stored.version), lambda: document_from_bytes(stored.path, stored.data))

    def rendered_factsheet(self, path: Path, format: str) -> bytes:
        """The factsheet of a file of DATA_DIR in ``format``, rendered once per version of its answers and of the rulebook."""
        answers = self.resolve(path).answers
        rulebook = rounds.rulebook(answers.round)

        def rendered() -> bytes:
            layout = self.computed.get(("layout", rulebook.digest), lambda: load_layout(rulebook))
            return render(build_factsheet(self.assessment(answers), answers, rulebook, layout), format)

        return self.computed.get(("factsheet", format, _digest(answers), rulebook.digest), rendered)

    def listed(self, name: str):
        """What a file of the start page stands for: an answers file from its parse cached by version,
        an amendment resolved afresh (the files it rests on may have changed)."""
        stored = self.stored(name)
        document = self.document(stored)
        if is_amendment(document.data):
            return self.resolve(stored.path)
        return self.computed.get(("answers", stored.path, stored.version), lambda: Resolved(answers_of(document), stored.path))

    def resolve(self, path: Path):
        """What a file of DATA_DIR stands for; an amendment leading out of DATA_DIR is refused before that file is read."""
        return resolve(path, within=self.data.root)

    def assessment(self, answers: Answers):
        rulebook = rounds.rulebook(answers.round)
        return self.computed.get(("assessment", _digest(answers), rulebook.digest), lambda: assess(answers, rulebook))

    def results(self, answers: Answers) -> Markup:
        """The results panel as HTML, computed and rendered once per version of the answers and of the rulebook."""
        rulebook = rounds.rulebook(answers.round)

        def rendered() -> Markup:
            return self.templates.get_template("_results.html").module.results(results(answers, self.assessment(answers)))

        return self.computed.get(("results", _digest(answers), rulebook.digest), rendered)

    def questionnaire_of(self, data: Any):
        given = data.get("round") if isinstance(data, dict) else None
        return rounds.questionnaire(given if given in rounds.known_rounds() else self.round)

    def malformed(self, request: Request, name: str, version: str, data: Any, problem: forms.Malformed) -> Response:
        general = [f"The form could not be read, so nothing was saved: {problem}. Reload the page and try again."]
        return self.questionnaire_page(request, name, version, data, status=400, general=general)

    def questionnaire_page(self, request: Request, name: str, version: str, data: Any, problems=(), status: int = 200, *,
                           bill: dict | None = None, general=(), file_error: str | None = None, saved: bool = False,
                           conflict: bool = False, drafting: bool = False) -> Response:
        data = data if isinstance(data, dict) else {}
        questionnaire = self.questionnaire_of(data)
        stored = self.data.read(name)
        saved_answers, saved_problems = check_answers(self.document(stored)) if stored else (None, [])
        if not problems and status == 200:
            problems = saved_problems  # a file edited by hand: its problems beside their fields
        state = forms.form_state(questionnaire, data, problems, bill or {"date": datetime.date.today().isoformat()})
        state.general[:0] = list(general)
        if file_error:
            state.errors["bill.file"] = [file_error]
        if not state.as_of:
            state.as_of = datetime.date.today().isoformat()
        return self.page(
            request, "questionnaire.html", status, name=name, version=version, state=state, saved=saved, conflict=conflict,
            conventions=questionnaire.conventions, drafting=drafting or bool(state.errors.get("bill.file")),
            results=self.results(saved_answers) if saved_answers else None,
        )

    def files(self) -> list[dict]:
        """Every file of DATA_DIR for the start page: answers with their counts, amendments with their bill."""
        listed = []
        for name in self.data.names():
            entry = {"name": name, "amendment": None, "error": None}
            try:
                resolved = self.listed(name)
                counts = {level: 0 for level in rounds.rulebook(resolved.answers.round).vocabulary.level_names}
                for finding in self.assessment(resolved.answers).recommendations:
                    counts[finding.level] += 1
                entry.update(party=resolved.answers.party, as_of=resolved.answers.as_of, counts=counts,
                             amendment=resolved.amendments[-1] if resolved.amendments else None)
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
        self.values: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, compute):
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


def results(answers: Answers, assessment) -> dict:
    """The results panel: recommendations by chapter and level, each with its explanation."""
    rulebook = rounds.rulebook(answers.round)
    chapters = []
    for entry in rulebook.meta.chapters:
        found = [f for f in assessment.recommendations if f.chapter == entry.chapter]
        levels = [(level, [Explained(f, explain(answers, rulebook, f.id, assessment=assessment)) for f in found if f.level == level]) for level in rulebook.vocabulary.level_names]
        chapters.append((entry, [(level, items) for level, items in levels if items]))
    counts = {level: sum(f.level == level for f in assessment.recommendations) for level in rulebook.vocabulary.level_names}
    return {"assessment": assessment, "chapters": chapters, "counts": counts}


def _pairs(pairs: list[tuple[str, str]] | forms.Malformed) -> list[tuple[str, str]]:
    if isinstance(pairs, forms.Malformed):
        raise pairs
    return pairs


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:61].rstrip("-")
