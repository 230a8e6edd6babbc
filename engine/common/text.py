"""Plain text as every command prints it: lines wrapped at one width, words kept whole."""

from __future__ import annotations

import textwrap

WIDTH = 100


def wrap(text: str, first: str = "", rest: str = "", width: int = WIDTH) -> str:
    """``text`` wrapped at ``width``, words and hyphenated terms (question ids, "ICT-facilitated") kept whole."""
    return textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False, break_long_words=False)
