"""How published subtitles write their words (issue 13): Chinese without a comma or
full stop at the end of a cue, a pause inside a line shown as a space; English words
joined as written ("I'm", "don't", no space before a comma).

Pure functions, applied when the files and renders are written, so the draft keeps
the punctuation a translator needs.
"""

from __future__ import annotations

import re

from ... import choices

PUNCTUATION_STYLES = choices.PUNCTUATION_STYLES
DEFAULT_PUNCTUATION = "conventional"

# Cut from the end of a Chinese line; ？！… and closing quotes stay, they carry tone.
_ZH_END = re.compile(r"(?<![.…])[，。、；,;]+$|(?<!\.)\.$")
# A pause inside a Chinese line: full-width comma, enumeration comma, full stop, and an
# ASCII comma that is not a digit group (1,000).
_ZH_PAUSE = re.compile(r"\s*(?:[，、。；]|,(?!\d))\s*")


def zh_line(line: str) -> str:
    """One Chinese line the way Chinese subtitles print it."""
    line = _ZH_END.sub("", line.strip())
    line = _ZH_PAUSE.sub(" ", line).strip()
    return _ZH_END.sub("", line)


def apply(text: str, lang: str, style: str = DEFAULT_PUNCTUATION) -> str:
    """A cue's text (lines joined with "\\n") in the chosen punctuation style."""
    if style == "keep" or lang.split("-")[0] not in ("zh", "cmn", "yue"):
        return text
    return "\n".join(zh_line(line) for line in text.split("\n"))


def ends_with_pause_mark(text: str, lang: str) -> bool:
    """True if a cue ends in a mark Chinese subtitles leave out (，。、; and , . for zh)."""
    last = text.rstrip().split("\n")[-1] if text.strip() else ""
    return lang.split("-")[0] in ("zh", "cmn", "yue") and bool(_ZH_END.search(last.rstrip()))


# --- English words as written ---------------------------------------------------------------

_CONTRACTION = re.compile(r"^(n't|'(s|m|re|ve|ll|d|t)|’(s|m|re|ve|ll|d|t))$", re.I)
_NO_SPACE_BEFORE = re.compile(r"^[,.!?;:%)\]}…”’]")
_NO_SPACE_AFTER = ("(", "[", "{", "“", "$")


def join_words(words: list[str]) -> str:
    """Whisper's word pieces as one line: "I 'm" -> "I'm", "don 't" -> "don't", "word ," -> "word,"."""
    out = ""
    for raw in words:
        word = raw.strip()
        if not word:
            continue
        glued = not out or out.endswith(_NO_SPACE_AFTER) or bool(_CONTRACTION.match(word)) \
            or bool(_NO_SPACE_BEFORE.match(word))
        out += ("" if glued else " ") + word
    return out
