"""What Whisper wrote -> clean timed words (issue 13).

Chinese comes out Simplified with full-width punctuation; phantom lines,
prompt text written back, full-width filler (４) and runs of marks (﹔，)
are taken out; a line without punctuation gets commas at its pauses.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import (
    bare,
    collapse_punctuation,
    ends_clause,
    ends_sentence,
    has_punctuation,
    is_junk,
    is_phantom,
    is_symbols_only,
    standard_forms,
    to_simplified,
    zh_punctuation,
)

PAUSE_FOR_COMMA = 0.35          # a pause this long inside an unpunctuated line is a comma


@dataclass
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass
class Unheard:
    """A stretch where Whisper heard speech it could not read surely: no cue is made of it, and
    the job names it with what Whisper thought it heard (chunk time, then file time)."""
    start: float
    end: float
    heard: str


def clean_segment(seg, lang: str, offset: float, leaks: tuple[str, ...] = ()) -> list[Word] | None:
    """The segment's words, cleaned; None if the whole segment is not speech."""
    text = seg.text.strip()
    if not text or is_phantom(text) or is_symbols_only(text):
        return None
    if seg.no_speech_prob > 0.6 and seg.avg_logprob < -0.7:
        return None
    if seg.avg_logprob < -1.2 or seg.compression_ratio > 2.4:
        return None
    words = [Word(w.word, float(w.start) + offset, float(w.end) + offset, float(w.probability))
             for w in (seg.words or []) if w.word.strip()]
    if lang == "zh":
        for w in words:
            w.text = standard_forms(zh_punctuation(to_simplified(w.text.strip())))
        words = _without_leaks([w for w in words if not is_junk(w.text)], leaks)
        words = _tidy_marks(words)
        if not words:
            return None
        if not has_punctuation("".join(w.text for w in words)):
            restore_punctuation(words)
        if not (ends_sentence(words[-1].text) or ends_clause(words[-1].text)):
            words[-1].text += "。"
    else:
        for w in words:
            w.text = w.text.strip()
    return words or None


def _without_leaks(words: list[Word], leaks: tuple[str, ...]) -> list[Word]:
    """Words with any prompt text Whisper wrote back (as if said) taken out."""
    text = "".join(w.text for w in words)
    cut = [False] * len(text)
    for leak in sorted(filter(None, leaks), key=len, reverse=True):
        at = text.find(leak)
        while at >= 0:
            cut[at:at + len(leak)] = [True] * len(leak)
            at = text.find(leak, at + len(leak))
    if not any(cut):
        return words
    kept, pos = [], 0
    for w in words:
        size = len(w.text)
        w.text = "".join(ch for k, ch in enumerate(w.text) if not cut[pos + k])
        pos += size
        if bare(w.text):
            kept.append(w)
    return kept


def _tidy_marks(words: list[Word]) -> list[Word]:
    """No marks before the first character, and no run of marks (，。 -> 。)."""
    out: list[Word] = []
    for w in words:
        if not bare(w.text):       # a word that is only marks joins the word before it
            if out:
                out[-1].text = collapse_punctuation(out[-1].text + w.text)
            continue
        w.text = collapse_punctuation(w.text)
        out.append(w)
    return out


def restore_punctuation(words: list[Word], pause: float = PAUSE_FOR_COMMA) -> None:
    """Chinese without punctuation: a comma at each pause, a full stop at the end.

    No comma leaves a clause shorter than three characters on either side:
    a pause inside a short phrase is hesitation, not grammar.
    """
    since = 0
    total = sum(len(w.text) for w in words)
    seen = 0
    for cur, nxt in zip(words, words[1:], strict=False):
        since += len(cur.text)
        seen += len(cur.text)
        if (nxt.start - cur.end >= pause and since >= 3 and total - seen >= 3
                and not (ends_sentence(cur.text) or ends_clause(cur.text))):
            cur.text += "，"
            since = 0
    if words and not ends_sentence(words[-1].text):
        words[-1].text = words[-1].text.rstrip("，,") + "。"


