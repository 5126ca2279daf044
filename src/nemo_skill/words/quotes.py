"""Quoted words (a title's text) and blocks attached to a request (a script, a glossary):
their words are data, never requests."""

from __future__ import annotations

import re

from .claims import read

QUOTED = re.compile(r"[\"“”「『《'‘]([^\"“”」』》'’]{1,80})[\"“”」』》'’]")

# Material attached to a request (a subtitle script, a glossary), one block each:
# "\n--- script ---\n...\n--- end of script ---" (subtitle_job.attach).
_ATTACHED = re.compile(r"\n--- ([a-z]+) ---\n(.*?)\n--- end of \1 ---", re.S)

# Control and bidi characters never go back out in the words we quote (a U+202E would turn
# the rest of the user's terminal line around).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# "3. 也劝说…", "[12] text": the numbered lines of a correction or a translation.
NUMBERED_LINE = re.compile(r"^\s*\[?(\d{1,5})\]?\s*[.)．、:：\]]?\s*(.*)$")


def quoted(text: str) -> str | None:
    m = read(QUOTED, text)
    return m.group(1).strip() if m else None


def attached(text: str, name: str) -> str | None:
    """The body of the block ``name`` attached to ``text``, if any."""
    return next((m.group(2) for m in _ATTACHED.finditer(text) if m.group(1) == name), None)


def without_attached(text: str) -> str:
    return _ATTACHED.sub("", text)


def mask_quotes(text: str) -> str:
    """The words with quoted text and attached blocks blanked (same length): a title
    "Remove me" is a title, not a request to remove something (issue 10)."""
    text = _ATTACHED.sub(lambda m: "_" * len(m.group(0)), text)
    return QUOTED.sub(lambda m: m.group(0)[0] + "_" * (len(m.group(0)) - 2) + m.group(0)[-1], text)


def printable(words: str) -> str:
    """The user's words as they may be quoted back: no control or bidi characters."""
    return _UNPRINTABLE.sub("", words)
