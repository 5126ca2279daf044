"""A rule-based planner: a message (Chinese or English) -> tool calls.

The rules that read the words live in nemo_skill/words/ (one place for natural language);
this module settles conflicts between the calls they read. Conflicts are settled by the
message, not by lists of tool pairs: a call claims the words it was read from (its pattern's
match and every word its arguments came from, found with ``words.claims.read``). Two calls
whose words overlap ask for one thing in two ways; the higher priority keeps it, a tie goes
to the call whose match comes first in the message, and the other call is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..words.claims import PRIORITY, READING, RULES, Args, Rule, claim, read, rule  # noqa: F401 - the planner's API
from ..words.clauses import clause  # noqa: F401
from ..words.negation import negated
from ..words.numbers import number, percent  # noqa: F401
from ..words.quotes import attached, mask_quotes, quoted, without_attached  # noqa: F401
from .tools import TOOLS


@dataclass
class Call:
    name: str
    args: Args


@dataclass
class Candidate:
    """A call a rule read, and the words of the message it claims."""
    call: Call
    priority: int
    spans: list[tuple[int, int]]
    start: int                    # where its pattern matched: the earlier wins a tie
    negated: bool = False         # "别加音乐": no call, its words understood


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def resolve(candidates: list[Candidate]) -> list[Call]:
    """The calls of the candidates that keep their words (:func:`kept`)."""
    return [c.call for c in kept(candidates)]


def kept(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates that keep their words, in the order given. By priority, then by place in
    the message, each candidate is kept unless a kept one shares a word with it (or is the same
    tool). A dropped candidate takes no words from anyone, so no order of declaration matters."""
    chosen: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: (-c.priority, c.start)):
        if not any(_overlap(c.spans, k.spans) or c.call.name == k.call.name for k in chosen):
            chosen.append(c)
    return [c for c in candidates if any(c is k for k in chosen)]


def plan(text: str) -> list[Call]:
    """The tool calls a message asks for, in rule order (empty: not understood)."""
    return [c.call for c in read_calls(text) if not c.negated]


def _match(r: Rule, masked: str) -> tuple[re.Match | None, list[tuple[int, int]]]:
    """The rule's first match that no negation comes before ("别加音乐，加字幕": the second
    "加"), and the words of the negated ones (understood: they ask for nothing)."""
    refused: list[tuple[int, int]] = []
    at = 0
    while (m := r.pattern.search(masked, at)) is not None:
        no = negated(masked, m.start())
        if no is None:
            return m, refused
        refused += [no.span(), m.span()]
        at = m.start() + 1               # a later, shorter match may stand alone
    return None, refused


def read_calls(text: str) -> list[Candidate]:
    """The calls a message asks for with the words each claims, in rule order; then the
    negated matches (``negated``: no call, their words understood). Rules match the words
    outside quotes; their arguments (a title's text) come from the words as given."""
    masked = mask_quotes(text)
    plain = without_attached(text)
    candidates: list[Candidate] = []
    refused: list[Candidate] = []
    for r in RULES:
        if r.tool not in TOOLS:
            continue
        m, no = _match(r, masked)
        if no:
            refused.append(Candidate(Call(r.tool, {}), r.priority, no, no[0][0], negated=True))
        if not m:
            continue
        spans = [m.span()] if m.end() > m.start() else []
        token = READING.set(((text, plain), spans))
        try:
            args = r.args(text if r.reads_attached else plain, m)
        finally:
            READING.reset(token)
        if args is None:
            continue
        spans = [(0, len(text))] if r.claims_all else spans
        candidates.append(Candidate(Call(r.tool, args), r.priority, spans, m.start()))
    # In the order said, but what makes the material (a transcription, a generated video, the
    # lines given) comes before the edits of it.
    return sorted(kept(candidates), key=lambda c: (c.priority < MAKES, c.start)) + refused


MAKES = 60   # the priority of the tools that make what the others edit (docs/architecture.md)


def capabilities(language: str = "en") -> str:
    """What to say when a message is not understood."""
    if language == "zh":
        return ("我可以：生成中英双语字幕（如 给视频生成中英双语字幕）、调整字幕（如 字幕大一点、放到顶部、只要中文字幕、软字幕）、"
                "加标题（如 加标题“城市之梦”）、加背景音乐并设音量（如 加背景音乐 30%）、"
                "剪辑（如 只保留前10秒）、改画幅（如 改成9:16）、改分辨率（如 720p）、删除轨道（如 去掉音乐）、介绍项目。")
    return ("I can: generate Chinese and English subtitles (generate bilingual subtitles), restyle them "
            "(make the subtitles bigger, put them at the top, yellow), keep one language (only Chinese), "
            "soft or burned-in subtitles; "
            'add or change a title (add a title "Urban Dreams"), add background music from an '
            "uploaded audio file at a volume (add background music at 30%), trim (keep the first 10 "
            "seconds), set the aspect ratio (make it 9:16), set the resolution (720p), remove a track "
            "(remove the music), and describe the project.")

