"""Script matching (文稿匹配): the creator's script, timed by the recognised speech (issue 13).

The text comes from the script, the timing from the recogniser. Both sides
are cut into atoms (a Chinese character, or a Latin word, with the marks
after it) and compared by sound, so a homophone Whisper wrote (压碎 for
压岁) still anchors its script character. Matched atoms take the recognised
times; a stretch Whisper heard differently is spread over the time of what
it heard there; a stretch it did not hear at all is spread over the pause
between its anchors. The result is a list of timed words that
``cues.layout`` breaks at the script's own punctuation.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from ..asr.text import bare, is_cjk, to_simplified

MAX_SCRIPT_CHARS = 20000
_ATOM = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*|[^\sA-Za-z0-9]")
STRETCH_PER_ATOM = 0.25      # seconds an unheard character gets when there is no pause to put it in


@dataclass
class Timed:
    text: str
    start: float
    end: float


def atoms(text: str) -> list[str]:
    """Characters and Latin words, each with the marks that follow it (marks before the
    first go with it). Spaces are not kept: the cue layout puts them between Latin words."""
    out: list[str] = []
    lead = ""
    for m in _ATOM.finditer(text):
        piece = m.group(0)
        if not bare(piece):
            if out:
                out[-1] += piece
            else:
                lead += piece
            continue
        out.append(lead + piece)
        lead = ""
    return out


@functools.cache
def _sound(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin
    return lazy_pinyin(ch, style=Style.NORMAL)[0]


def key(atom: str) -> str:
    """What an atom sounds like: toneless pinyin for a character, the lower-case word otherwise."""
    core = bare(to_simplified(atom))
    if len(core) == 1 and is_cjk(core):
        return _sound(core)
    return core


def _heard_atoms(words: list) -> list[Timed]:
    """The recognised words cut into atoms, a word's time shared among its characters."""
    out: list[Timed] = []
    for w in words:
        parts = [a for a in atoms(w.text) if bare(a)]
        if not parts:
            continue
        step = (w.end - w.start) / len(parts)
        out += [Timed(a, w.start + i * step, w.start + (i + 1) * step) for i, a in enumerate(parts)]
    return out


def align(words: list, script: str) -> list[Timed]:
    """The script's atoms with times from ``words`` (objects with text, start, end)."""
    mine = atoms(script.strip())
    heard = _heard_atoms(words)
    if not mine or not heard:
        return []
    keys = [key(a) for a in mine]
    times: list[tuple[float, float] | None] = [None] * len(mine)
    matcher = difflib.SequenceMatcher(None, keys, [key(h.text) for h in heard], autojunk=False)
    opcodes = matcher.get_opcodes()
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            for k in range(i2 - i1):
                times[i1 + k] = (heard[j1 + k].start, heard[j1 + k].end)
        elif op == "replace":
            _spread(times, i1, i2, heard[j1].start, heard[j2 - 1].end)
    for op, i1, i2, _j1, _j2 in opcodes:
        if op == "delete":
            _gap_after_marks(times, mine, keys, i1, i2)
    _fill_unheard(times, heard)
    return [Timed(a, round(s, 3), round(e, 3)) for a, (s, e) in zip(mine, times, strict=True)]


def _gap_after_marks(times: list, mine: list[str], keys: list[str], i1: int, i2: int) -> None:
    """An unheard stretch that could as well begin earlier (第一句。[第二句。第]三句 ->
    第一句。[第二句。]第三句) is moved to begin after a mark, where sentences begin."""
    while (i1 > 0 and times[i1 - 1] is not None and keys[i1 - 1] == keys[i2 - 1]
           and bare(mine[i1 - 1][-1:])):
        times[i2 - 1], times[i1 - 1] = times[i1 - 1], None
        i1, i2 = i1 - 1, i2 - 1


def _spread(times: list, i1: int, i2: int, start: float, end: float) -> None:
    step = max(end - start, 0.0) / max(1, i2 - i1)
    for k in range(i2 - i1):
        times[i1 + k] = (start + k * step, start + (k + 1) * step)


def _fill_unheard(times: list, heard: list[Timed]) -> None:
    """Script stretches with no recognised counterpart: into the pause between their anchors."""
    i = 0
    while i < len(times):
        if times[i] is not None:
            i += 1
            continue
        j = i
        while j < len(times) and times[j] is None:
            j += 1
        n = j - i
        before = times[i - 1][1] if i else None
        after = times[j][0] if j < len(times) else None
        if before is None and after is None:
            before, after = heard[0].start, heard[-1].end
        elif before is None:
            before = max(0.0, after - n * STRETCH_PER_ATOM)
        elif after is None or after - before < 0.05 * n:
            after = before + n * STRETCH_PER_ATOM if after is None else after
            if after - before < 0.05 * n:      # no room: share the time of the neighbours
                _squeeze(times, i, j, before)
                i = j
                continue
        _spread(times, i, j, before, after)
        i = j


def _squeeze(times: list, i: int, j: int, at: float) -> None:
    """No pause to hold the stretch (i > 0): it shares the previous atom's time."""
    prev_start = times[i - 1][0]
    _spread(times, i - 1, j, prev_start, max(at, prev_start + 0.05 * (j - i + 1)))
