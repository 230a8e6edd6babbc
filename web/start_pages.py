"""The start page: every file of DATA_DIR, answers with their counts and progress and amendments with
their bill; and a new answers file started from it by the coordinator, recorded in the history."""

from __future__ import annotations

import datetime
import os
import stat
import time
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import is_amendment
from selfcheck.engine.answers.answer_file import answers_text
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import Document, document_from_text
from selfcheck.engine.team import accounts, database, history
from selfcheck.web import forms
from selfcheck.web.auth import Person
from selfcheck.web.cache import OncePerVersion
from selfcheck.web.refusals import NotAllowed
from selfcheck.web.results import counts
from selfcheck.web.saving import not_saved
from selfcheck.web.site import Site, fields_of
from selfcheck.web.storage import BadName, NotSaved, Stored, version_of
from selfcheck.web.todo import to_do

RACY_NS = 2_000_000_000  # a file changed this recently may change again within the same timestamp


class StartPages:
    def __init__(self, site: Site):
        self.site = site
        self.rows = OncePerVersion(4096)  # each file's row, by its version (or stamp) and its chapters' statuses

    def index(self, request: Request) -> Response:
        person = self.site.who(request)
        return self.site.page(request, "index.html", files=self.files(person), person=person)

    def create(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        site = self.site
        person = site.who(request)
        pairs = fields_of(pairs)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator starts new answer files.")
        fields = forms.only(pairs, ("csrf", "file", "party"), "the form starting a new answers file")
        name, party = fields.get("file", "").strip(), fields.get("party", "")
        errors: dict[str, list[str]] = {}
        today = datetime.date.today()
        data = {"party": party, "round": site.round, "as_of": today.isoformat(), "answers": {}}
        try:
            path = site.data.path(name)
        except BadName as problem:
            errors["file"] = [str(problem)]
            path = site.data.root / "new.yaml"  # only names the document whose party is checked
        answers, problems = rounds.check_answers(Document(path, data))
        for problem in problems:
            errors.setdefault(problem.place.describe() or "file", []).append(forms._head_words(problem.place.describe(), problem.problem))
        if answers is not None and not errors:
            comments = [f"{answers.party}'s answers to {site.round}, started in the web questionnaire on {today} by {person.name}"]
            text = answers_text(answers, rounds.questionnaire(site.round), comments, path)
            try:
                with site.data.writing(name) as writing:
                    writing.create(text)
                    history.remember(writing.db, name, version_of(text.encode("utf-8")), document_from_text(path, text).data, rounds.questionnaire(site.round))
            except BadName as problem:
                errors["file"] = [str(problem)]
            except NotSaved as error:
                errors["file"] = [not_saved(error, "Start it again once that is put right, or tell whoever runs the questionnaire.")]
        if errors:
            return site.page(request, "index.html", 422, files=self.files(person), person=person, new={"file": name, "party": party}, errors=errors)
        return RedirectResponse(f"/answers/{name}", 303)

    def files(self, person: Person) -> list[dict[str, Any]]:
        """Every file of DATA_DIR for the start page: answers with their counts, progress and the
        person's to-do, amendments with their bill."""
        site = self.site
        users = accounts.list_users(site.data.root)
        listed = []
        statuses_of: dict[str, dict[str, history.Status]] = {}
        names = site.data.names()
        with database.connect(site.data.root, write=False) as db:
            for name in names:
                statuses_of[name] = history.statuses(db, name)
        for name in names:
            entry: dict[str, Any] = {"name": name, "amendment": None, "error": None}
            try:
                entry.update(self.row(name, statuses_of.get(name, {})))
                if "progress" in entry:
                    entry["todo"] = to_do(person, entry.pop("progress"), users)
            except (InputError, BadName, HTTPException) as error:  # listed as refused (or gone meanwhile); the page goes on
                entry["error"] = site.shown(error)
            listed.append(entry)
        return listed

    def row(self, name: str, statuses: dict[str, history.Status]) -> dict[str, Any]:
        """What the start page shows of a file, but the person's to-do: computed once per version of the
        file and of its chapters' statuses. The version is known from the file's size, times and inode
        while they tell writes apart, so an unchanged file is not even read."""
        site = self.site
        reviewed = tuple(sorted(statuses.items()))
        stamp = _stamp(site.data.path(name))
        known = self.rows.find((name, stamp, reviewed)) if stamp is not None else None
        if known is not None:
            return known
        stored = site.stored(name)
        if is_amendment(site.document(stored).data):  # resolved afresh every time: the files it rests on may have changed
            return self._row(name, stored, site.listed(name), statuses)
        row = self.rows.get(("version", name, stored.version, reviewed), lambda: self._row(name, stored, site.listed(name), statuses))
        if stamp is not None and stamp == _stamp(stored.path):  # the file read is the one stat described
            self.rows.get((name, stamp, reviewed), lambda: row)
        return row

    def _row(self, name: str, stored: Stored, resolved: Any, statuses: dict[str, history.Status]) -> dict[str, Any]:
        site = self.site
        row: dict[str, Any] = dict(
            party=resolved.answers.party,
            as_of=resolved.answers.as_of,
            counts=counts(site.assessment(resolved.answers)),
            amendment=resolved.amendments[-1] if resolved.amendments else None,
        )
        if not resolved.amendments:
            progress = site.progress(rounds.questionnaire(resolved.answers.round), stored, statuses)
            row.update(
                answered=sum(c["answered"] for c in progress),
                total=sum(c["total"] for c in progress),
                approved=sum(c["status"].status == "approved" for c in progress),
                chapters=len(progress),
                progress=progress,
            )
        return row


def _stamp(path: Path) -> tuple[int, ...] | None:
    """A regular file's size, times and inode; None when it changed too recently for them to tell two writes apart."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode) or max(status.st_mtime_ns, status.st_ctime_ns) > time.time_ns() - RACY_NS:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
