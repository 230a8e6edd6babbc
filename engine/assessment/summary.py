"""The readable summary of an assessment printed by ``selfcheck assess``: by chapter, block and level."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from selfcheck.engine.answers.in_force import law_line, not_in_force_lines
from selfcheck.engine.assessment.assess import Assessment, Finding, Provenance, Unmet, because_words
from selfcheck.engine.common.text import wrap
from selfcheck.engine.rules.rulebook import Rulebook


def render_summary(assessment: Assessment, rulebook: Rulebook) -> str:
    findings = assessment.recommendations
    provenance = assessment.provenance
    vocabulary = rulebook.vocabulary
    levels = Counter(f.level for f in findings)
    blocks = Counter(f.block for f in findings)
    as_of = f", answers as of {provenance.answers_as_of}" if provenance.answers_as_of else ""
    lines = [
        f"{assessment.party} - {rulebook.meta.round} (report {provenance.report}){as_of}",
        f"rule files sha256 {provenance.rulebook_sha256}; questionnaire {provenance.questionnaire_version}",
        f"{len(findings)} recommendations: "
        + ", ".join(f"{levels[level]} {level}" for level in vocabulary.level_names)
        + " ("
        + ", ".join(f"{blocks[block.name]} {block.heading.replace('{party}', assessment.party)}" for block in vocabulary.blocks)
        + ")",
    ]
    for amendment in provenance.amendments:
        lines.append(wrap(f"as amended by {amendment}", "", "    "))
    lines += [wrap(line, "", "    ") for line in provenance_law_lines(provenance)]
    no_information = sum(f.applies_because == "no_information" for f in findings)
    inferred = sum(f.inferred for f in findings)
    if assessment.undetermined:
        open_ = len({item.recommendation for item in assessment.undetermined})
        lines.append(wrap(f"{open_} more neither drawn nor cleared, for questions left unanswered: listed at the end.", "", "    "))
    if no_information:
        lines.append(
            wrap(
                f"{no_information} apply because no information was given (marked [no information]): answer the questions named to see whether they stay.",
                "",
                "    ",
            )
        )
    if inferred:
        lines.append(
            wrap(
                f"{inferred} rest on a reason selfcheck infers, not on one a published factsheet prints (marked [inferred]); `selfcheck explain` gives the argument.",
                "",
                "    ",
            )
        )
    own = sum(f.own for f in findings)
    if own and vocabulary.own is not None:
        label = vocabulary.own.label
        lines.append(wrap(f"{own} marked [{label}] under ids of selfcheck's own: {vocabulary.own.meaning}.", "", "    "))
    if assessment.include_draft:
        lines.append("Draft rules included: findings marked [draft] rest on inferred recommendations.")
    titles = {entry.chapter: entry.title for entry in rulebook.meta.chapters}
    for chapter, in_chapter in groupby(findings, key=lambda f: f.chapter):
        lines += ["", wrap(f"{chapter}. {titles[chapter]}", "", "    ")]
        for block, in_block in groupby(in_chapter, key=lambda f: f.block):
            heading = vocabulary.block(block).heading.replace("{party}", assessment.party)
            lines.append(f"  {heading}")
            for finding in in_block:
                lines += _finding_lines(finding, vocabulary.level_width, vocabulary.own.label if vocabulary.own else "")
    if assessment.reserved:
        lines += ["", "Not required, for the Party made the reservation the Convention permits (Article 48):"]
        lines += [wrap(f"{item.recommendation} {item.words}", "  ", "      ") for item in assessment.reserved]
    if assessment.undetermined:
        lines += ["", "Neither drawn nor cleared, for questions they read were left unanswered (answer them to know):"]
        lines += [wrap(f"{item.recommendation} ({item.level}) {item.words}", "  ", "      ") for item in assessment.undetermined]
    return "\n".join(lines) + "\n"


def _finding_lines(finding: Finding, level_width: int, own_label: str = "") -> list[str]:
    head = f"    {finding.level:<{level_width + 1}} {finding.id:<7} "
    indent = " " * len(head)
    lines = [wrap(finding.text, head, indent)]
    marks = [
        mark
        for mark, holds in (
            (f"[{own_label}]", finding.own),
            ("[draft]", finding.draft),
            ("[inferred]", finding.inferred),
            ("[no information]", finding.applies_because == "no_information"),
        )
        if holds
    ]
    if finding.unmet:  # a recommendation with elements: what is not in place says why better than one alternative
        lines.append(wrap(" ".join(marks + ["not in place: " + "; ".join(_unmet_words(unmet) for unmet in finding.unmet)]), indent, indent + "  "))
    elif finding.because:
        lines.append(wrap(" ".join(marks + [f"because {because_words(finding.because)}"]), indent, indent + "  "))
    elif marks:
        lines.append(indent + " ".join(marks))
    return lines


def _unmet_words(unmet: Unmet) -> str:
    return unmet.words + (" [no information]" if unmet.applies_because == "no_information" else "")


def provenance_law_lines(provenance: Provenance) -> list[str]:
    """With --as-of: the date the law was taken at, and each bill given but not in force on it."""
    if provenance.law_as_of is None:
        return []
    return [law_line(provenance.law_as_of)] + not_in_force_lines(provenance.law_as_of, provenance.amendments_not_in_force)
