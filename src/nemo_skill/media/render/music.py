"""A background bed that sounds like music: a soft chord progression with a plucked melody.

Four chords (I-vi-IV-V in C, four seconds a chord) played by a warm
pad, and a plucked pentatonic line over them, like a guzheng far away. Every envelope is
computed around a circle, so the 16-second phrase loops without a click, and the seed
only changes which notes the melody picks, never the harmony. Drawn with numpy into a
48 kHz stereo WAV that the render ducks under the voice.
"""

from __future__ import annotations

import functools
import wave
from pathlib import Path

import numpy as np

RATE = 48000
CHORD_SECONDS = 4.0
# I - vi - IV - V in C major, as MIDI notes (a low root, then the triad an octave up).
PROGRESSION = ((48, 60, 64, 67), (45, 57, 60, 64), (41, 57, 60, 65), (43, 55, 59, 62))
PENTATONIC = (72, 74, 76, 79, 81, 84)   # C D E G A C: every note sits well over every chord
PLUCKS_PER_CHORD = 4


def _hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _whole_cycles(f: float, seconds: float) -> float:
    """The nearest frequency that fits a whole number of cycles in the loop (at most 1/32 Hz off),
    so every tone's phase meets itself at the seam."""
    return round(f * seconds) / seconds


@functools.lru_cache(maxsize=4)
def phrase(seed: int = 1) -> np.ndarray:
    """One loopable phrase, stereo float32 (n, 2), peak about -6 dBFS (cached: do not modify it)."""
    seconds = CHORD_SECONDS * len(PROGRESSION)
    length = int(seconds * RATE)
    t = np.arange(length) / RATE
    left = np.zeros(length)
    right = np.zeros(length)
    chord_len = int(CHORD_SECONDS * RATE)
    for c, notes in enumerate(PROGRESSION):
        # A raised-cosine window twice the chord long, centred on it: neighbours overlap by
        # half and sum to one, so chords cross-fade; indices wrap, so the phrase loops.
        # Computed only where the window is not zero (half the phrase): every tone has whole
        # cycles in the loop, so the wrapped times give the same samples as unwrapped ones.
        centre = c * chord_len + chord_len // 2
        idx = (np.arange(-chord_len, chord_len) + centre) % length
        window = 0.5 * (1 - np.cos(np.pi * (np.arange(2 * chord_len) / chord_len)))
        tw = 2 * np.pi * t[idx]
        for k, note in enumerate(notes):
            f = _whole_cycles(_hz(note), seconds)
            tone = np.sin(f * tw) + 0.25 * np.sin(2 * f * tw + 0.3)
            gain = (0.16 if k == 0 else 0.09) * window
            # Each side slightly detuned: a slow chorus, like a string pad.
            left[idx] += gain * (tone + 0.5 * np.sin(_whole_cycles(f * 1.003, seconds) * tw))
            right[idx] += gain * (tone + 0.5 * np.sin(_whole_cycles(f * 0.997, seconds) * tw))
    rng = np.random.default_rng(seed)
    step = chord_len // PLUCKS_PER_CHORD
    for i in range(len(PROGRESSION) * PLUCKS_PER_CHORD):
        if i % PLUCKS_PER_CHORD == 3 and rng.random() < 0.5:
            continue        # a rest now and then, so the line breathes
        note = PENTATONIC[int(rng.integers(len(PENTATONIC)))]
        pluck = _pluck(_hz(note), step * 2)
        start = i * step
        idx = (np.arange(len(pluck)) + start) % length
        pan = 0.35 + 0.3 * rng.random()
        left[idx] += pluck * (1 - pan)
        right[idx] += pluck * pan
    stereo = np.stack([left, right], axis=1)
    return (stereo / np.abs(stereo).max() * 0.5).astype(np.float32)


def _pluck(f: float, n: int) -> np.ndarray:
    """A plucked string: a few harmonics that die away, the high ones first."""
    t = np.arange(n) / RATE
    attack = np.minimum(1.0, t / 0.004)
    tone = sum(np.sin(2 * np.pi * f * h * t) * np.exp(-t * (2.2 + 1.6 * h)) / h for h in (1, 2, 3, 4))
    return 0.22 * attack * tone


def write_bed(seconds: float, out: Path, seed: int = 1) -> Path:
    """``seconds`` of the phrase, looped, with a one-second fade in and a 1.5 s fade out."""
    loop = phrase(seed)
    n = max(1, int(seconds * RATE))
    audio = np.tile(loop, (n // len(loop) + 1, 1))[:n]
    fade_in = min(n, RATE)
    audio[:fade_in] *= np.linspace(0, 1, fade_in)[:, None]
    fade_out = min(n, int(1.5 * RATE))
    audio[n - fade_out:] *= np.linspace(1, 0, fade_out)[:, None]
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return out
