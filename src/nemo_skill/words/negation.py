"""Negation in a request for an edit: "别加音乐了", "don't add music", "no subtitles pls".

A rule's match with a negation just before it, in its own clause (English: up to two words
between; Chinese: up to two characters), asks for nothing: it is no call, but its words are
understood (they are not named as not understood). The negations are skill.yaml's
``routing.negations``, the same words that cancel an export.
"""

from __future__ import annotations

import functools
import re

from ..language import has_cjk
from .clauses import clause
from .lexicon import alternation, words


@functools.cache
def _negation_end() -> re.Pattern:
    listed = words("negations")
    return re.compile(
        r"(?:" + alternation([n for n in listed if not has_cjk(n)]) + r")\s+(?:[A-Za-z']+\s+){0,2}$|"
        r"(?:" + alternation([n for n in listed if has_cjk(n)]) + r")[^\s，,。;；!！?？]{0,2}$",
        re.IGNORECASE)


def negated(text: str, at: int) -> re.Match | None:
    """The negation just before offset ``at`` in its clause, if any."""
    start, _ = clause(text, at)
    return _negation_end().search(text, start, at)
