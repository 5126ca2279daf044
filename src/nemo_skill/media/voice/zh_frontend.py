"""Chinese text -> the offline voice's symbols, keeping which characters each came from.

The voice (FastSpeech2 trained on Databaker's CSMSC) reads Baker symbols:
an initial and a toned final per syllable, ``#0`` between syllables, ``#3``
at a clause break, ``sil`` at both ends. We build them ourselves:

- numbers, dates, times, percentages and money are read out (zh_numbers);
- pinyin comes from pypinyin's phrase dictionary, so 银行 is yin2 hang2 and
  行走 xing2 zou3, with its tone sandhi for 一, 不 and third tones in a word;
- Latin letters and English words are spelled with Chinese letter names
  (a few common words are read as Chinese speakers say them), never dropped;
- clause punctuation is a pause the model learned (``#3``).

Every symbol remembers its *unit*: the text as shown (one character, or a
whole "3:30"), so the model's per-symbol durations give each shown
character its time on screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin

from ...language import CJK_RANGES
from . import zh_numbers

CLAUSE_BREAKS = set("，、；：,;:—…（）()《》“”\"'「」")
SENTENCE_ENDS = set("。！？!?.")
# Chinese readings of letter names, as pinyin a Baker voice has.
LETTERS = {
    "a": "ei1", "b": "bi4", "c": "xi1", "d": "di4", "e": "yi4", "f": "ai2 fu5", "g": "ji4", "h": "ai2 qi1",
    "i": "ai4", "j": "zhei4", "k": "kei4", "l": "ai2 le5", "m": "ai2 mu5", "n": "en1", "o": "ou1",
    "p": "pi1", "q": "qiu1", "r": "a2 er5", "s": "ai2 si1", "t": "ti4", "u": "you1", "v": "wei1",
    "w": "da2 bu5 liu1", "x": "ai2 ke4 si1", "y": "wai4", "z": "zei4",
}
# Words read as Chinese speakers say them rather than spelled.
WORDS = {"iphone": "ai4 feng4", "ok": "ou1 kei4", "wifi": "wai1 fai1", "bilibili": "bi1 li5 bi1 li5",
         "up": "a1 pu5", "vlog": "wei1 luo4 ge5", "app": "ei1 pi1 pi1", "ipad": "ai4 pai4"}
_HANZI = re.compile(f"[{CJK_RANGES}]+")
_LATIN = re.compile(r"[A-Za-z]+")
_CHUNK = re.compile(r"[A-Za-z]+|.", re.S)


@dataclass
class Unit:
    """A piece of the sentence as shown, and the syllables spoken for it."""
    shown: str
    syllables: list[str] = field(default_factory=list)   # pinyin with tone digits: "zhong1"
    pause: bool = False                                    # clause punctuation: a learned pause


@dataclass
class Symbols:
    names: list[str]            # Baker symbols, "sil" ... "sil"
    owner: list[int | None]     # the unit each symbol belongs to (None: the edges)
    units: list[Unit]


def units_for(text: str) -> list[Unit]:
    """The sentence as units, with their syllables (numbers read out, letters spelled)."""
    units: list[Unit] = []
    spoken_owner: list[tuple[str, int]] = []   # every spoken character and the unit it belongs to
    for shown, spoken in zh_numbers.spell(text):
        if shown == spoken:
            for m in _CHUNK.finditer(shown):   # a Latin word is one unit, every other character its own
                chunk = m.group(0)
                units.append(Unit(chunk, pause=chunk in CLAUSE_BREAKS or chunk in SENTENCE_ENDS))
                spoken_owner.extend((ch, len(units) - 1) for ch in chunk)
        else:
            units.append(Unit(shown))
            spoken_owner.extend((ch, len(units) - 1) for ch in spoken)
    spoken = "".join(ch for ch, _ in spoken_owner)
    said: list[tuple[int, list[str]]] = []      # (where in the spoken text, its syllables)
    for m in _HANZI.finditer(spoken):
        said += [(i, [syl]) for i, syl in zip(range(m.start(), m.end()), _pinyin(m.group(0)), strict=True)]
    for m in _LATIN.finditer(spoken):
        said.append((m.start(), _latin(m.group(0)).split()))
    for i, syllables in sorted(said):          # in spoken order: GPT四 is G P T, then 四
        units[spoken_owner[i][1]].syllables.extend(syllables)
    return units


def _pinyin(run: str) -> list[str]:
    syllables = lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True)
    return _yi_bu_sandhi(run, syllables)


_NUMERALS = set("零一二三四五六七八九十两")
_KEEP_YI_BEFORE = _NUMERALS | set("月日号")


def _yi_bu_sandhi(run: str, syllables: list[str]) -> list[str]:
    """一 and 不 change tone before the next syllable (一万 yi2, 一千 yi4, 不对 bu2), which pypinyin
    misses outside its phrase dictionary; 一 keeps yi1 in ordinals (第一), digit readings
    (一三八) and dates (一月), and at the end."""
    out = list(syllables)
    for i, ch in enumerate(run):
        last = i == len(run) - 1
        nxt_tone = "" if last else out[i + 1][-1:]
        if ch == "一" and out[i].startswith("yi"):
            keep = last or run[i + 1] in _KEEP_YI_BEFORE or (i > 0 and run[i - 1] in "第初")
            out[i] = "yi1" if keep else ("yi2" if nxt_tone in ("4", "5") else "yi4")
            if 0 < i and not last and run[i - 1] == run[i + 1]:
                out[i] = "yi5"      # 看一看: unstressed between a repeated verb
        elif ch == "不" and out[i] == "bu4" and nxt_tone == "4":
            out[i] = "bu2"
    return out


def _latin(word: str) -> str:
    known = WORDS.get(word.lower())
    if known:
        return known
    return " ".join(LETTERS[c] for c in word.lower())


def symbols_for(text: str, pinyin_dict: dict[str, list[str]]) -> Symbols:
    """The model's input symbols for one sentence, each tied to its unit."""
    units = units_for(text)
    names: list[str] = ["sil"]
    owner: list[int | None] = [None]
    for index, unit in enumerate(units):
        if unit.pause:
            if names[-1] not in ("sil", "#3"):
                if names[-1] == "#0":
                    names.pop()
                    owner.pop()
                names.append("#3")
                owner.append(index)
            continue
        for syl in unit.syllables:
            if names[-1] not in ("sil", "#3", "#0"):
                names.append("#0")
                owner.append(owner[-1])
            parts = syllable_symbols(syl, pinyin_dict)
            names.extend(parts)
            owner.extend([index] * len(parts))
    while names[-1] in ("#0", "#3"):
        names.pop()
        owner.pop()
    names.append("sil")
    owner.append(None)
    return Symbols(names, owner, units)


def syllable_symbols(syl: str, pinyin_dict: dict[str, list[str]]) -> list[str]:
    """zhong1 -> [zh, ong1]; erhua (huar1) -> hua1 + er5; 嗯 (n2) -> en2."""
    base, tone = (syl[:-1], syl[-1]) if syl[-1:].isdigit() else (syl, "5")
    if base in ("n", "ng", "m", "hm", "hng"):
        base = "en"
    if base in pinyin_dict:
        initial, final = pinyin_dict[base]
        return [initial, final + tone]
    if base.endswith("r") and base[:-1] in pinyin_dict:
        return syllable_symbols(base[:-1] + tone, pinyin_dict) + ["#0", "^", "er5"]
    return []   # not Mandarin (a stray symbol pypinyin passed through): nothing to say


def pinyin_of(text: str) -> str:
    """The syllables of a sentence as one string (what the front end will say, for checking)."""
    return " ".join(syl for unit in units_for(text) for syl in unit.syllables)
