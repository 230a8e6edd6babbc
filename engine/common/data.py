"""Where the data shipped with selfcheck lives: the rulebooks, questionnaires, convention indexes and templates.

The repository is the package ``selfcheck`` (pyproject.toml maps it), so the data sits beside the
code in the same places in a checkout and in an installed wheel: ``rules/``, ``questionnaires/``,
``conventions/`` and ``templates/`` at the package's top.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
DATA_ROOT = PACKAGE
TEMPLATES = PACKAGE / "templates"
# The Python code whose version shapes what the cache keeps (engine.common.cache).
CODE = PACKAGE / "engine"
