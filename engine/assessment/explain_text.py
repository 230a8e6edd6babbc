"""An explanation (``engine.assessment.explain``) written for people: the text `selfcheck explain` prints."""

from __future__ import annotations

from selfcheck.engine.answers.questionnaire import VARIES
from selfcheck.engine.assessment.counterfactual import MAX_CHANGES
from selfcheck.engine.assessment.explain import ConditionPart, ElementState, Explanation
from selfcheck.engine.assessment.summary import provenance_law_lines
from selfcheck.engine.common.text import wrap
from selfcheck.engine.rules.rulebook import Rulebook
from selfcheck.engine.rules.wording import answer_text


def render_explanation(explanation: Explanation, rulebook: Rulebook) -> str:
    e = explanation
    titles = {entry.chapter: entry.title for entry in rulebook.meta.chapters}
    state = ("fires" if e.fires else "does not fire") if e.kind == "recommendation" else ("holds" if e.fires else "does not hold")
    vocabulary = rulebook.vocabulary
    block = vocabulary.block(e.block).heading.replace("{party}", e.party) if e.block else ""
    what = f"{e.level}, {block}" if e.kind == "recommendation" else f"{(e.tone or '').replace('_', ' ')} observation"
    lines = [f"{e.id} {state} for {e.party}: {what} (chapter {e.chapter}. {titles[e.chapter]})"]
    if e.own and vocabulary.own is not None:
        lines.append(wrap(f"  [{vocabulary.own.label}] {vocabulary.own.meaning}.", "", "  "))
    if e.draft and e.kind == "recommendation":
        lines.append("  A draft: inferred, not printed in any published factsheet; it fires only with --include-draft.")
    elif e.draft:
        lines.append("  Worded by selfcheck on the Committee's pattern: no published factsheet prints it.")
    lines += ["", wrap(e.text, "  ", "  ")]
    lines += _why_lines(e)
    lines += ["", *_basis_lines(e)]
    lines.append("")
    if e.elements:
        lines.append(f"Elements - it fires when any is not in place; with {e.party}'s answers:")
        lines += [line for state in e.elements for line in _element_lines(state, vocabulary)]
    elif e.condition is None:
        lines.append("Condition: none - it is addressed to all Parties, whatever their answers.")
    else:
        lines.append(f"Condition, with {e.party}'s answers:")
        lines += _condition_lines(e.condition, "  ")
    lines += ["", wrap("Citations: " + vocabulary.citation_line(e.citations), "", "  "), ""]
    lines += _change_lines(e)
    p = e.provenance
    lines += [
        "",
        wrap(
            f"Provenance: round {p.round}, report {p.report}, rule files sha256 {p.rulebook_sha256}, questionnaire "
            f"{p.questionnaire_version}, answers as of {p.answers_as_of or 'an unstated date'}",
            "",
            "  ",
        ),
    ]
    lines += [wrap(line, "  ", "    ") for line in provenance_law_lines(p)]
    return "\n".join(lines) + "\n"


def _why_lines(e: Explanation) -> list[str]:
    """Why it is addressed to this Party: what its answers leave missing. The reason a rule gives is the
    Committee's for the Party it monitored, and is said to be that (under Basis), never this Party's."""
    missing = [state.words for state in e.elements if not state.in_place]
    if e.fires and missing:
        return ["", wrap(f"Why it is addressed to {e.party}: " + "; ".join(missing) + ".", "", "  ")]
    if e.fires and e.reason and not e.elements:
        return ["", wrap(f"Why it is addressed: {e.reason}", "", "  ")]
    return []


BASIS_WORDS = {
    "printed": "printed - a published factsheet prints the reason, in the Committee's words for the Party it monitored:",
    "all_parties": "addressed to all Parties by the report.",
    "inferred": "inferred - no published factsheet prints the reason; selfcheck's argument follows.",
}


def _basis_lines(e: Explanation) -> list[str]:
    lines = [wrap(f"Basis: {BASIS_WORDS[e.basis]}", "", "  ")]
    if e.reason and (e.elements or not e.fires) and e.basis != "all_parties":
        lines.append(wrap(f"Reason: {e.reason}", "  ", "    "))
    lines += [wrap(f'{ground.para}: "{ground.quote}"', "  ", "    ") for ground in e.grounds]
    if e.argument:
        lines.append(wrap(f"Argument: {e.argument}", "  ", "    "))
    if e.on_no_information and e.no_information:  # a rule gives both or neither
        n = e.no_information
        effect = "it fires" if e.on_no_information == "fires" else "it stays silent"
        lines.append(wrap(f"With no information on its questions, {effect} ({n.basis}): {n.because}", "", "  "))
    if e.applies_because == "no_information":
        lines.append(wrap(f"It applies to {e.party} because no information was given on a question it reads, not because of an answer.", "", "  "))
    return lines


def _element_lines(state: ElementState, vocabulary) -> list[str]:
    mark = "[reserved]" if state.reserved_by else "[in place]" if state.in_place else "[not in place]"
    words = state.words
    if state.unanswered:  # silent on no information: neither shown in place nor shown missing
        mark, words = "[unanswered]", f"not shown either way, for {', '.join(state.unanswered)} is unanswered: {words}"
    lines = [wrap(f"{mark} {words}", "  ", "    ")]
    effect = "it fires" if state.on_no_information == "fires" else "it stays silent"
    provision = vocabulary.citation_line(state.provision)
    lines.append(wrap(f"rests on {provision}; with no information {effect} ({state.no_information.basis})", "      ", "        "))
    lines.append("      not in place when:")
    return lines + _condition_lines(state.condition, "        ")


def _condition_lines(part: ConditionPart, indent: str) -> list[str]:
    mark = "[holds]" if part.holds else "[fails]"
    if part.kind == "test":
        head = f"{indent}{mark} {part.number} {part.question} {part.condition}"
        answer = f"answer: {answer_text(part.answer)}" + (f" (source: {part.source})" if part.source else "")
        if part.answer == VARIES:  # how each reading of it was made, and the Party's words on where
            answer += "; a rule reads it as not in place everywhere, an observation as stating neither yes nor no"
            answer += f"; note: {part.note}" if part.note else ""
        return [head, wrap(answer, indent + "        ", indent + "          ")]
    words = {"all": "all of:", "any": "any of:", "not": "not:"}[part.kind]
    lines = [f"{indent}{mark} {words}"]
    for child in part.parts:
        lines += _condition_lines(child, indent + "  ")
    return lines


def _change_lines(e: Explanation) -> list[str]:
    goal = "go away" if e.fires else ("fire" if e.kind == "recommendation" else "hold")
    if e.addressed_to_all:
        return ["What would change it: nothing - no answer makes a recommendation to all Parties go away."]
    if not e.changes:
        return [f"What would make it {goal}: no change of up to {MAX_CHANGES} answers would."]
    if e.changes == [[]]:
        return [f"What would make it {goal}: it already does."]
    count = len(e.changes[0])
    size = "one answer" if count == 1 else f"{count} answers together"
    lines = [f"What would make it {goal} - change {size}{', any one of these ways' if len(e.changes) > 1 else ''}:"]
    for change in e.changes:
        described = "; and ".join(f"{c.number} {c.question}: {answer_text(c.from_)} -> {answer_text(c.to)}" for c in change)
        lines.append(wrap(described, "  - ", "    "))
    return lines
