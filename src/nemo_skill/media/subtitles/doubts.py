"""What the recogniser was unsure of, on each cue (issue 25, item 3).

A cue's ``confidence`` is Whisper's mean token probability over its characters
(a word counts once per character, so a long word is not outvoted by a
particle); its ``unsure`` words are those under ``UNSURE_WORD``, each with its
time on the timeline in seconds, and, where a second decode of that region
heard something else, its ``alternatives``. A proofreader listens where
``unsure`` points instead of reading every cue.
"""

from __future__ import annotations

from ...safe_json import is_finite_number
from ...text_safety import shown
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


# --- speech heard but not read (``asr.words.Unheard``) ------------------------------------------

MAX_UNHEARD = 2000      # stretches kept in a draft (a 3-hour video has far fewer)
MAX_HEARD = 200         # characters of what Whisper thought it heard


def unheard_to_meta(stretches: list, to_timeline) -> list[dict]:
    """The stretches as the draft keeps them (``m.subtitles.unheard``, milliseconds on the
    timeline); ``to_timeline(start, end)`` gives their timeline times, or None when the
    stretch is outside the part of the video on the timeline."""
    out = []
    for u in stretches[:MAX_UNHEARD]:
        where = to_timeline(u.start, u.end)
        if where is not None and where[1] > where[0]:
            out.append({"st": int(round(where[0] * 1000)), "et": int(round(where[1] * 1000)),
                        "heard": str(u.heard)[:MAX_HEARD]})
    return out


def unheard_from_meta(subtitles_meta: dict) -> list[tuple[float, float, str]]:
    """(start s, end s, heard) of each stretch a draft keeps; anything not of that shape is
    skipped (a draft from outside is checked by its schema, this is the second wall)."""
    out = []
    for item in (subtitles_meta or {}).get("unheard") or []:
        if not isinstance(item, dict) or not all(is_finite_number(item.get(k)) for k in ("st", "et")):
            continue
        start, end = float(item["st"]) / 1000, float(item["et"]) / 1000
        if 0 <= start < end:
            out.append((start, end, shown(str(item.get("heard") or ""), MAX_HEARD)))
    return out
