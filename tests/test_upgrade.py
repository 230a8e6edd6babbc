"""selfcheck upgrade: an answers file or amendment of an earlier edition becomes one of this edition.

Question ids are stable; where a question's meaning changed it got a new id, and migrations.yaml
says which old answers carry over. What does not carry over is kept, as typed, in a comment, and
listed to be answered again.
"""

from __future__ import annotations

from pathlib import Path

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


def test_a_yes_carries_over_to_each_fact_it_implied_and_a_no_is_asked_again(tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text(
        "party: Ruritania\nround: lanzarote-2\nanswers:\n"
        "  assistance.specific_recovery_support: {value: yes, source: Law 5/2019}\n"
        "  investigation.le_units_adequately_financed: no\n"
        "  education.within_sexuality_education: yes\n"
    )
    result = run_selfcheck("upgrade", old)
    assert result.returncode == 0, result.stderr
    new = tmp_path / "new.yaml"
    new.write_text(result.stdout)
    upgraded = load_answers(new)
    assert upgraded.value("assistance.specific_support") == upgraded.value("assistance.support_short_and_long_term") == "yes"
    assert upgraded.sources["assistance.specific_support"] == "Law 5/2019"
    assert upgraded.value("education.framework") == "sexuality_education"
    assert upgraded.value("investigation.le_units_staff_sufficient") == "not_provided"
    assert "investigation.le_units_staff_sufficient: investigation.le_units_adequately_financed changed" in result.stderr
    assert '# investigation.le_units_adequately_financed (earlier edition): "no"' in result.stdout


def test_a_no_to_specialisation_in_offences_by_children_carries_to_both_services_and_a_yes_is_asked_again(tmp_path):
    """Edition 2 asked law enforcement and prosecution together (S13.9); each is now asked alone."""
    for given, expected in (("no", "no"), ("yes", "not_provided")):
        old = tmp_path / f"{given}.yaml"
        old.write_text(f"party: Ruritania\nround: lanzarote-2\nanswers:\n  investigation.units_for_child_offenders: {given}\n")
        result = run_selfcheck("upgrade", old)
        assert result.returncode == 0, result.stderr
        new = tmp_path / f"{given}-new.yaml"
        new.write_text(result.stdout)
        upgraded = load_answers(new)
        assert upgraded.value("investigation.le_units_for_child_offenders") == expected
        assert upgraded.value("investigation.prosecution_units_for_child_offenders") == expected
    assert "investigation.prosecution_units_for_child_offenders: investigation.units_for_child_offenders changed" in result.stderr
    assert '# investigation.units_for_child_offenders (earlier edition): "yes"' in result.stdout, "a yes that may mean either is kept as typed"


def test_a_yes_to_the_convention_as_legal_basis_carries_to_assistance_and_extradition_and_the_treaty_is_asked(tmp_path):
    """Edition 2 asked about both together, and not whether either needs a treaty (Art. 38(3))."""
    old = tmp_path / "old.yaml"
    old.write_text("party: Ruritania\nround: lanzarote-2\nanswers:\n  cooperation.convention_as_legal_basis: {value: yes, source: Law 1/2020}\n")
    result = run_selfcheck("upgrade", old)
    assert result.returncode == 0, result.stderr
    new = tmp_path / "new.yaml"
    new.write_text(result.stdout)
    upgraded = load_answers(new)
    assert upgraded.value("cooperation.convention_basis_legal_assistance") == upgraded.value("cooperation.convention_basis_extradition") == "yes"
    assert upgraded.sources["cooperation.convention_basis_extradition"] == "Law 1/2020"
    assert upgraded.value("cooperation.legal_assistance_treaty_required") == "not_provided"
    assert "cooperation.extradition_treaty_required: cooperation.convention_as_legal_basis changed" in result.stderr


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


def test_edition_2_answers_split_into_one_fact_and_one_offence_group_a_question(tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text(
        "party: Ruritania\nround: lanzarote-2\nanswers:\n"
        "  jurisdiction.victim_report_or_denunciation_required: {value: no, source: Criminal Code Art. 7}\n"
        "  jurisdiction.dual_criminality.core_offences: yes\n"
        "  legal.extortion.prosecution.images: both_offences\n"
        "  jurisdiction.offences_against_nationals_or_residents: no\n"
    )
    result = run_selfcheck("upgrade", old)
    assert result.returncode == 0, result.stderr
    new = tmp_path / "new.yaml"
    new.write_text(result.stdout)
    upgraded = load_answers(new)
    assert upgraded.value("jurisdiction.victim_report_required.nationals") == upgraded.value("jurisdiction.victim_report_required.habitual_residents") == "no"
    assert upgraded.sources["jurisdiction.victim_report_required.habitual_residents"] == "Criminal Code Art. 7"
    groups = ("sexual_abuse", "child_prostitution", "production", "pornographic_performances")
    assert {upgraded.value(f"jurisdiction.dual_criminality.{group}") for group in groups} == {"yes"}, "dual criminality for the four kept for each"
    assert "jurisdiction.dual_criminality.sexual_abuse_declared_cases_only: jurisdiction.dual_criminality.core_offences changed" in result.stderr
    assert upgraded.value("legal.extortion.offences.images") == ("both_offences",)
    assert upgraded.value("jurisdiction.offences_against_nationals") == upgraded.value("jurisdiction.offences_against_habitual_residents") == "no"


def test_a_condition_on_prosecution_reported_for_nationals_or_residents_is_asked_again_for_each(tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text("party: Ruritania\nround: lanzarote-2\nanswers:\n  jurisdiction.victim_report_or_denunciation_required: yes\n")
    result = run_selfcheck("upgrade", old)
    assert result.returncode == 0, result.stderr
    assert "jurisdiction.victim_report_required.nationals: jurisdiction.victim_report_or_denunciation_required changed" in result.stderr
    assert '# jurisdiction.victim_report_or_denunciation_required (earlier edition): "yes"' in result.stdout, "a yes says not which, so it is kept as typed"
