"""How clear a voice is, measured the way a listener hears it: our ASR reads the voice back.

Syllable error compares pinyin, not characters, so a same-sounding character
Whisper happens to pick (茶/查) is no error; the toneless figure asks "were the
right syllables said", the tonal one adds "with the right tones". English words inside
the Chinese are counted apart: heard back as the same Latin word, or not. Both sides go
through the same front end (zh_frontend.pinyin_of), so its tone sandhi cancels.
Pitch is the median fundamental of the voiced 40 ms frames (autocorrelation).
"""

from __future__ import annotations

import re

import numpy as np

from ...language import CJK_RANGES
from ..asr.text import to_simplified
from . import zh_frontend

_KEEP = re.compile(f"[{CJK_RANGES}0-9]+")
_LATIN = re.compile(r"[A-Za-z]+(?: [A-Z](?![a-z]))?")


def syllables(text: str) -> list[str]:
    """The pinyin syllables (tone digit last) of the Chinese words and numbers in ``text``;
    Latin words are judged apart (english_heard), since pinyin has no spelling for them."""
    words = "，".join(_KEEP.findall(to_simplified(text)))
    return zh_frontend.pinyin_of(words).split() if words else []


def english_heard(reference: str, heard: str) -> tuple[int, int]:
    """(Latin words of ``reference`` that the ASR wrote back in Latin letters, all of them)."""
    wanted = _LATIN.findall(reference)
    back = re.sub(r"[^a-z]", "", heard.lower())
    return sum(re.sub(r"[^a-z]", "", w.lower()) in back for w in wanted), len(wanted)


def _distance(a: list[str], b: list[str]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def syllable_errors(reference: str, heard: str) -> tuple[float, float]:
    """(toneless, tonal) syllable error rates of ``heard`` against ``reference``."""
    ref, hyp = syllables(reference), syllables(heard)
    if not ref:
        return 0.0, 0.0
    def toneless(s: list[str]) -> list[str]:
        return [x.rstrip("012345") for x in s]
    return _distance(toneless(ref), toneless(hyp)) / len(ref), _distance(ref, hyp) / len(ref)


def median_pitch(audio: np.ndarray, rate: int, low: float = 60.0, high: float = 400.0) -> float:
    """Median F0 in Hz of the voiced frames (0.0 when nothing is voiced)."""
    frame = int(0.04 * rate)
    lags = np.arange(int(rate / high), int(rate / low) + 1)
    x = np.asarray(audio, np.float64)
    loudest = np.sqrt(np.mean(x ** 2)) if len(x) else 0.0
    found = []
    for start in range(0, len(x) - frame - lags[-1], frame):
        seg = x[start:start + frame + lags[-1]]
        head = seg[:frame]
        if np.sqrt(np.mean(head ** 2)) < 0.5 * loudest:
            continue
        energy = np.dot(head, head)
        corr = np.array([np.dot(head, seg[lag:lag + frame]) for lag in lags])
        norm = corr / (np.sqrt(energy * np.array([np.dot(seg[lag:lag + frame], seg[lag:lag + frame])
                                                  for lag in lags])) + 1e-12)
        best = int(np.argmax(norm))
        if norm[best] > 0.7:
            found.append(rate / lags[best])
    return float(np.median(found)) if found else 0.0
