"""A request read whole before anything runs (issue 23): every clause becomes a typed call
or is named in ``not_understood``, and then nothing runs.

The rules planner says which words each call was read from (its claims); a clause of the
message (cut by nemo_skill/words/clauses.py) that no call claimed a word of was not
understood. Filler ("please", "谢谢", "然后") is no request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..words.clauses import asks_something, clauses
from ..words.quotes import printable, without_attached
from . import planner
from .registry import Call

__all__ = ["Understanding", "asks_something", "by_rules", "clauses"]


@dataclass
class Understanding:
    """The typed calls a message asks for, and the words no call was read from."""
    calls: list[Call] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"calls": [{"name": c.name, "args": c.args} for c in self.calls],
                "not_understood": self.not_understood,
                # a code and a hint for the caller to word (cli/wording.py), never a sentence
                **({"code": "not_understood", "hint": "nemo_tools"} if self.not_understood else {})}


def by_rules(text: str) -> Understanding:
    """The rules' calls, and the clauses none of them claimed a word of."""
    kept = planner.read_calls(text)
    claimed = [span for c in kept for span in c.spans]
    plain = without_attached(text)
    missing = []
    for start, end in clauses(plain):
        words = plain[start:end].strip()
        if asks_something(words) and not any(s < end and start < e for s, e in claimed):
            missing.append(printable(words))
    return Understanding([c.call for c in kept if not c.negated], missing)
