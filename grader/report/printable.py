"""Student data shown on a terminal: only what a terminal prints, never what it obeys.

>>> printable("mynginx\\x1b]0;owned\\x07\\u202e")
'mynginx]0;owned'
"""

from __future__ import annotations

import unicodedata

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """``text`` without control characters (terminal escapes, carriage returns) or bidi
    overrides, which could make a line show something other than what it holds; newlines and
    tabs stay."""
    return "".join(
        char
        for char in text
        if char in "\n\t" or not (unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS)
    )
