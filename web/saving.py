"""Answers a form sends, merged into the answers file one question at a time (``engine.answers.merge``)
under the file's lock, each change recorded in the history; or, when nothing may be written (a
conflict, a chapter under review, a problem, a file changed outside selfcheck), the page the form
came from shown again with what was typed, and no trace left."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import is_amendment
from selfcheck.engine.answers.answer_file import answers_text
from selfcheck.engine.answers.merge import Merged, merge
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import Document, document_from_text, leading_comments
from selfcheck.engine.team import history
from selfcheck.web import forms
from selfcheck.web.auth import Person
from selfcheck.web.refusals import Refused
from selfcheck.web.results import changed_recommendations, panel_html
from selfcheck.web.site import Site, when
from selfcheck.web.storage import Conflict, NotSaved, Stored, version_of

# The page the form came from, shown again: (the file as read under the lock, the merge, status, problems, general messages).
ShowAgain = Callable[[Stored, Merged, int, list[InputError], list[str]], Response]


def ensure_answers(name: str, data: Any) -> None:
    """Refused (409) unless ``name`` is an answers file: an amendment is a bill's changes, which no
    answers form, review or import may overwrite or annotate."""
    if is_amendment(data):
        raise HTTPException(
            409,
            f"{name}.yaml is an amendment, not an answers file: this form would overwrite or annotate its bill, so nothing was "
            f"changed. Its page is /amendments/{name}.",
        )


def save_answers(site: Site, person: Person, name: str, submission: forms.Submission, chapter: str | None, again: ShowAgain) -> Response:
    """Merge what the form sent into the file, under its lock; record each change; or show why not."""
    try:
        return _merged_save(site, person, name, submission, chapter, again)
    except Refused as refused:
        return refused.response


def not_saved(
    error: NotSaved, then: str = "What you typed is still on this page: save again once that is put right, or tell whoever runs the questionnaire."
) -> str:
    """What the page shown again says of a write that failed, and what to do."""
    return f"Nothing was saved: {error}. {then}"


def _merged_save(site: Site, person: Person, name: str, submission: forms.Submission, chapter: str | None, show_again: ShowAgain) -> Response:
    shown: list[Callable[..., Response]] = []  # the page to show again, once the file is read
    try:
        return _merged_write(site, person, name, submission, chapter, show_again, shown)
    except NotSaved as error:
        if not shown:
            raise HTTPException(503, not_saved(error)) from None
        return shown[0](503, general=[not_saved(error)])


def _merged_write(
    site: Site, person: Person, name: str, submission: forms.Submission, chapter: str | None, show_again: ShowAgain, shown: list[Callable[..., Response]]
) -> Response:
    with site.data.writing(name) as writing:
        current, db = writing.current, writing.db
        if current is None:
            raise HTTPException(404, f"There is no {name}.yaml in the data folder; the start page lists the files there.")
        document = site.document(current)
        ensure_answers(name, document.data)
        before, _ = rounds.check_answers(document)
        questionnaire = site.questionnaire_of(document.data)
        history.sync(db, name, current.version, document.data, questionnaire)
        merged = merge(document.data, submission.entries, submission.seen, questionnaire)

        def again(status: int, problems: list[InputError] = (), general: list[str] = ()) -> Response:
            return show_again(current, merged, status, problems, list(general))

        shown.append(again)
        locked = _locked_chapters(db, name, merged, questionnaire)
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
                writing.replace(text)
            except Conflict:  # an editor wrote the file meanwhile, without the lock: nothing is recorded either
                raise Refused(again(409, general=[f"{name}.yaml was changed outside selfcheck while saving, so nothing was saved: reload the page."])) from None
            panel_html(site, answers, name, chapter)  # the page the browser goes to next shows them: computed meanwhile
            recommendations = changed_recommendations(site.assessment(before) if before else None, site.assessment(answers))
        else:
            recommendations = {}
    if submission.theirs:  # "take theirs" of a question in conflict
        at = f"q-{submission.theirs}"
    elif submission.save.removeprefix("q-") in submission.entries:  # its "keep mine"
        at = submission.save
    elif submission.focus in submission.entries:
        at = f"q-{submission.focus}"
    else:
        at = submission.save if re.fullmatch(r"question-\d+|about", submission.save) else ""
    if chapter is None:  # the file's own page has one form: the Party and the date
        at = "about"
    target = f"/answers/{name}" if chapter is None else f"/answers/{name}/chapters/{chapter}"
    query = {"saved": str(len(merged.changed)), **({"at": at} if at else {}), **{kind: ",".join(ids) for kind, ids in recommendations.items() if ids}}
    # To the confirmation, which stands where the person saved: as the address's target it takes the focus.
    return RedirectResponse(f"{target}?{urlencode(query)}#saved", 303)


def _locked_chapters(db: Any, name: str, merged: Merged, questionnaire: Any) -> str:
    """Why the changes may not land: a chapter under review or approved (since the page was opened)."""
    statuses = history.statuses(db, name)
    touched = {questionnaire.questions[key].chapter for key in {*merged.changed, *merged.conflicts} if key in questionnaire.questions}
    for chapter in sorted(touched):
        status = statuses.get(chapter, history.DRAFT)
        if status.status != "draft":
            state = "approved" if status.status == "approved" else "submitted for review"
            return (
                f"Chapter {chapter} was {state} by {status.who} ({when(status.at)}), so it is read-only and nothing was "
                "saved. What you typed is still on this page: copy what you need, and ask for the chapter to be "
                "returned or reopened."
            )
    return ""
