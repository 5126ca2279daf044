"""The rules table (words -> a tool call) and the words each call claims.

Each rule is a pattern and a function that reads the tool's arguments out of the message;
every match becomes one call. A call claims the words it was read from (its pattern's match
and every word its arguments came from, found with :func:`read`); the planner settles two
calls that claim the same words (engine/planner.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

Args = dict


@dataclass(frozen=True)
class Rule:
    tool: str
    pattern: re.Pattern
    args: Callable[[str, re.Match], Args | None]   # None: the rule does not apply after all
    priority: int                                  # who keeps words two calls both claim
    reads_attached: bool = False                   # its args come from attached blocks too
    claims_all: bool = False                       # the whole message is its data


RULES: list[Rule] = []
PRIORITY: dict[str, int] = {}


def rule(tool: str, pattern: str, args: Callable[[str, re.Match], Args | None] = lambda t, m: {},
         *, priority: int, reads_attached: bool = False, claims_all: bool = False) -> None:
    """``priority``: the higher keeps the words it shares with another call (docs/architecture.md
    lists the levels). ``claims_all``: the rest of the message is data (a translation, a
    script), so the call claims all of it."""
    if PRIORITY.setdefault(tool, priority) != priority:
        raise ValueError(f"{tool}: a tool has one priority, {PRIORITY[tool]}")
    RULES.append(Rule(tool, re.compile(pattern, re.IGNORECASE), args, priority, reads_attached, claims_all))


# While a rule reads its arguments: the message (as given and without attached blocks, which
# come last, so both share offsets up to them) and the spans claimed so far. A ContextVar, so
# messages planned on two threads at once keep their claims apart.
READING: ContextVar[tuple[tuple[str, ...], list[tuple[int, int]]] | None] = ContextVar("reading", default=None)


def claim(m: re.Match | None, *groups: int) -> None:
    """Claim the words of ``m`` (or of its ``groups``) for the call being read. Matches in
    other strings (a piece of the message) claim nothing: their offsets are not the message's."""
    reading = READING.get()
    if m is None or reading is None or m.string not in reading[0]:
        return
    reading[1].extend(m.span(g) for g in groups or (0,) if m.end(g) > m.start(g) >= 0)


def read(pattern: str | re.Pattern, text: str, within: tuple[int, int] | None = None) -> re.Match | None:
    """``re.search`` (ignoring case), also claiming what it found: for the words an argument
    is read from. ``within``: only between these offsets (a clause). A test that only decides
    whether the rule applies uses ``re.search``."""
    compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.IGNORECASE)
    m = compiled.search(text, *within) if within else compiled.search(text)
    claim(m)
    return m
