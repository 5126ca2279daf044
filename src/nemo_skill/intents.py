"""What a user's words route to, and what the backend's GUI words mean here.

The routing itself (clauses, negation, references, questions) is in nemo_skill/words/
routing.py with every other rule that reads words; this module keeps its names for the
callers and translates the backend's GUI phrases (data in skill.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .bundle import manifest
from .language import has_cjk
from .words.lexicon import pattern
from .words.routing import Route, asks_for_subtitles, files_in, missing_files_in, plan, route

__all__ = ["Route", "has_cjk", "plan", "route", "files_in", "missing_files_in", "asks_for_subtitles",
           "translate_gui"]


@dataclass
class GuiTranslation:
    text: str
    actions: list[str] = field(default_factory=list)


def _gui_table() -> list[tuple[re.Pattern, str, dict]]:
    rows = []
    for entry in manifest().gui_phrases:
        for phrase in entry["patterns"]:
            rows.append((phrase, entry["action"], entry["replace"]))
    # Longest phrases first, so "click export" wins over "click".
    rows.sort(key=lambda r: -len(r[0]))
    return [(pattern(p), action, replace) for p, action, replace in rows]


def translate_gui(text: str) -> GuiTranslation:
    """Rewrite GUI instructions ("click Export", "点击导出") as things the user
    can say, and list the actions they stand for, in order, once each."""
    actions: list[str] = []
    out = text
    for phrase, action, replace in _gui_table():
        def swap(m: re.Match, action=action, replace=replace) -> str:
            if action not in actions:
                actions.append(action)
            said = replace["zh"] if has_cjk(m.group(0)) else replace["en"]
            return said[:1].upper() + said[1:] if m.group(0)[:1].isupper() else said
        out = phrase.sub(swap, out)
    return GuiTranslation(out, actions)
