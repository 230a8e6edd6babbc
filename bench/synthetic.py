"""Synthetic rulebooks N times the real one, for measuring how cost grows with the rulebook.

Copy k of every question is renamed ``s<k>.<id>``, copy k of every rule ``<chapter>-<n + 1000k>``
and of every observation ``<id>-s<k>``, with conditions (and quoted answers) rewritten to read the
copied questions; the files then go through the real loader and compiler, so loading is measured too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from selfcheck.engine.answers import rounds
from selfcheck.engine.common.safe_files import read_document  # YAML 1.2: yes and no stay text


def _dump(data) -> str:
    """Compact JSON, one value a line (libyaml slows down on very long lines), read as YAML 1.2."""
    return json.dumps(data, indent=0, separators=(",", ":"), ensure_ascii=False, default=str)


def write_synthetic_round(factor: int, directory: Path) -> tuple[Path, Path]:
    """Write a questionnaire and a rulebook ``factor`` times the real ones; return their paths."""
    round_id = rounds.default_round()
    questionnaire = read_document(rounds.questionnaire_path(round_id)).data
    real_ids = {q["id"] for section in questionnaire["sections"] for q in section["questions"]}
    for section in questionnaire["sections"]:
        section["questions"] = [
            _shortened({**question, "id": f"s{k}.{question['id']}", "number": _numbered(question["number"], k)}, k)
            for k in range(factor)
            for question in section["questions"]
        ]
    questionnaire_file = directory / "questionnaire.yaml"
    questionnaire_file.write_text(_dump(questionnaire), encoding="utf-8")

    rules_dir = directory / "rules"
    rules_dir.mkdir()
    source = rounds.rules_dir(round_id)
    meta = read_document(source / "rulebook.yaml").data
    meta.pop("baseline", None)  # the cases are not copied: only the rules are measured
    meta["chapters"] = [{key: value for key, value in entry.items() if key != "cases"} for entry in meta["chapters"]]
    (rules_dir / "rulebook.yaml").write_text(_dump(meta), encoding="utf-8")
    for path in (source / entry["file"] for entry in meta["chapters"]):
        chapter_file = read_document(path).data
        copies = []
        for k in range(factor):
            for rule in chapter_file["rules"]:
                copy = _shortened({**rule, "id": _copied_id(rule["id"], k)}, k)
                if "when" in rule:
                    copy["when"] = _rename_questions(rule["when"], k, real_ids)
                if "elements" in rule:
                    copy["elements"] = [{**element, "unmet": _rename_questions(element["unmet"], k, real_ids)} for element in rule["elements"]]
                if "printed_with" in rule:
                    copy["printed_with"] = _copied_id(rule["printed_with"], k)
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


def _numbered(number: str, k: int) -> str:
    """Copy k of a question number, still under the same Committee question: S8.1 -> S8.1001."""
    head, last = number.rsplit(".", 1)
    return f"{head}.{int(last) + 1000 * k}"


def _copied_id(item_id: str, k: int) -> str:
    """Copy k of a rule id (II-3 -> II-1003, SC-IV-1 -> SC-IV-1001) or of an observation id (XI.no-research -> XI.no-research-s1)."""
    if "." in item_id:
        return f"{item_id}-s{k}"
    head, number = item_id.rsplit("-", 1)
    return f"{head}-{int(number) + 1000 * k}"


def _shortened(item: dict, k: int) -> dict:
    """Copies after the first carry one-letter texts: the files stay under the loader's size cap,
    and the engine's cost does not depend on the length of the words."""
    if k == 0:
        return item
    short = {key: "c" for key in ("help", "reason", "text", "why", "argument") if key in item}
    if isinstance(item.get("no_information"), dict):
        short["no_information"] = {**item["no_information"], "because": "c"}
    if "prompt" in item:
        short["prompt"] = "c?"  # a yes/no question is still asked as a question
    if "serves" in item:
        short["serves"] = ["c"]
    if "options" in item:
        short["options"] = [{"value": option["value"], "label": "c"} for option in item["options"]]
    return {**item, **short}


def _rename_questions(condition, k: int, real_ids: set[str]):
    if isinstance(condition, dict):
        return {(f"s{k}.{key}" if key in real_ids else key): _rename_questions(value, k, real_ids) for key, value in condition.items()}
    if isinstance(condition, list):
        return [_rename_questions(item, k, real_ids) for item in condition]
    return condition
