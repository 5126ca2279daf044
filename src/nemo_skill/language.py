"""Which language the user writes in: the one test of whether text is Chinese (issue 23:
three detectors with three different ranges decided it before)."""

from __future__ import annotations

import re

# CJK Unified Ideographs, Extension A, and the compatibility ideographs.
CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{CJK_RANGES}]")
_ALL_CJK = re.compile(f"[{CJK_RANGES}]+")


def is_cjk(ch: str) -> bool:
    """Whether one character is a Chinese character."""
    return bool(_CJK.fullmatch(ch))


def has_cjk(text: str) -> bool:
    """Whether the text holds any Chinese character."""
    return bool(_CJK.search(text))


def all_cjk(text: str) -> bool:
    """Whether the text is Chinese characters only (and not empty)."""
    return bool(_ALL_CJK.fullmatch(text))


def language_of(text: str, default: str = "en") -> str:
    """"zh" for words with Chinese in them, else ``default``."""
    return "zh" if has_cjk(text) else default
