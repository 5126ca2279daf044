"""One spoken sentence made ready to lay on a timeline: trimmed, levelled, peaks capped.

A neural voice leaves a third of a sentence as silence at its edges and drifts in
loudness from one sentence to the next (Kokoro: 36-46% silence per sentence, one
male style vector peaking at 1.15). The narration's own gaps are laid by the
generator, so each sentence keeps only a short breath at each end, long inner
pauses are shortened, and every sentence speaks at the same level without clipping.
"""

from __future__ import annotations

import numpy as np

FRAME_S = 0.01            # 10 ms frames for the level
QUIET_BELOW_DB = 40.0     # a frame this far under the loudest is silence
KEEP_BEFORE_S = 0.04      # breath kept before the first sound
KEEP_AFTER_S = 0.08       # and after the last (a vowel's decay)
MAX_PAUSE_S = 0.45        # an inner pause longer than this is cut to it (a comma is ~0.3 s)
TARGET_DBFS = -20.0       # RMS of the spoken frames
MAX_GAIN_DB = 20.0
PEAK_CAP = 0.89           # -1 dBFS: room for the MP3/AAC encoder's overshoot
KNEE = 0.7                # samples above this are bent smoothly towards PEAK_CAP


def frame_levels(audio: np.ndarray, rate: int) -> np.ndarray:
    """dBFS of every 10 ms frame."""
    hop = max(1, int(rate * FRAME_S))
    n = len(audio) // hop
    frames = audio[: n * hop].astype(np.float64).reshape(n, hop)
    return 20 * np.log10(np.sqrt((frames ** 2).mean(axis=1)) + 1e-9)


def polish(audio: np.ndarray, rate: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Trimmed, inner pauses capped, levelled and peak-limited (float32, same rate), and the
    spans of the input it kept, in order (to carry times over: kept_time)."""
    audio = np.asarray(audio, np.float32)
    levels = frame_levels(audio, rate)
    if not len(levels) or levels.max() < -70:
        return audio, [(0, len(audio))]
    hop = int(rate * FRAME_S)
    loud = np.nonzero(levels > levels.max() - QUIET_BELOW_DB)[0]
    first = max(0, loud[0] * hop - int(KEEP_BEFORE_S * rate))
    last = min(len(audio), (loud[-1] + 1) * hop + int(KEEP_AFTER_S * rate))
    kept = _without_long_pauses(levels > levels.max() - QUIET_BELOW_DB, hop, first, last)
    out = np.concatenate([audio[a:b] for a, b in kept])
    rms_db = 10 * np.log10(np.mean(10 ** (levels[loud] / 10)))
    gain_db = float(np.clip(TARGET_DBFS - rms_db, -MAX_GAIN_DB, MAX_GAIN_DB))
    return cap_peaks(out * np.float32(10 ** (gain_db / 20))), kept


def _without_long_pauses(loud: np.ndarray, hop: int, first: int, last: int) -> list[tuple[int, int]]:
    """Spans of [first, last) to keep: every quiet run longer than MAX_PAUSE_S keeps its
    middle MAX_PAUSE_S."""
    keep_frames = int(MAX_PAUSE_S / FRAME_S)
    kept, cursor, i = [], first, first // hop
    end_frame = min(len(loud), last // hop)
    while i < end_frame:
        if loud[i]:
            i += 1
            continue
        j = i
        while j < end_frame and not loud[j]:
            j += 1
        if j - i > keep_frames and j < end_frame:
            cut_from, cut_to = (i + keep_frames // 2) * hop, (j - keep_frames // 2) * hop
            kept.append((cursor, max(cursor, cut_from)))
            cursor = max(cursor, cut_to)
        i = j
    kept.append((cursor, last))
    return [(a, b) for a, b in kept if b > a]


def kept_time(sample: int, kept: list[tuple[int, int]]) -> int:
    """Where an input sample lands in the polished audio (inside a cut: at the cut)."""
    out = 0
    for a, b in kept:
        if sample < a:
            return out
        if sample < b:
            return out + sample - a
        out += b - a
    return out


def cap_peaks(audio: np.ndarray) -> np.ndarray:
    """A soft limiter: nothing above PEAK_CAP, samples under KNEE untouched."""
    out = np.asarray(audio, np.float32).copy()
    mag = np.abs(out)
    over = mag > KNEE
    if over.any():
        room = PEAK_CAP - KNEE
        bent = KNEE + room * np.tanh((mag[over] - KNEE) / room)
        out[over] = np.sign(out[over]) * bent
    return out


def silence_share(audio: np.ndarray, rate: int) -> float:
    """The part of the audio that is silence (frames 40 dB under the loudest)."""
    levels = frame_levels(audio, rate)
    if not len(levels):
        return 1.0
    return float(np.mean(levels <= levels.max() - QUIET_BELOW_DB))
