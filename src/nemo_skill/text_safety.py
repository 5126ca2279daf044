"""The one check for text that comes in from outside (issue 22): corrections, translations,
scripts, titles, terms, names a remote service sends, file names shown to users.

Refused everywhere: control characters (ESC, NUL, C1 controls; a line break and a tab are text),
the bidirectional controls that reorder what a reader sees (U+202E and its kin), line and
paragraph separators, private-use code points. Once they reached the SRT, ASS
and BCC files; now they never pass the door.
"""

from __future__ import annotations

import unicodedata

ALLOWED_CONTROLS = frozenset("\n\r\t")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REFUSED_CATEGORIES = ("Cc", "Cs", "Co", "Zl", "Zp")


def is_unsafe(ch: str) -> bool:
    if ch in ALLOWED_CONTROLS:
        return False
    return ch in BIDI_CONTROLS or unicodedata.category(ch) in _REFUSED_CATEGORIES or ch == "\ufeff"


def unsafe_characters(text: str) -> list[str]:
    """The refused characters of ``text``, each once, in order."""
    seen: list[str] = []
    for ch in str(text):
        if is_unsafe(ch) and ch not in seen:
            seen.append(ch)
    return seen


def describe(chars: list[str]) -> str:
    """Characters named by code point (never echoed: they are what is refused)."""
    return ", ".join(f"U+{ord(ch):04X}" for ch in chars[:5]) + (" ..." if len(chars) > 5 else "")


def problem(text: str) -> str | None:
    """Why ``text`` is refused (None: it is fine)."""
    bad = unsafe_characters(text)
    if not bad:
        return None
    kind = "bidirectional control" if any(ch in BIDI_CONTROLS for ch in bad) else "control or invisible"
    return f"it holds {kind} character(s) {describe(bad)}"


def shown(text: str, limit: int = 200) -> str:
    """A value from a remote service, made fit to show: refused characters dropped, one line."""
    kept = "".join(ch for ch in str(text) if not is_unsafe(ch))
    return " ".join(kept.split())[:limit]


def first_problem(value, where: str = "") -> str | None:
    """The first string inside a JSON value that is refused, as 'where: why' (None: all fine)."""
    if isinstance(value, str):
        why = problem(value)
        return f"{where or 'text'}: {why}" if why else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and (why := problem(key)):
            return f"{where or 'arguments'}: a name {why}"
        found = first_problem(item, f"{where}.{key}" if where else str(key))
        if found:
            return found
    return None
