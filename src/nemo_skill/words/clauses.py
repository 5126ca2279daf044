"""Where one thing asked ends and the next begins, and which words ask nothing.

Two cuts: :func:`clauses` splits a message at punctuation and every connective (skill.yaml
``words.clause_cuts``) to name the parts no call was read from; :func:`clause` finds the
clause around one offset, cutting at "and"/"then"/"," only before the next request's verb
(before a noun they list things: "remove the music, the title and the subtitles").
"""

from __future__ import annotations

import functools
import re

from . import lexicon

# The verbs that start a request: a list ("the music, the title and ...") is not cut.
_CLAUSE_END = re.compile(r"[。;；！!？?\n，]|,?\s*(?:\band\b|\bthen\b|然后|再|并且?|同时|,)\s*"
                         r"(?=(?:add|make|put|set|change|generate|trim|cut|keep|translate|burn|move|remove|delete|"
                         r"drop)\b|把|加|给|改|调|生成|做|剪|翻译|放|去掉|删)", re.I)

# What the user says of what is already there is context, not a request.
_CONTEXT = (r"without\s+asking|i(?:'ve|\s+have)?\s+(?:already\s+)?uploaded\s+(?:a|the|my)\s+\w+|"
            r"(?:已经|刚刚|刚才|刚)?上传(?:了|过)(?:视频|图片|音乐|文件)?")


@functools.cache
def _cut() -> re.Pattern:
    return re.compile(r"[，,。;；！!？?\n]+|\s*(?:" + lexicon.alternation(lexicon.words("clause_cuts")) + r")\s*",
                      re.IGNORECASE)


@functools.cache
def _filler() -> re.Pattern:
    # a pointer ("那个", "the one above") names what a request is about, not a request
    listed = lexicon.words("filler") + lexicon.words("pointers")
    return re.compile(r"(?:" + lexicon.alternation(listed) + "|" + _CONTEXT + r"|[\s\W_])", re.IGNORECASE)


def clause(text: str, at: int) -> tuple[int, int]:
    """The start and end of the clause of ``text`` holding offset ``at``."""
    ends = list(_CLAUSE_END.finditer(text))   # the whole text: the lookahead reads past ``at``
    start = max((e.end() for e in ends if e.end() <= at), default=0)
    end = min((e.start() for e in ends if e.start() >= at), default=len(text))
    return start, end


def clauses(text: str) -> list[tuple[int, int]]:
    """The clauses of ``text`` as (start, end) offsets, without the cuts between them."""
    spans, start = [], 0
    for cut in _cut().finditer(text):
        spans.append((start, cut.start()))
        start = cut.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def asks_something(words: str) -> bool:
    """Whether a clause says anything beyond filler ("please", "谢谢", "然后")."""
    return bool(_filler().sub("", words))
