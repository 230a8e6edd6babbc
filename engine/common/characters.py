"""What a name and a free text may contain, and how any text is shown safely on a terminal.

A name (a Party, a bill's title or reference, a file it applies to) is one line of printable
characters. A free text (a text answer, a source, a note) may also hold line breaks and tabs. Both
refuse control characters (terminal escapes among them), the separators U+2028, U+2029 and U+0085
that some readers take for line breaks and others do not, the controls that reorder text on screen
(bidi overrides and isolates), and lone surrogates (half of a character, which no UTF-8 file holds).
"""

from __future__ import annotations

import re
import unicodedata

# Written as regular-expression escapes, so that the JSON Schema patterns below hold no raw separators.
_BIDI_CONTROLS = "\\u202a-\\u202e\\u2066-\\u2069"
_NAME_REFUSES = f"\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{_BIDI_CONTROLS}"
_TEXT_REFUSES = f"\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029{_BIDI_CONTROLS}"
_REFUSED_IN_NAME = re.compile(f"[{_NAME_REFUSES}\\ud800-\\udfff]")
_REFUSED_IN_TEXT = re.compile(f"[{_TEXT_REFUSES}\\ud800-\\udfff]")
# The same rules as JSON Schema patterns (ECMA-262 and Python alike), for editors: not blank, and
# none of the refused characters (lone surrogates aside, which no JSON text an editor writes holds).
NAME_PATTERN = f"^(?=[\\s\\S]*\\S)[^{_NAME_REFUSES}]*$"
TEXT_PATTERN = f"^(?=[\\s\\S]*\\S)[^{_TEXT_REFUSES}]*$"
NAME_RULE = "one line of printable characters"
TEXT_RULE = "printable characters, line breaks and tabs"


def name_problem(text: str) -> str | None:
    """Why ``text`` cannot be a name, or None."""
    return _problem(text, _REFUSED_IN_NAME, NAME_RULE)


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a free text, or None."""
    return _problem(text, _REFUSED_IN_TEXT, TEXT_RULE)


def _problem(text: str, refused: re.Pattern, rule: str) -> str | None:
    found = refused.search(text)
    if not found:
        return None
    return f"holds {describe(found.group())} at character {found.start() + 1}; expected {rule}"


def describe(character: str) -> str:
    """U+000A (LINE FEED): a character named so that a person can find it."""
    code = ord(character)
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X} (half of a character, a lone surrogate)"
    name = unicodedata.name(character, "") or _CONTROL_NAMES.get(code, "a control character")
    return f"U+{code:04X} ({name})"


_CONTROL_NAMES = {0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN", 0x09: "TAB", 0x1B: "ESCAPE", 0x85: "NEXT LINE", 0x00: "NUL"}

# What a terminal would act on rather than show: controls but tab and line feed, separators, bidi controls, surrogates.
_UNPRINTABLE = _REFUSED_IN_TEXT


def printable(text: str) -> str:
    """``text`` for a terminal: every character it would act on written as an escape (\\x1b, \\u2028)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
