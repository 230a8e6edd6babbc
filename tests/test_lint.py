"""The rulebook is linted as it loads: each kind of problem is caught and placed in its file."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT, ROUND, run_selfcheck
from selfcheck.engine.common.errors import RulebookError
from selfcheck.engine.rules.durable_adapter import fnv1a_32, hash_collisions
from selfcheck.engine.rules.rulebook import load_rulebook

RULES = ROOT / "rules" / ROUND
CHAPTER_IV = "04-jurisdiction.yaml"

IV6 = """  - id: IV-6
    level: require
    block: specific
    reason: Dual criminality is required.
    basis: printed
    grounds:
      - para: Para. 222
        quote: "{party} reported to the Committee that its criminal laws apply to acts committed by their nationals abroad"
    when:
      jurisdiction.dual_criminality.sexual_abuse: {not: no}
    on_no_information: fires
    no_information: {basis: inferred, because: The obligation is not shown to be met.}
    text: to remove dual criminality
    cites:
      report_paras: [222]
"""


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def _replace_iv6(rules_dir, new_rule: str) -> None:
    path = rules_dir / CHAPTER_IV
    text = path.read_text()
    start = text.index("  - id: IV-6\n")
    end = text.index("  - id: IV-7\n")
    path.write_text(text[:start] + new_rule + "\n" + text[end:])


def _problems(rules_dir, questionnaire) -> str:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(rules_dir, questionnaire)
    return str(caught.value)


BROKEN = [
    ("an unknown question", IV6.replace("dual_criminality.sexual_abuse", "dual_criminality.core"), "unknown question 'jurisdiction.dual_criminality.core'"),
    ("a value of the wrong type", IV6.replace("{not: no}", "{not: 3}"), "is answered with yes, no, not_provided; got 3"),
    ("a boolean for a tri-state question", IV6.replace("{not: no}", "{not: false}"), "got False"),
    ("a numeric comparison on a tri-state question", IV6.replace("{not: no}", "{below: 3}"), "below compares numbers"),
    ("a rule with no citation", IV6.replace("    cites:\n      report_paras: [222]\n", "    cites: {}\n"), "IV-6 cites no source"),
    ("a specific rule without a condition", IV6.replace("    when:\n      jurisdiction.dual_criminality.sexual_abuse: {not: no}\n", ""), "has no condition"),
    (
        "a printed basis without grounds",
        IV6.replace(IV6[IV6.index("    grounds:") : IV6.index("    when:")], "    grounds: []\n"),
        "quote the sentences under grounds",
    ),
    ("an inferred basis without an argument", IV6.replace("basis: printed", "basis: inferred"), "write the legal argument under argument"),
    ("a ground placed nowhere a factsheet prints", IV6.replace("para: Para. 222", "para: somewhere"), "does not match the vocabulary's ground pattern"),
    (
        "a rule to all Parties with a condition",
        IV6.replace("basis: printed", "basis: all_parties").replace("block: specific", "block: generic"),
        "addressed to all Parties: it has no condition",
    ),
    ("a condition without its no-information effect", IV6.replace("    on_no_information: fires\n", ""), "says what no information does"),
    (
        "a no-information effect the condition contradicts",
        IV6.replace("on_no_information: fires", "on_no_information: silent"),
        "with no answer given the condition fires",
    ),
    ("a draft whose reason is called printed", IV6.replace("    level: require", "    draft: true\n    level: require"), "its basis is inferred"),
    (
        "a rule printed beside an unknown item",
        IV6.replace("basis: printed", "basis: all_parties\n    printed_with: IV.nowhere")
        .replace("block: specific", "block: generic")
        .replace(
            "    when:\n      jurisdiction.dual_criminality.sexual_abuse: {not: no}\n    on_no_information: fires\n    no_information: {basis: inferred, because: The obligation is not shown to be met.}\n",
            "",
        ),
        "printed_with names IV.nowhere",
    ),
    ("an unknown level", IV6.replace("level: require", "level: demand"), "is not one of the vocabulary's levels (require, request, invite)"),
    ("an unknown field", IV6.replace("    text:", "    txt: x\n    text:"), "unknown field 'txt'"),
    ("an id of another chapter", IV6.replace("id: IV-6", "id: V-6"), "V-6 belongs to chapter V"),
    (
        "a condition that can never hold",
        IV6.replace("{not: no}", "yes")
        .replace("    text:", "    text:")
        .replace(
            "      jurisdiction.dual_criminality.sexual_abuse: yes\n",
            "      all:\n        - jurisdiction.dual_criminality.sexual_abuse: yes\n        - jurisdiction.dual_criminality.sexual_abuse: not_provided\n",
        ),
        "can never hold",
    ),
    (
        "a free-text question in a condition",
        IV6.replace("jurisdiction.dual_criminality.sexual_abuse: {not: no}", "jurisdiction.difficulties: yes"),
        "free-text question",
    ),
]


@pytest.mark.parametrize("name, rule, fragment", BROKEN, ids=[b[0] for b in BROKEN])
def test_lint_catches(rules_copy, questionnaire, name, rule, fragment):
    _replace_iv6(rules_copy, rule)
    problems = _problems(rules_copy, questionnaire)
    assert fragment in problems
    assert f"{CHAPTER_IV}:" in problems, "the problem must name the rule file and line"


OBSERVATION = """
observations:
  - id: IV.dual-criminality-example
    tone: negative
    when:
      jurisdiction.dual_criminality.sexual_abuse: yes
    text: >-
      {party} requires dual criminality.
    cites:
      report_paras: [222]
"""

BROKEN_OBSERVATIONS = [
    (
        "an observation worded by selfcheck without its argument",
        OBSERVATION.replace("    tone: negative\n", "    tone: negative\n    draft: true\n"),
        "say why it says what it says",
    ),
    ("an observation without a condition", OBSERVATION.replace("    when:\n      jurisdiction.dual_criminality.sexual_abuse: yes\n", ""), "has no condition"),
    ("an observation of another chapter", OBSERVATION.replace("id: IV.", "id: V."), "belongs to chapter V"),
    ("an unknown tone", OBSERVATION.replace("tone: negative", "tone: grumpy"), "no_information"),
    ("an observation citing nothing", OBSERVATION.replace("    cites:\n      report_paras: [222]\n", "    cites: {}\n"), "cites no source"),
    (
        "a quoted answer that may be missing",
        OBSERVATION.replace("requires dual criminality.", "is {legal.age_of_criminal_responsibility} years old."),
        "may be not_provided when this holds",
    ),
    ("a quoted yes-or-no answer", OBSERVATION.replace("requires dual criminality.", "{legal.csam_terminology}"), "quotes a tri_state answer"),
    ("an unknown placeholder", OBSERVATION.replace("{party}", "{country}"), "unknown placeholder {country}"),
    (
        "a footnote to a paragraph not cited",
        OBSERVATION.replace("requires dual criminality.", "requires dual criminality.[^223]"),
        "missing from cites.report_paras",
    ),
    ("a footnote citing a recommendation", OBSERVATION.replace("requires dual criminality.", "requires dual criminality.[^IV-6]"), "belongs in cites"),
    (
        "a free text compared with a value",
        OBSERVATION.replace("jurisdiction.dual_criminality.sexual_abuse: yes", "jurisdiction.difficulties: yes"),
        "only ask whether it was answered",
    ),
]


@pytest.mark.parametrize("name, observation, fragment", BROKEN_OBSERVATIONS, ids=[b[0] for b in BROKEN_OBSERVATIONS])
def test_lint_catches_in_an_observation(rules_copy, questionnaire, name, observation, fragment):
    path = rules_copy / CHAPTER_IV
    text = path.read_text()
    path.write_text(text[: text.index("\nobservations:\n")] + "\n" + observation)
    problems = _problems(rules_copy, questionnaire)
    assert fragment in problems
    assert f"{CHAPTER_IV}:" in problems, "the problem must name the rule file and line"


def test_lint_accepts_the_example_observation(rules_copy, questionnaire):
    path = rules_copy / CHAPTER_IV
    text = path.read_text()
    path.write_text(text[: text.index("\nobservations:\n")] + "\n" + OBSERVATION)
    assert "IV.dual-criminality-example" in load_rulebook(rules_copy, questionnaire).observation_by_id


def test_lint_catches_a_duplicate_id(rules_copy, questionnaire):
    _replace_iv6(rules_copy, IV6 + IV6.replace("Dual criminality is required.", "Again."))
    assert "duplicate id IV-6" in _problems(rules_copy, questionnaire)


def test_lint_catches_one_id_at_two_levels(rules_copy, questionnaire):
    _replace_iv6(rules_copy, IV6 + IV6.replace("level: require", "level: invite"))
    assert "IV-6 is given at two levels (require at 04-jurisdiction.yaml:" in _problems(rules_copy, questionnaire)


def test_lint_reports_every_problem_at_once(rules_copy, questionnaire):
    _replace_iv6(
        rules_copy, IV6.replace("cites:\n      report_paras: [222]", "cites: {}") + IV6.replace("id: IV-6", "id: IV-16").replace("sexual_abuse", "nope")
    )
    problems = _problems(rules_copy, questionnaire)
    assert "2 problems" in problems and "cites no source" in problems and "unknown question" in problems


def test_lint_refuses_a_rule_file_missing_from_rulebook_yaml(rules_copy, questionnaire):
    (rules_copy / "12-stray.yaml").write_text("chapter: XII\nrules: []\n")
    assert "12-stray.yaml: is not listed under chapters" in _problems(rules_copy, questionnaire)


def test_field_names_that_share_a_hash_are_found():
    seen: dict[int, str] = {}
    index = 0
    while True:  # the birthday bound finds a 32-bit FNV-1a collision within ~100,000 names
        name = f"q{index}"
        other = seen.setdefault(fnv1a_32(name), name)
        if other != name:
            break
        index += 1
    assert hash_collisions({other, name, "q-1"}) == [tuple(sorted((other, name)))]


def test_durable_rules_really_confuses_names_that_share_a_hash():
    """Why the check exists: a rule on one field fires on a fact that only has the other."""
    import json

    import durable_rules_engine as core

    first, second = "costarring", "liquid"  # a known FNV-1a 32-bit collision
    assert fnv1a_32(first) == fnv1a_32(second)
    handle = core.create_ruleset("collision-demo", json.dumps({"r": {"all": [{"m": {"$and": [{"kind": "answers"}, {first: "yes"}]}}]}}))
    result, state = core.assert_fact(handle, json.dumps({"sid": "s", "id": "f", "kind": "answers", second: "yes"}))
    assert result == 0 and core.start_action_for_state(handle, state) is not None


def test_selfcheck_lint_passes_on_the_shipped_rulebook():
    result = run_selfcheck("lint")
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout


def test_selfcheck_lint_fails_with_exit_2_on_a_broken_copy(rules_copy):
    _replace_iv6(rules_copy, IV6.replace("dual_criminality.sexual_abuse", "dual_criminality.core"))
    result = run_selfcheck("lint", "--rules", rules_copy)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{rules_copy / CHAPTER_IV}:" in result.stderr
