"""The team's pages: logging in (throttled) and out, and the coordinator's page assigning chapters.

Who a person is and what their role lets them do is ``auth``'s to say; a folder without users has
no login, and these pages send its one person to the start page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from selfcheck.engine.team import accounts
from selfcheck.web import forms
from selfcheck.web.auth import verify
from selfcheck.web.refusals import NotAllowed
from selfcheck.web.security import SESSION_COOKIE, Csrf
from selfcheck.web.site import Site, fields_of


class TeamPages:
    def __init__(self, site: Site):
        self.site = site

    def login_page(self, request: Request) -> Response:
        if not self.site.team(request):
            return RedirectResponse("/", 303)
        return self.site.page(request, "login.html", next=_local_path(request.query_params.get("next", "/")), name="", error=None)

    def login(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        site = self.site
        fields = forms.only(fields_of(pairs), ("csrf", "name", "password", "next"), "the login form")
        name, password, next_page = fields.get("name", "").strip(), fields.get("password", ""), _local_path(fields.get("next", "/"))
        if site.trust_user_header or not site.team(request):
            return RedirectResponse("/", 303)
        keys = [f"name:{name.lower()}", f"address:{request.client.host if request.client else ''}"]
        wait = site.throttle.attempt(keys)
        if wait:
            error = (
                f"Too many failed attempts: wait {wait} seconds before trying again. "
                "If you have forgotten your password, ask your coordinator to set a new one."
            )
            return site.page(request, "login.html", 429, next=next_page, name=name, error=error, headers={"Retry-After": str(wait)})
        person = verify(site.data.root, name, password) if accounts.NAME.fullmatch(name) else None
        if person is None:
            return site.page(request, "login.html", 401, next=next_page, name=name, error="The name or the password is wrong.")
        site.throttle.succeeded(keys)
        user = accounts.find_user(site.data.root, person.name)
        assert user is not None
        token = site.sessions.start(user)
        response = RedirectResponse(next_page, 303)
        site.set_session_cookie(request, response, token)  # a new session at every login: none planted before is taken over
        return response

    def logout(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        forms.only(fields_of(pairs), ("csrf",), "the logout form")
        self.site.sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login" if self.site.team(request) else "/", 303)
        self.site.set_session_cookie(request, response, Csrf.new_session())
        return response

    def team(self, request: Request) -> Response:
        person = self.site.who(request)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator assigns chapters.")
        return self.site.page(request, "team.html", person=person, users=accounts.list_users(self.site.data.root), chapters=self.site.chapter_titles())

    def assign(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        person = self.site.who(request)
        pairs = fields_of(pairs)
        if not person.coordinates or not person.team:
            raise NotAllowed("Only the coordinator assigns chapters.")
        titles = self.site.chapter_titles()
        chosen = [value for key, value in pairs if key == "chapter"]
        forms.only([pair for pair in pairs if pair[0] != "chapter"], ("csrf",), "the form assigning chapters")
        if any(value not in titles for value in chosen):
            raise forms.Malformed(f"no chapter {next(v for v in chosen if v not in titles)[:10]!r}")
        accounts.set_user(self.site.data.root, request.path_params["user"], chapters=tuple(c for c in titles if c in chosen))
        return RedirectResponse("/team?saved=1", 303)


def _local_path(path: str) -> str:
    """A path on this site to go to after logging in, never another site's address."""
    parts = urlsplit(path)
    return path if path.startswith("/") and not path.startswith("//") and not parts.scheme and not parts.netloc and "\\" not in path else "/"
