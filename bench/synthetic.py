"""Synthetic rulebooks N times the real one, for measuring how cost grows with the rulebook.

Copy k of every question is renamed ``s<k>.<id>``, copy k of every rule ``<chapter>-<n + 1000k>``
and of every observation ``<id>-s<k>``, with conditions (and quoted answers) rewritten to read the
copied questions; the files then go through the real loader and compiler, so loading is measured too.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from engine import rounds
from engine.documents import read_document  # YAML 1.2: yes and no stay text



class _PlainDumper(yaml.SafeDumper):
    """Writes shared lists out in full: the loader refuses YAML aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True)


def write_synthetic_round(factor: int, directory: Path) -> tuple[Path, Path]:
    """Write a questionnaire and a rulebook ``factor`` times the real ones; return their paths."""
    round_id = rounds.DEFAULT_ROUND
    questionnaire = read_document(rounds.questionnaire_path(round_id)).data
    real_ids = {q["id"] for chapter in questionnaire["chapters"] for q in chapter["questions"]}
    for chapter in questionnaire["chapters"]:
        chapter["questions"] = [
            {**question, "id": f"s{k}.{question['id']}", "number": f"{k}.{question['number']}"}
            for k in range(factor)
            for question in chapter["questions"]
        ]
    questionnaire_file = directory / "questionnaire.yaml"
    questionnaire_file.write_text(_dump(questionnaire), encoding="utf-8")

    rules_dir = directory / "rules"
    rules_dir.mkdir()
    source = rounds.rules_dir(round_id)
    (rules_dir / "rulebook.yaml").write_text((source / "rulebook.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for path in sorted(source.glob("[0-9][0-9]-*.yaml")):
        chapter_file = read_document(path).data
        copies = []
        for k in range(factor):
            for rule in chapter_file["rules"]:
                chapter, number = rule["id"].split("-")
                copy = {**rule, "id": f"{chapter}-{int(number) + 1000 * k}"}
                if "when" in rule:
                    copy["when"] = _rename_questions(rule["when"], k, real_ids)
                copies.append(copy)
        chapter_file["rules"] = copies
        if "observations" in chapter_file:
            chapter_file["observations"] = [
                {
                    **observation,
                    "id": f"{observation['id']}-s{k}",
                    "when": _rename_questions(observation["when"], k, real_ids),
                    "text": re.sub(r"\{([a-z_]+\.[a-z_.]+)\}", lambda m: f"{{s{k}.{m.group(1)}}}", observation["text"]),
                }
                for k in range(factor)
                for observation in chapter_file["observations"]
            ]
        (rules_dir / path.name).write_text(_dump(chapter_file), encoding="utf-8")
    return questionnaire_file, rules_dir


def _rename_questions(condition, k: int, real_ids: set[str]):
    if isinstance(condition, dict):
        return {(f"s{k}.{key}" if key in real_ids else key): _rename_questions(value, k, real_ids) for key, value in condition.items()}
    if isinstance(condition, list):
        return [_rename_questions(item, k, real_ids) for item in condition]
    return condition
