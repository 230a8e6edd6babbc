"""A round's questionnaire and rulebook, loaded once per version of their files and of selfcheck's code.

Loading them reads and checks some fifteen YAML files, which a command started cold would otherwise
pay on every run. The loaded objects are pickled in the user's cache folder ($XDG_CACHE_HOME/selfcheck,
or ~/.cache/selfcheck) under the SHA-256 of every file they are loaded from, of the engine's source
and of the Python and pydantic versions: any change to any of them names a new entry, so an entry is
never stale. The folder is the user's own, as Python's bytecode caches are. A cache that cannot be
read or written is passed over: it only saves time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

ENGINE = Path(__file__).resolve().parent
MAX_ENTRY = 20_000_000


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "selfcheck"


def key(sources: list[Path]) -> str:
    """The SHA-256 of the files of ``sources`` (folders read whole), of the engine's code and of the
    versions that shape a pickle; InputError if one of them cannot be read as a file."""
    import pydantic

    from .documents import MAX_BYTES, read_bytes

    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    files = sorted(ENGINE.glob("*.py"))
    for source in sources:
        files += sorted(path for path in source.rglob("*") if not path.is_dir()) if source.is_dir() else [source]
    for path in files:
        digest.update(str(path).encode() + b"\0" + read_bytes(path, MAX_BYTES) + b"\0")
    return digest.hexdigest()


def load(name: str, sources: list[Path]) -> Any | None:
    """The entry ``name`` for these sources as they are now, or None."""
    from .documents import read_bytes
    from .errors import InputError

    try:
        return pickle.loads(read_bytes(folder() / f"{name}-{key(sources)}.pickle", MAX_ENTRY))
    except InputError:  # no entry yet; or a source the loader itself will report
        return None
    except Exception:  # a damaged entry, which any unpickling error can signal: loaded afresh and written again
        return None


def store(name: str, sources: list[Path], value: Any) -> None:
    """Keep ``value`` as the entry ``name`` for these sources, replacing the entries of their earlier versions."""
    from .documents import write_atomically
    from .errors import InputError

    directory = folder()
    try:
        path = directory / f"{name}-{key(sources)}.pickle"
        directory.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a damaged entry, which this command read, is replaced like any other
        write_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        for earlier in directory.glob(f"{name}-*.pickle"):
            if earlier != path:
                earlier.unlink(missing_ok=True)
    except (InputError, OSError, pickle.PicklingError):
        pass
