"""Reading YAML and JSON files safely, keeping the line of every key for error messages.

Nothing in a file is ever executed or constructed beyond plain data: YAML is composed into nodes
by libyaml without any typing, and built here under YAML 1.2's core schema; tags, aliases and
duplicate keys are refused, sizes and nesting are capped, and every failure is an InputError
naming the file and the line.
"""

from __future__ import annotations

import datetime
import gc
import json
import math
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfcheck.engine.common.errors import InputError, Place

MAX_BYTES = 2_000_000  # answers files are ~15 kB; the 100x benchmark rulebook needs ~1.3 MB
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
    return document_from_bytes(path, read_bytes(path))


def document_from_bytes(path: Path, raw: bytes) -> Document:
    """The document the bytes ``raw`` of the file ``path`` hold."""
    return document_from_text(path, _decoded(path, raw))


def leading_comments(data: bytes) -> list[str]:
    """The comment lines a file opens with, to keep them when the file is rewritten."""
    comments = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        comments.append(line[2:] if line.startswith("# ") else line[1:])
    return comments


def read_plain_text(path: str | Path) -> str:
    """A text file (a published factsheet), read under the same caps and checks as a document."""
    path = Path(path)
    return _decoded(path, read_bytes(path))


def document_from_text(path: Path, text: str) -> Document:
    """The document ``text`` would be if it were the file ``path`` (read as JSON or YAML by its suffix)."""
    if path.suffix.lower() == ".json":
        data = _parse_json(path, text)
        try:  # valid JSON is YAML 1.2: reread it only to learn the line of each key
            positions = _parse_yaml(path, text)[1]
        except InputError:
            positions = {}
    else:
        data, positions = _parse_yaml(path, text)
    return Document(path, data, positions)


# Files read while this is a set: what a command's output must never replace (see ``track_inputs``).
_inputs: set[tuple[int, int]] | None = None


def track_inputs(enabled: bool = True) -> None:
    """Remember every file read from now on in this process, so that no output replaces one of them
    (or, with ``enabled`` false, stop: a server replaces the files it reads, under its own checks)."""
    global _inputs
    _inputs = (set() if _inputs is None else _inputs) if enabled else None


def note_input(status: os.stat_result) -> None:
    """Count a file as read by this command, so that its output never replaces it: also a file whose
    contents were known without reading it (the rulebook cache knows a file by its size and times)."""
    if _inputs is not None:
        _inputs.add((status.st_dev, status.st_ino))


def read_bytes(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, refusing anything else and reading at most ``limit`` + 1 bytes.

    The size is never taken from ``st_size``: a device reports 0 and never ends, and a file can grow
    while it is read. Nothing here blocks: a named pipe is refused before it is opened, and opened
    without blocking should it appear meanwhile.
    """
    path = Path(path)
    try:
        _check_regular(path, os.stat(path).st_mode)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(path, "no such file; expected a YAML or JSON file") from None
    except OSError as error:
        raise InputError(path, f"cannot be read: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        _check_regular(path, status.st_mode)  # it may have been replaced after the first look
        note_input(status)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise InputError(path, f"cannot be read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if size > limit:
        raise InputError(path, f"is more than {limit:,} bytes; files larger than {limit:,} bytes are refused")
    return b"".join(chunks)


def _check_regular(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise InputError(path, "is a directory; expected a YAML or JSON file")
    if not stat.S_ISREG(mode):
        raise InputError(path, f"is {_kind(mode)}, not a regular file; expected a YAML or JSON file")


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a special file")


def _decoded(path: Path, raw: bytes) -> str:
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

    def number(parse):
        def checked(literal: str) -> Any:
            try:
                return _number(literal, parse)
            except ValueError as problem:
                raise InputError(path, str(problem)) from None

        return checked

    try:
        data = json.loads(text, object_pairs_hook=refuse_duplicates, parse_constant=refuse_constant, parse_int=number(int), parse_float=number(float))
    except json.JSONDecodeError as error:
        raise InputError(path, f"is not valid JSON: {error.msg}", Place((), error.lineno, error.colno)) from None
    except RecursionError:
        raise InputError(path, f"is nested too deeply; at most {MAX_DEPTH} levels are accepted") from None
    _check_json_data(path, data)
    return data


def _check_json_data(path: Path, data: Any, depth: int = 0) -> None:
    """Refuse deep nesting, and the lone surrogates a JSON escape can make but no UTF-8 text holds."""
    if depth > MAX_DEPTH:
        raise InputError(path, f"is nested too deeply; at most {MAX_DEPTH} levels are accepted")
    children = [*data, *data.values()] if isinstance(data, dict) else data if isinstance(data, list) else (data,) if isinstance(data, str) else ()
    for child in children:
        if isinstance(child, str):
            surrogate = _SURROGATE.search(child)
            if surrogate:
                raise InputError(
                    path, f"holds the escape \\u{ord(surrogate.group()):04x}, half of a character (a lone surrogate); expected text in valid Unicode"
                )
        else:
            _check_json_data(path, child, depth + 1)


_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DIGITS = 100  # Python refuses to read an integer of more than 4,300 digits; no answer needs more than a few


def _number(literal: str, parse) -> Any:
    """A number as written, or ValueError for one too long to be an answer or too large to be finite."""
    digits = sum(character.isdigit() for character in literal.partition("e")[0].partition("E")[0])
    if digits > MAX_DIGITS:
        raise ValueError(f"holds a number of {digits:,} digits; numbers of more than {MAX_DIGITS} digits are refused")
    value = parse(literal)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"holds the number {literal[:40]}, too large to be stored; expected a finite number")
    return value


def _parse_yaml(path: Path, text: str) -> tuple[Any, dict]:
    with _collector_paused():
        return _compose_and_build(path, text)


@contextmanager
def _collector_paused():
    """Building a document allocates only containers that survive and hold no cycles; a cyclic
    collection meanwhile rescans the growing heap for nothing and makes large files quadratic
    (measured: 6.4 s instead of 1.75 s to load the 100x benchmark rulebook)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _compose_and_build(path: Path, text: str) -> tuple[Any, dict]:
    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when present; no implicit typing either way
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = (error.problem or error.context or "malformed YAML").strip()
        if error.context and problem.startswith("but "):  # "expected a single document ... but found another"
            problem = f"{error.context} {problem}"
        place = Place((), mark.line + 1, mark.column + 1) if mark else Place()
        raise InputError(path, f"is not valid YAML: {problem}", place) from None
    except (yaml.YAMLError, RecursionError) as error:
        raise InputError(path, f"is not valid YAML: {error}") from None
    if root is None:
        raise InputError(path, "holds no YAML document; expected a mapping of fields")
    positions: dict[tuple, tuple[int, int]] = {}
    return _Builder(path, positions).build(root, ()), positions


# YAML 1.2 core schema for plain scalars (so yes and no stay text), plus ISO dates.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_CORE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq", "int", "float", "bool", "null")}


class _Builder:
    """Builds plain data from YAML nodes, refusing tags, aliases, duplicate keys and deep nesting."""

    def __init__(self, path: Path, positions: dict):
        self.path = path
        self.positions = positions
        self.seen: set[int] = set()

    def refuse(self, node, problem: str) -> InputError:
        return InputError(self.path, problem, Place((), node.start_mark.line + 1, node.start_mark.column + 1))

    def build(self, node, keys: tuple) -> Any:
        import yaml

        if id(node) in self.seen:
            raise self.refuse(node, "uses a YAML alias (*name); write the value out in full")
        self.seen.add(id(node))
        if node.tag not in _CORE_TAGS:
            raise self.refuse(node, f"uses the YAML tag {node.tag}; tags are not accepted, write plain values")
        if len(keys) > MAX_DEPTH:
            raise self.refuse(node, f"is nested too deeply; at most {MAX_DEPTH} levels are accepted")
        if isinstance(node, yaml.MappingNode):
            mapping: dict = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, keys)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise self.refuse(key_node, "uses a complex mapping key; keys must be plain text")
                if key in mapping:
                    raise self.refuse(key_node, f'duplicate key "{key}"; each key may appear once')
                self.positions[keys + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                mapping[key] = self.build(value_node, keys + (key,))
            return mapping
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.positions[keys + (index,)] = (item.start_mark.line + 1, item.start_mark.column + 1)
                items.append(self.build(item, keys + (index,)))
            return items
        if node.style not in (None, ""):
            return node.value
        try:
            return _scalar(node.value)
        except ValueError as problem:
            raise self.refuse(node, str(problem)) from None


def _scalar(text: str) -> Any:
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return _number(text, int)
    if _FLOAT.match(text):
        return _number(text, float)
    if _DATE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return text
    return text


def yaml_scalar(value: Any) -> str:
    """A value as our reader reads it back (YAML 1.2 core): option-like words plain, other text double-quoted."""
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(yaml_scalar(item) for item in value) + "]"
    if isinstance(value, int):
        return str(value)
    if re.fullmatch(r"[a-z][a-z0-9_]*", value) and value not in ("null", "true", "false"):
        return value
    # A JSON string is a YAML double-quoted scalar once the characters YAML would not keep are escaped too.
    return YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


# Characters YAML would not keep as they are in a scalar: outside its printable set, or read as a line break or BOM.
YAML_UNSAFE = re.compile(r"[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")


def write_text_atomically(path: str | Path, text: str) -> None:
    write_atomically(path, text.encode("utf-8"))


def write_atomically(path: str | Path, data: bytes, *, new: bool = False, before_replace: Callable[[], None] | None = None) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, then a rename over it.

    With ``new``, the file must not exist: the temporary file is linked to its name, which fails
    (FileExistsError) if another writer took the name meanwhile. Only a regular file that no input
    of this command is, or a new name, is ever written (``check_output``). ``before_replace`` is
    called once the data is on disk, right before it takes the name; if it raises, nothing changes.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    check_output(path)
    if not directory.is_dir():
        raise InputError(path, f"cannot be written: no directory {directory}")
    with _stops_cleanly():
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
        except OSError as error:
            raise InputError(path, f"cannot be written: {error.strerror or error}") from None
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, file_mode_for(path))
            if before_replace:
                before_replace()
            if new:
                os.link(temporary, path)
            else:
                os.replace(temporary, path)
        except FileExistsError:
            raise
        except OSError as error:
            raise InputError(path, f"cannot be written: {error.strerror or error}") from None
        finally:
            Path(temporary).unlink(missing_ok=True)


def check_output(path: Path) -> None:
    """Refuse to write over anything but a regular file, or over a file this command reads."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise InputError(path, f"cannot be written: {error.strerror or error}") from None
    if stat.S_ISLNK(status.st_mode):
        raise InputError(path, "is a symbolic link; write to the file it names, or to a new name")
    if stat.S_ISDIR(status.st_mode):
        raise InputError(path, "is a directory; give a file name to write to")
    if not stat.S_ISREG(status.st_mode):
        raise InputError(path, f"is {_kind(status.st_mode)}, not a regular file; write to a regular file or a new name")
    if _inputs and (status.st_dev, status.st_ino) in _inputs:
        raise InputError(path, "is an input of this command; write the output to another file")


@contextmanager
def _stops_cleanly():
    """While a temporary file exists, SIGTERM and SIGHUP end the process through SystemExit, so that
    the file is removed on the way out. Only where they would otherwise kill it outright (their
    default action; a server's own handlers are left alone), and only in the main thread, where
    Python runs signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number, frame):
        raise SystemExit(128 + number)

    previous = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGHUP)}
    for number, handler in previous.items():
        if handler is signal.SIG_DFL:
            signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def create_atomically(path: str | Path, data: bytes) -> None:
    """Write a new file whole or not at all, never replacing one: FileExistsError if the name is
    taken, even by a link or meanwhile."""
    path = Path(path)
    if os.path.lexists(path):
        raise FileExistsError(path)
    write_atomically(path, data, new=True)


def refuse_output_over_inputs(output: str | Path, inputs: list[str | Path]) -> None:
    """Refuse an output before any work: what ``check_output`` refuses, or one of the files named as
    inputs (``check_output`` refuses again, when writing, every other file the command has read)."""
    output = Path(output)
    check_output(output)
    for given in inputs:
        if output.exists() and Path(given).exists() and os.path.samefile(output, given):
            raise InputError(output, f"is {given}, which this command reads; give another file to write")


def file_mode_for(path: Path) -> int:
    """Keep an existing file's permissions; give a new one the usual 0666 less the umask."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
