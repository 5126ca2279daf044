"""Subtitles held against the speech they should carry (issue 25, item 2).

`nemo subs check SUBTITLES... VIDEO` and the check at the end of every job
hear the video's audio (Silero VAD, as recognition uses it, on the levelled
audio and on a copy with the music bed lowered) and report two things a
creator cannot see in the files alone:

- ``speech_without_subtitle``: a stretch of speech with no cue over it (a
  sentence the recogniser lost, a cue deleted by mistake), with its range;
- ``subtitle_without_speech``: a run of cues over silence or music, at least
  ``SILENT_RUN`` seconds long (cues shifted, or text "heard" in music).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .. import ffmpeg
from ..asr import level as asr_level, quiet as asr_quiet, regions as speech_regions
from ..findings import Finding
from . import doubts as cue_doubts

MIN_SPEECH = 1.0        # seconds of uncovered speech worth a finding (a breath or a laugh is less)
MERGE_GAP = 0.6         # voiced regions this close are one stretch of speech
COVERED = 0.25          # speech is "covered" where a cue spans at least this fraction of it
SILENT_RUN = 4.0        # seconds of cues with no speech under them worth a finding
CUE_EDGE = 0.3          # a cue may start or end this far from its speech
QUIET_PIECE_SECONDS = 60  # the bed-lowered copy is made this much at a time (memory stays flat)
# Where the detector's probability on the bed-lowered copy starts speech: a voice 15 dB under a soft
# pad scores 0.1-0.5 there (median 0.13, 90th percentile 0.29); the beds alone 0.02 at their
# 99th percentile, a hummed line over them 0.1 at most (bench/quiet_speech.py's inputs).
QUIET_THRESHOLD = 0.2
LEAD_SECONDS = 2        # of sound the detector hears before each minute (quiet_spans)


def speech_spans(path: Path) -> list[tuple[float, float]]:
    """Where ``path``'s audio has speech, merged at short pauses: by the detector recognition
    uses, on the levelled audio and on a copy with the music bed lowered (``quiet_spans``)."""
    found: list[tuple[float, float]] = []
    offset = 0.0
    for block in _blocks(path):
        found += [(offset + r.start, offset + r.end)
                  for r in speech_regions.find_regions(asr_level.level(block))]
        found += [(offset + a, offset + b) for a, b in quiet_spans(block)]
        offset += len(block) / speech_regions.RATE
    spans: list[tuple[float, float]] = []
    for a, b in sorted(found):
        if spans and a - spans[-1][1] <= MERGE_GAP:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        else:
            spans.append((a, b))
    return spans


def quiet_spans(block: np.ndarray) -> list[tuple[float, float]]:
    """Speech the detector hears only with the music bed lowered (asr_quiet, a minute at a time),
    at QUIET_THRESHOLD and for MIN_SPEECH at least: a voice 15 dB under a soft pad scores under 0.1
    on the levelled audio. Recognition may have lost such a sentence; the check then names it.
    Each minute is heard after the LEAD_SECONDS before it (the first, after its own first seconds):
    started cold, the detector scored a hummed line over a drum loop 0.66 in its first second and
    0.06 at the 99th percentile after."""
    rate = speech_regions.RATE
    piece, lead = QUIET_PIECE_SECONDS * rate, LEAD_SECONDS * rate
    out = []
    for at in range(0, len(block), piece):
        before = block[at - lead:at] if at else block[:lead]
        copy = next(asr_quiet.clean(np.concatenate([before, block[at:at + piece]])))
        skip, start = len(before) / rate, at / rate
        for r in speech_regions.find_regions(copy, threshold=QUIET_THRESHOLD, shortest=MIN_SPEECH):
            a, b = max(r.start, skip) - skip, r.end - skip
            if b - a >= MIN_SPEECH:
                out.append((start + a, start + b))
    return out


def _blocks(path: Path, seconds: int = 300):
    """The audio in five-minute blocks (memory stays flat for an hour of video)."""
    buf: list[np.ndarray] = []
    size = 0
    for block in ffmpeg.read_pcm(path, speech_regions.RATE, block_seconds=30):
        buf.append(block.astype(np.float32) / 32768.0)
        size += len(block)
        if size >= seconds * speech_regions.RATE:
            yield np.concatenate(buf)
            buf, size = [], 0
    if buf:
        yield np.concatenate(buf)


def cue_times(path: Path) -> list[tuple[float, float]]:
    """(start, end) of every cue with text in a subtitle file (SRT, VTT, ASS, BCC)."""
    if path.suffix.lower() == ".bcc":
        body = json.loads(path.read_text(encoding="utf-8-sig")).get("body") or []
        return sorted((float(b["from"]), float(b["to"])) for b in body
                      if isinstance(b, dict) and str(b.get("content") or "").strip())
    import pysubs2
    doc = pysubs2.load(str(path), encoding="utf-8")
    return sorted((e.start / 1000, e.end / 1000) for e in doc if not e.is_comment and e.plaintext.strip())


def _overlap(a: float, b: float, cues: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(b, e) - max(a, s)) for s, e in cues)


def uncovered(spans: list[tuple[float, float]], cues: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The stretches of speech no cue carries (under COVERED of them has a cue)."""
    padded = [(s - CUE_EDGE, e + CUE_EDGE) for s, e in cues]
    return [(a, b) for a, b in spans
            if b - a >= MIN_SPEECH and _overlap(a, b, padded) < COVERED * (b - a)]


def silent_runs(spans: list[tuple[float, float]], cues: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Runs of consecutive cues with no speech under any of them, SILENT_RUN seconds or more."""
    runs: list[list[float]] = []
    for s, e in cues:
        if _overlap(s - CUE_EDGE, e + CUE_EDGE, spans) > 0:
            runs.append([])
            continue
        if runs and runs[-1]:
            runs[-1][1] = e
        else:
            runs.append([s, e])
    return [(r[0], r[1]) for r in runs if r and r[1] - r[0] >= SILENT_RUN]


def check(video: Path, subtitle_files: list[Path]) -> tuple[list[Finding], dict]:
    """Findings for each distinct range, on the first subtitle file that lacks it (the message
    names every one): the video is not at fault, its subtitles are."""
    spans = speech_spans(video)
    missing: dict[tuple[float, float], list[str]] = {}
    silent: dict[tuple[float, float], list[str]] = {}
    for path in subtitle_files:
        try:
            cues = cue_times(path)
        except Exception:       # an unreadable file is reported by the file's own check
            continue
        for rng in uncovered(spans, cues):
            missing.setdefault(_rounded(rng), []).append(str(path))
        for rng in silent_runs(spans, cues):
            silent.setdefault(_rounded(rng), []).append(str(path))
    findings = [Finding("speech_without_subtitle", names[0],
                        f"speech from {_at(a)} to {_at(b)} in {video.name} has no subtitle in {_names(names)}",
                        f"listen to {_at(a)}-{_at(b)} and add a cue for it (`nemo review`, or edit the file); "
                        "a translation's file lacks it: translate again (`nemo subs pending`)", time=a, end=b)
                for (a, b), names in sorted(missing.items())]
    findings += [Finding("subtitle_without_speech", names[0],
                         f"cues from {_at(a)} to {_at(b)} in {_names(names)} are over silence or music in "
                         f"{video.name}",
                         f"listen to {_at(a)}-{_at(b)}: delete the cues if nothing is said, or move them to "
                         "where it is said", time=a, end=b)
                 for (a, b), names in sorted(silent.items())]
    summary = {"speech_seconds": round(sum(b - a for a, b in spans), 2),
               "speech_without_subtitle": [{"start": a, "end": b, "files": n} for (a, b), n in sorted(missing.items())],
               "subtitle_without_speech": [{"start": a, "end": b, "files": n} for (a, b), n in sorted(silent.items())]}
    return findings, summary


def not_carried(unheard: list[tuple[float, float, str]], cues: list[tuple[float, float]]) -> list:
    """The stretches recognition heard but could not read (``asr.words.Unheard``, as the draft
    keeps them) that no cue carries yet."""
    return [(a, b, heard) for a, b, heard in unheard if uncovered([(a, b)], cues)]


def unheard_left(subtitles_meta: dict, cues: list) -> list[tuple[float, float, str]]:
    """The stretches a draft keeps as heard but not read (``m.subtitles.unheard``) that none of
    ``cues`` (with text) carries yet."""
    return not_carried(cue_doubts.unheard_from_meta(subtitles_meta),
                       [(c.start, c.end) for c in cues if c.text.strip()])


def add_unheard(report: dict, unheard: list[tuple[float, float, str]], cues: list[tuple[float, float]],
                file: str) -> None:
    """``not_carried`` stretches as ``speech_without_subtitle`` findings in a check's ``report``,
    where the check's own hearing of the audio has not named them already."""
    named = [(f["time"], f["end"]) for f in report["findings"] if f["code"] == "speech_without_subtitle"]
    for a, b, heard in not_carried(unheard, cues):
        if _overlap(a, b, named) > 0:
            continue
        guess = f" (it sounded like \u201c{heard}\u201d)" if heard else ""
        report["findings"].append(Finding(
            "speech_without_subtitle", file,
            f"speech from {_at(a)} to {_at(b)} was heard but could not be read surely{guess}, so it has no subtitle",
            f"listen to {_at(a)}-{_at(b)} and add its cue: `nemo review` (add a cue there), or edit the "
            "subtitle file; then `nemo subs files`", time=a, end=b).to_json())
        report["count"] += 1
        report["by_code"]["speech_without_subtitle"] = report["by_code"].get("speech_without_subtitle", 0) + 1
        report["clean"] = False


def _names(paths: list[str]) -> str:
    return ", ".join(Path(p).name for p in paths)


def _rounded(rng: tuple[float, float]) -> tuple[float, float]:
    return round(rng[0], 2), round(rng[1], 2)


def _at(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{rest:05.2f}"
