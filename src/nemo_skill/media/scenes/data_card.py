"""A sentence's figure (百分之十二, 12.5%, 1200万台, 五万名) as a data card: a panel in the upper
third where the number counts up from zero and a bar grows under it, drawn by libass (no extra
video input, so it costs the render nothing measurable). Dates and times are not figures."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pysubs2

from ..escape import ass_text

_CN = "零一二两三四五六七八九"
_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_CN_NUM = f"[{_CN}十百千万亿点]+"
_UNIT = r"(万|亿|千)?\s?(台|辆|人|名|个|元|美元|吨|公斤|千克|克|米|公里|千米|岁|倍|次|座|件|部|只|头|家|亿元|万元)?"
_PATTERNS = [
    ("percent", re.compile(r"(\d+(?:\.\d+)?)\s?[%％]")),
    ("percent_cn", re.compile(rf"百分之({_CN_NUM})")),
    ("count", re.compile(rf"(\d+(?:\.\d+)?)\s?{_UNIT}")),
    ("count_cn", re.compile(rf"({_CN_NUM}){_UNIT}")),
]
_NOT_A_FIGURE = re.compile(r"^\s?(年|月|日|号|点|分|秒|时|世纪|季度|代)")
STEPS = 12             # the counter's frames: 12 values over COUNT_MS
COUNT_MS = 900


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str          # shown after the number: "%", "万台", "名"

    def text(self, value: float | None = None) -> str:
        v = self.value if value is None else value
        digits = 1 if self.value != int(self.value) else 0
        return f"{v:,.{digits}f}{self.unit}"


def _cn_value(text: str) -> float | None:
    """Chinese numerals up to 亿, with a decimal point (十二 12, 三点五 3.5, 一千二百 1200)."""
    whole, _, frac = text.partition("点")
    total, section, digit = 0, 0, 0
    for ch in whole:
        if ch in _CN:
            digit = _DIGIT[ch]
        elif ch in "十百千":
            section += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = 0
        elif ch in "万亿":
            total += (section + digit) * (10**4 if ch == "万" else 10**8)
            section, digit = 0, 0
    value = total + section + digit
    if frac:
        if any(c not in _CN for c in frac):
            return None
        value += float("0." + "".join(str(_DIGIT[c]) for c in frac))
    return float(value) if value else None


def figure(sentence: str) -> Figure | None:
    """The first figure the sentence states, or None (a year, a date or a clock time is not one;
    nor is a lone 一 of 一个 or 一天)."""
    for kind, rx in _PATTERNS:
        for m in rx.finditer(sentence):
            rest = sentence[m.end():]
            if kind.startswith("count") and (_NOT_A_FIGURE.match(rest) or not (m.group(2) or m.group(3))):
                continue
            raw = m.group(1)
            value = float(raw) if kind in ("percent", "count") else _cn_value(raw)
            if value is None or (kind == "count_cn" and value < 10 and not m.group(2)):
                continue
            if kind.startswith("percent"):
                return Figure(value, "%")
            return Figure(value, (m.group(2) or "") + (m.group(3) or ""))
    return None


def events(fig: Figure, start_ms: int, end_ms: int, width: int, height: int) -> list[pysubs2.SSAEvent]:
    """The card: a translucent panel, the number counting up, a bar growing to its length."""
    cx, cy = width // 2, round(height * (0.2 if height > width else 0.22))
    pw, ph = round(width * (0.7 if height > width else 0.4)), round(height * (0.13 if height > width else 0.24))
    panel = (rf"{{\an7\pos({cx - pw // 2},{cy - ph // 2})\bord0\shad0\1c&H201810&\1a&H50&\fad(250,200)\p1}}"
             f"m 0 0 l {pw} 0 {pw} {ph} 0 {ph}{{\\p0}}")
    out = [pysubs2.SSAEvent(start=start_ms, end=end_ms, style="Card", text=panel, layer=5)]
    bar_w, bar_h = round(pw * 0.8), max(8, round(ph * 0.12))
    bar = (rf"{{\an7\pos({cx - bar_w // 2},{cy + ph // 2 - bar_h * 2})\bord0\shad0\1c&H40C8FF&\fscx0"
           rf"\t(0,{COUNT_MS},\fscx100)\p1}}m 0 0 l {bar_w} 0 {bar_w} {bar_h} 0 {bar_h}{{\p0}}")
    out.append(pysubs2.SSAEvent(start=start_ms, end=end_ms, style="Card", text=bar, layer=6))
    size = round(ph * 0.5)
    step = COUNT_MS // STEPS
    for k in range(1, STEPS + 1):
        shown = fig.text(fig.value * k / STEPS)
        until = start_ms + step * (k + 1) if k < STEPS else end_ms
        out.append(pysubs2.SSAEvent(start=start_ms + step * k, end=until, style="Card", layer=7,
                                    text=rf"{{\an5\pos({cx},{cy - round(ph * 0.08)})\fs{size}}}" + ass_text(shown)))
    return out
