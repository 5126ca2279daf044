"""A generated video's storyboard: for each sentence, what its scene shows (the subjects), in
which setting (a motif, coloured to the topic's mood) and whether it states a figure (a data
card). The rules choose; an agent or an LLM may choose the subjects instead (``chosen``)."""

from __future__ import annotations

from . import data_card, look as scene_look, motifs, subjects


def shows(chars: list[str]) -> list[list[str]]:
    """The subjects as ``[english, 中文, emoji]`` entries, for the plan and the result."""
    vocab = subjects.vocabulary()
    return [vocab[c].shows() for c in chars if c in vocab]


def plan(texts: list[str], title: str = "", chosen: list[list[str] | None] | None = None,
         chooser: str = "agent") -> list[dict]:
    """One entry a sentence: ``motif``, ``variant``, ``mood``, ``subjects`` (emoji), ``shows``
    and, when the sentence states one, ``figure`` ({value, unit})."""
    board = subjects.storyboard(texts, title)
    mood = scene_look.mood_for([title, *texts] if title else texts)
    setting = scene_look.setting(mood)
    pictures = motifs.pick_all(texts)
    used: dict[str, int] = {}
    out = []
    for i, text in enumerate(texts):
        motif, variant = pictures[i]
        if setting and not motifs.named(text):     # a sentence naming no scenery gets the topic's setting
            motif, variant = setting, used.get(setting, 0)
            used[setting] = variant + 1
        mine = chosen[i] if chosen and i < len(chosen) and chosen[i] is not None else None
        chars = list(mine) if mine is not None else [s.emoji for s in board[i]]
        entry = {"motif": motif, "variant": variant, "mood": mood, "subjects": chars, "shows": shows(chars),
                 "by": chooser if mine is not None else "rules"}
        fig = data_card.figure(text)
        if fig is not None:
            entry["figure"] = {"value": fig.value, "unit": fig.unit}
        out.append(entry)
    return out
