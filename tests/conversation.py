"""Two-speaker recordings built from the real ones in tests/data (issue 25, item 6).

There is no real conversation in the test data, so one is made: each of two people's
recordings is cut in two at its quietest moment near the middle, its silent edges trimmed,
and the four pieces alternate A B A B, with a pause between turns (or none: back to back).
The truth is known exactly: where each turn is, who speaks it, and where the voice changes.
"""

from __future__ import annotations

import functools
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
RATE = 16000
# Pairs of different people (their sources in tests/data/README.md); the first is two
# AISHELL-1 speakers recorded alike, the hardest case for a method that hears the voice.
PAIRS = [("aishell_BAC009S0724W0121.flac", "aishell_BAC009S0764W0121.flac"),
         ("yasui_zh.flac", "paddlespeech_zh.flac"),
         ("funasr_example_zh.flac", "aishell_BAC009S0724W0121.flac"),
         ("paddlespeech_zh.flac", "aishell_BAC009S0764W0121.flac"),
         ("yasui_zh.flac", "funasr_example_zh.flac"),
         ("funasr_example_zh.flac", "paddlespeech_zh.flac")]
SINGLE = ["aishell_BAC009S0724W0121.flac", "aishell_BAC009S0764W0121.flac", "yasui_zh.flac",
          "paddlespeech_zh.flac", "funasr_example_zh.flac", "jfk.flac", "librispeech_1995-1837-0001.flac"]


@dataclass
class Conversation:
    samples: np.ndarray                       # float32, 16 kHz mono
    turns: list[tuple[float, float, int]]     # (start s, end s, speaker 1 or 2)
    changes: list[float]                      # where the voice changes (the middle of the pause)

    @property
    def duration(self) -> float:
        return len(self.samples) / RATE


@functools.cache
def load(name: str) -> np.ndarray:
    """16 kHz float samples of a recording in tests/data (read once; never changed in place)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(DATA / name), "-ac", "1", "-ar", str(RATE),
                          "-f", "s16le", "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768


def _db(x: np.ndarray, width: int) -> np.ndarray:
    return 20 * np.log10(np.sqrt(np.convolve(x ** 2, np.ones(width) / width, "same")) + 1e-9)


def trim(x: np.ndarray) -> np.ndarray:
    """Without the silence before the first sound and after the last."""
    loud = np.flatnonzero(_db(x, 160) > _db(x, 160).max() - 35)
    return x[loud[0]:loud[-1] + 1]


def speech_spans(x: np.ndarray, gap: float = 0.3) -> list[tuple[float, float]]:
    """Where the sound is within 35 dB of its peak (10 ms frames), runs closer than ``gap``
    joined: the stretches a recogniser would hear words in, without a recogniser."""
    frames = len(x) // 160
    level = 10 * np.log10((x[:frames * 160].reshape(frames, 160) ** 2).mean(axis=1) + 1e-12)
    loud = np.flatnonzero(level > level.max() - 35)
    spans: list[list[float]] = []
    for i in loud:
        if spans and i / 100 - spans[-1][1] < gap:
            spans[-1][1] = (i + 1) / 100
        else:
            spans.append([i / 100, (i + 1) / 100])
    return [(a, b) for a, b in spans]


def halves(x: np.ndarray) -> list[np.ndarray]:
    """Cut where it is quietest between 35% and 65% of its length."""
    n, w = len(x), 1600
    lo, hi = int(n * 0.35), int(n * 0.65)
    energy = [float(np.mean(x[i:i + w] ** 2)) for i in range(lo, hi, 160)]
    cut = lo + int(np.argmin(energy)) * 160 + w // 2
    return [trim(x[:cut]), trim(x[cut:])]


def build(first: str, second: str, pause: float) -> Conversation:
    """A B A B from halves of two people's recordings, ``pause`` seconds between turns."""
    a, b = halves(trim(load(first))), halves(trim(load(second)))
    parts, turns, changes, t = [], [], [], 0.3
    parts.append(np.zeros(int(0.3 * RATE), np.float32))
    for i, (piece, who) in enumerate([(a[0], 1), (b[0], 2), (a[1], 1), (b[1], 2)]):
        if i:
            changes.append(round(t + pause / 2, 3))
            parts.append(np.zeros(int(round(pause * RATE)), np.float32))
            t += int(round(pause * RATE)) / RATE
        parts.append(piece)
        turns.append((round(t, 3), round(t + len(piece) / RATE, 3), who))
        t += len(piece) / RATE
    parts.append(np.zeros(int(0.5 * RATE), np.float32))
    return Conversation(np.concatenate(parts), turns, changes)


def write_wav(conv_or_samples, path: Path) -> Path:
    samples = getattr(conv_or_samples, "samples", conv_or_samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def to_video(wav: Path, out: Path) -> Path:
    """A small test picture with ``wav`` as its sound (what `nemo subtitle` takes)."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25", "-i", str(wav),
                    "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "35", "-c:a", "aac",
                    "-b:a", "96k", str(out)], check=True)
    return out


def change_scores(found: list[float], truth: list[float], tolerance: float = 0.5) -> tuple[int, int]:
    """(found changes within ``tolerance`` of a true one, true changes found within it)."""
    right = sum(any(abs(f - c) <= tolerance for c in truth) for f in found)
    caught = sum(any(abs(f - c) <= tolerance for f in found) for c in truth)
    return right, caught


def label_share(cues: list[tuple[float, float, int | None]], turns: list[tuple[float, float, int]]) -> float:
    """The share of cues whose label is the speaker of the turn they overlap most, after the best
    mapping of labels to speakers (labels are only names)."""
    import itertools

    def truth(start: float, end: float) -> int:
        return max(turns, key=lambda t: min(end, t[1]) - max(start, t[0]))[2]

    said = [(truth(s, e), who) for s, e, who in cues]
    labels = sorted({who for _, who in said if who is not None})
    best = 0
    for perm in itertools.permutations(range(1, max(len(labels), 2) + 1), len(labels)):
        rename = dict(zip(labels, perm, strict=True))
        best = max(best, sum(rename.get(who) == real for real, who in said))
    return best / len(said) if said else 0.0
