"""Text laid out for a terminal or a comment block: one way to wrap, for every plain-text output."""

from __future__ import annotations

import textwrap

WIDTH = 100


def wrap(text: str, first: str = "", rest: str = "", width: int = WIDTH) -> str:
    """``text`` wrapped at ``width``, words and hyphenated terms (question ids, "ICT-facilitated") kept whole."""
    return textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False, break_long_words=False)
