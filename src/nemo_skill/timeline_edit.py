"""Editing a draft: every write a tool makes to the timeline goes through these.

timeline.py says what a draft is (and reads it); this module changes one: tracks found
or made by kind, segments made, replaced and cut, times given in seconds and stored as
whole milliseconds (``to_ms``/``to_seconds``, the one conversion), ids made one way, and
the draft's metadata (``m``) read and written. Nothing here knows about the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from . import choices
from .timeline import TYPE_OF_KIND, Draft, Kind, to_ms, to_seconds


def make_id(*parts: Any) -> str:
    """The one id maker: the parts joined by "_" (``sub_zh_3``), so an id says what it names
    and the same edit of the same draft gives the same ids (drafts compare and diff cleanly)."""
    return "_".join(str(p) for p in parts)


def track_id(kind: str, lang: str | None = None) -> str:
    """The id a track of ``kind`` has: the kind, ``scenes`` for a generated video's
    pictures, ``subtitle_<lang>`` for one language's subtitles."""
    if kind == Kind.SUBTITLE and lang:
        return make_id(kind, lang)
    return "scenes" if kind == Kind.SCENE else kind


def new_draft() -> dict:
    """An empty project on a 1080p 16:9 canvas."""
    return {"t": [], "d": 0, "m": {"width": 1920, "height": 1080, "fps": 30, "aspect": "16:9"}}


def kind_of(track: dict) -> str | None:
    return (track.get("m") or {}).get("kind")


def find_track(draft: dict, tid: str) -> dict | None:
    return next((t for t in draft.get("t") or [] if t.get("id") == tid), None)


def tracks_of_kind(draft: dict, kind: str) -> list[dict]:
    return [t for t in draft.get("t", []) if kind_of(t) == kind]


def subtitle_langs(draft: dict) -> list[str]:
    """The languages of the draft's subtitle tracks, in track order."""
    return [str((t.get("m") or {}).get("lang")) for t in tracks_of_kind(draft, Kind.SUBTITLE)]


def get_or_create_track(draft: dict, kind: str, *, tid: str | None = None, name: str | None = None) -> dict:
    """The track with id ``tid`` (by default the kind's own id); made empty, at the end, if
    there is none, with the type its kind is drawn as."""
    tid = tid or track_id(kind)
    found = find_track(draft, tid)
    if found is not None:
        return found
    made = {"id": tid, "tt": TYPE_OF_KIND[kind], "n": name or kind, "m": {"kind": kind}, "sg": []}
    draft.setdefault("t", []).append(made)
    return made


def update_track(track: dict, *, name: str | None = None, **meta: Any) -> dict:
    """Rename a track and/or set fields of its ``m`` (lang, source, voice...)."""
    if name is not None:
        track["n"] = name
    track.setdefault("m", {}).update(meta)
    return track


def track_style(track: dict) -> dict:
    """The track's ``m.style`` (size, position, colours...), made empty if it has none."""
    return track.setdefault("m", {}).setdefault("style", {})


def remove_tracks(draft: dict, doomed: Callable[[dict], bool]) -> int:
    """Drop every track ``doomed`` says yes to; how many went."""
    before = draft.get("t", [])
    draft["t"] = [t for t in before if not doomed(t)]
    return len(before) - len(draft["t"])


def clear_tracks(draft: dict) -> None:
    """No tracks at all: a generated video lays out every track afresh."""
    draft["t"] = []


def new_segment(seg_id: str, start: float, duration: float, **fields: Any) -> dict:
    """A segment from ``start`` for ``duration`` seconds; ``fields`` are its other keys
    (``src``, ``n``, ``txt``, ``v``, ``m``...), kept in the order given."""
    return {"id": seg_id, "st": to_ms(start), "d": to_ms(duration), **fields}


def set_times(seg: dict, start: float | None = None, duration: float | None = None) -> dict:
    """Move and/or resize a segment; seconds in, milliseconds stored."""
    if start is not None:
        seg["st"] = to_ms(start)
    if duration is not None:
        seg["d"] = to_ms(duration)
    return seg


def seconds_of(seg: dict) -> tuple[float, float]:
    """A segment's (start, end) in seconds."""
    return to_seconds(seg["st"]), to_seconds(seg["st"] + seg["d"])


def add_segment(track: dict, seg: dict) -> dict:
    track.setdefault("sg", []).append(seg)
    return seg


def replace_segments(track: dict, segments: Iterable[dict]) -> list[dict]:
    """The track's segments become ``segments`` (an empty list clears it)."""
    track["sg"] = list(segments)
    return track["sg"]


def update_segments(track: dict, **fields: Any) -> None:
    """Set the same fields on every segment of a track (a volume, say)."""
    for seg in track.get("sg", []):
        seg.update(fields)


def track_end_ms(track: dict) -> int:
    """Where a track's last segment ends: the next clip goes there."""
    return int(max((s["st"] + s["d"] for s in track.get("sg", [])), default=0))


def keep_between(track: dict, start_ms: float, end_ms: float) -> None:
    """Keep only what lies between ``start_ms`` and ``end_ms``, moved to start at 0; a
    media segment cut at its head starts that much later in its source (``ss``)."""
    kept = []
    for seg in track.get("sg", []):
        s0, s1 = seg["st"], seg["st"] + seg["d"]
        lo, hi = max(s0, start_ms), min(s1, end_ms)
        if hi - lo <= 0:
            continue
        seg["ss"] = seg.get("ss", 0) + (lo - s0) if "src" in seg else seg.get("ss", 0)
        seg["st"], seg["d"] = lo - start_ms, hi - lo
        kept.append(seg)
    track["sg"] = kept


def content_end(draft: dict) -> int:
    """Where the timeline ends, in ms: the end of everything but looping music."""
    ends = [s.end for t in Draft(draft).tracks if t.kind != Kind.BGM for s in t.segments]
    return int(max(ends, default=0))


def normalize(draft: dict) -> dict:
    """Keep ``d`` and the music bed in step with the content after any edit."""
    end = content_end(draft)
    for t in tracks_of_kind(draft, Kind.BGM):
        for seg in t.get("sg", []):
            seg["st"], seg["d"] = 0, end or seg.get("d", 0)
    draft["d"] = end or max((Draft(draft).duration, 0))
    return draft


def set_duration(draft: dict, seconds: float) -> None:
    draft["d"] = to_ms(seconds)


# --- the draft's metadata (``m``): canvas, title, subtitle settings, generator -------------

def draft_meta(draft: dict) -> dict:
    """The draft's ``m``, made empty if it has none."""
    return draft.setdefault("m", {})


def meta_value(draft: dict, key: str, default: Any = None) -> Any:
    """Read one ``m`` field without adding ``m`` to the draft."""
    return (draft.get("m") or {}).get(key, default)


def set_meta(draft: dict, **fields: Any) -> dict:
    meta = draft_meta(draft)
    meta.update(fields)
    return meta


def drop_meta(draft: dict, *keys: str) -> None:
    meta = draft.get("m", {})
    for key in keys:
        meta.pop(key, None)


def subtitle_settings(draft: dict) -> dict:
    """``m.subtitles``: display order, burn or soft, limits, a translation still pending."""
    return draft_meta(draft).setdefault("subtitles", {"order": list(choices.DEFAULT_SUBTITLE_LANGUAGES), "mode": "burn"})
