"""Proofreading recognised subtitles: misheard words (压碎钱 for 压岁钱, 您好设计 for 你好世界)
corrected by someone who knows the language -- the calling agent, or an LLM when one is
configured -- and checked here so that a correction can only fix what was misheard.

The check compares syllables, not meaning: a correction keeps the cue's length (one
syllable more or less), and every syllable it changes shares its initial or its final with
the one heard, except at most one. That lets homophones and near-homophones through and
stops a rewrite, a summary or a sentence the speaker never said.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass

from ... import text_safety
from ...language import CJK_RANGES

_TOKEN = re.compile(f"[{CJK_RANGES}]+|[A-Za-z0-9']+")
MAX_FAR = 1          # syllables changed beyond sounding alike, per cue
MAX_LENGTH_CHANGE = 1  # syllables added or dropped, per cue


@dataclass(frozen=True)
class Syllable:
    initial: str
    final: str

    def alike(self, other: Syllable) -> bool:
        if not self.initial and not other.initial and self.final.isascii() and other.final.isascii() \
                and len(self.final) > 1:    # a Latin word: mostly the same letters
            return difflib.SequenceMatcher(None, self.final, other.final).ratio() >= 0.5
        return self.initial == other.initial or self.final == other.final


def syllables(text: str) -> list[Syllable]:
    """Each Chinese character as (initial, final) without tone; each Latin word or number as
    one syllable. Punctuation and spaces are not heard."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take 0.35 s: only a proofread pays
    out: list[Syllable] = []
    for m in _TOKEN.finditer(text):
        run = m.group(0)
        if run[0].isascii():
            out.append(Syllable("", run.lower()))
            continue
        initials = lazy_pinyin(run, style=Style.INITIALS, strict=False)
        finals = lazy_pinyin(run, style=Style.FINALS, strict=False)
        out += [Syllable(i, f) for i, f in zip(initials, finals, strict=True)]
    return out


@dataclass(frozen=True)
class Refusal:
    en: str
    zh: str


# Marks a correction may add whatever the cue had: a misheard word's fix may need its comma.
_COMMON_MARKS = set(" ，。！？、；：“”‘’（）《》…—,.!?;:'\"()-")


def script_of(ch: str) -> str | None:
    """The writing system of a letter or digit ('LATIN', 'CJK', 'CYRILLIC', 'HANGUL',
    'FULLWIDTH' ...); None for spaces and punctuation."""
    if not ch.isalnum() or ch in "0123456789":   # digits belong to every script: 三 -> 3
        return None
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    return "CJK" if name.startswith("CJK") else (name.split(" ", 1)[0] or "OTHER")


def foreign_characters(heard: str, fixed: str) -> list[str]:
    """Characters of ``fixed`` that the heard cue's own scripts cannot account for: letters of
    another writing system (Cyrillic, Hangul, kana, fullwidth Latin in a Chinese cue), and
    symbols or marks the cue did not have. Only CJK and ASCII are heard as syllables, so
    these once passed as "not heard" ("ＶＩＳＩＴ ＥＶＩＬ．ＣＯＭ")."""
    scripts = {script_of(ch) for ch in heard} - {None}
    marks = {ch for ch in heard if script_of(ch) is None}
    out = []
    for ch in fixed:
        script = script_of(ch)
        if script is not None and script in scripts or script is None and (
                ch in _COMMON_MARKS or ch in marks or ch in "0123456789"):
            continue
        if ch not in out:
            out.append(ch)
    return out


def refusal(heard: str, fixed: str) -> Refusal | None:
    """Why ``fixed`` cannot be a proofread of ``heard`` (None: it can)."""
    unsafe = text_safety.problem(fixed)
    if unsafe:
        return Refusal(unsafe, f"含有控制字符或双向控制字符（{text_safety.describe(text_safety.unsafe_characters(fixed))}）")
    foreign = foreign_characters(heard, fixed)
    if foreign:
        return Refusal(f"it adds characters the cue did not have ({text_safety.describe(foreign)})",
                       f"加入了原字幕中没有的字符（{text_safety.describe(foreign)}）")
    a, b = syllables(heard), syllables(fixed)
    if not b:
        return Refusal("it has no words", "没有文字")
    if abs(len(a) - len(b)) > MAX_LENGTH_CHANGE:
        return Refusal(f"it has {len(b)} syllables where {len(a)} were heard", f"听到 {len(a)} 个音节，改后有 {len(b)} 个")
    far = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            pairs = list(zip(a[i1:i2], b[j1:j2], strict=False))
            far += sum(not x.alike(y) for x, y in pairs) + abs((i2 - i1) - (j2 - j1))
        elif op in ("insert", "delete"):
            far += max(i2 - i1, j2 - j1)
    if far > MAX_FAR + MAX_LENGTH_CHANGE or (far > MAX_FAR and len(a) == len(b)):
        return Refusal(f"{far} of its syllables sound nothing like what was heard", f"有 {far} 个音节与听到的读音不符")
    return None


def parse_corrections(raw: object, count: int) -> dict[int, str]:
    """{cue number: text} from {"3": "..."}, [{"n": 3, "text": "..."}] or [{"cue": 3, ...}].
    Raises ValueError naming what is wrong."""
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = [((c.get("n") or c.get("cue")) if isinstance(c, dict) else None,
                  c.get("text") if isinstance(c, dict) else None) for c in raw]
    else:
        raise ValueError("corrections must be an object {\"N\": \"text\"} or a list of {\"n\", \"text\"}")
    out: dict[int, str] = {}
    for key, text in items:
        try:
            n = int(key)
        except (TypeError, ValueError):
            raise ValueError(f"correction {key!r} does not name a cue by its number") from None
        if not 1 <= n <= count:
            raise ValueError(f"cue {n} does not exist (there are {count})")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the correction of cue {n} has no text")
        out[n] = " ".join(text.split())
    return out


def llm_prompt(texts: list[str], lang: str) -> list[dict]:
    language = "Chinese" if lang == "zh" else "English"
    numbered = "\n".join(f"{i}. {' '.join(t.split())}" for i, t in enumerate(texts, 1))
    return [
        {"role": "system", "content": (
            f"You proofread {language} subtitles made by speech recognition. Some words were misheard "
            "as words that sound alike (for example 压碎钱 for 压岁钱). Correct only such words, keeping "
            "everything else as it is. Answer with JSON only: {\"corrections\": {\"N\": \"the whole "
            "corrected line\"}}, listing only the lines you changed; {\"corrections\": {}} if none.")},
        {"role": "user", "content": numbered},
    ]


def read_llm_answer(content: str, count: int) -> dict[int, str]:
    """The corrections in an LLM's answer (fenced or bare JSON). Raises ValueError."""
    found = re.search(r"\{.*\}", content, re.S)
    if not found:
        raise ValueError("the answer holds no JSON object")
    doc = json.loads(found.group(0))
    return parse_corrections(doc.get("corrections", {}) if isinstance(doc, dict) else None, count)
