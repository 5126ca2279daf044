"""Escaping text for the two languages we write into: filtergraphs and ASS.

Filtergraph values are escaped twice, as ffmpeg-filters(1) "Notes on
filtergraph escaping" describes: once for the option value, once for the
graph. ASS text gets no override tags through: braces and backslashes
become their full-width look-alikes, newlines become ``\\N``.
"""

from __future__ import annotations


def filter_value(value: str) -> str:
    """A filter option value (a path, a text) safe inside a filtergraph string."""
    level1 = value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    out = []
    for ch in level1:
        out.append("\\" + ch if ch in "\\'[],;" else ch)
    return "".join(out)


_ASS_TABLE = str.maketrans({"{": "｛", "}": "｝", "\\": "＼"})


def ass_text(text: str) -> str:
    """Plain text as an ASS event's text: no tags, line breaks kept."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return r"\N".join(line.translate(_ASS_TABLE) for line in lines)
