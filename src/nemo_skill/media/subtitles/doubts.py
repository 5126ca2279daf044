"""What the recogniser was unsure of, on each cue (issue 25, item 3).

A cue's ``confidence`` is Whisper's mean token probability over its characters
(a word counts once per character, so a long word is not outvoted by a
particle); its ``unsure`` words are those under ``UNSURE_WORD``, each with its
time on the timeline in seconds, and, where a second decode of that region
heard something else, its ``alternatives``. A proofreader listens where
``unsure`` points instead of reading every cue.
"""

from __future__ import annotations

from ..asr.text import bare

# A word Whisper gave less than this probability is shown as unsure. On bench/asr_quality.py's
# clips the misheard words (压碎 for 压岁, 停制 for 停滞, 设计 for 世界) were 0.07-0.45 and the
# right ones 0.5-1.0 with a few exceptions; 0.5 is the line the decoder already uses (asr_decode).
UNSURE_WORD = 0.5
MAX_UNSURE = 20         # per cue: a cue of nothing but doubts says so by its confidence


def doubts(units: list) -> dict:
    """{"confidence": 0-1, "unsure": [{"text", "start", "end"}]} for the units of one cue."""
    weights = [(max(1, len(bare(u.text))), u.probability) for u in units]
    total = sum(n for n, _ in weights)
    confidence = sum(n * p for n, p in weights) / total if total else 1.0
    unsure = tuple({"text": bare(u.text)[:64], "start": round(u.start, 3), "end": round(u.end, 3)}
                   for u in units if u.probability < UNSURE_WORD and bare(u.text))[:MAX_UNSURE]
    return {"confidence": round(min(1.0, max(0.0, confidence)), 3), "unsure": unsure}


def add_alternatives(cues: list, heard_again: list, *, spaced: bool) -> None:
    """Each unsure word gets what a second decode heard at its time (``heard_again``: words
    with start/end/text), when that differs from it."""
    for cue in cues:
        for item in cue.unsure or ():
            lo, hi = item["start"] - 0.08, item["end"] + 0.08
            said = [w.text for w in heard_again if lo <= (w.start + w.end) / 2 <= hi]
            text = bare((" " if spaced else "").join(said))
            if text and text != item["text"]:
                item["alternatives"] = [text[:64]]


def on_segment(cue) -> dict:
    """The doubts as the draft keeps them on a subtitle segment (only when known)."""
    if cue.confidence is None:
        return {}
    return {"confidence": cue.confidence, "unsure": [dict(u) for u in cue.unsure]}


def from_segment(segment: dict) -> dict:
    """The doubts a stored segment carries, for a Cue (none for a cue not recognised)."""
    confidence = segment.get("confidence")
    if not isinstance(confidence, int | float):
        return {}
    unsure = tuple(dict(u) for u in segment.get("unsure") or () if isinstance(u, dict))
    return {"confidence": float(confidence), "unsure": unsure}
