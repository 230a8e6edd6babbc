"""The situation report: per recommendation, the Committee's text, the Party's status, measures with
dates, what remains and who leads, and the check against the rules - marked as the Party's own
account. Built here as a neutral document; templates/situation-report.md.j2 lays it out in
Markdown, ``engine.follow_up.report_docx`` in Word; ``engine.follow_up.formats`` picks the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selfcheck.engine.answers.in_force import law_line
from selfcheck.engine.assessment.assess import because_words
from selfcheck.engine.follow_up.follow_up_file import FollowUp, Item, date_text, fill, status_label, words
from selfcheck.engine.follow_up.status import FollowUpStatus, ItemStatus, head_lines, summary_columns, summary_sections
from selfcheck.engine.rules.rulebook import Rulebook
from selfcheck.engine.rules.vocabulary import Vocabulary


@dataclass
class Line:
    label: str
    text: str


@dataclass
class Entry:
    heading: str
    committee_lead: str  # "The Committee requires Albania:"
    text: str  # the Committee's words, verbatim
    references: str
    check: Line  # what the rules say, and the flags: inferred, not the Committee's
    status: Line | None = None
    details: list[Line] = field(default_factory=list)
    measures_label: str = ""
    measures: list[list[str]] = field(default_factory=list)  # each measure's lines
    no_measures: str = ""
    remains: Line | None = None
    note: Line | None = None


@dataclass
class Table:
    heading: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Chapter:
    heading: str
    entries: list[Entry]


@dataclass
class SituationReport:
    party: str
    language: str
    title: str
    subtitle: str
    account: str
    header: str  # on every page of the Word report
    situation_on: str
    summary_heading: str
    tables: list[Table]
    recommendations_heading: str
    chapters: list[Chapter]
    not_in_file_heading: str
    not_in_file: list[Entry]
    provenance: str
    keywords: str


def situation_report(status: FollowUpStatus, follow_up: FollowUp, rulebook: Rulebook) -> SituationReport:
    said = words()["report"]
    party = status.party
    provenance = status.provenance
    committee = said["committee"]
    law = law_line(provenance.law_as_of)
    checked = {item.id: item for item in status.items}
    titles = {entry.chapter: entry.title for entry in rulebook.meta.chapters}
    chapters: list[Chapter] = []
    for item in follow_up.recommendations:
        if not chapters or chapters[-1].heading != fill(said["chapter_heading"], chapter=item.chapter, title=titles.get(item.chapter, "")):
            chapters.append(Chapter(fill(said["chapter_heading"], chapter=item.chapter, title=titles.get(item.chapter, "")), []))
        chapters[-1].entries.append(_entry(item, checked[item.id], party, rulebook.vocabulary))
    columns = summary_columns()
    tables = [
        Table(heading, [""] + [header for _, header in columns], [[tally.name] + [str(getattr(tally, name)) for name, _ in columns] for tally in tallies])
        for heading, tallies in summary_sections(status)
    ]
    not_in_file = [
        Entry(
            heading=_heading(entry.id, entry.level, rulebook.vocabulary),
            committee_lead=_lead(entry.id, entry.level, party, rulebook.vocabulary),
            text=entry.text,
            references="",
            check=Line(
                said["check"],
                "; ".join(
                    [fill(words()["rules_say"]["applies"], because=because_words(entry.because, rulebook.questionnaire))] + [flag.text for flag in entry.flags]
                ),
            ),
        )
        for entry in status.not_in_file
    ]
    return SituationReport(
        party=party,
        language=said["language"],
        title=fill(said["title"], party=party),
        subtitle=fill(
            said["subtitle"], committee=committee, report_title=fill(said["report_title"], report=provenance.report, round_title=rulebook.meta.title)
        ),
        account=fill(said["account"], party=party, committee=committee),
        header=fill(said["running_header"], party=party, committee=committee),
        situation_on=fill(said["situation_on"], date=date_text(status.checked_on), law=law),
        summary_heading=said["summary_heading"],
        tables=tables,
        recommendations_heading=said["recommendations_heading"],
        chapters=chapters,
        not_in_file_heading=said["not_in_file_heading"],
        not_in_file=not_in_file,
        provenance=" ".join(
            [
                fill(
                    said["provenance"],
                    party=party,
                    answers_as_of=provenance.answers_as_of or "-",
                    round=provenance.round,
                    report=provenance.report,
                    rulebook_sha256=provenance.rulebook_sha256,
                    law=law,
                )
            ]
            + head_lines(status)[2:]
        ),
        keywords=f"{party}; {provenance.round}; {provenance.report}; follow-up",
    )


def _entry(item: Item, checked: ItemStatus, party: str, vocabulary: Vocabulary) -> Entry:
    said = words()["report"]
    status = status_label(item.status)
    details = []
    if item.reason:
        details.append(Line(said["reason"], item.reason))
    details.append(Line(said["lead"], item.lead or words()["no_lead"]))
    details.append(Line(said["deadline"], date_text(item.deadline) or said["not_dated"]))
    measures = []
    for measure in item.measures:
        lines = [fill(said["measure"], what=measure.what)]
        if measure.act:
            lines.append(fill(said["measure_act"], act=measure.act))
        lines.append(
            fill(said["measure_dates"], adopted=date_text(measure.adopted) or said["not_dated"], in_force=date_text(measure.in_force) or said["not_dated"])
        )
        if measure.reference:
            lines.append(fill(said["measure_reference"], reference=measure.reference))
        measures.append(lines)
    if item.status in ("implemented", "not_applicable"):
        remains = fill(said["remains_done"], party=party)
    elif item.status == "open":
        remains = fill(said["remains_open"], party=party, status=status.lower())
    else:
        remains = fill(said["remains_partly"], party=party, status=status.lower())
    return Entry(
        heading=_heading(item.id, item.level, vocabulary),
        committee_lead=_lead(item.id, item.level, party, vocabulary),
        text=item.text,
        references=fill(said["references"], citations=vocabulary.citation_line(item.citations)),
        status=Line(fill(said["status"], party=party), status),
        details=details,
        measures_label=said["measures"],
        measures=measures,
        no_measures=said["no_measures"],
        remains=Line(said["remains"], remains),
        note=Line(said["note"], item.note) if item.note else None,
        check=Line(said["check"], "; ".join([checked.rules_say] + [flag.text for flag in checked.flags])),
    )


def _heading(item_id: str, level: str, vocabulary: Vocabulary) -> str:
    said = words()["report"]
    if vocabulary.is_own(item_id) and vocabulary.own is not None:
        return fill(said["own_heading"], id=item_id, level=level, label=vocabulary.own.label)
    return fill(said["recommendation_heading"], id=item_id, level=level)


def _lead(item_id: str, level: str, party: str, vocabulary: Vocabulary) -> str:
    """The words before a recommendation's text: the Committee's, or selfcheck's own for an obligation under its id."""
    said = words()["report"]
    if vocabulary.is_own(item_id) and vocabulary.own is not None:
        return fill(said["own_text"], label=vocabulary.own.label, party=party)
    return fill(said["committee_text"], verb=said["verbs"][level], party=party)


def render_markdown(report: SituationReport) -> str:
    from selfcheck.engine.documents.render_markdown import markdown_inline
    from selfcheck.engine.documents.templates import jinja_environment

    environment = jinja_environment(html=False)
    environment.filters["md"] = markdown_inline
    return environment.get_template("situation-report.md.j2").render(report=report)
