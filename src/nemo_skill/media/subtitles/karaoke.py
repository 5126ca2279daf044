"""Word-by-word highlighted subtitles from the voice's per-character timing.

The neural voice knows when every character is spoken; a subtitle segment
keeps that as ``m.k`` (``[text, start ms, end ms]`` on the timeline). Here
it becomes ASS karaoke: each character switches from the secondary colour
(the plain subtitle colour) to the primary (the highlight) when it is
said. The cue's displayed text is matched to the timed characters one by
one, so punctuation rules applied to the text later cannot shift them.
"""

from __future__ import annotations

from ..escape import ass_text

DEFAULT_HIGHLIGHT = "#FFD400"


def chars_in(chars: list[tuple[str, float, float]], start: float, end: float) -> list[tuple[str, float, float]]:
    """The timed characters spoken from ``start`` (inclusive) to ``end`` (exclusive), in seconds."""
    return [c for c in chars if start - 0.001 <= c[1] < end]


def ass_karaoke(text: str, chars: list[tuple[str, float, float]], cue_start: float) -> str:
    """``text`` (lines joined with newlines) with an ASS ``\\k`` tag before every timed character.

    A character's highlight lasts until the next one starts (the last: until it ends); the
    lead-in before the first is an empty syllable. Durations come from rounded positions, not
    rounded lengths, so the highlight never drifts from the voice over a long cue."""
    timed = _match(text, chars)
    starts = [when for _, when in timed if when is not None]
    last_end = max((c[2] for c in chars), default=cue_start)
    out = _tag(_centis(starts[0] - cue_start)) if starts and starts[0] > cue_start else ""
    n = 0
    for ch, when in timed:
        if ch == "\n":
            out += r"\N"
        elif when is None:
            out += ass_text(ch)
        else:
            nxt = starts[n + 1] if n + 1 < len(starts) else max(last_end, when)
            out += _tag(_centis(nxt) - _centis(when)) + ass_text(ch)
            n += 1
    return out


def _match(text: str, chars: list[tuple[str, float, float]]) -> list[tuple[str, float | None]]:
    """Each shown character with the start of the timed unit it belongs to (None: untimed)."""
    out: list[tuple[str, float | None]] = []
    i = 0
    pending = ""          # the rest of a multi-character unit ("3:30", "iPhone") being matched
    for ch in text:
        if pending and ch == pending[0]:
            pending = pending[1:]
            out.append((ch, None))
            continue
        hit = next((j for j in range(i, min(i + 8, len(chars))) if chars[j][0][:1] == ch), None)
        if hit is None:
            out.append((ch, None))
            continue
        out.append((ch, chars[hit][1]))
        pending = chars[hit][0][1:]
        i = hit + 1
    return out


def _tag(centis: int) -> str:
    return "{\\k" + str(centis) + "}"


def _centis(seconds: float) -> int:
    return max(0, int(round(seconds * 100)))
