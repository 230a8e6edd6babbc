"""Sphinx's settings for selfcheck's documentation: Markdown pages (MyST), one per audience, and a
command reference generated from the command line itself (sphinx-click), so that it cannot drift.

`make test` builds it with warnings as errors (-W) and nitpicky references (-n): a broken link, a
missing section or a repository path that no longer exists fails the build.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "selfcheck"
author = "the selfcheck project"
copyright = "the selfcheck project"

extensions = ["myst_parser", "cli_reference", "repository_paths"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_ext"]
nitpicky = True

# Links to a section of a page (page.md#a-heading) resolve through the headings' slugs.
myst_heading_anchors = 3

html_theme = "furo"
html_title = "selfcheck"
html_permalinks_icon = "#"
