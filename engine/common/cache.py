"""Objects loaded from data files (a round's questionnaire, its rulebook), kept once per version of
their files and of selfcheck's code.

Loading them reads and checks some fifteen YAML files, which a command started cold would otherwise
pay on every run. The loaded objects are pickled in the user's cache folder ($XDG_CACHE_HOME/selfcheck,
or ~/.cache/selfcheck) under a key made of the contents of the files they are loaded from (named
relative to the folder that holds them all), of the engine's source and of the Python and pydantic
versions: any change to any of them names a new entry, so an entry is never stale, and two checkouts
of the same files share one. Paths inside an entry are kept relative to that folder, so an entry read
from another checkout names this checkout's files. Entries of other versions stay (another checkout,
another branch) up to ``KEEP`` per name, the least recently used going first. The folder is the user's
own, as Python's bytecode caches are. A cache that cannot be read or written is passed over: it only
saves time.

Hashing the files on every start would cost more than loading the entry, so each file's SHA-256 is
remembered (``digests.json``) with the size, times and inode it had; a file whose times are too recent
to tell two writes apart is hashed again every time, as git does with racily clean files.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import stat
import sys
import time
from pathlib import Path, PurePath
from typing import Any

from selfcheck.engine.common.data import CODE

ENGINE = CODE
MAX_ENTRY = 20_000_000
KEEP = 8  # entries kept per name: a few checkouts, branches or rounds side by side
DIGESTS = "digests.json"
MAX_DIGESTS = 5_000  # remembered file digests; beyond, the memo starts afresh
RACY_NS = 2_000_000_000  # a file changed this recently may change again within the same timestamp


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "selfcheck"


def _files(source: Path) -> list[Path]:
    """A source's files: the file itself, or every file under a folder, in a stable order."""
    if not source.is_dir():
        return [source]
    found = []
    for directory, folders, names in os.walk(source):
        folders.sort()
        found += [Path(directory, name) for name in sorted(names)]
    return found


def _root(sources: list[Path]) -> Path:
    """The folder that holds every source: entries name their files, and keep their paths, relative to it."""
    return Path(os.path.commonpath([str(s if s.is_dir() else s.parent) for s in sources]))


class _Digests:
    """The SHA-256 of files, remembered by their size, times and inode between commands."""

    def __init__(self) -> None:
        self.path = folder() / DIGESTS
        try:
            self.known: dict[str, list] = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            self.known = {}
        if not isinstance(self.known, dict):
            self.known = {}
        self.changed = False

    def of(self, path: Path) -> str:
        from selfcheck.engine.common.safe_files import MAX_BYTES, read_bytes

        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            read_bytes(path, MAX_BYTES)  # refuses it, saying why, without blocking on a pipe
        stamp = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
        name = str(path)
        remembered = self.known.get(name)
        if isinstance(remembered, list) and remembered[:4] == stamp:
            return remembered[4]
        digest = hashlib.sha256(read_bytes(path, MAX_BYTES)).hexdigest()
        if max(status.st_mtime_ns, status.st_ctime_ns) < time.time_ns() - RACY_NS:
            self.known[name] = [*stamp, digest]
            self.changed = True
        return digest

    def save(self) -> None:
        if not self.changed:
            return
        from selfcheck.engine.common.safe_files import write_atomically

        try:
            known = self.known if len(self.known) <= MAX_DIGESTS else {}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps(known).encode())
        except Exception:  # only saves time
            pass


def key(sources: list[Path]) -> str:
    """The SHA-256 of the files of ``sources`` (folders read whole, each file named relative to the
    folder holding them all), of the engine's code and of the versions that shape a pickle;
    InputError if one of them cannot be read as a file."""
    import pydantic

    digests = _Digests()
    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    for base, files in ((ENGINE, _files(ENGINE)), (_root(sources), [f for s in sources for f in _files(s)])):
        for path in files:
            if base is ENGINE and path.suffix != ".py":
                continue
            digest.update(f"{path.relative_to(base)}\0{digests.of(path)}\0".encode())
        digest.update(b"\1")
    digests.save()
    return digest.hexdigest()


class _Pickler(pickle.Pickler):
    """Pickles the objects of ``shared`` as their names, so that an entry refers to them rather than
    copying them; and paths under ``root`` as relative ones, so that an entry serves every checkout."""

    def __init__(self, file: io.BytesIO, shared: dict[str, Any], root: Path):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.names = {id(value): name for name, value in shared.items()}
        self.root = str(root)

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, str | PurePath):
            relative = _relative(str(obj), self.root)
            if relative is not None:
                return ("under", relative) if isinstance(obj, str) else ("path", type(obj), relative)
            return None
        return self.names.get(id(obj))


def _relative(text: str, root: str) -> str | None:
    """``text`` relative to ``root`` if it is ``root`` or a path under it, else None."""
    if text == root:
        return ""
    return text[len(root) + 1 :] if text.startswith(root) and text[len(root) : len(root) + 1] == os.sep else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: dict[str, Any], root: Path):
        super().__init__(file)
        self.shared = shared
        self.root = str(root)

    def persistent_load(self, pid: Any) -> Any:
        if isinstance(pid, tuple):
            relative = pid[-1]
            text = os.path.join(self.root, relative) if relative else self.root
            return text if pid[0] == "under" else pid[1](text)
        return self.shared[pid]  # a KeyError is a damaged entry, like any other unpickling error


def load(name: str, sources: list[Path], shared: dict[str, Any] | None = None) -> Any | None:
    """The entry ``name`` for these sources as they are now, or None. ``shared``: the objects, by name,
    that ``store`` was given as shared (a rulebook's questionnaire, loaded on its own)."""
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import read_bytes

    try:
        path = folder() / f"{name}-{key(sources)}.pickle"
        value = _Unpickler(io.BytesIO(read_bytes(path, MAX_ENTRY)), shared or {}, _root(sources)).load()
    except InputError:  # no entry yet; or a source the loader itself will report
        return None
    except Exception:  # a damaged entry, which any unpickling error can signal: loaded afresh and written again
        return None
    try:
        os.utime(path)  # used: the last of its name to go
    except OSError:
        pass
    return value


def store(name: str, sources: list[Path], value: Any, shared: dict[str, Any] | None = None) -> None:
    """Keep ``value`` as the entry ``name`` for these sources, beside those of other versions (at most
    ``KEEP``, the least recently used dropped). The objects of ``shared`` are kept as references, to be
    given back to ``load``."""
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import write_atomically

    directory = folder()
    try:
        path = directory / f"{name}-{key(sources)}.pickle"
        directory.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a damaged entry, which this command read, is replaced like any other
        buffer = io.BytesIO()
        _Pickler(buffer, shared or {}, _root(sources)).dump(value)
        write_atomically(path, buffer.getvalue())
        others = sorted((p for p in directory.glob(f"{name}-*.pickle") if p != path), key=_last_used, reverse=True)
        for earlier in others[KEEP - 1 :]:
            earlier.unlink(missing_ok=True)
    except (InputError, OSError, pickle.PicklingError):
        pass


def _last_used(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
