"""A request read whole before anything runs (issue 23): every clause becomes a typed call
or is named in ``not_understood``, and then nothing runs.

The rules planner says which words each call was read from (its claims); a clause of the
message that no call claimed a word of was not understood. Filler ("please", "谢谢",
"然后") is no request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import planner
from .registry import Call

# Where one thing asked ends and the next begins: punctuation and the connectives people use
# between requests ("，然后", "再", "and then", "before").
_CUT = re.compile(r"[，,。;；！!？?\n]+|\s*(?:\band\s+then\b|\bthen\b|\band\b|\balso\b|\bplus\b|\bbefore\b|"
                  r"\bafter\s+that\b|然后|接着|随后|之后|之前|并且|同时|还有|另外|以及|再)\s*", re.IGNORECASE)
_FILLER = re.compile(r"(?i)\b(?:please|pls|plz|thanks|thank\s+you|ok|okay|now|just|also|and|then|for\s+me|"
                     r"can\s+you|could\s+you|i\s+want|i'd\s+like|yet|it)\b|请|帮我|帮忙|麻烦|谢谢|好的|一下|吧|呢|啊|"
                     r"嗯|哦|哈|吗|了|先|那就|就|再|也|"
                     # what the user says of what is already there is context, not a request
                     r"(?:without\s+asking|i(?:'ve|\s+have)?\s+(?:already\s+)?uploaded\s+(?:a|the|my)\s+\w+)|"
                     r"(?:已经|刚刚|刚才|刚)?上传(?:了|过)(?:视频|图片|音乐|文件)?|[\s\W_]")


# Control and bidi characters never go back out in the words we quote (a U+202E would turn
# the rest of the user's terminal line around).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Understanding:
    """The typed calls a message asks for, and the words no call was read from."""
    calls: list[Call] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"calls": [{"name": c.name, "args": c.args} for c in self.calls],
                "not_understood": self.not_understood}


def clauses(text: str) -> list[tuple[int, int]]:
    """The clauses of ``text`` as (start, end) offsets, without the cuts between them."""
    spans, start = [], 0
    for cut in _CUT.finditer(text):
        spans.append((start, cut.start()))
        start = cut.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def asks_something(words: str) -> bool:
    """Whether a clause says anything beyond filler."""
    return bool(_FILLER.sub("", words))


def by_rules(text: str) -> Understanding:
    """The rules' calls, and the clauses none of them claimed a word of."""
    kept = planner.read_calls(text)
    claimed = [span for c in kept for span in c.spans]
    plain = planner.without_attached(text)
    missing = []
    for start, end in clauses(plain):
        words = plain[start:end].strip()
        if asks_something(words) and not any(s < end and start < e for s, e in claimed):
            missing.append(_UNPRINTABLE.sub("", words))
    return Understanding([c.call for c in kept], missing)
