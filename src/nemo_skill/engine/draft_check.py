"""The wall between a request's draft and ffmpeg (issue 10).

Every draft that arrives from outside is checked here before anything is
built from it: the types and ranges of ``schemas/draft.schema.json`` (colours
``#RRGGBB``, bounded finite numbers, closed enums), what a schema cannot say
(no NaN or Infinity, a nesting depth, how many media inputs one render may
open, segments that end before the timeline does), and whose files it names.
Filter-string escaping in the media layer stays as the second wall.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from ..bundle import schema
from .errors import EngineError

MAX_DEPTH = 32              # a draft is a few levels deep; 1000 levels is an attack
MAX_MEDIA_INPUTS = 200      # each is an ffmpeg input: a file opened and decoded
MAX_TEXT_SEGMENTS = 20000   # subtitles of a 3 h video, with room
MAX_TOTAL_MS = 3 * 3600 * 1000


def bad_draft(where: str, why: str, *, envelope: str = "success") -> EngineError:
    return EngineError(4000, f"invalid draft: {where}: {why}", 400, envelope=envelope)


@functools.cache
def _validator():
    import jsonschema
    return jsonschema.Draft202012Validator(schema("draft.schema.json"))


def _where(path) -> str:
    out = "draft"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _walk(value: Any, path: tuple, depth: int) -> None:
    """No value nests deeper than MAX_DEPTH; every number is finite."""
    if depth > MAX_DEPTH:
        raise bad_draft(_where(path), f"nested more than {MAX_DEPTH} levels")
    if isinstance(value, float) and not math.isfinite(value):
        raise bad_draft(_where(path), "a number must be finite")
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, (*path, key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, (*path, i), depth + 1)


def check(draft: Any, *, owns: Callable[[str], bool] | None = None, envelope: str = "success") -> dict:
    """``draft`` if it is safe to render; else EngineError 400 naming the first bad field.

    ``owns(src)`` says whether a segment's source is a file of the caller's own project;
    a source that is not gets the same answer whether it exists elsewhere or not at all."""
    if not isinstance(draft, dict):
        raise bad_draft("draft", "must be a JSON object", envelope=envelope)
    _walk(draft, (), 0)
    error = next(iter(sorted(_validator().iter_errors(draft), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        raise bad_draft(_where(error.absolute_path), error.message[:200], envelope=envelope)
    media = text = 0
    for ti, track in enumerate(draft.get("t") or []):
        for si, seg in enumerate(track.get("sg") or []):
            where = f"draft.t[{ti}].sg[{si}]"
            # the timeline reads st/start and d/duration: bound whichever it will use
            start = seg.get("st", seg.get("start", 0)) or 0
            length = seg.get("d", seg.get("duration", 0)) or 0
            if float(start) + float(length) > MAX_TOTAL_MS:
                raise bad_draft(where, "ends after 3 hours", envelope=envelope)
            if seg.get("src"):
                media += 1
                if track["tt"] == 7:
                    raise bad_draft(f"{where}.src", "a text track has no source file", envelope=envelope)
                if owns is not None and not owns(seg["src"]):
                    raise bad_draft(f"{where}.src", "not a file of this project (upload it first)",
                                    envelope=envelope)
            else:
                text += 1
    if media > MAX_MEDIA_INPUTS:
        raise bad_draft("draft.t", f"{media} media segments; at most {MAX_MEDIA_INPUTS} in one render",
                        envelope=envelope)
    if text > MAX_TEXT_SEGMENTS:
        raise bad_draft("draft.t", f"{text} text segments; at most {MAX_TEXT_SEGMENTS}", envelope=envelope)
    return draft
