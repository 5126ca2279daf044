"""One problem a quality check found in a file a creator would publish (issue 13): what,
where, and what to do about it, in words an agent can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    code: str                    # stable, e.g. "overlap", "reading_speed", "keyframe_interval"
    file: str
    message: str
    fix: str
    cue: int | None = None       # 1-based, in the file's own order
    time: float | None = None    # seconds, where it starts
    end: float | None = None     # seconds, where it ends (a range: speech without a subtitle)
    lang: str | None = None

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}
