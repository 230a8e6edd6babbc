"""A repository path written as code in a page (``engine/team/database.py``, or a test as
``tests/test_x.py::test_name``) must exist, so that a renamed or removed file fails the docs build
instead of leaving a page that points nowhere. Paths with placeholders (``rules/<round>/``,
``*.cases.yaml``) are not checked."""

import re
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[2]
TOP_FOLDERS = ("bench", "conventions", "docs", "engine", "questionnaires", "rules", "scripts", "templates", "tests", "web")
TOP_FILES = ("Makefile", "pyproject.toml", "cli.py", "README.md", ".gitignore")
PATH = re.compile(rf"(?:{'|'.join(TOP_FOLDERS)})/[\w./-]*|{'|'.join(re.escape(name) for name in TOP_FILES)}")
TEST = re.compile(r"(?P<path>tests/[\w/.-]+\.py)::(?P<name>\w+)")

logger = logging.getLogger(__name__)


def problem(text: str) -> str | None:
    """What is wrong with a path written as code, or None if it is not a repository path or exists."""
    test = TEST.fullmatch(text)
    if test:
        path = ROOT / test["path"]
        if not path.is_file():
            return f"{test['path']} does not exist"
        if not re.search(rf"^\s*(?:async )?def {test['name']}\(", path.read_text(encoding="utf-8"), re.MULTILINE):
            return f"{test['path']} has no test {test['name']}"
        return None
    if PATH.fullmatch(text) and not (ROOT / text).exists():
        return f"{text} does not exist in the repository"
    return None


def check_paths(app, doctree: nodes.document, docname: str) -> None:
    for literal in doctree.findall(nodes.literal):
        found = problem(literal.astext())
        if found:
            logger.warning(found, location=literal, type="repository", subtype="path")


def setup(app):
    app.connect("doctree-resolved", check_paths)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
