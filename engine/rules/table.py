"""The table of a rulebook's recommendations: each one's elements, the questions that test them and
the provisions they rest on, as the rulebook's README.md prints it between two markers.

``scripts/rules-table`` writes it; ``scripts/rules-table --check`` (and a test) fails when the
README's table is not the one the rule files make, so that it cannot drift from them.
"""

from __future__ import annotations

from pathlib import Path

from selfcheck.engine.common.errors import InputError
from selfcheck.engine.rules.conditions import Condition, tests_in
from selfcheck.engine.rules.rulebook import Rulebook

BEGIN = "<!-- the table below is written by scripts/rules-table from the rule files; do not edit it by hand -->"
END = "<!-- end of the table written by scripts/rules-table -->"
PROVISION_KINDS_LEFT_OUT = {"report_paras"}  # where the Committee found a point missing is evidence, not a provision


def elements_table(rulebook: Rulebook) -> str:
    """One row per element (or per rule that lists none), in the rulebook's order."""
    lines = [
        "| Recommendation | Level | Element: what must be in place | Questions | Provision |",
        "|---|---|---|---|---|",
    ]
    for rule in rulebook.rules:
        name = rule.id + (" (selfcheck's own)" if rule.own else " (draft)" if rule.draft else "")
        if rule.elements:
            for element in rule.elements:
                lines.append(
                    _row(
                        name,
                        rule.level,
                        f"`{element.id}`: {element.fact}",
                        _numbers(element.condition, rulebook),
                        _provision(element.provision, rulebook) + _reserved(element),
                    )
                )
        elif rule.condition is None:
            lines.append(_row(name, rule.level, "(addressed to all Parties)", "", _provision(rule.cites, rulebook)))
        else:
            lines.append(_row(name, rule.level, "(one condition, no elements yet)", _numbers(rule.condition, rulebook), _provision(rule.cites, rulebook)))
    with_elements = [rule for rule in rulebook.rules if rule.elements]
    summary = (
        f"{len(rulebook.rules)} recommendations, {len(with_elements)} of them listing "
        f"{sum(len(rule.elements) for rule in with_elements)} elements ({', '.join(rule.id for rule in with_elements)})."
    )
    return "\n".join([summary, "", *lines])


def _numbers(condition: Condition, rulebook: Rulebook) -> str:
    questionnaire = rulebook.questionnaire
    read = sorted({test.question for test in tests_in(condition)}, key=questionnaire.index)
    return ", ".join(questionnaire.questions[question].number for question in read)


def _provision(cites: dict[str, list], rulebook: Rulebook) -> str:
    kept = {kind: items for kind, items in cites.items() if kind not in PROVISION_KINDS_LEFT_OUT}
    return rulebook.vocabulary.citation_line(rulebook.vocabulary.citations_of(kept))


def _reserved(element) -> str:
    return f" (not asked where the Party made the reservation of {element.spec.reserved_by})" if element.spec.reserved_by else ""


def _row(*cells: str) -> str:
    return "| " + " | ".join(" ".join(cell.replace("|", "\\|").split()) for cell in cells) + " |"


def with_table(readme: str, table: str, file: Path) -> str:
    """The README with the text between the markers replaced by the table."""
    if readme.count(BEGIN) != 1 or readme.count(END) != 1 or readme.index(BEGIN) > readme.index(END):
        raise InputError(file, f"expected the table's two markers once each, in order:\n  {BEGIN}\n  {END}")
    head, rest = readme.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{table}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """``scripts/rules-table``: write the table into the rulebook's README.md; --check: 1 if it is stale."""
    import argparse
    import sys

    from selfcheck.engine.answers import rounds
    from selfcheck.engine.common.errors import RulebookError
    from selfcheck.engine.common.safe_files import read_plain_text, write_atomically
    from selfcheck.engine.rules import rulebooks

    parser = argparse.ArgumentParser(prog="scripts/rules-table", description=__doc__.split("\n\n")[0])
    parser.add_argument("--round", help="the monitoring round (default: the default round)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if README.md's table is not the one the rule files make")
    options = parser.parse_args(argv)
    try:
        round_id = options.round or rounds.default_round()
        rulebook = rulebooks.rulebook(round_id)
        readme = rulebook.directory / "README.md"
        current = read_plain_text(readme)
        wanted = with_table(current, elements_table(rulebook), readme)
    except (InputError, RulebookError) as error:
        print(f"rules-table: {error}", file=sys.stderr)
        return 2
    if current == wanted:
        print(f"{readme}: the table is up to date")
        return 0
    if options.check:
        print(f"{readme}: the table is stale; run scripts/rules-table to rewrite it", file=sys.stderr)
        return 1
    write_atomically(readme, wanted.encode("utf-8"))
    print(f"{readme}: table rewritten")
    return 0
