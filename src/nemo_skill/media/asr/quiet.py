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

from collections.abc import Iterator

import numpy as np

from .regions import FRAME, RATE, frame_power_db

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
# A repeating bed: how alike the stretch is to itself one period on (the beat spectrum's peak,
# 1 = identical). Measured on bench/quiet_speech.py's beds in 2-11 s pieces: the drum loop 0.87-0.95
# (its 1 s bar), the pad with its plucked melody 0.15-0.60 (no repeat within a stretch).
PERIODIC = 0.8
PERIOD_RANGE = (0.3, 4.0)   # seconds: a beat to a bar; at most a third of the stretch
SAME_PEAK = 0.97        # the shortest lag this close to the best is the period (not its multiples,
                        # nor the half bar of kick and hi-hat when the snare comes once a bar)
REPEATS = 6             # periods each side whose median is the bed
# Against the median (the mean of a noise burst, not its quieter part), so less over-subtraction,
# and a deeper floor: a snare is 25 dB over the voice in the speech band (a sentence 20 dB under
# DRUM_BED: -25.2 dB, -20.6 after the still level's gain, -17.1 after this one).
REPEAT_OVER = 2.0
REPEAT_FLOOR = 0.03


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


def beat_period(power: np.ndarray) -> tuple[float, float]:
    """The period (frames, fractional) at which the spectrogram repeats, and how alike it is to
    itself one period on (0 when the stretch is too short to hold three periods)."""
    n = len(power)
    lo, hi = int(PERIOD_RANGE[0] * RATE / HOP), min(int(PERIOD_RANGE[1] * RATE / HOP), n // 3)
    if hi <= lo + 2:
        return 0.0, 0.0
    magnitude = np.sqrt(power)
    spectrum = np.fft.rfft(magnitude - magnitude.mean(axis=0), n=2 * n, axis=0)
    # the autocorrelation over time, each lag's mean over its overlap (a long lag is not penalised)
    alike = np.fft.irfft(spectrum.real ** 2 + spectrum.imag ** 2, axis=0)[:n].mean(axis=1) / (n - np.arange(n))
    alike = alike / max(float(alike[0]), 1e-20)
    best = float(alike[lo:hi + 1].max())
    k = lo + int(np.argmax(alike[lo:hi + 1] >= SAME_PEAK * best))
    while k < hi and alike[k + 1] > alike[k]:
        k += 1
    a, b, c = alike[k - 1], alike[k], alike[k + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c < 0 else 0.0
    return k + float(np.clip(shift, -0.5, 0.5)), float(b)


def repeating_level(power: np.ndarray, period: float) -> np.ndarray:
    """Each frame's bed power: the median of the frames REPEATS periods either side of it (a
    repeat past an end is taken from the other side, where it is the same moment of the loop)."""
    n = len(power)
    t = np.arange(n)
    stack = np.empty((2 * REPEATS + 1, *power.shape), np.float32)
    for i, k in enumerate(range(-REPEATS, REPEATS + 1)):
        idx = t + int(round(k * period))
        mirrored = t - int(round(k * period))
        idx = np.where((idx >= 0) & (idx < n), idx, np.clip(mirrored, 0, n - 1))
        stack[i] = power[idx]
    return np.partition(stack, REPEATS, axis=0)[REPEATS].astype(power.dtype)


def spectrum(samples: np.ndarray) -> tuple[np.ndarray, int]:
    """The short-time spectrum of float32 samples (frames x N_FFT // 2 + 1), and the padded length
    ``resynthesis`` needs."""
    frames, padded = _frames(samples.astype(np.float32))
    return np.fft.rfft(frames, axis=1), padded


def resynthesis(spec: np.ndarray, padded: int, length: int) -> np.ndarray:
    """float32 samples of ``length`` from a (gained) ``spectrum`` (weighted overlap-add)."""
    out_frames = np.fft.irfft(spec, n=N_FFT, axis=1) * np.hanning(N_FFT)
    out = np.zeros(padded)
    norm = np.zeros(padded)
    window_sq = np.hanning(N_FFT) ** 2
    for i, frame in enumerate(out_frames):
        out[i * HOP:i * HOP + N_FFT] += frame
        norm[i * HOP:i * HOP + N_FFT] += window_sq
    out = out / np.maximum(norm, 1e-3)
    return out[N_FFT // 2:N_FFT // 2 + length].astype(np.float32)


def _subtraction_gain(power: np.ndarray, bed: np.ndarray, over: float, floor: float) -> np.ndarray:
    """Each frequency's gain in each frame: ``over`` times the bed's power taken out, never
    below ``floor``."""
    return np.sqrt(np.clip(1.0 - over * bed / (power + 1e-12), floor ** 2, 1.0))


def still_gain(power: np.ndarray) -> np.ndarray:
    """Spectral subtraction against each frequency's still level."""
    return _subtraction_gain(power, bed_level(power), OVER, FLOOR)


def repeats_gain(power: np.ndarray, period: float) -> np.ndarray:
    """The same against the bed's repeats (``repeating_level``)."""
    return _subtraction_gain(power, repeating_level(power, period), REPEAT_OVER, REPEAT_FLOOR)


def without_bed(samples: np.ndarray) -> Iterator[np.ndarray]:
    """float32 copies of the samples with the bed lowered, the same length: against its still
    level, and when it repeats, then against its repeats (each keeps a different voice: through
    transcribe, 7 and 6 of 18 drum-bed sentences present, not the same ones). Lazily: the second
    is made only when asked for (``asr_decode.Decoder.stretch``: when the first gave no word)."""
    if not ENABLED or len(samples) < N_FFT:
        yield samples
        return
    spec, padded = spectrum(samples)
    power = spec.real ** 2 + spec.imag ** 2
    yield resynthesis(spec * still_gain(power), padded, len(samples))
    period, alike = beat_period(power)
    if alike >= PERIODIC:
        yield resynthesis(spec * repeats_gain(power, period), padded, len(samples))


def level_windows(samples: np.ndarray) -> np.ndarray:
    """A copy whose level follows asr_level.TARGET_DB in short windows: each 50 ms frame gets the
    gain that puts the loudest frame within ENVELOPE_SECONDS of it at the target (at most
    asr_level.MAX_GAIN_DB, never past 0.9 of full scale)."""
    from .level import MAX_GAIN_DB, TARGET_DB
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


def clean(samples: np.ndarray) -> Iterator[np.ndarray]:
    """What Whisper hears of an empty stretch, one copy or two (``without_bed``), each made when
    the one before did not do: the bed lowered, then levelled in short windows (as the stretch was
    levelled as one, ``asr_level.level``, when this is off)."""
    if not ENABLED:
        from .level import level
        yield level(samples)
        return
    for copy in without_bed(samples):
        yield level_windows(copy)
