"""Music taken out of the copy Whisper hears in an empty stretch (issue 25).

A voice 20 dB under a music bed is lost even to a stretch decoded on its own
(``asr_decode.Decoder.stretch``): levelled, the music is what Whisper hears.
A bed holds still for a while (a chord, a loop of drums) where a voice moves
from syllable to syllable, so each frequency's quieter level over the
surrounding ``TRACK_SECONDS`` is the bed's, and what rises over it in a frame
is the voice: a spectral gain keeps that and lowers the rest. Used only on
the recognition copy of the stretches the voice detector left empty, so
nothing is added where there is no music and no lost speech.
"""

from __future__ import annotations

import numpy as np

from .regions import RATE

ENABLED = True          # bench/quiet_speech.py turns it off to measure what it adds
N_FFT = 512             # 32 ms: a syllable's harmonics apart, a chord's tones resolved
HOP = N_FFT // 4
TRACK_SECONDS = 1.5     # the bed's level at a frequency: over this much around the frame
BED_PERCENTILE = 30.0   # ... its quieter part (a voice holds a frequency for a syllable, not longer)
OVER = 2.0              # power subtracted: this many times the bed's (music is never quite still)
# Levelled in short windows, not as one: a stretch often holds the first half second of the loud
# speaker after it (the detector starts late), and one gain set by that left the quiet voice as
# far under as before (20 dB under the pad: no word at all, though decoded alone it was heard).
ENVELOPE_SECONDS = 0.5  # the level a frame is raised by: the loudest around it (not each syllable)
FLOOR = 0.1             # the least gain (-20 dB): a little bed is left, as Whisper was trained with


def _frames(samples: np.ndarray) -> tuple[np.ndarray, int]:
    pad = N_FFT + (-len(samples)) % HOP
    x = np.concatenate([np.zeros(N_FFT // 2, np.float32), samples, np.zeros(pad, np.float32)])
    n = 1 + (len(x) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n)[:, None]
    return x[idx] * np.hanning(N_FFT).astype(np.float32), len(x)


def bed_level(power: np.ndarray) -> np.ndarray:
    """Each frame's bed power per frequency: BED_PERCENTILE of the frames within
    TRACK_SECONDS around it (computed on a coarse grid of frames, then held)."""
    span = max(1, int(TRACK_SECONDS * RATE / HOP))
    step = max(1, span // 6)
    n = len(power)
    out = np.empty_like(power)
    for a in range(0, n, step):
        lo, hi = max(0, a + step // 2 - span // 2), min(n, a + step // 2 + span // 2 + 1)
        out[a:a + step] = np.percentile(power[lo:hi], BED_PERCENTILE, axis=0)
    return out


def without_bed(samples: np.ndarray) -> np.ndarray:
    """float32 samples with the still part of each frequency lowered (spectral subtraction
    against ``bed_level``), the same length."""
    if not ENABLED or len(samples) < N_FFT:
        return samples
    frames, padded = _frames(samples.astype(np.float32))
    spec = np.fft.rfft(frames, axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    bed = bed_level(power)
    gain = np.sqrt(np.clip(1.0 - OVER * bed / (power + 1e-12), FLOOR ** 2, 1.0))
    out_frames = np.fft.irfft(spec * gain, n=N_FFT, axis=1) * np.hanning(N_FFT)
    out = np.zeros(padded)
    norm = np.zeros(padded)
    window_sq = np.hanning(N_FFT) ** 2
    for i, frame in enumerate(out_frames):
        out[i * HOP:i * HOP + N_FFT] += frame
        norm[i * HOP:i * HOP + N_FFT] += window_sq
    out = out / np.maximum(norm, 1e-3)
    return out[N_FFT // 2:N_FFT // 2 + len(samples)].astype(np.float32)


def level_windows(samples: np.ndarray) -> np.ndarray:
    """A copy whose level follows asr_level.TARGET_DB in short windows: each 50 ms frame gets the
    gain that puts the loudest frame within ENVELOPE_SECONDS of it at the target (at most
    asr_level.MAX_GAIN_DB, never past 0.9 of full scale)."""
    from .level import FRAME, MAX_GAIN_DB, TARGET_DB, frame_power_db
    db = frame_power_db(samples)
    if not len(db) or not ENABLED:
        return samples
    reach = max(1, int(ENVELOPE_SECONDS * RATE / FRAME))
    envelope = np.lib.stride_tricks.sliding_window_view(np.pad(db, reach, mode="edge"), 2 * reach + 1).max(axis=1)
    gain_db = np.clip(TARGET_DB - envelope, -20.0, MAX_GAIN_DB)
    centres = (np.arange(len(db)) + 0.5) * FRAME
    gain = 10 ** (np.interp(np.arange(len(samples)), centres, gain_db) / 20)
    out = samples * gain
    peak = float(np.abs(out).max())
    return (out * (0.9 / peak if peak > 0.9 else 1.0)).astype(np.float32)


def clean(samples: np.ndarray) -> np.ndarray:
    """What Whisper hears of an empty stretch: the bed lowered, then levelled in short windows
    (as the stretch was levelled as one, ``asr_level.level``, when this is off)."""
    if not ENABLED:
        from .level import level
        return level(samples)
    return level_windows(without_bed(samples))
