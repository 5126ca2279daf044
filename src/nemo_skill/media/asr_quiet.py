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

from .speech_regions import RATE

ENABLED = True          # bench/quiet_speech.py turns it off to measure what it adds
N_FFT = 512             # 32 ms: a syllable's harmonics apart, a chord's tones resolved
HOP = N_FFT // 4
TRACK_SECONDS = 1.5     # the bed's level at a frequency: over this much around the frame
BED_PERCENTILE = 30.0   # ... its quieter part (a voice holds a frequency for a syllable, not longer)
OVER = 2.0              # power subtracted: this many times the bed's (music is never quite still)
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
