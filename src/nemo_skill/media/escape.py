"""Escaping text for the two languages we write into: filtergraphs and ASS.

Filtergraph values are escaped twice, as ffmpeg-filters(1) "Notes on
filtergraph escaping" describes: once for the option value, once for the
graph. ASS text gets no override tags through: braces and backslashes
become their full-width look-alikes, newlines become ``\\N``.
"""

from __future__ import annotations

from ..text_safety import is_unsafe


def filter_value(value: str) -> str:
    """A filter option value (a path, a text) safe inside a filtergraph string."""
    level1 = value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    out = []
    for ch in level1:
        out.append("\\" + ch if ch in "\\'[],;" else ch)
    return "".join(out)


_ASS_TABLE = str.maketrans({"{": "｛", "}": "｝", "\\": "＼"})


def _visible(text: str) -> str:
    """Control and bidi characters dropped (the last net: text is checked where it enters)."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch == "\n" or not is_unsafe(ch))


def ass_text(text: str) -> str:
    """Plain text as an ASS event's text: no tags, line breaks kept."""
    return r"\N".join(line.translate(_ASS_TABLE) for line in _visible(text).split("\n"))


def cue_text(text: str) -> str:
    """A cue's text for SRT, VTT and BCC: the same look-alikes as in ASS, so ``{\\fs200}``
    reads as the same text in every file (SRT writers dropped it as a tag, ASS showed it,
    some players obeyed it), line breaks kept."""
    return _visible(text).translate(_ASS_TABLE)
