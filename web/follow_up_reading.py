"""Reading a follow-up for the web: the file as it is now (outside changes recorded), parsed and
checked against the rules once per version, and the date a page is asked for. The pages
(``follow_up_pages``) and the writes (``follow_up_writes``) share it."""

from __future__ import annotations

import datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request

from selfcheck.engine.answers.amendments import is_amendment
from selfcheck.engine.answers.answer_file import FOLLOW_UP_SUFFIX
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import Document
from selfcheck.engine.follow_up.follow_up_file import FollowUp, check_follow_up_document, ensure_same_party
from selfcheck.engine.follow_up.status import FollowUpStatus, check_status
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.team import database, history
from selfcheck.web import forms
from selfcheck.web.site import Site
from selfcheck.web.storage import SUFFIX, Stored


class FollowUpFiles:
    def __init__(self, site: Site):
        self.site = site
        self.kind = history.follow_up_kind(rulebooks.rulebook(site.round))

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
                known = history.known_version(db, history_name(name))
            if known != followed.version:
                with self.site.data.editing(name, FOLLOW_UP_SUFFIX) as current, database.connect(self.site.data.root) as db:
                    if current is not None:  # read under the lock: a save in progress has finished
                        history.sync(db, history_name(name), current.version, self.site.document(current).data, self.kind)
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


def history_name(name: str) -> str:
    """The follow-up's name in the history, as an answers file's is its name: albania.follow-up."""
    return name + FOLLOW_UP_SUFFIX.removesuffix(SUFFIX)


def follow_up_of(document: Document) -> FollowUp:
    follow_up, problems = check_follow_up_document(document)
    if problems or follow_up is None:
        raise problems[0]
    return follow_up


def date_or_none(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def date_asked(request: Request) -> tuple[datetime.date, datetime.date | None, str]:
    """The date deadlines and measures are checked on, and the law taken at (as ``--as-of``): the
    page's ``as_of``, or today with every bill applied; and what is wrong with the date given."""
    given = request.query_params.get("as_of", "").strip()
    day = date_or_none(forms.date_from_people(given))
    if given and day is None:
        return datetime.date.today(), None, f"Give the date as day.month.year, for example 01.07.2026; {given[:40]!r} is not such a date, so today is used."
    return day or datetime.date.today(), day, ""
