"""Objects loaded from data files (a round's questionnaire, its rulebook), kept once per version of
their files and of selfcheck's code.

Loading them reads and checks some fifteen YAML files, which a command started cold would otherwise
pay on every run. The loaded objects are pickled in the user's cache folder ($XDG_CACHE_HOME/selfcheck,
or ~/.cache/selfcheck) under the SHA-256 of every file they are loaded from, of the engine's source
and of the Python and pydantic versions: any change to any of them names a new entry, so an entry is
never stale. The folder is the user's own, as Python's bytecode caches are. A cache that cannot be
read or written is passed over: it only saves time.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from pathlib import Path
from typing import Any

from selfcheck.engine.common.data import CODE

ENGINE = CODE
MAX_ENTRY = 20_000_000


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "selfcheck"


def key(sources: list[Path]) -> str:
    """The SHA-256 of the files of ``sources`` (folders read whole), of the engine's code and of the
    versions that shape a pickle; InputError if one of them cannot be read as a file."""
    import pydantic

    from selfcheck.engine.common.safe_files import MAX_BYTES, read_bytes

    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    files = sorted(ENGINE.rglob("*.py"))
    for source in sources:
        files += sorted(path for path in source.rglob("*") if not path.is_dir()) if source.is_dir() else [source]
    for path in files:
        digest.update(str(path).encode() + b"\0" + read_bytes(path, MAX_BYTES) + b"\0")
    return digest.hexdigest()


class _Pickler(pickle.Pickler):
    """Pickles the objects of ``shared`` as their names, so that an entry refers to them rather than copying them."""

    def __init__(self, file: io.BytesIO, shared: dict[str, Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.names = {id(value): name for name, value in shared.items()}

    def persistent_id(self, obj: Any) -> str | None:
        return self.names.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: dict[str, Any]):
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, pid: Any) -> Any:
        return self.shared[pid]  # a KeyError is a damaged entry, like any other unpickling error


def load(name: str, sources: list[Path], shared: dict[str, Any] | None = None) -> Any | None:
    """The entry ``name`` for these sources as they are now, or None. ``shared``: the objects, by name,
    that ``store`` was given as shared (a rulebook's questionnaire, loaded on its own)."""
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import read_bytes

    try:
        return _Unpickler(io.BytesIO(read_bytes(folder() / f"{name}-{key(sources)}.pickle", MAX_ENTRY)), shared or {}).load()
    except InputError:  # no entry yet; or a source the loader itself will report
        return None
    except Exception:  # a damaged entry, which any unpickling error can signal: loaded afresh and written again
        return None


def store(name: str, sources: list[Path], value: Any, shared: dict[str, Any] | None = None) -> None:
    """Keep ``value`` as the entry ``name`` for these sources, replacing the entries of their earlier versions.
    The objects of ``shared`` are kept as references, to be given back to ``load``."""
    from selfcheck.engine.common.errors import InputError
    from selfcheck.engine.common.safe_files import write_atomically

    directory = folder()
    try:
        path = directory / f"{name}-{key(sources)}.pickle"
        directory.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a damaged entry, which this command read, is replaced like any other
        buffer = io.BytesIO()
        _Pickler(buffer, shared or {}).dump(value)
        write_atomically(path, buffer.getvalue())
        for earlier in directory.glob(f"{name}-*.pickle"):
            if earlier != path:
                earlier.unlink(missing_ok=True)
    except (InputError, OSError, pickle.PicklingError):
        pass
