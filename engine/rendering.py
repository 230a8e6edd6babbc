"""Turning a factsheet into a file: the formats, their Jinja2 templates, and writing atomically.

Jinja2 and python-docx are imported here and in the renderers only, so that the other commands
start without them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError
from .factsheet import Factsheet
from .rounds import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
FORMATS = ("markdown", "html", "docx")
SUFFIXES = {"markdown": ".md", "html": ".html", "docx": ".docx"}


def render(factsheet: Factsheet, format: str) -> bytes:
    if format == "markdown":
        from .render_markdown import render_markdown

        return render_markdown(factsheet).encode("utf-8")
    if format == "html":
        from .render_html import render_html

        return render_html(factsheet).encode("utf-8")
    from .render_docx import render_docx

    return render_docx(factsheet)


def jinja_environment(html: bool):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, then a rename over it."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(path, "is a directory; give a file name to write the factsheet to")
    if not directory.is_dir():
        raise InputError(path, f"cannot be written: no directory {directory}")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    except OSError as error:
        raise InputError(path, f"cannot be written: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise InputError(path, f"cannot be written: {error.strerror}") from None
        raise


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; give a new one the usual 0666 less the umask."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
