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


def polish(audio: np.ndarray, rate: int) -> np.ndarray:
    """Trimmed, inner pauses capped, levelled and peak-limited (float32, same rate)."""
    audio = np.asarray(audio, np.float32)
    levels = frame_levels(audio, rate)
    if not len(levels) or levels.max() < -70:
        return audio
    loud = levels > levels.max() - QUIET_BELOW_DB
    audio = _shorten_pauses(audio, loud, rate)
    levels = frame_levels(audio, rate)
    loud = np.nonzero(levels > levels.max() - QUIET_BELOW_DB)[0]
    hop = int(rate * FRAME_S)
    start = max(0, loud[0] * hop - int(KEEP_BEFORE_S * rate))
    end = min(len(audio), (loud[-1] + 1) * hop + int(KEEP_AFTER_S * rate))
    audio = audio[start:end]
    spoken = levels[loud]
    rms_db = 10 * np.log10(np.mean(10 ** (spoken / 10)))
    gain_db = float(np.clip(TARGET_DBFS - rms_db, -MAX_GAIN_DB, MAX_GAIN_DB))
    return cap_peaks(audio * np.float32(10 ** (gain_db / 20)))


def _shorten_pauses(audio: np.ndarray, loud: np.ndarray, rate: int) -> np.ndarray:
    """Every run of quiet frames inside the sentence longer than MAX_PAUSE_S keeps only its
    middle MAX_PAUSE_S (the edges are trimmed afterwards)."""
    hop = int(rate * FRAME_S)
    keep_frames = int(MAX_PAUSE_S / FRAME_S)
    pieces, cursor, i = [], 0, 0
    voiced = np.nonzero(loud)[0]
    if not len(voiced):
        return audio
    i = voiced[0]
    while i <= voiced[-1]:
        if loud[i]:
            i += 1
            continue
        j = i
        while j < len(loud) and not loud[j]:
            j += 1
        if j - i > keep_frames:
            cut_from = (i + keep_frames // 2) * hop
            cut_to = (j - keep_frames // 2) * hop
            pieces.append(audio[cursor:cut_from])
            cursor = cut_to
        i = j
    pieces.append(audio[cursor:])
    return np.concatenate(pieces)


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
