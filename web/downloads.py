"""What a person takes away from an answers file: the file itself and the reply to the questionnaire
(the coordinator's), and the factsheet, shown as a page or downloaded in each of its formats,
rendered once per version of the answers and of the rulebook."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from selfcheck.engine.answers import rounds
from selfcheck.engine.documents.factsheet import build_factsheet
from selfcheck.engine.documents.layout import load_layout
from selfcheck.engine.documents.rendering import FORMATS, SUFFIXES, render
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.team import database, history
from selfcheck.engine.team.reply import build_reply
from selfcheck.engine.team.reply_formats import FORMATS as REPLY_FORMATS
from selfcheck.engine.team.reply_formats import SUFFIXES as REPLY_SUFFIXES
from selfcheck.engine.team.reply_formats import render_reply
from selfcheck.web.refusals import NotAllowed
from selfcheck.web.site import MEDIA_TYPES, Site

FACTSHEET_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


class Downloads:
    def __init__(self, site: Site):
        self.site = site

    def answers_file(self, request: Request) -> Response:
        person = self.site.who(request)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator exports the answers file.")
        name = request.path_params["name"]
        stored, _ = self.site.current(name)
        headers = {"Content-Disposition": f'attachment; filename="{name}.yaml"'}
        return Response(stored.data, media_type=MEDIA_TYPES["yaml"], headers=headers)

    def reply(self, request: Request) -> Response:
        site = self.site
        person = site.who(request)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator exports the reply.")
        name, format = request.path_params["name"], request.path_params["format"]
        if format not in REPLY_FORMATS:
            raise HTTPException(404, f"no reply format {format!r}; the formats are {', '.join(REPLY_FORMATS)}")
        stored, document = site.current(name)
        answers = rounds.answers_of(site.document(stored))
        with database.connect(site.data.root, write=False) as db:
            statuses = history.statuses(db, name)
        made = build_reply(answers, rounds.questionnaire(answers.round), site.chapter_titles(), statuses, f"{name}.yaml")
        headers = {"Content-Disposition": f'attachment; filename="{name}-reply{REPLY_SUFFIXES[format]}"'}
        return Response(render_reply(made, format), media_type=MEDIA_TYPES[format], headers=headers)

    def factsheet_page(self, request: Request) -> Response:
        self.site.who(request)
        html = self.rendered_factsheet(self.site.stored(request.path_params["name"]).path, "html")
        return Response(html, media_type=MEDIA_TYPES["html"], headers={"Content-Security-Policy": FACTSHEET_CSP})

    def factsheet_file(self, request: Request) -> Response:
        self.site.who(request)
        name, format = request.path_params["name"], request.path_params["format"]
        if format not in FORMATS:
            raise HTTPException(404, f"no factsheet format {format!r}; the formats are {', '.join(FORMATS)}")
        data = self.rendered_factsheet(self.site.stored(name).path, format)
        headers = {"Content-Disposition": f'attachment; filename="{name}-factsheet{SUFFIXES[format]}"', "Content-Security-Policy": FACTSHEET_CSP}
        return Response(data, media_type=MEDIA_TYPES[format], headers=headers)

    def rendered_factsheet(self, path: Path, format: str) -> bytes:
        """The factsheet of a file of DATA_DIR in ``format``, rendered once per version of its answers and of the rulebook."""
        site = self.site
        answers = site.resolve(path).answers
        rulebook = rulebooks.rulebook(answers.round)

        def rendered() -> bytes:
            layout = site.computed.get(("layout", rulebook.digest), lambda: load_layout(rulebook))
            return render(build_factsheet(site.assessment(answers), answers, rulebook, layout), format)

        return site.computed.get(("factsheet", format, *site.fingerprint(answers)), rendered)
