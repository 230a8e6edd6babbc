"""The web questionnaire's application: every URL and the page that answers it, the middleware that
guards them all, and the page that says why a request was refused or failed.

The pages are grouped by what people do, each module holding the core ``site.Site``: ``start_pages``
(the start page, a new file), ``team_pages`` (login, logout, the team), ``file_pages`` (a file's
overview, history and import), ``chapter_pages`` (a chapter and its save), ``review_pages``,
``amendment_pages``, ``downloads`` (the file, the reply, the factsheet), and the follow-up's ``follow_up_pages`` and
``follow_up_writes`` over ``follow_up_reading``.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from selfcheck.engine.answers import rounds
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.team import database
from selfcheck.web import forms
from selfcheck.web.amendment_pages import AmendmentPages
from selfcheck.web.chapter_pages import ChapterPages
from selfcheck.web.downloads import Downloads
from selfcheck.web.error_pages import ErrorPages
from selfcheck.web.file_pages import FilePages
from selfcheck.web.follow_up_pages import FollowUpPages
from selfcheck.web.follow_up_reading import FollowUpFiles
from selfcheck.web.follow_up_writes import FollowUpWrites
from selfcheck.web.gate import FailClosed
from selfcheck.web.refusals import Forbidden, LoginRequired, NotAllowed
from selfcheck.web.review_pages import ReviewPages
from selfcheck.web.security import AllowedHosts, LimitBody, SecurityHeaders, hosts_allowed
from selfcheck.web.site import HERE, Site
from selfcheck.web.start_pages import StartPages
from selfcheck.web.storage import BadName, DataDir
from selfcheck.web.team_pages import TeamPages


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
    site.data.recover()  # a write stopped midway (the server killed) is settled before any page reads the files
    start, team, files, chapters = StartPages(site), TeamPages(site), FilePages(site), ChapterPages(site)
    review, amendments, downloads, follow_up = ReviewPages(site, chapters), AmendmentPages(site, chapters), Downloads(site), FollowUpPages(FollowUpFiles(site))
    follow_up_writes = FollowUpWrites(follow_up)
    t, posted = site.threaded, site.posted
    routes = [
        Route("/", t(start.index)),
        Route("/login", t(team.login_page)),
        Route("/login", posted(team.login), methods=["POST"]),
        Route("/logout", posted(team.logout), methods=["POST"]),
        Route("/team", t(team.team)),
        Route("/team/{user}", posted(team.assign), methods=["POST"]),
        Route("/new", posted(start.create), methods=["POST"]),
        Route("/answers/{name}", t(files.overview)),
        Route("/answers/{name}", posted(files.save_about), methods=["POST"]),
        Route("/answers/{name}/history", t(files.history)),
        Route("/answers/{name}/file", t(downloads.answers_file)),
        Route("/answers/{name}/import", files.import_file, methods=["POST"]),
        Route("/answers/{name}/reply/{format}", t(downloads.reply)),
        Route("/answers/{name}/chapters/{chapter}", t(chapters.page)),
        Route("/answers/{name}/chapters/{chapter}", posted(chapters.save), methods=["POST"]),
        Route("/answers/{name}/chapters/{chapter}/amendment", posted(amendments.draft), methods=["POST"]),
        Route("/answers/{name}/chapters/{chapter}/review", posted(review.review), methods=["POST"]),
        Route("/amendments/{name}", t(amendments.page)),
        Route("/factsheet/{name}", t(downloads.factsheet_page)),
        Route("/factsheet/{name}/{format}", t(downloads.factsheet_file)),
        Route("/answers/{name}/follow-up", t(follow_up.page)),
        Route("/answers/{name}/follow-up", posted(follow_up_writes.start), methods=["POST"]),
        Route("/answers/{name}/follow-up/history", t(follow_up.history_page)),
        Route("/answers/{name}/follow-up/download/{format}", t(follow_up.download)),
        Route("/answers/{name}/follow-up/import", follow_up_writes.upload, methods=["POST"]),
        Route("/answers/{name}/follow-up/save", posted(follow_up_writes.save), methods=["POST"]),
        Route("/answers/{name}/follow-up/add", posted(follow_up_writes.add), methods=["POST"]),
        Route("/answers/{name}/follow-up/chapters/{chapter}", posted(follow_up_writes.save), methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    # Host names the server answers to: a page of another site that rebinds its name to this
    # machine's address is refused, so it cannot read a form's token.
    # Then the team's database, before any page: while it cannot say who may come in, nobody does.
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(AllowedHosts, allowed=hosts_allowed(host, allow_hosts)),
        Middleware(FailClosed, gate=site.gate),
        Middleware(LimitBody),
    ]
    errors = ErrorPages(site)
    handlers = {
        HTTPException: errors.http_error,
        BadName: errors.bad_name,
        Forbidden: errors.forbidden,
        forms.Malformed: errors.malformed_request,
        forms.NotHeld: errors.not_allowed,
        NotAllowed: errors.not_allowed,
        LoginRequired: errors.login_required,
        InputError: errors.input_error,
        ClientDisconnect: errors.client_gone,
        Exception: errors.failed,
    }
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
