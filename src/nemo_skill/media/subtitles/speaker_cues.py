"""Speakers on subtitle cues (issue 25, item 6): cues cut at each change, and labelled.

``detect`` finds the turns of a clip (``speakers.turns``, from the audio over the spans the
recogniser heard words in); ``layout`` lays the words out as cues one turn at a time, so no
cue straddles a change; each cue keeps its ``speaker`` on its draft segment. The writers
label it: ``说话人1：`` / ``Speaker 1: `` before the text (SRT, BCC), ``<v Speaker 1>`` in
WebVTT, the Name field in ASS.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np

from .. import ffmpeg
from ..asr import speakers
from . import cues

MAX_SPEAKERS = speakers.MAX_SPEAKERS
SPOKEN_GAP = 0.3         # words closer than this are one stretch of speech


def spans_of(words: list, shift: float = 0.0) -> list[tuple[float, float]]:
    """The stretches of speech the words cover (seconds, ``shift`` added)."""
    out: list[list[float]] = []
    for w in sorted(words, key=lambda w: w.start):
        if out and w.start - out[-1][1] < SPOKEN_GAP:
            out[-1][1] = max(out[-1][1], w.end)
        else:
            out.append([w.start, w.end])
    return [(a + shift, b + shift) for a, b in out]


def detect(path: Path, words: list, *, source_start: float, timeline_start: float, count: int | None,
           cancel: threading.Event | None = None) -> list[speakers.Turn]:
    """The speaker turns of ``path`` on the timeline (``words`` are on the timeline; the clip's
    ``source_start`` s of the file are shown from ``timeline_start``)."""
    shift = source_start - timeline_start
    spans = spans_of(words, shift)
    if not spans:
        return []
    end = spans[-1][1] + 1.0
    blocks, have = [], 0
    for block in ffmpeg.read_pcm(path, speakers.RATE, block_seconds=30, cancel=cancel):
        blocks.append(block)
        have += len(block)
        if have >= end * speakers.RATE:
            break
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int16)
    return [speakers.Turn(t.start - shift, t.end - shift, t.speaker)
            for t in speakers.turns(samples, spans, count)]


def speaker_at(turns: list[speakers.Turn], start: float, end: float) -> int | None:
    """The speaker of the turn that overlaps [start, end] most (the nearest one if none does)."""
    if not turns:
        return None
    best = max(turns, key=lambda t: (min(end, t.end) - max(start, t.start), -abs(t.start - start)))
    return best.speaker


def layout(words: list, turns: list[speakers.Turn], language: str, rules: cues.Rules) -> list[cues.Cue]:
    """Cues laid out turn by turn (none straddles a change), each with its speaker."""
    groups: list[tuple[int | None, list]] = []
    for w in sorted(words, key=lambda w: w.start):
        who = speaker_at(turns, w.start, w.end)
        if groups and groups[-1][0] == who:
            groups[-1][1].append(w)
        else:
            groups.append((who, [w]))
    out: list[cues.Cue] = []
    for who, group in groups:
        for cue in cues.layout(group, language, rules):
            cue.speaker = who
            out.append(cue)
    return cues.time_cues(out, rules)      # the gap between cues again, across turns


# --- on the draft and in the files -----------------------------------------------------------

def on_segment(cue: cues.Cue) -> dict:
    return {"speaker": cue.speaker} if cue.speaker else {}


def from_segment(segment: dict) -> dict:
    who = segment.get("speaker")
    ok = isinstance(who, int) and not isinstance(who, bool) and 1 <= who <= MAX_SPEAKERS
    return {"speaker": who} if ok else {}


def label(speaker: int, language: str) -> str:
    return f"说话人{speaker}" if cues.is_cjk_language(language) else f"Speaker {speaker}"


# What ``prefixed`` puts before a cue's text.
LABELLED = re.compile(r"^(?:说话人\d{1,2}：|Speaker \d{1,2}: )")


def unlabelled(line: str) -> str:
    """The line without the speaker label ``prefixed`` wrote: what the checks measure (line
    length, reading speed) is what is said; the label is read at a glance, and the burned-in
    MP4 does not draw it (it is the ASS Name field there)."""
    return LABELLED.sub("", line, count=1)


def prefixed(text: str, speaker: int | None, language: str) -> str:
    """``说话人1：text`` / ``Speaker 1: text``; the text alone for a cue without a speaker."""
    if not speaker or not text.strip():
        return text
    mark = "：" if cues.is_cjk_language(language) else ": "
    return label(speaker, language) + mark + text


def share(tracks: list) -> None:
    """A translated track (no speakers of its own) takes the speaker of the recognised cue each
    of its cues overlaps most."""
    known = [c for t in tracks for c in t.cues if c.speaker]
    if not known:
        return
    turns = [speakers.Turn(c.start, c.end, c.speaker) for c in known]
    for t in tracks:
        if any(c.speaker for c in t.cues):
            continue
        for c in t.cues:
            if any(min(c.end, u.end) > max(c.start, u.start) for u in turns):
                c.speaker = speaker_at(turns, c.start, c.end)


def describe(tracks: list) -> dict | None:
    """The job's JSON: how many speakers and each cue's, per language (None without speakers)."""
    if not any(c.speaker for t in tracks for c in t.cues):
        return None
    per_lang = {t.lang: [{"n": i, "start": round(c.start, 3), "end": round(c.end, 3), "speaker": c.speaker,
                          "text": c.text.replace("\n", " ")}
                         for i, c in enumerate((c for c in t.cues if c.text.strip()), 1)] for t in tracks}
    count = len({c.speaker for t in tracks for c in t.cues if c.speaker})
    return {"count": count, "method": "bic-mfcc", "cues": per_lang}
