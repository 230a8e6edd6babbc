"""Reading YAML and JSON files safely, keeping the line of every key for error messages.

Nothing in a file is ever executed or constructed beyond plain data: YAML tags and aliases are
refused before the document is built, sizes and nesting are capped, and every failure is an
InputError naming the file and the line.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from .errors import InputError, Place

MAX_BYTES = 1_000_000
MAX_DEPTH = 20
_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


@dataclass
class Document:
    """Plain data read from a file, with the (line, column) of each key path where known."""

    file: Path
    data: Any
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def place(self, keys: tuple = ()) -> Place:
        """The place of ``keys``, falling back to the nearest enclosing key that has a line."""
        for end in range(len(keys), -1, -1):
            position = self.positions.get(tuple(keys[:end]))
            if position:
                return Place(tuple(keys), *position)
        return Place(tuple(keys))

    def error(self, problem: str, keys: tuple = ()) -> InputError:
        return InputError(self.file, problem, self.place(keys))


def read_document(path: str | Path) -> Document:
    path = Path(path)
    text = _read_text(path)
    if path.suffix.lower() == ".json":
        data = _parse_json(path, text)
        try:  # valid JSON is YAML 1.2: reread it only to learn the line of each key
            positions = _parse_yaml(path, text)[1]
        except InputError:
            positions = {}
    else:
        data, positions = _parse_yaml(path, text)
    return Document(path, data, positions)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError(path, "no such file; expected a YAML or JSON file")
    if path.is_dir():
        raise InputError(path, "is a directory; expected a YAML or JSON file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(path, f"is {size:,} bytes; files larger than {MAX_BYTES:,} bytes are refused")
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot be read: {error.strerror}") from None
    for bom, encoding in _BOMS.items():
        if raw.startswith(bom):
            raise InputError(path, f"is encoded as {encoding}; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(path, f"byte {error.start} is not UTF-8; save the file as UTF-8", Place((), line)) from None
    if "\x00" in text:
        raise InputError(path, "contains NUL characters; expected a text file in UTF-8")
    if not text.strip():
        raise InputError(path, "is empty; expected a mapping of fields")
    return text


def _parse_json(path: Path, text: str) -> Any:
    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict:
        mapping: dict = {}
        for key, value in pairs:
            if key in mapping:
                raise InputError(path, f'key "{key}" appears twice; each key may appear once')
            mapping[key] = value
        return mapping

    def refuse_constant(name: str) -> Any:
        raise InputError(path, f"{name} is not a number; expected a finite number")

    try:
        data = json.loads(text, object_pairs_hook=refuse_duplicates, parse_constant=refuse_constant)
    except json.JSONDecodeError as error:
        raise InputError(path, f"is not valid JSON: {error.msg}", Place((), error.lineno, error.colno)) from None
    except RecursionError:
        raise InputError(path, f"is nested too deeply; at most {MAX_DEPTH} levels are accepted") from None
    _check_depth(path, data)
    return data


def _check_depth(path: Path, data: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise InputError(path, f"is nested too deeply; at most {MAX_DEPTH} levels are accepted")
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    for child in children:
        _check_depth(path, child, depth + 1)


def _parse_yaml(path: Path, text: str) -> tuple[Any, dict]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        _refuse_unsafe_events(path, yaml.parse(StringIO(text)))
        loaded = yaml.load(text)
    except InputError:
        raise
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = (error.problem or error.context or "malformed YAML").strip()
        if "duplicate key" in problem:
            problem += "; each key may appear once"
        place = Place((), mark.line + 1, mark.column + 1) if mark else Place()
        raise InputError(path, f"is not valid YAML: {problem}", place) from None
    except (YAMLError, ValueError, OverflowError) as error:
        raise InputError(path, f"is not valid YAML: {error}") from None
    positions: dict[tuple, tuple[int, int]] = {}
    return _plain(loaded, (), positions), positions


def _refuse_unsafe_events(path: Path, events) -> None:
    """Refuse what could construct objects or expand without bound, before anything is built."""
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        DocumentStartEvent,
        NodeEvent,
    )

    depth = documents = 0
    for event in events:
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise InputError(path, "holds more than one YAML document; expected one", Place((), line))
        elif isinstance(event, AliasEvent):
            raise InputError(path, "uses a YAML alias (*name); write the value out in full", Place((), line))
        if isinstance(event, NodeEvent):
            if event.anchor is not None:
                raise InputError(path, "uses a YAML anchor (&name); anchors and aliases are not accepted", Place((), line))
            tag = getattr(event, "tag", None)
            if tag is not None and str(tag) != "!":
                raise InputError(path, f"uses the YAML tag {tag}; tags are not accepted, write plain values", Place((), line))
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(path, f"is nested too deeply; at most {MAX_DEPTH} levels are accepted", Place((), line))
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _plain(node: Any, keys: tuple, positions: dict) -> Any:
    """Convert ruamel's round-trip objects to plain Python, recording where each key sits."""
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            key_path = keys + (_plain_scalar(key),)
            position = node.lc.key(key) if hasattr(node, "lc") else None
            if position:
                positions[key_path] = (position[0] + 1, position[1] + 1)
            result[key_path[-1]] = _plain(value, key_path, positions)
        return result
    if isinstance(node, list):
        result = []
        for index, value in enumerate(node):
            item_path = keys + (index,)
            position = node.lc.item(index) if hasattr(node, "lc") else None
            if position:
                positions[item_path] = (position[0] + 1, position[1] + 1)
            result.append(_plain(value, item_path, positions))
        return result
    return _plain_scalar(node)


def _plain_scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    if isinstance(value, datetime.date):
        return datetime.date(value.year, value.month, value.day)
    return value
