"""The word lists the rules read with, from skill.yaml (``routing`` and ``words``), loaded
once; and the one way a listed word is matched."""

from __future__ import annotations

import functools
import re

from ..bundle import manifest
from ..language import has_cjk


def words(name: str) -> tuple[str, ...]:
    """A word list of skill.yaml's ``words`` (or ``routing``) section."""
    m = manifest()
    return tuple(m.words[name]) if name in m.words else tuple(m.routing[name])


def colours() -> dict[str, str]:
    """Colour words (English and Chinese) -> hex."""
    return dict(manifest().words["colours"])


def pattern(keyword: str) -> re.Pattern:
    """Chinese keywords and punctuation match anywhere; English words as whole words (a
    boundary only where the keyword has a letter: "，" before "导出" is a comma, issue 23),
    bounded by Latin letters and digits only: "mp4和srt" says "srt"."""
    if has_cjk(keyword):
        return re.compile(re.escape(keyword))
    parts = r"\s+".join(re.escape(w) for w in keyword.split())
    head = r"(?<![A-Za-z0-9_-])" if re.match(r"\w", keyword) else ""
    tail = r"(?![A-Za-z0-9_-])" if re.search(r"\w$", keyword) else ""
    return re.compile(rf"{head}{parts}{tail}", re.IGNORECASE)


def alternation(listed: tuple[str, ...] | list[str]) -> str:
    """One regex of the words, longest first: "and then" before "and"."""
    ordered = sorted(listed, key=len, reverse=True)
    return "|".join(pattern(w).pattern for w in ordered)


@functools.cache
def compiled(name: str) -> re.Pattern:
    """The word list ``name`` as one pattern (ignoring case)."""
    return re.compile(alternation(words(name)), re.IGNORECASE)


def asks_again(text: str) -> bool:
    """"重新识别", "transcribe again": redo the work the project already has."""
    return bool(compiled("again").search(text))
