"""A creator's glossary: terms Whisper should write the creator's way (issue 13).

After recognition a run of Chinese characters that sounds like a term (the
same toneless pinyin, any reading of a heteronym) is written as the term:
压碎 -> 压岁 when 压岁钱 is a term, 停制 -> 停滞 when 停滞 is. Only runs of the
same length are replaced, one character for one, so every word keeps its
timing. Chinese terms are not given to Whisper: as hotwords (in its prompt)
they made it mishear the rest of the speech, in clips that do not say them
most (bench/asr_quality.py, tight 0.15 s + music: 0.082 -> 0.143 with five
unrelated terms; with 压岁钱,停滞 0.000 without hotwords, 0.041 with).
Latin terms, which no pinyin can restore, go to Whisper as hotwords, and
their letter case is fixed after (bilibili -> Bilibili).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .text import is_cjk

MAX_TERMS = 200
MAX_TERM_CHARS = 40
HOTWORDS_CHARS = 120      # Whisper's prompt holds about 220 tokens; leave room for the rest


@dataclass(frozen=True)
class Term:
    text: str
    cjk: bool


def parse_terms(raw: list[str] | str, *, limit: int | None = None) -> list[str]:
    """Terms from a list, or from a text with one term a line or comma-separated; de-duplicated
    (in linear time: 100 000 terms once took minutes). With ``limit``, stops at ``limit + 1``
    terms: enough to say there are too many without reading them all."""
    items = raw.replace("，", ",").replace("\n", ",").split(",") if isinstance(raw, str) else raw
    seen: dict[str, None] = {}
    for item in items:
        term = " ".join(str(item).split())
        if term and not term.startswith("#"):
            seen[term] = None
            if limit is not None and len(seen) > limit:
                break
    return list(seen)


def hotwords(terms: list[str]) -> str | None:
    """The Latin terms as Whisper's hotwords text, longest first while they fit (Chinese
    terms are restored by their sound instead: see the module's note)."""
    out = ""
    for term in sorted((t for t in terms if not any(is_cjk(ch) for ch in t)), key=len, reverse=True):
        piece = ("，" if out else "") + term
        if len(out) + len(piece) > HOTWORDS_CHARS:
            continue
        out += piece
    return out or None


@functools.cache
def _readings(ch: str) -> frozenset[str]:
    from pypinyin import Style, pinyin
    return frozenset(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def sounds_like(run: str, term: str) -> bool:
    """The same toneless pinyin, character for character (any reading of each)."""
    return len(run) == len(term) and all(
        a == b or (_readings(a) & _readings(b)) for a, b in zip(run, term, strict=True))


def _variants(term: str) -> list[str]:
    """The term, and its leading characters down to two thirds of it, at least two (压岁 from
    压岁钱, 人工智 but not 人工 from 人工智能), longest first: a short piece of a long term
    sounds like too many common words."""
    shortest = max(2, -(-2 * len(term) // 3))
    return [term[:n] for n in range(len(term), shortest - 1, -1)] if len(term) >= 3 else [term]


def correct(words: list, terms: list[str]) -> int:
    """Rewrite near-misses of ``terms`` in ``words`` (objects with ``.text``) in place;
    returns how many runs were changed."""
    changed = 0
    cjk_terms = sorted((t for t in terms if all(is_cjk(ch) for ch in t) and len(t) >= 2),
                       key=len, reverse=True)
    if cjk_terms:
        changed += _correct_cjk(words, cjk_terms)
    latin = {t.lower(): t for t in terms if t.isascii()}
    for w in words:
        core = w.text.strip()
        stripped = core.rstrip("，。！？、；：,.!?;: ")
        fixed = latin.get(stripped.lower())
        if fixed and fixed != stripped:
            w.text = w.text.replace(stripped, fixed)
            changed += 1
    return changed


def _correct_cjk(words: list, terms: list[str]) -> int:
    # Every CJK character with the word it belongs to and its place in that word's text.
    chars = [(wi, ci) for wi, w in enumerate(words) for ci, ch in enumerate(w.text) if is_cjk(ch)]
    text = [words[wi].text[ci] for wi, ci in chars]
    done = [False] * len(chars)
    changed = 0
    for term in terms:
        for variant in _variants(term):
            n = len(variant)
            for i in range(len(chars) - n + 1):
                if any(done[i:i + n]) or not _contiguous(words, chars[i:i + n]):
                    continue
                run = "".join(text[i:i + n])
                if not sounds_like(run, variant):
                    continue
                if run != variant:
                    for k, ch in enumerate(variant):
                        wi, ci = chars[i + k]
                        w = words[wi]
                        w.text = w.text[:ci] + ch + w.text[ci + 1:]
                        text[i + k] = ch
                    changed += 1
                for k in range(n):
                    done[i + k] = True
    return changed


def _contiguous(words: list, places: list[tuple[int, int]]) -> bool:
    """No punctuation or other text between these characters."""
    for (w1, c1), (w2, c2) in zip(places, places[1:], strict=False):
        if w1 == w2:
            if c2 != c1 + 1:
                return False
        elif (words[w1].text[c1 + 1:].strip() or words[w2].text[:c2].strip()
              or any(words[k].text.strip() for k in range(w1 + 1, w2))):
            return False
    return True
