"""The draft (timeline) model: short field names, unknown fields kept.

Shape (nemo-api.md, "The draft"; the rest defined in schemas/draft.schema.json):
  draft   {"t": [track], "d": ms, "m": {"title", "width", "height", "fps", ...}}
  track   {"id", "tt": 0 video | 1 audio/BGM | 7 text, "n": name, "sg": [segment], "m": {...}}
  segment {"id", "st": start ms, "d": duration ms, "n": name, "src": file,
           "ss": source start ms, "v": volume 0..1, "txt": text, "m": {...}}
Track ``m.kind`` says what a text or audio track is for: title, subtitle,
narration, bgm (``Kind``). Times are whole milliseconds; ``to_ms``/``to_seconds``
are the one conversion. Writing a draft: timeline_edit.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VIDEO, AUDIO, TEXT = 0, 1, 7     # a track's type, ``tt``: how the renderer draws or plays it


class Kind:
    """What a track is for (its ``m.kind``): the tools find their tracks by it."""

    VIDEO = "video"            # the user's clips and stills, end to end
    SCENE = "scene"            # a generated video's pictures, one a sentence
    NARRATION = "narration"    # a generated video's voice, one clip a sentence
    BGM = "bgm"                # the music bed under everything
    TITLE = "title"
    SUBTITLE = "subtitle"      # one track a language (``m.lang``)


# The track type each kind is drawn as: a kind's track is made here and nowhere else.
TYPE_OF_KIND = {Kind.VIDEO: VIDEO, Kind.SCENE: VIDEO, Kind.NARRATION: AUDIO, Kind.BGM: AUDIO,
                Kind.TITLE: TEXT, Kind.SUBTITLE: TEXT}


# --- seconds and milliseconds: the one place they meet ------------------------------------

def to_ms(seconds: float) -> int:
    """Seconds (what people and tool arguments say) -> the draft's whole milliseconds.

    Rounded to the nearest, never cut: ``int(1.005 * 1000)`` is 1004."""
    return int(round(float(seconds) * 1000))


def to_seconds(ms: float) -> float:
    """The draft's milliseconds -> seconds (what media tools and messages use)."""
    return ms / 1000


def _fmt_s(ms: float) -> str:
    s = to_seconds(float(ms))
    return f"{s:.1f}".rstrip("0").rstrip(".") + "s" if s != int(s) else f"{int(s)}s"


def _span(start: float, dur: float) -> str:
    return f"{_fmt_s(start)[:-1]}-{_fmt_s(start + dur)}"


@dataclass
class Segment:
    raw: dict

    start: float = field(init=False)
    duration: float = field(init=False)

    def __post_init__(self) -> None:
        self.start = float(self.raw.get("st", self.raw.get("start", 0)) or 0)
        self.duration = float(self.raw.get("d", self.raw.get("duration", 0)) or 0)

    @property
    def end(self) -> float:
        return self.start + self.duration

    @property
    def text(self) -> str | None:
        return self.raw.get("txt") or self.raw.get("text")

    @property
    def name(self) -> str | None:
        return self.raw.get("n") or self.raw.get("name") or _basename(self.raw.get("src"))

    @property
    def volume(self) -> float | None:
        v = self.raw.get("v", self.raw.get("volume"))
        return None if v is None else float(v)


def _basename(src: Any) -> str | None:
    if not src or not isinstance(src, str):
        return None
    return src.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class Track:
    raw: dict
    segments: list[Segment] = field(init=False)

    def __post_init__(self) -> None:
        self.segments = [Segment(s) for s in self.raw.get("sg") or [] if isinstance(s, dict)]

    @property
    def type(self) -> int:
        try:
            return int(self.raw.get("tt", VIDEO))
        except (TypeError, ValueError):
            return -1

    @property
    def kind(self) -> str:
        meta = self.raw.get("m") or {}
        if meta.get("kind"):
            return str(meta["kind"])
        return {VIDEO: Kind.VIDEO, AUDIO: Kind.BGM, TEXT: Kind.TITLE}.get(self.type, "track")

    @property
    def label(self) -> str:
        names = {"video": "Video", "image": "Image", "bgm": "BGM", "narration": "Narration",
                 "audio": "Audio", "title": "Title", "subtitle": "Subtitles"}
        label = names.get(self.kind, self.kind.capitalize())
        lang = (self.raw.get("m") or {}).get("lang")
        return f"{label} ({lang})" if lang and self.kind == "subtitle" else label

    @property
    def start(self) -> float:
        return min((s.start for s in self.segments), default=0.0)

    @property
    def end(self) -> float:
        return max((s.end for s in self.segments), default=0.0)

    def describe(self) -> str:
        if not self.segments:
            return f"{self.label}: empty"
        span = _span(self.start, self.end - self.start)
        first = self.segments[0]
        if self.type == TEXT:
            if self.kind == "subtitle" or len(self.segments) > 1:
                return f'{self.label}: {len(self.segments)} cues, first "{first.text or ""}" ({span})'
            return f'{self.label}: "{first.text or ""}" ({span})'
        name = first.name or self.label.lower()
        extra = f" +{len(self.segments) - 1} more" if len(self.segments) > 1 else ""
        if self.type == AUDIO and first.volume is not None:
            return f"{self.label}: {name}{extra} ({span}, {round(first.volume * 100)}%)"
        return f"{self.label}: {name}{extra} ({span})"


@dataclass
class Draft:
    raw: dict
    tracks: list[Track] = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.raw, dict):
            self.raw = {}
        self.tracks = [Track(t) for t in self.raw.get("t") or [] if isinstance(t, dict)]

    @classmethod
    def from_state(cls, state: dict | None) -> Draft:
        state = state or {}
        return cls((state.get("state") or state).get("draft") or {})

    @property
    def meta(self) -> dict:
        return self.raw.get("m") or {}

    @property
    def duration(self) -> float:
        explicit = self.raw.get("d")
        return float(explicit) if explicit else max((t.end for t in self.tracks), default=0.0)

    @property
    def exportable(self) -> bool:
        """nemo-api.md: ready when at least one track has non-empty ``sg``."""
        return any(t.segments for t in self.tracks)

    def summary(self) -> str:
        if not self.tracks:
            return "Timeline (empty): nothing added yet"
        parts = " ".join(f"{i}. {t.describe()}" for i, t in enumerate(self.tracks, 1))
        n = len(self.tracks)
        return f"Timeline ({n} track{'s' if n != 1 else ''}): {parts}"


def _track_key(track: Track, index: int) -> str:
    return str(track.raw.get("id") or f"{track.kind}#{index}")


def diff(before: Draft, after: Draft) -> list[str]:
    """What changed from ``before`` to ``after``, in words, one change a line."""
    changes: list[str] = []
    old = {_track_key(t, i): t for i, t in enumerate(before.tracks)}
    new = {_track_key(t, i): t for i, t in enumerate(after.tracks)}
    for key, track in new.items():
        if key not in old:
            changes.append(f"added {track.describe()}")
    for key, track in old.items():
        if key not in new:
            changes.append(f"removed {track.label} track")
    for key in old.keys() & new.keys():
        a, b = old[key], new[key]
        if a.raw == b.raw:
            continue
        if a.describe() != b.describe():
            changes.append(f"changed {a.describe()} -> {b.describe()}")
        else:
            changes.append(f"changed {b.label} ({len(b.segments)} segments)")
    for key, label in (("width", "width"), ("height", "height"), ("title", "title"),
                       ("aspect", "aspect ratio")):
        if before.meta.get(key) != after.meta.get(key):
            changes.append(f"{label}: {before.meta.get(key)} -> {after.meta.get(key)}")
    return changes

