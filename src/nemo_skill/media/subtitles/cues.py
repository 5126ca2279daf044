"""Subtitle cue layout: timed words -> readable cues, by the usual rules.

Defaults follow common subtitle practice (Netflix/BBC style guides, and
Bilibili's one-line Chinese): Chinese at most 16 characters a line and one
line a cue, English at most 42 a line and two lines; about 9 characters a
second for Chinese and 20 for English; each cue 0.83-7 s; at least two
frames between cues. A cue breaks at punctuation first, then at pauses,
then between words (jieba finds Chinese words), never inside a word.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from ..asr.text import ends_clause, ends_sentence, is_cjk
from .conventions import join_words
from .doubts import doubts


@dataclass(frozen=True)
class Rules:
    max_chars: int           # per line
    max_lines: int
    cps: float               # reading speed target, characters a second
    min_duration: float = 0.83
    max_duration: float = 7.0
    gap_frames: int = 2
    fps: float = 24.0        # two frames at 24 fps is the widest "two frames" (0.083 s)
    pause: float = 0.4       # a silence this long is a good place to break
    long_pause: float = 1.2  # and this long always breaks

    @property
    def min_gap(self) -> float:
        return self.gap_frames / self.fps

    @property
    def max_cue_chars(self) -> int:
        return self.max_chars * self.max_lines

    def budget(self, duration: float) -> int:
        """The most characters a cue this long can hold: reading speed, capped at its lines."""
        return max(1, min(self.max_cue_chars, int(duration * self.cps)))


ZH = Rules(max_chars=16, max_lines=1, cps=9.0)
EN = Rules(max_chars=42, max_lines=2, cps=20.0)


def rules_for(language: str, **overrides) -> Rules:
    base = ZH if is_cjk_language(language) else EN
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def is_cjk_language(language: str) -> bool:
    return language.split("-")[0].lower() in ("zh", "ja", "yue", "cmn")


@dataclass
class Cue:
    start: float
    end: float
    text: str           # lines joined with "\n"
    chars: tuple = ()   # (text, start s, end s) per spoken character, when the voice knows them
    confidence: float | None = None   # recognised cues: Whisper's mean probability (cue_doubts)
    unsure: tuple = ()                # recognised cues: [{"text", "start", "end"}] Whisper doubted
    speaker: int | None = None        # with --speakers: 1, 2, ... (speaker_cues)

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class Unit:
    """A piece that is never split: a word with any punctuation after it."""

    text: str
    start: float
    end: float
    probability: float = 1.0    # the least sure of Whisper's pieces in it


def display_len(text: str) -> int:
    """Characters as a reader counts them (a CJK character is one)."""
    return len(text.replace("\n", ""))


# --- words -> units -------------------------------------------------------------------

@functools.cache
def _jieba():
    import jieba
    jieba.setLogLevel(60)
    return jieba


def zh_units(words: list) -> list[Unit]:
    """Whisper's Chinese pieces (characters, often) regrouped into jieba words."""
    chars: list[tuple[str, float, float, float]] = []
    for w in words:
        text = w.text.strip()
        if not text:
            continue
        if chars and w.text[:1].isspace() and _latin(chars[-1][0]) and _latin(text[0]):
            chars.append((" ", w.start, w.start))     # "Model Y" keeps its space: jieba would join ModelY
        step = (w.end - w.start) / len(text)
        p = getattr(w, "probability", 1.0)
        chars += [(ch, w.start + i * step, w.start + (i + 1) * step, p) for i, ch in enumerate(text)]
    line = "".join(c[0] for c in chars)
    units: list[Unit] = []
    pos = 0
    for token in _jieba().cut(line, HMM=True):
        piece = chars[pos:pos + len(token)]
        pos += len(token)
        if not piece:
            continue
        if units and not any(is_cjk(ch) or ch.isalnum() for ch in token):
            units[-1].text += token          # punctuation sticks to the word before it
            units[-1].end = max(units[-1].end, piece[-1][2])
            continue
        units.append(Unit(token, piece[0][1], piece[-1][2], min(c[3] for c in piece)))
    return units


def en_units(words: list) -> list[Unit]:
    # a contraction or punctuation Whisper gives as its own word belongs to the word before
    units: list[Unit] = []
    for w in words:
        text = w.text.strip()
        p = getattr(w, "probability", 1.0)
        if units and text and join_words([units[-1].text, text]) == units[-1].text + text:
            units[-1].text += text
            units[-1].end = max(units[-1].end, w.end)
            units[-1].probability = min(units[-1].probability, p)
        elif text:
            units.append(Unit(text, w.start, w.end, p))
    return units


def units_for(words: list, language: str) -> list[Unit]:
    return zh_units(words) if is_cjk_language(language) else en_units(words)


def join(units: list[Unit], cjk: bool) -> str:
    if cjk:
        out = ""
        for u in units:   # Latin words inside Chinese keep a space between them
            out += (" " if out and out[-1].isascii() and out[-1].isalnum() and u.text[:1].isascii()
                    and u.text[:1].isalnum() else "") + u.text
        return out
    return " ".join(u.text for u in units)


# --- units -> cues ------------------------------------------------------------------

def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# A cue never starts with one of these (了12.5%), nor a figure's unit away from its number.
PARTICLES = frozenset("了的地得着过吗呢吧啊呀嘛么哦呗啦")
_UNIT_AFTER_NUMBER = re.compile(r"^[万亿千百%％个台辆人名元岁倍次件公斤米]")
_NUMERALS = frozenset("0123456789零一二两三四五六七八九十百千万亿")


def _bad_break(units: list[Unit], i: int) -> bool:
    """A break after units[i] that strands a particle or splits a figure from its unit."""
    if i + 1 >= len(units):
        return False
    after = units[i + 1].text
    return re.sub(r"\W", "", after) in PARTICLES or bool(
        units[i].text[-1:] and units[i].text[-1] in _NUMERALS and _UNIT_AFTER_NUMBER.match(after))


def _break_priority(units: list[Unit], i: int, rules: Rules) -> int:
    """How good a break after units[i] is: 4 sentence end, 3 clause, 2 pause, 1 word boundary,
    0 a break that strands a particle or a unit."""
    text = units[i].text
    pause = units[i + 1].start - units[i].end if i + 1 < len(units) else 99.0
    if _bad_break(units, i) and not ends_sentence(text):
        return 0
    if ends_sentence(text):
        return 4
    if ends_clause(text):
        return 3
    if pause >= rules.pause:
        return 2
    return 1


def _must_break(units: list[Unit], i: int, rules: Rules) -> bool:
    pause = units[i + 1].start - units[i].end if i + 1 < len(units) else 99.0
    return pause >= rules.long_pause or ends_sentence(units[i].text)


def layout(words: list, language: str, rules: Rules | None = None) -> list[Cue]:
    """Timed words -> cues that follow ``rules``."""
    rules = rules or rules_for(language)
    cjk = is_cjk_language(language)
    units = [u for u in units_for(words, language) if u.text]
    groups: list[list[Unit]] = []
    start = 0
    while start < len(units):
        end = _best_end(units, start, rules, cjk)
        groups.append(units[start:end + 1])
        start = end + 1
    if cjk:
        groups = _without_tiny(groups, rules)
    cues = [Cue(g[0].start, g[-1].end, wrap(join(g, cjk), language, rules), **doubts(g)) for g in groups]
    return time_cues(cues, rules)


def _without_tiny(groups: list[list[Unit]], rules: Rules) -> list[list[Unit]]:
    """No cue of one or two characters ("车。") cut from its sentence: such a cue and the one
    before it are split again nearer their middle, at a break that strands nothing."""
    out: list[list[Unit]] = []
    for g in groups:
        words = len(re.sub(r"\W", "", join(g, True)))
        if out and words <= 2 and not ends_sentence(out[-1][-1].text) and g[0].start - out[-1][-1].end < rules.long_pause:
            pair = out.pop() + g
            sizes = [len(re.sub(r"\W", "", join(pair[:j], True))) for j in range(1, len(pair))]
            total = sizes[-1] + len(re.sub(r"\W", "", pair[-1].text)) if sizes else 0
            fits = [j for j in range(1, len(pair)) if sizes[j - 1] >= 3 and total - sizes[j - 1] >= 3
                    and display_len(join(pair[:j], True)) <= rules.max_cue_chars
                    and display_len(join(pair[j:], True)) <= rules.max_cue_chars]
            if not fits:
                out.append(pair if display_len(join(pair, True)) <= rules.max_cue_chars + 2 else pair[:-len(g)])
                if out[-1] is not pair:
                    out.append(g)
                continue
            j = min(fits, key=lambda j: (_bad_break(pair, j - 1), abs(2 * sizes[j - 1] - total)))
            out += [pair[:j], pair[j:]]
            continue
        out.append(g)
    return out


def _best_end(units: list[Unit], start: int, rules: Rules, cjk: bool) -> int:
    """The index of the last unit of the cue that starts at ``start``."""
    fits: list[int] = []
    language = "zh" if cjk else "en"
    for i in range(start, len(units)):
        text = join(units[start:i + 1], cjk)
        too_long = display_len(text) > rules.max_cue_chars or \
            wrap(text, language, rules).count("\n") >= rules.max_lines
        too_slow = units[i].end - units[start].start > rules.max_duration
        if fits and (too_long or too_slow):
            break
        fits.append(i)
        if _must_break(units, i, rules):
            return i
    if fits[-1] == len(units) - 1:
        return fits[-1]
    # Best break among those that leave the cue at least a third full.
    floor = display_len(join(units[start:fits[-1] + 1], cjk)) / 3
    candidates = [i for i in fits if display_len(join(units[start:i + 1], cjk)) >= floor] or fits
    return max(candidates, key=lambda i: (_break_priority(units, i, rules), i))


def time_cues(cues: list[Cue], rules: Rules) -> list[Cue]:
    """Stretch short or fast cues into the silence after them; keep the gap between cues."""
    for i, cue in enumerate(cues):
        limit = cues[i + 1].start - rules.min_gap if i + 1 < len(cues) else cue.end + rules.max_duration
        want = max(rules.min_duration, display_len(cue.text) / rules.cps)
        if cue.duration < want:
            cue.end = min(cue.start + want, max(limit, cue.end))
        cue.end = min(cue.end, cue.start + rules.max_duration)
        if i + 1 < len(cues) and cues[i + 1].start - cue.end < rules.min_gap:
            cue.end = max(cue.start + 0.01, cues[i + 1].start - rules.min_gap)
        cue.start, cue.end = round(cue.start, 3), round(cue.end, 3)
    return cues


# --- lines -----------------------------------------------------------------------------

_BREAK_AFTER = re.compile(r"[，。！？、；：,.!?;:]")


def wrap(text: str, language: str, rules: Rules | None = None) -> str:
    """One cue's text as lines of at most ``max_chars`` (balanced, broken between words)."""
    rules = rules or rules_for(language)
    text = " ".join(text.split()) if not is_cjk_language(language) else text.replace("\n", "")
    if display_len(text) <= rules.max_chars:
        return text
    pieces = _pieces(text, language)
    lines = _balanced(pieces, rules.max_chars, not is_cjk_language(language))
    return "\n".join(lines)


def _pieces(text: str, language: str) -> list[str]:
    if is_cjk_language(language):
        out: list[str] = []
        for token in _jieba().cut(text, HMM=True):
            if out and not any(is_cjk(ch) or ch.isalnum() for ch in token):
                out[-1] += token
            else:
                out.append(token)
        return out
    return text.split(" ")


def _balanced(pieces: list[str], width: int, spaced: bool) -> list[str]:
    """Fewest lines of at most ``width``, then the most even; punctuation breaks preferred."""
    sep = " " if spaced else ""
    total = display_len(sep.join(pieces))
    n_lines = max(1, -(-total // width))
    lines: list[str] = []
    rest = pieces
    while rest:
        remaining = display_len(sep.join(rest))
        if remaining <= width:
            lines.append(sep.join(rest))
            break
        target = remaining / max(1, n_lines - len(lines))
        best, best_score = 1, None
        for k in range(1, len(rest)):
            line = sep.join(rest[:k])
            if display_len(line) > width and k > 1:
                break
            score = abs(display_len(line) - target) - (4 if _BREAK_AFTER.search(rest[k - 1][-1:]) else 0)
            if best_score is None or score < best_score:
                best, best_score = k, score
        lines.append(sep.join(rest[:best]))
        rest = rest[best:]
    return lines


def fit_translation(source: list[Cue], texts: list[str], language: str,
                    rules: Rules | None = None) -> list[Cue]:
    """Translated texts on the source cues' times, wrapped to the target's limits.

    A text too long for ``max_lines`` lines is split into consecutive cues within its
    source cue's time, each part's share in proportion to its characters, two frames
    apart: no cue ever has more lines than the rules allow (issue 13)."""
    rules = rules or rules_for(language)
    out: list[Cue] = []
    for cue, text in zip(source, texts, strict=True):
        parts = split_to_fit(text.strip(), language, rules)
        total = sum(max(1, display_len(p)) for p in parts)
        span = cue.duration - rules.min_gap * (len(parts) - 1)
        if len(parts) == 1 or span <= 0:
            out.append(Cue(cue.start, cue.end, wrap(text.strip(), language, rules)))
            continue
        start = cue.start
        for i, part in enumerate(parts):
            end = cue.end if i == len(parts) - 1 else start + span * max(1, display_len(part)) / total
            out.append(Cue(round(start, 3), round(end, 3), part))
            start = end + rules.min_gap
    return out


def split_to_fit(text: str, language: str, rules: Rules) -> list[str]:
    """``text`` as the fewest parts of at most ``max_lines`` lines: the text's balanced
    lines taken ``max_lines`` at a time."""
    wrapped = wrap(text, language, rules)
    lines = wrapped.split("\n")
    return ["\n".join(lines[i:i + rules.max_lines]) for i in range(0, len(lines), rules.max_lines)]
