"""A comparison (``engine.drafting.diff``) written for people: the text and Markdown `selfcheck diff` prints."""

from __future__ import annotations

from selfcheck.engine.answers.in_force import law_line
from selfcheck.engine.common.text import wrap
from selfcheck.engine.drafting.diff import AnswerChange, Comparison, Diff, Moved, ObservationEntry
from selfcheck.engine.rules.vocabulary import Vocabulary
from selfcheck.engine.rules.wording import answer_text


def render_text(comparison: Comparison, vocabulary: Vocabulary) -> str:
    diff = comparison.diff
    lines = [f"BASE  {comparison.base_label}", f"OTHER {comparison.other_label}"]
    if diff.law_as_of:
        lines.append(f"LAW   {law_line(diff.law_as_of)}")
    for title, entries in (("Resolved", diff.resolved), ("New", diff.new), ("Changed", diff.changed)):
        lines += ["", f"{title} ({len(entries)})" + (":" if entries else "")]
        for entry in entries:
            level = f"{entry.level_before} -> {entry.level}" if isinstance(entry, Moved) else entry.level
            head = f"  {level:<{vocabulary.level_width + 2}}{entry.id:<7}{'[draft] ' if entry.draft else ''}"
            indent = " " * (vocabulary.level_width + 11)
            lines.append(wrap(entry.text, head, indent))
            lines.append(wrap(vocabulary.citation_line(entry.citations), indent, indent))
            for change in entry.answer_changes:
                lines.append(wrap(change_line(change), indent + "answer ", indent + "  "))
    lines += ["", f"Unchanged: {diff.unchanged}"]
    if comparison.still_applying:
        lines.append(wrap("still addressed although answers they read changed: " + ", ".join(comparison.still_applying), "  ", "  "))
    for title, observations in _observation_sections(diff):
        lines += ["", f"{title} ({len(observations)})" + (":" if observations else "")]
        for observed in observations:
            lines.append(wrap(observed.text, f"  {observed.tone:<15}", " " * 17))
            for change in observed.answer_changes:
                lines.append(wrap(change_line(change), " " * 17 + "answer ", " " * 19))
    return "\n".join(lines) + "\n"


def render_markdown(comparison: Comparison, vocabulary: Vocabulary) -> str:
    diff = comparison.diff
    lines = [
        f"### selfcheck diff: {len(diff.resolved)} resolved, {len(diff.new)} new, {len(diff.changed)} changed, {diff.unchanged} unchanged",
        "",
        f"- **BASE**: {comparison.base_label}",
        f"- **OTHER**: {comparison.other_label}",
    ]
    if diff.law_as_of:
        lines.append(f"- **LAW**: {law_line(diff.law_as_of)}")
    for title, entries in (("Resolved", diff.resolved), ("New", diff.new), ("Changed", diff.changed)):
        lines += ["", f"#### {title} ({len(entries)})", ""]
        if not entries:
            lines.append("None.")
        for entry in entries:
            level = f"{entry.level_before} → {entry.level}" if isinstance(entry, Moved) else entry.level
            draft = " (draft)" if entry.draft else ""
            lines.append(f"- **{entry.id}** *{level}, {entry.block}*{draft}: {entry.text}  ")
            lines.append(f"  {vocabulary.citation_line(entry.citations)}")
            for change in entry.answer_changes:
                lines.append(f"  - {change_line(change, code=True)}")
    if comparison.still_applying:
        lines += ["", f"Still addressed although answers they read changed: {', '.join(comparison.still_applying)}."]
    for title, observations in _observation_sections(diff):
        lines += ["", f"#### {title} ({len(observations)})", ""]
        if not observations:
            lines.append("None.")
        for observed in observations:
            lines.append(f"- *{observed.tone}*: {observed.text}")
            for change in observed.answer_changes:
                lines.append(f"  - {change_line(change, code=True)}")
    return "\n".join(lines) + "\n"


def _observation_sections(diff: Diff) -> list[tuple[str, list[ObservationEntry]]]:
    return [
        ("Observations no longer made", diff.observations.dropped),
        ("Observations now made", diff.observations.added),
        ("Observations reworded", diff.observations.reworded),
    ]


def change_line(change: AnswerChange, code: bool = False) -> str:
    question = f"`{change.question}`" if code else change.question
    line = f"{change.number} {question}: {answer_text(change.before)} -> {answer_text(change.after)}"
    if change.note:
        line += f" ({change.note})"
    return line
