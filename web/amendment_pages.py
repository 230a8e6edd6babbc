"""Amendments in the web questionnaire: one drafted by the coordinator from a chapter's form (the answers
it changes from the saved ones, named after the bill), and an amendment's page: its bill, the answers
it changes with their notes, and what that changes in the recommendations (``engine.drafting.diff``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.amendments import changes_between, draft_amendment, file_name_for, is_amendment
from selfcheck.engine.answers.merge import merge
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.common.safe_files import Document
from selfcheck.engine.drafting.diff import compare_files
from selfcheck.engine.rules import rulebooks
from selfcheck.web import forms
from selfcheck.web.chapter_pages import ChapterPages
from selfcheck.web.refusals import NotAllowed
from selfcheck.web.site import Site, fields_of
from selfcheck.web.storage import NAME_RULE, BadName


class AmendmentPages:
    def __init__(self, site: Site, chapters: ChapterPages):
        self.site = site
        self.chapters = chapters

    def draft(self, request: Request, pairs: list[tuple[str, str]] | forms.Malformed) -> Response:
        """An amendment named after the bill, with the answers the form changes from the saved ones."""
        site = self.site
        person = site.who(request)
        name, chapter = request.path_params["name"], site.chapter_of(request)
        if not person.coordinates:
            raise NotAllowed("Only the coordinator drafts amendments.")
        stored, document = site.current(name)
        if is_amendment(document.data):
            return RedirectResponse(f"/amendments/{name}", 303)
        questionnaire = site.questionnaire_of(document.data)
        try:
            submission = forms.submitted(questionnaire, fields_of(pairs), forms.chapter_holds(questionnaire, chapter, bill=True))
        except forms.Malformed as problem:
            return self.chapters.view(request, person, name, chapter, stored, document.data, status=400, general=[problem.said()])
        merged = merge(document.data, submission.entries, submission.seen, questionnaire)
        bill = submission.bill

        def again(problems: list[InputError] = (), status: int = 422, **extra: Any) -> Response:
            return self.chapters.view(request, person, name, chapter, stored, merged.shown, problems, status, merged=merged, bill=bill, drafting=True, **extra)

        if merged.conflicts:
            return again(status=409)
        # Every problem at once, each beside its field: the answers, the bill, its file name.
        answers, problems = rounds.check_answers(Document(stored.path, merged.data))
        saved, saved_problems = rounds.check_answers(document)
        general = ["The saved answers have problems: save them once corrected, then draft the amendment."] if saved_problems else []
        readable = answers is not None and saved is not None and not problems and not saved_problems
        changes = changes_between(saved, answers, questionnaire) if readable else {}
        if readable and not changes:
            general.append("No answer differs from the saved answers: change the answers the bill would change, then draft the amendment.")
        file_name = bill["file"] or file_name_for(bill["title"])
        file_error = None
        try:
            path = site.data.path(file_name)
            if path.exists():
                raise BadName(f"{file_name}.yaml already exists: choose another name")
        except BadName as problem:
            path = site.data.root / "amendment.yaml"  # only names the draft whose bill is checked
            file_error = str(problem) if bill["file"] or bill["title"] else f"Give the bill's title or a file name ({NAME_RULE})."
        head = {"title": bill["title"], "reference": bill["reference"], "date": bill["date"], "applies_to": f"{name}.yaml"}
        text, drafted = draft_amendment(
            head, changes, path, questionnaire, [f"Drafted in the web questionnaire by {person.name} from changed answers to {name}.yaml"]
        )
        problems = [*problems, *(p for p in drafted if changes or p.place.keys[:1] != ("changes",))]  # no change is said once, above
        if text is None or general or problems or file_error:
            return again(problems, general=general, file_error=file_error)
        try:
            site.data.create(file_name, text)
        except BadName as problem:
            return again(file_error=str(problem))
        return RedirectResponse(f"/amendments/{file_name}", 303)

    def page(self, request: Request) -> Response:
        site = self.site
        person = site.who(request)
        name = request.path_params["name"]
        stored = site.stored(name)
        if not is_amendment(site.document(stored).data):
            return RedirectResponse(f"/answers/{name}", 303)
        resolved = site.resolve(stored.path)
        amendment = resolved.amendments[-1]
        comparison = compare_files(resolved.answers_file, stored.path)
        before = site.resolve(amendment.applies_to).answers
        questionnaire = rounds.questionnaire(resolved.answers.round)
        changes = [
            (questionnaire.question(q), before.value(q), value, amendment.notes[q])
            for q, value in sorted(amendment.changes.items(), key=lambda item: questionnaire.index(item[0]))
        ]
        base = resolved.answers_file.resolve()
        base_name = base.stem if base.parent == site.data.root else None
        return site.page(
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
