"""selfcheck upgrade: an answers file or amendment of an earlier edition becomes one of this edition.

Question ids are stable; where a question's meaning changed it got a new id, and migrations.yaml
says which old answers carry over. What does not carry over is kept, as typed, in a comment, and
listed to be answered again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ROUND, run_selfcheck
from selfcheck.engine.answers import rounds
from selfcheck.engine.answers.rounds import load_answers
from selfcheck.engine.answers.upgrade import load_migrations
from selfcheck.engine.common.safe_files import read_document

EDITION_1 = Path(__file__).resolve().parent / ROUND / "edition-1"
OLD_ALBANIA = EDITION_1 / "albania.yaml"


def test_every_migration_names_questions_of_this_edition_and_no_old_id_is_reused(questionnaire):
    migrations = load_migrations(questionnaire)
    assert migrations, "the migrations of the round are read"
    assert not set(migrations) & set(questionnaire.questions), "an id whose meaning changed is never reused"


def test_albanias_edition_1_answers_upgrade_to_valid_answers_listing_what_to_answer_again(tmp_path):
    target = tmp_path / "albania.yaml"
    result = run_selfcheck("upgrade", OLD_ALBANIA, "-o", target)
    assert result.returncode == 0, result.stderr
    upgraded = load_answers(target)
    assert upgraded.value("legal.extortion.offences.images") == ("images_offence_only",), "a single choice becomes a list of one"
    assert upgraded.sources["legal.extortion.offences.images"] == "Para. 99"
    assert upgraded.value("jurisdiction.habitual_residents_abroad") == "no", "unchanged questions keep their answers"
    assert "legal.extortion.to_obtain_images -> legal.extortion.offences.images" in result.stderr
    assert "assistance.specific_support: assistance.specific_recovery_support changed" in result.stderr
    assert "legal.extortion.offences.images:" not in result.stderr.split("questions to answer again:")[1], "carried, so not to answer again"
    text = target.read_text()
    assert '# assistance.ict_victims_helpline (earlier edition): {"value": "no", "source": "Para. 285' in text, "what does not carry over is kept as typed"
    assert "assistance.ict_victims_helpline:" not in text.split("\nanswers:")[1]


def test_an_amendment_of_edition_1_upgrades_its_changes(tmp_path):
    result = run_selfcheck("upgrade", EDITION_1 / "sexual-extortion-offence.yaml")
    assert result.returncode == 0, result.stderr
    assert "4 answers carried over" in result.stderr
    assert "  legal.extortion.offences.financial_gain:\n    value: [specific_offence]\n" in result.stdout
    assert "legal.extortion.specific_offence (earlier edition)" in result.stdout


def test_a_file_of_this_edition_comes_back_unchanged_in_its_answers(tmp_path, albania):
    target = tmp_path / "albania.yaml"
    result = run_selfcheck("upgrade", rounds.parties_dir(ROUND) / "albania.yaml", "-o", target)
    assert result.returncode == 0, result.stderr
    assert load_answers(target) == albania
    assert "0 answers carried over" in result.stderr and "to answer again" not in result.stderr


def test_upgrade_refuses_to_write_over_its_input_and_an_unknown_question(tmp_path):
    copy = tmp_path / "old.yaml"
    copy.write_bytes(OLD_ALBANIA.read_bytes())
    refused = run_selfcheck("upgrade", copy, "-o", copy)
    assert refused.returncode == 2 and "is the file being upgraded" in refused.stderr
    assert copy.read_bytes() == OLD_ALBANIA.read_bytes()
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("party: X\nround: lanzarote-2\nanswers:\n  legal.nonsense: yes\n")
    result = run_selfcheck("upgrade", unknown)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "unknown question 'legal.nonsense', neither in this edition nor in migrations.yaml" in result.stderr
    assert read_document(unknown).data["answers"] == {"legal.nonsense": "yes"}


@dataclass(frozen=True)
class Upgrade:
    """An answers file of an earlier edition (its answers, as YAML lines) and what its upgrade must give: answers
    and their sources, lines it says (stderr) and comments it keeps, as typed, in the file."""

    answers: str
    values: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    says: tuple[str, ...] = ()
    keeps: tuple[str, ...] = ()


DUAL_CRIMINALITY = ("sexual_abuse", "child_prostitution", "production", "pornographic_performances")

UPGRADES = {
    "a yes carries over to each fact it implied and a no is asked again": Upgrade(
        "  assistance.specific_recovery_support: {value: yes, source: Law 5/2019}\n"
        "  investigation.le_units_adequately_financed: no\n"
        "  education.within_sexuality_education: yes\n",
        values={
            "assistance.specific_support": "yes",
            "assistance.support_short_and_long_term": "yes",
            "education.framework": "sexuality_education",
            "investigation.le_units_staff_sufficient": "not_provided",
        },
        sources={"assistance.specific_support": "Law 5/2019"},
        says=("investigation.le_units_staff_sufficient: investigation.le_units_adequately_financed changed",),
        keeps=('# investigation.le_units_adequately_financed (earlier edition): "no"',),
    ),
    # Edition 2 asked law enforcement and prosecution together (S13.9); each is now asked alone.
    "a no to specialisation in offences by children carries to both services": Upgrade(
        "  investigation.units_for_child_offenders: no\n",
        values={"investigation.le_units_for_child_offenders": "no", "investigation.prosecution_units_for_child_offenders": "no"},
    ),
    "a yes to specialisation in offences by children, which may mean either, is asked again for both": Upgrade(
        "  investigation.units_for_child_offenders: yes\n",
        values={"investigation.le_units_for_child_offenders": "not_provided", "investigation.prosecution_units_for_child_offenders": "not_provided"},
        says=("investigation.prosecution_units_for_child_offenders: investigation.units_for_child_offenders changed",),
        keeps=('# investigation.units_for_child_offenders (earlier edition): "yes"',),
    ),
    # Edition 2 asked about both together, and not whether either needs a treaty (Art. 38(3)).
    "a yes to the convention as legal basis carries to assistance and extradition and the treaty is asked": Upgrade(
        "  cooperation.convention_as_legal_basis: {value: yes, source: Law 1/2020}\n",
        values={
            "cooperation.convention_basis_legal_assistance": "yes",
            "cooperation.convention_basis_extradition": "yes",
            "cooperation.legal_assistance_treaty_required": "not_provided",
        },
        sources={"cooperation.convention_basis_extradition": "Law 1/2020"},
        says=("cooperation.extradition_treaty_required: cooperation.convention_as_legal_basis changed",),
    ),
    "edition 2's answers split into one fact and one offence group a question, dual criminality kept for each": Upgrade(
        "  jurisdiction.victim_report_or_denunciation_required: {value: no, source: Criminal Code Art. 7}\n"
        "  jurisdiction.dual_criminality.core_offences: yes\n"
        "  legal.extortion.prosecution.images: both_offences\n"
        "  jurisdiction.offences_against_nationals_or_residents: no\n",
        values={
            "jurisdiction.victim_report_required.nationals": "no",
            "jurisdiction.victim_report_required.habitual_residents": "no",
            **{f"jurisdiction.dual_criminality.{group}": "yes" for group in DUAL_CRIMINALITY},
            "legal.extortion.offences.images": ("both_offences",),
            "jurisdiction.offences_against_nationals": "no",
            "jurisdiction.offences_against_habitual_residents": "no",
        },
        sources={"jurisdiction.victim_report_required.habitual_residents": "Criminal Code Art. 7"},
        says=("jurisdiction.dual_criminality.sexual_abuse_declared_cases_only: jurisdiction.dual_criminality.core_offences changed",),
    ),
    "a condition on prosecution reported for nationals or residents, which says not which, is asked again for each": Upgrade(
        "  jurisdiction.victim_report_or_denunciation_required: yes\n",
        says=("jurisdiction.victim_report_required.nationals: jurisdiction.victim_report_or_denunciation_required changed",),
        keeps=('# jurisdiction.victim_report_or_denunciation_required (earlier edition): "yes"',),
    ),
}


@pytest.mark.parametrize("case", UPGRADES.values(), ids=UPGRADES.keys())
def test_an_earlier_editions_answers_upgrade_so_that(tmp_path, case):
    old = tmp_path / "old.yaml"
    old.write_text("party: Ruritania\nround: lanzarote-2\nanswers:\n" + case.answers)
    result = run_selfcheck("upgrade", old)
    assert result.returncode == 0, result.stderr
    new = tmp_path / "new.yaml"
    new.write_text(result.stdout)
    upgraded = load_answers(new)
    assert {question: upgraded.value(question) for question in case.values} == case.values
    assert {question: upgraded.sources[question] for question in case.sources} == case.sources
    for line in case.says:
        assert line in result.stderr
    for comment in case.keeps:
        assert comment in result.stdout, "what does not carry over is kept, as typed, in a comment"
