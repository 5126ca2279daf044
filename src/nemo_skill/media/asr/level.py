"""The copy of the audio that voice detection and Whisper hear (issue 25).

Levelling: a chunk is raised (or lowered) so its loud speech sits near
``TARGET_DB``, and each stretch re-examined is levelled on its own, so a
quiet speaker is heard at the level the models were trained on. The copy is
used only for recognition; nothing the user hears is changed.

Re-examination: Silero VAD misses a speaker 10-20 dB under a music bed (a
whole 4 s sentence 15 dB under the music: no region at threshold 0.5, nor at
0.1), while Whisper decoding the same stretch on its own writes it
(甚至出现交易几乎停滞的情况 at avg log-prob -0.47). So every long stretch the
detector left empty whose speech band (300-3400 Hz) holds energy over the
chunk's silence is handed to Whisper, and its words are kept only under the
strict acceptance of ``asr_decode.Decoder.stretch``.
"""

from __future__ import annotations

import numpy as np

from .regions import FRAME, RATE, Region, frame_power_db

TARGET_DB = -20.0          # the loud speech of a chunk (its 95th percentile 50 ms frame) lands here
MAX_GAIN_DB = 30.0         # a nearly silent file is not raised into its hiss
# A chunk already within this much of TARGET_DB is left as it is: a 7 dB gain moved two VAD
# edges by 30 ms and turned 你好世界 into 您好设计 on tests/test_asr_joins.py's tight-music.
LEAVE_WITHIN_DB = 10.0
STRETCH_SECONDS = 1.5      # an empty stretch shorter than this is a pause, not lost speech
STRETCH_MAX = 20.0         # one decode of a stretch at most (Whisper's window, without timestamps)
BAND = (300.0, 3400.0)     # where speech carries its words
# A stretch is re-examined where its speech band is loud: within this much of the chunk's loud
# frames, as music or noise that can hide a voice is (a voice alone, however quiet, the detector
# finds by itself). A floor relative to the chunk's quietest frames cannot tell a quiet voice under
# continuous music (its median band level 0.4 dB from the music-only stretches'); at 45 dB the
# room tone between recordings was decoded too, 9 s of 33 on a 30 s talk, for nothing.
BAND_UNDER_PEAK_DB = 30.0
SILENT_BAND_DB = -75.0     # the band of digital silence and a quiet room's hiss


def gain_db(samples: np.ndarray) -> float:
    """The gain that puts this audio's loud frames at TARGET_DB (0 for digital silence)."""
    db = frame_power_db(samples)
    db = db[db > -90.0]
    if not len(db):
        return 0.0
    return float(np.clip(TARGET_DB - np.percentile(db, 95), -20.0, MAX_GAIN_DB))


def level(samples: np.ndarray) -> np.ndarray:
    """A levelled copy of float32 samples in [-1, 1]: one gain, never past 0.9 of full scale
    (a linear gain, so nothing Whisper hears is distorted)."""
    if not len(samples):
        return samples
    peak = float(np.abs(samples).max())
    wanted = gain_db(samples)
    gain = min(10 ** (wanted / 20), 0.9 / peak if peak > 0 else 1.0)
    if abs(wanted) < LEAVE_WITHIN_DB or abs(gain - 1.0) < 1e-3:
        return samples
    return (samples * gain).astype(np.float32)


def band_db(samples: np.ndarray, frame: int = FRAME, block: int = 1200) -> np.ndarray:
    """The speech band's power of each 50 ms frame, in dB. A minute of frames at a time: a
    10-minute chunk's spectrum at once held about 150 MB of float64 temporaries (issue 25,
    the hour's peak memory); each frame's figure is the same either way."""
    n = len(samples) // frame
    if n == 0:
        return np.zeros(0)
    window = np.hanning(frame)
    freqs = np.fft.rfftfreq(frame, 1 / RATE)
    inside = (freqs >= BAND[0]) & (freqs <= BAND[1])
    out = np.empty(n)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        frames = samples[lo * frame: hi * frame].reshape(hi - lo, frame) * window
        spectrum = np.abs(np.fft.rfft(frames, axis=1)[:, inside]) ** 2
        out[lo:hi] = 10 * np.log10(spectrum.sum(axis=1) / frame + 1e-12)
    return out


def empty_stretches(regions: list[Region], samples: np.ndarray) -> list[Region]:
    """The stretches of at least STRETCH_SECONDS with no region whose speech band holds
    energy (not silence), cut into pieces of at most STRETCH_MAX seconds."""
    length = len(samples) / RATE
    band = band_db(samples)
    if not len(band):
        return []
    floor = max(SILENT_BAND_DB, float(np.percentile(band, 95)) - BAND_UNDER_PEAK_DB)
    edges = [0.0, *[t for r in regions for t in (r.start, r.end)], length]
    out: list[Region] = []
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        t = a
        while b - t >= STRETCH_SECONDS:
            piece = Region(t, min(b, t + STRETCH_MAX))
            lo, hi = int(piece.start * RATE / FRAME), int(piece.end * RATE / FRAME)
            voiced = band[lo:hi] > floor
            if voiced.mean() >= 0.2:        # a fifth of the stretch: a sentence, not a click
                out.append(piece)
            t = piece.end
    return out
