"""Numbers as people write them: "30%", "百分之三十", "十五"."""

from __future__ import annotations

from .claims import read

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}

NUM = r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十]+)"


def number(value: str) -> float:
    """Arabic or simple Chinese numerals (三十, 十五, 五)."""
    try:
        return float(value)
    except ValueError:
        pass
    total, digit = 0, 0
    for ch in value:
        n = _CN_DIGITS.get(ch)
        if n is None:
            raise ValueError(value)
        if n == 10:
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = n
    return float(total + digit)


def percent(text: str, within: tuple[int, int] | None = None) -> float | None:
    """"30%", "百分之三十" as 0.3 (at most 2.0)."""
    m = read(r"(\d+(?:\.\d+)?)\s*%|百分之" + NUM, text, within)
    return min(2.0, number(m.group(1) or m.group(2)) / 100) if m else None
