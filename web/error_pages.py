"""The pages that say why a request was refused or failed: each exception a page may raise (not found,
a form without its token, a role that may not, no login, an unreadable form, a file with a problem)
becomes a message a person can act on; anything else a plain 500 page, its traceback in the log."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from selfcheck.engine.common.errors import InputError
from selfcheck.engine.team import database
from selfcheck.web import forms
from selfcheck.web.refusals import Forbidden, LoginRequired, NotAllowed
from selfcheck.web.security import CSP, HEADERS
from selfcheck.web.site import Site, page_address
from selfcheck.web.storage import BadName

FAILED = (
    '<!DOCTYPE html><html lang="en-GB"><meta charset="utf-8"><title>Something went wrong – selfcheck</title>'
    '<link rel="stylesheet" href="/static/style.css"><main><section class="message"><h1>Something went wrong</h1>'
    "<p>The questionnaire failed while answering this request; the details are in the log of <code>selfcheck serve</code>. "
    'Nothing was saved by this request.</p><p><a href="/">Back to the start page</a></p></section></main></html>'
)
DATABASE_FAILED = (
    "The questionnaire could not use its database, so nothing was saved by this request; the details are in "
    "the log of selfcheck serve. Try again in a moment, and tell the questionnaire's administrator if it happens again."
)
log = logging.getLogger("selfcheck.web")


class ErrorPages:
    def __init__(self, site: Site):
        self.site = site

    async def http_error(self, request: Request, error: HTTPException) -> Response:
        titles = {404: "Not found", 405: "Not allowed"}
        return self.site.message(request, error.status_code, titles.get(error.status_code, "Refused"), error.detail)

    async def bad_name(self, request: Request, error: BadName) -> Response:
        return self.site.message(request, 404, "No such file", f"{error} Files are listed on the start page.")

    async def forbidden(self, request: Request, error: Forbidden) -> Response:
        back = page_address(request) if request.url.path != "/login" else "/"
        return self.site.message(
            request,
            403,
            "Form refused",
            "This form did not carry the questionnaire's security token: it may come from before the questionnaire was "
            "restarted, from a page left open too long, or from another site. Nothing was saved. Use your browser's Back "
            "button to return to what you typed, reload the page in another tab, and submit again.",
            back=back,
        )

    async def not_allowed(self, request: Request, error: NotAllowed) -> Response:
        return self.site.message(request, 403, "Not allowed", f"{error} Nothing was changed.", back=_parent(request.url.path))

    async def login_required(self, request: Request, error: LoginRequired) -> Response:
        if request.method == "GET":
            return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
        return self.site.message(
            request,
            401,
            "Please log in",
            "Your session has ended (or you have not logged in), so nothing was saved. "
            "Use your browser's Back button to return to what you typed, log in in another tab, then submit again.",
            back="/login",
        )

    async def malformed_request(self, request: Request, error: forms.Malformed) -> Response:
        return self.site.message(request, 400, "Form refused", f"The form could not be read, so nothing was saved: {error}.")

    async def input_error(self, request: Request, error: InputError) -> Response:
        if Path(error.file).name.startswith(database.FILE_NAME):  # the team's database: who may do what, so nothing of it to strangers
            log.error("the team's database failed while serving %s %s: %s", request.method, request.url.path, error)
            return self.site.message(request, 503, "Not available just now", DATABASE_FAILED)
        return self.site.message(request, 422, "A file has a problem", self.site.shown(error))

    async def client_gone(self, request: Request, error: ClientDisconnect) -> Response:
        """A client that went away (or was cut off as too slow) before sending its whole request: one
        line, no traceback; nobody is left to read the answer."""
        if not request.scope.get("state", {}).get("too_slow"):  # the server's own line said it cut the client off
            log.warning("the client went away before sending the whole request %s %s; nothing was saved by it", request.method, request.url.path)
        return Response(status_code=400)

    async def failed(self, request: Request, error: Exception) -> Response:
        """A plain page without the traceback, which goes to the log (stderr); no template, in case they failed."""
        log.error("error while serving %s %s", request.method, request.url.path, exc_info=error)
        return HTMLResponse(FAILED, 500, headers={"Content-Security-Policy": CSP, **HEADERS})  # outside SecurityHeaders


def _parent(path: str) -> str:
    match = re.match(r"^/answers/[a-z0-9-]+(/follow-up)?", path)
    return match.group(0) if match else "/"
