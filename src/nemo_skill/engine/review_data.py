"""What the review page shows (issue 26): the project's subtitles as rows, one per cue of
the first language, with the other languages beside them, the recogniser's confidence and
each cue's `subs check` findings; the WebVTT of each language for the ``<track>``s.

Rows are read from the draft as written (the page edits what is stored, not the display
punctuation). A second language is editable in the rows only when it follows the first
cue for cue (a translation); one split in time (issue 13) is shown, read-only.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .. import choices
from ..media.subtitles import (
    check as subcheck,
    cues as cue_rules,
    formats as subfiles,
    speech_check,
)
from ..media.subtitles.cues import Cue
from ..timeline import VIDEO, Draft, Kind, to_seconds
from ..timeline_edit import find_track, subtitle_settings, track_id

# bidi embeddings, overrides and isolates, and the marks: a cue shown left-to-right stays so
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LOW_CONFIDENCE = 0.6     # below this the row's confidence is highlighted
PAIR_TOLERANCE = 0.05    # s: a translation's cue shares its source cue's times


def ordered_langs(draft: dict) -> list[str]:
    """The subtitle languages with cues, in display order (the first is the one edited)."""
    present = [t.lang for t in subfiles.from_draft(Draft(draft), as_written=True)]
    return present


def track_segments(draft: dict, lang: str) -> list[dict]:
    t = find_track(draft, track_id(Kind.SUBTITLE, lang))
    return list((t or {}).get("sg") or [])


def segment_cue(seg: dict) -> Cue:
    start = to_seconds(float(seg.get("st", 0)))
    return Cue(start, start + to_seconds(float(seg.get("d", 0))), str(seg.get("txt") or ""))


def follows(first: list[Cue], other: list[Cue]) -> bool:
    """True if ``other`` has one cue per cue of ``first``, at the same times."""
    return len(first) == len(other) and all(
        abs(a.start - b.start) <= PAIR_TOLERANCE and abs(a.end - b.end) <= PAIR_TOLERANCE
        for a, b in zip(first, other, strict=True))


def video_clip(draft: dict, engine, session_id: str) -> dict | None:
    """The first video clip: its file, where it sits on the timeline and what part it shows."""
    for t in Draft(draft).tracks:
        if t.type != VIDEO:
            continue
        for seg in t.segments:
            if seg.raw.get("src") and (seg.raw.get("m") or {}).get("type", "video") == "video":
                return {"path": engine.resolve_src(seg.raw["src"], session_id),
                        "timeline_start": to_seconds(seg.start), "source_start": to_seconds(float(seg.raw.get("ss", 0))),
                        "length": to_seconds(seg.duration)}
    return None


def timeline_length(draft: dict, clip: dict | None) -> float:
    """How far a cue may reach: the end of the video clip, else the draft's length."""
    if clip is not None and clip["length"] > 0:
        return clip["timeline_start"] + clip["length"]
    return to_seconds(Draft(draft).duration)


def rules_of(draft: dict) -> dict:
    limits = subtitle_settings(dict(draft)).get("limits") or {}
    return {lang: cue_rules.rules_for(lang, **(limits.get(lang) or {})) for lang in choices.LANGUAGES}


def findings_by_cue(draft: dict, lang: str, items: list[Cue]) -> dict[int, list[dict]]:
    """Every `subs check` finding of one language's cues, by 1-based cue number."""
    punctuation = subfiles.punctuation(Draft(draft))
    found, _ = subcheck.check_cues(items, f"({lang} subtitles)", rules_of(draft), punctuation)
    out: dict[int, list[dict]] = {}
    for f in found:
        if f.cue is not None:
            out.setdefault(f.cue, []).append({"code": f.code, "message": f.message, "fix": f.fix,
                                              "lang": lang})
    return out


def _confidence(seg: dict) -> dict:
    """The recogniser's confidence (0-1) and unsure words, when it gave them."""
    meta = seg.get("m") or {}
    out: dict = {}
    value = meta.get("confidence", seg.get("confidence"))
    if isinstance(value, (int, float)) and 0 <= value <= 1:
        out["confidence"] = round(float(value), 3)
        out["low"] = value < LOW_CONFIDENCE
    unsure = meta.get("unsure", seg.get("unsure"))
    if isinstance(unsure, list):
        out["unsure"] = [str(u.get("text")) for u in unsure[:20] if isinstance(u, dict) and u.get("text")]
    return out


def forbidden_character(text: str) -> str | None:
    """The first control (but the line break) or bidi character of ``text``, if any."""
    return next((ch for ch in text if ch != "\n" and (unicodedata.category(ch) in ("Cc", "Cs") or _BIDI.match(ch))),
                None)


def invisible(texts: dict) -> list[dict]:
    """A finding for a control or bidi character, which a save refuses: say so on load."""
    found = []
    for lang, text in texts.items():
        ch = forbidden_character(text)
        if ch is not None:
            found.append({"code": "invisible_character", "lang": lang, "message": f"the {lang} text holds the "
                          f"invisible character U+{ord(ch):04X}", "fix": "delete it; a save refuses it"})
    return found


def project(draft: dict, version: int, clip: dict | None) -> dict:
    """The page's whole model of the project."""
    langs = ordered_langs(draft)
    first = langs[0] if langs else None
    segs = track_segments(draft, first) if first else []
    items = [segment_cue(s) for s in segs]
    others = {lang: [segment_cue(s) for s in track_segments(draft, lang)] for lang in langs[1:]}
    editable = [lang for lang, cs in others.items() if follows(items, cs)]
    # checked as the files will be written (the draft's punctuation style), cue for cue
    shown = {t.lang: t.cues for t in subfiles.from_draft(Draft(draft))}
    findings: dict[int, list[dict]] = {}
    for lang in ([first, *editable] if first else []):
        for n, found in findings_by_cue(draft, lang, shown.get(lang, [])).items():
            findings.setdefault(n, []).extend(found)
    rules = rules_of(draft)
    rows = []
    for n, (seg, cue) in enumerate(zip(segs, items, strict=True), 1):
        texts = {first: cue.text}
        for lang, cs in others.items():
            texts[lang] = cs[n - 1].text if lang in editable else "\n".join(
                c.text for c in cs if c.start < cue.end - PAIR_TOLERANCE and c.end > cue.start + PAIR_TOLERANCE)
        rows.append({"n": n, "start": round(cue.start, 3), "end": round(cue.end, 3), "texts": texts,
                     "findings": invisible(texts) + findings.get(n, []), **_confidence(seg)})
    return {"revision": version, "languages": langs, "editable": [first, *editable] if first else [],
            "rows": rows, "duration": round(timeline_length(draft, clip), 3),
            # heard but not read, and no cue carries it yet: the page offers to add one there
            "unheard": [{"start": round(a, 3), "end": round(b, 3), "heard": heard}
                        for a, b, heard in speech_check.unheard_left(subtitle_settings(draft), items)],
            "offset": round(clip["timeline_start"] - clip["source_start"], 3) if clip else 0.0,
            "has_video": clip is not None,
            "aspect": _aspect(draft), "limits": {lang: {"max_chars": r.max_chars, "cps": r.cps}
                                                 for lang, r in rules.items()},
            "names": {lang: subfiles.LANG_NAMES.get(lang, lang) for lang in langs}}


def _aspect(draft: dict) -> float:
    meta = draft.get("m") or {}
    width, height = float(meta.get("width") or 1920), float(meta.get("height") or 1080)
    return round(width / height, 4) if height > 0 else 16 / 9


def webvtt(draft: dict, lang: str, offset: float) -> str:
    """One language's cues as WebVTT on the video's own clock (the page's ``<track>``)."""
    track = next((t for t in subfiles.from_draft(Draft(draft)) if t.lang == lang), None)
    if track is None:
        return "WEBVTT\n"
    shifted = [Cue(max(0.0, c.start - offset), max(0.0, c.end - offset), c.text) for c in track.cues]
    doc = subfiles.plain_document(shifted)
    return doc.to_string("vtt") if len(doc) else "WEBVTT\n"


def video_path(draft: dict, engine, session_id: str) -> Path | None:
    clip = video_clip(draft, engine, session_id)
    return clip["path"] if clip else None
