"""The follow-up of a Party's answers file in the web questionnaire: its page, saved one chapter's form
at a time and merged one recommendation at a time, started from the assessment, downloaded and
uploaded, with its history.

The file is ``NAME.follow-up.yaml`` beside ``NAME.yaml``: the file ``selfcheck follow-up`` reads,
written whole under the same lock and with the same atomic replacement as the answers, merged by
``engine.follow_up.merge`` (the rule of ``engine.answers.merge``), checked by the follow-up reader,
recorded in the history under the name ``NAME.follow-up``, and checked against the rules once per
version of the answers, of the follow-up file and of the date.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.answer_file import FOLLOW_UP_SUFFIX
from selfcheck.engine.common.errors import InputError
from selfcheck.engine.follow_up import merge as follow_up_merge
from selfcheck.engine.follow_up.follow_up_file import STATUSES, words
from selfcheck.engine.follow_up.formats import render_status
from selfcheck.engine.follow_up.status import FollowUpStatus, head_lines, summary_columns, summary_sections
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.team import database, history
from selfcheck.web import follow_up_forms
from selfcheck.web.auth import Person
from selfcheck.web.follow_up_filters import FLAG_WORDS, Filter, summary_links
from selfcheck.web.follow_up_reading import FollowUpFiles, date_asked, history_name
from selfcheck.web.refusals import NotAllowed
from selfcheck.web.site import MEDIA_TYPES

DOWNLOADS = {  # format -> (file name after NAME, who may: "all" or "coordinator")
    "markdown": ("-situation-report.md", "all"),
    "docx": ("-situation-report.docx", "all"),
    "xlsx": ("-plan-of-action.xlsx", "all"),
    "yaml": (FOLLOW_UP_SUFFIX, "coordinator"),
}


class FollowUpPages:
    def __init__(self, files: FollowUpFiles):
        self.site, self.files = files.site, files

    def page(self, request: Request) -> Response:
        person = self.site.who(request)
        name = request.path_params["name"]
        query = request.query_params
        return self.view(
            request,
            person,
            name,
            saved=query.get("saved"),
            saved_at=query.get("at", ""),
            started="started" in query,
            imported=query.get("imported"),
            added=query.get("added", ""),
            chosen=Filter.of(query),
        )

    def view(
        self,
        request: Request,
        person: Person,
        name: str,
        status: int = 200,
        *,
        shown: Any = None,
        merged: Any = None,
        problems: list[InputError] = (),
        general: list[str] = (),
        upload_error: str = "",
        chosen: Filter = Filter({}),
        **flags: Any,
    ) -> Response:
        """The page: the recommendations of the saved follow-up, each with what is ``shown`` (the saved
        Party's part, or what was typed after a refused save) and the check against the rules."""
        site = self.site
        self.files.answers_file(name)
        on, law_as_of, date_error = date_asked(request)
        followed = self.files.stored(name)
        context: dict[str, Any] = {
            "person": person,
            "name": name,
            "followed": followed is not None,
            "on": on,
            "law_as_of": law_as_of,
            "date_error": date_error,
            "as_of_query": f"?as_of={law_as_of.isoformat()}" if law_as_of else "",
            "general": list(general),
            "upload_error": upload_error,
            "version": followed.version if followed else "",
            "statuses": [(s, words()["statuses"][s]) for s in STATUSES],
            **flags,
        }
        context.setdefault("saved", None)
        context.setdefault("saved_at", "")
        context.setdefault("added", "")
        context["unsaved"] = status != 200
        if request.method == "POST":  # shown again by a refused form: the address of the page, with its filter
            context["address"] = f"/answers/{name}/follow-up" + (f"?{chosen.query()}" if chosen else "")
        try:
            answers = site.listed(name).answers
            context["party"] = answers.party
        except InputError as problem:
            answers, context["party"] = None, name
            context["answers_problem"] = site.shown(problem)
        if followed is None:
            if answers is not None:
                context["count"] = sum(not f.draft for f in site.assessment(answers).recommendations)
            return site.page(request, "follow_up.html", status, **context)
        follow_up, file_problems = self.files.parsed(followed)
        if follow_up is None:
            context["file_problem"] = site.shown(file_problems[0])
            return site.page(request, "follow_up.html", status, **context)
        checked = None
        if answers is not None:
            try:
                checked = self.files.checked(name, followed, follow_up, on, law_as_of)
            except InputError as problem:
                context["answers_problem"] = site.shown(problem)
        entries = follow_up_merge.entries_of(shown if shown is not None else site.document(followed).data)
        items = {item.id: follow_up_forms.item_form(item, entries.get(item.id), merged.tokens if merged else None) for item in follow_up.recommendations}
        context["general"] += follow_up_forms.place_problems(items, list(problems))
        self.annotate(name, items, checked, merged)
        titles = site.chapter_titles()
        chapters = []
        for item in follow_up.recommendations:
            form = items[item.id]
            if not (chosen.matches(form) or form.problem_count or form.theirs is not None):
                continue  # a recommendation the filter leaves out, unless what was typed in it must be seen
            if not chapters or chapters[-1]["chapter"] != item.chapter:
                chapters.append({"chapter": item.chapter, "title": titles.get(item.chapter, ""), "editable": person.edits(item.chapter), "items": []})
            chapters[-1]["items"].append(form)
        no_lead = words()["no_lead"]
        context.update(
            chosen=chosen,
            shown_count=sum(len(c["items"]) for c in chapters),
            total_count=len(items),
            all_chapters=[(chapter, titles.get(chapter, "")) for chapter in dict.fromkeys(item.chapter for item in follow_up.recommendations)],
            levels=list(dict.fromkeys(item.level for item in follow_up.recommendations)),
            leads=sorted({form.values["lead"] for form in items.values() if form.values["lead"]}, key=str.casefold),
            no_lead=no_lead,
            flag_words=FLAG_WORDS,
            tables=summary_links(summary_sections(checked), summary_columns(), no_lead) if checked else [],
            editable_shown=any(c["editable"] for c in chapters),
            chapters=chapters,
            checked=checked,
            conflicts=len(merged.conflicts) if merged else 0,
            problem_count=len(context["general"]) + sum(form.problem_count for form in items.values()),
            head=head_lines(checked) if checked else [],
            columns=summary_columns(),
            flag_counts=checked.flags if checked else {},
            check_words=words()["report"]["check"],
            verbs=words()["report"]["verbs"],
        )
        return site.page(request, "follow_up.html", status, **context)

    def annotate(self, name: str, items: dict[str, follow_up_forms.ItemForm], checked: FollowUpStatus | None, merged: Any) -> None:
        """Each recommendation's flags and what the rules say, its history count, and in a conflict what was saved meanwhile, by whom."""
        for entry in checked.items if checked else []:
            if entry.id in items:
                items[entry.id].flags, items[entry.id].rules_say = entry.flags, entry.rules_say
        with database.connect(self.site.data.root, write=False) as db:
            counts = history.counts_by_question(db, history_name(name), self.files.kind)
            for item_id, (theirs, _) in merged.conflicts.items() if merged else ():
                latest = history.records(db, history_name(name), question=item_id, newest_first=True, limit=1)
                items[item_id].theirs = follow_up_merge.entry_in_words(theirs) or "nothing"
                items[item_id].theirs_by = (latest[0].who, latest[0].at) if latest else None
        for item_id, form in items.items():
            form.changes = counts.get(item_id, 0)

    def download(self, request: Request) -> Response:
        person = self.site.who(request)
        name, format = request.path_params["name"], request.path_params["format"]
        if format not in DOWNLOADS:
            raise HTTPException(404, f"no follow-up format {format!r}; the formats are {', '.join(DOWNLOADS)}")
        suffix, who = DOWNLOADS[format]
        if who == "coordinator" and not person.coordinates:
            raise NotAllowed("Only the coordinator exports the follow-up file.")
        self.files.answers_file(name)
        followed = self.files.stored(name)
        if followed is None:
            raise HTTPException(404, f"There is no {name}{FOLLOW_UP_SUFFIX} yet: the coordinator starts it on the follow-up page.")
        headers = {"Content-Disposition": f'attachment; filename="{name}{suffix}"'}
        if format == "yaml":
            return Response(followed.data, media_type=MEDIA_TYPES[format], headers=headers)
        follow_up, problems = self.files.parsed(followed)
        if follow_up is None:
            raise problems[0]
        on, law_as_of, _ = date_asked(request)
        checked = self.files.checked(name, followed, follow_up, on, law_as_of)
        data = self.site.computed.get(
            ("follow-up download", format, followed.version, *self.site.fingerprint(self.site.listed(name).answers), on, law_as_of),
            lambda: render_status(checked, follow_up, rulebooks.rulebook(follow_up.round), format),
        )
        return Response(data, media_type=MEDIA_TYPES[format], headers=headers)

    def history_page(self, request: Request) -> Response:
        person = self.site.who(request)
        name = request.path_params["name"]
        self.files.answers_file(name)
        self.files.stored(name)
        recommendation = request.query_params.get("recommendation") or None
        if recommendation is not None and recommendation not in rulebooks.rulebook(self.site.round).by_id:
            raise HTTPException(404, "There is no such recommendation in this round.")
        with database.connect(self.site.data.root, write=False) as db:
            records = history.records(db, history_name(name), question=recommendation, newest_first=True, limit=1000)
        questionnaire = rounds.questionnaire(self.site.round)
        shown = [(record, history.record_in_words(record, questionnaire), None) for record in records]
        return self.site.page(
            request,
            "history.html",
            person=person,
            name=name,
            records=shown,
            question=recommendation,
            label=f"recommendation {recommendation}" if recommendation else None,
            follow_up=True,
            file=f"{name}{FOLLOW_UP_SUFFIX}",
        )
