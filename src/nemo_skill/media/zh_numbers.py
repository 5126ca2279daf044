"""Numbers, dates, times, percentages and money read out in Chinese.

``spell(text)`` splits a sentence into pieces ``(shown, spoken)``: the text
as written and the Chinese a narrator says for it ("3:30" -> "三点三十分",
"2025年" -> "二零二五年", "3.5%" -> "百分之三点五"). The voice speaks the
spoken side; subtitles keep the shown side and take its time, so a number
is never rewritten on screen.
"""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
_UNITS = ((10**8, "亿"), (10**4, "万"), (1000, "千"), (100, "百"), (10, "十"))
CURRENCY = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}
# Measure words after which a lone 2 is read 两 (两个人, 两次).
_LIANG_BEFORE = set("个位次种只本件条张天年岁点台辆部层把双对口斤")

_PATTERNS = [   # (name, regex); tried in order at each position
    ("date", r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"),
    ("time", r"(\d{1,2}):(\d{2})(?::(\d{2}))?"),
    ("money", r"([¥￥$€£])\s?(\d+(?:\.\d+)?)(万|亿)?"),
    ("percent", r"(-?\d+(?:\.\d+)?)\s?[%％]"),
    ("year", r"(\d{4})(?=年)"),
    ("fraction", r"(\d+)/(\d+)"),
    ("range", r"(\d+(?:\.\d+)?)\s?[-~～]\s?(\d+(?:\.\d+)?)"),
    ("digits", r"0\d+|\d{7,}"),
    ("number", r"-?\d+(?:,\d{3})*(?:\.\d+)?"),
]
_COMBINED = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _PATTERNS))


def cardinal(n: int) -> str:
    """1234 -> 一千二百三十四, 10 -> 十, 100000 -> 十万, 0 -> 零."""
    if n < 0:
        return "负" + cardinal(-n)
    if n == 0:
        return DIGITS[0]
    return _cardinal(n, top=True)


def _cardinal(n: int, top: bool) -> str:
    for size, name in _UNITS:
        if n >= size:
            head, rest = divmod(n, size)
            head_text = "" if size == 10 and head == 1 and top else _cardinal(head, top)
            if rest == 0:
                return head_text + name
            gap = DIGITS[0] if rest < size // 10 else ""
            return head_text + name + gap + _cardinal(rest, top=False)
    return DIGITS[n]


def digits(text: str) -> str:
    """Read digit by digit: 2025 -> 二零二五."""
    return "".join(DIGITS[int(c)] for c in text if c.isdigit())


def decimal(text: str) -> str:
    """3.14 -> 三点一四, -2 -> 负二, 12,000 -> 一万二千."""
    text = text.replace(",", "")
    sign = "负" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    spoken = cardinal(int(whole)) if whole else DIGITS[0]
    return sign + spoken + ("点" + digits(frac) if frac else "")


def _liang(spoken: str, after: str) -> str:
    """2 before a measure word is 两; 2000 is 两千, 20000 两万."""
    if spoken == "二" and after[:1] in _LIANG_BEFORE:
        return "两"
    if spoken.startswith("二") and spoken[1:2] in ("千", "万", "亿"):
        return "两" + spoken[1:]
    return spoken


def _read(kind: str, m: re.Match, after: str) -> str:
    g = [x for x in m.groups() if x is not None]
    if kind == "date":
        year, month, day = g[0], g[1], g[2]
        return digits(year) + "年" + cardinal(int(month)) + "月" + cardinal(int(day)) + "日"
    if kind == "time":
        hour, minute = int(g[0]), int(g[1])
        spoken = ("两" if hour == 2 else cardinal(hour)) + "点"
        if minute:
            spoken += ("零" if minute < 10 else "") + cardinal(minute) + "分"
        if len(g) > 2 and int(g[2]):
            spoken += cardinal(int(g[2])) + "秒"
        return spoken
    if kind == "money":
        symbol, amount = g[0], g[1]
        scale = g[2] if len(g) > 2 else ""
        return decimal(amount) + scale + CURRENCY[symbol]
    if kind == "percent":
        return "百分之" + decimal(g[0])
    if kind == "year":
        return digits(g[0])
    if kind == "fraction":
        return cardinal(int(g[1])) + "分之" + cardinal(int(g[0]))
    if kind == "range":
        return decimal(g[0]) + "到" + _liang(decimal(g[1]), after)
    if kind == "digits":
        return digits(m.group(0))
    return _liang(decimal(m.group(0)), after)


def spell(text: str) -> list[tuple[str, str]]:
    """``text`` as (shown, spoken) pieces; plain text is one piece with both sides equal."""
    pieces: list[tuple[str, str]] = []
    pos = 0
    for m in _COMBINED.finditer(text):
        if m.start() > pos:
            pieces.append((text[pos:m.start()], text[pos:m.start()]))
        kind = m.lastgroup or "number"
        pieces.append((m.group(0), _read(kind, _inner(m, kind), text[m.end():])))
        pos = m.end()
    if pos < len(text):
        pieces.append((text[pos:], text[pos:]))
    return pieces


def _inner(m: re.Match, kind: str) -> re.Match:
    """The match re-run on its own pattern, so group numbers are the pattern's own."""
    return re.fullmatch(dict(_PATTERNS)[kind], m.group(0))


def normalize(text: str) -> str:
    """The whole sentence as spoken."""
    return "".join(spoken for _, spoken in spell(text))
