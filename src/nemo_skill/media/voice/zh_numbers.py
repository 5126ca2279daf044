"""Numbers, dates, times, percentages and money read out in Chinese.

``spell(text)`` splits a sentence into pieces ``(shown, spoken)``: the text
as written and the Chinese a narrator says for it ("3:30" -> "三点三十分",
"2025年" -> "二零二五年", "3.5%" -> "百分之三点五", "GPT-4" -> "GPT四"). The voice
speaks the spoken side; subtitles keep the shown side and take its time, so a
number is never rewritten on screen.

It never fails on text: the rules (zh_number_rules) are tried where a number can
start; a number no rule reads, or a rule that breaks, is read digit by digit with a
warning, and no digit is ever left in what is spoken.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from .zh_number_rules import RULES, Context
from .zh_readings import DIGITS, cardinal, decimal, digits  # noqa: F401 - the readers, re-exported

log = logging.getLogger(__name__)

_STARTERS = set("0123456789+-~～–—±¥￥$€£零〇○×÷=*")
_HANZI_NUMERALS = set("零一二三四五六七八九十百千万亿〇○两")


def _ascii_digits(text: str) -> str:
    """The sentence with every decimal digit (full-width ２, Arabic-Indic ٣) made ASCII, and
    full-width ％ ： ． ＋ － and the minus sign − as their ASCII selves: same length, so positions match the original."""
    out = []
    for ch in text:
        value = unicodedata.decimal(ch, None)
        if value is not None:
            out.append(str(value))
        elif ch in "％：．＋－／～":
            out.append(chr(ord(ch) - 0xFEE0))
        elif ch == "\u2212":          # the minus sign of typeset text
            out.append("-")
        elif "\u2080" <= ch <= "\u2089":   # subscripts: CO₂ is CO2
            out.append(str(ord(ch) - 0x2080))
        else:
            out.append(ch)
    return "".join(out)


def _match_at(work: str, pos: int) -> tuple[int, str] | None:
    """(end, spoken) of the first rule that reads the text at ``pos``, or None."""
    for name, pattern, reader in RULES:
        m = pattern.match(work, pos)
        if not m or m.end() == pos:
            continue
        try:
            spoken = reader(m, Context(work, pos, m.end()))
        except (ValueError, KeyError, IndexError, OverflowError, RecursionError) as exc:
            log.warning("the %s rule could not read %r (%s); reading it digit by digit", name, m.group(0), exc)
            spoken = None
        if spoken is not None:
            return m.end(), spoken
    return None


def _zero_sign(work: str, pos: int) -> bool:
    """〇 (or ○ between numerals) is 零, which the pinyin dictionary does not know."""
    if work[pos] == "〇":
        return True
    near = work[pos - 1:pos] + work[pos + 1:pos + 2]
    return work[pos] == "○" and any(c in _HANZI_NUMERALS for c in near)


def _starts_here(work: str, pos: int) -> bool:
    ch = work[pos]
    if ch in _STARTERS:
        return True
    return ch.isascii() and ch.isalpha() and not (pos and work[pos - 1].isascii() and work[pos - 1].isalnum())


def spell(text: str) -> list[tuple[str, str]]:
    """``text`` as (shown, spoken) pieces; plain text is one piece with both sides equal."""
    try:
        return _spell(text)
    except Exception as exc:  # noqa: BLE001 - a narration never fails on its text: read digit by digit
        log.warning("could not read the numbers in %r (%s: %s); reading them digit by digit",
                    text[:60], type(exc).__name__, exc)
        return [(ch, DIGITS[int(d)] if d.isdigit() else ch) for ch, d in zip(text, _ascii_digits(text), strict=True)]


def _spell(text: str) -> list[tuple[str, str]]:
    work = _ascii_digits(text)
    pieces: list[tuple[str, str]] = []
    plain_from = pos = 0
    while pos < len(work):
        found = _match_at(work, pos) if _starts_here(work, pos) else None
        if found is None and _zero_sign(work, pos):
            found = (pos + 1, "零")
        if found is None:
            if work[pos].isascii() and work[pos].isalpha():   # a Latin word no rule took: skip it whole
                word = re.match(r"[A-Za-z]+", work[pos:])
                pos += len(word.group(0))
            else:
                pos += 1
            continue
        end, spoken = found
        if pos > plain_from:
            pieces.append((text[plain_from:pos], _last_resort(text[plain_from:pos])))
        pieces.append((text[pos:end], _last_resort(spoken)))
        plain_from = pos = end
    if plain_from < len(text):
        pieces.append((text[plain_from:], _last_resort(text[plain_from:])))
    return pieces


def _last_resort(spoken: str) -> str:
    """Any digit still in the spoken text is read one by one (and said so in the log)."""
    work = _ascii_digits(spoken)
    if not any(c.isascii() and c.isdigit() for c in work):
        return spoken
    log.warning("no rule reads the number in %r; reading it digit by digit", spoken[:60])
    return "".join(DIGITS[int(c)] if c.isascii() and c.isdigit() else orig for c, orig in zip(work, spoken, strict=True))


def normalize(text: str) -> str:
    """The whole sentence as spoken."""
    return "".join(spoken for _, spoken in spell(text))
