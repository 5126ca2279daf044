"""Where the speech is, and how it is handed to Whisper (issue 13).

Silero VAD (shipped with faster-whisper) finds the voiced regions. They are
packed, in order, into decode windows of at most ``WINDOW_SECONDS`` with at
most a short pause between regions, so Whisper sees only speech and a window is
one decoder pass. Every word Whisper writes is mapped back to the region it
came from and clamped inside it: a sentence never lends its time to a
neighbour, and text "heard" in the padding after the speech is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

RATE = 16000
WINDOW_SECONDS = 20.0       # without timestamps Whisper often stops early in longer windows
# A longer stretch of regions is decoded with timestamps, seeking on (asr_decode): each window
# ends in a short last pass, so longer windows mean fewer passes, but a recognition stopped part
# way resumes from its last whole window (asr_resume). 150 s: 17 passes for the 393 s of speech
# of bench/asr_profile.py's 10-minute talk; 90 s: 20; 300 s: 17.
SEEK_WINDOW_SECONDS = 150.0
REGION_MAX_SECONDS = 24.0   # a longer region is cut by the VAD at its quietest point
PAD_SECONDS = 0.4           # the most of a pause kept between two regions inside a window
TAIL_TOLERANCE = 0.3        # a word may end this far into the padding and still be speech
MIN_REGION_SECONDS = 0.25   # shorter voiced blips are clicks or breaths
VAD_FRAME = 512             # samples Silero scores at a time (32 ms)
FRAME = 800                 # 50 ms: the frame levels are measured in
EDGE_PAD = 0.12             # seconds kept around the speech the detector marks
EDGE_PROB = 0.05            # a frame next to a region scoring this is its faint edge (widen; at
                            # 0.1 the music joins' loud speakers were 32/36 present, at 0.05 35/36)
# An edge is widened only where sound comes before or after it within this many dB of the region's
# loud frames (a bed, noise), not the quiet of a room, where the detector's fall after speech is its
# own decay. Widened there too, a clean 10-minute talk's regions grew by 30 s (8% of its speech),
# recognition's CPU by 5%, and its CER moved by a window's luck (0.096 -> 0.091; ends alone 0.110):
# a quiet room is left as it was (its regions 351.5 -> 352.0 s; CER 0.089). The 0.3 s after an
# end: music joins 5-13 dB under the speech, that talk 20-67 dB (bench/quiet_speech.py,
# bench/long_video.py inputs).
EDGE_UNDER_DB = 16.0
EDGE_LISTEN = 0.3           # seconds before a start and after an end that say whether a bed is there
EDGE_GAP = 3                # frames under EDGE_PROB bridged between two faint ones
EDGE_MAX = 1.5              # seconds a region's edge moves at most


@dataclass
class Region:
    start: float            # seconds in the chunk
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass
class Window:
    """Regions decoded together: region i sits at ``offsets[i]`` in the window's audio."""

    regions: list[Region]
    offsets: list[float] = field(default_factory=list)

    @property
    def speech_seconds(self) -> float:
        return sum(r.length for r in self.regions)

    def audio(self, samples: np.ndarray) -> np.ndarray:
        """The regions with the real sound between them, each gap at most ``PAD_SECONDS``
        (half after one region, half before the next): Whisper hears natural transitions."""
        parts = []
        half = int(PAD_SECONDS * RATE / 2)
        for i, r in enumerate(self.regions):
            a, b = int(r.start * RATE), int(r.end * RATE)
            if i:
                prev_end = int(self.regions[i - 1].end * RATE)
                if a - prev_end <= 2 * half:
                    parts.append(samples[prev_end:a])
                else:
                    parts += [samples[prev_end:prev_end + half], samples[a - half:a]]
            parts.append(samples[a:b])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def place(self, start: float, end: float) -> tuple[Region, float, float] | None:
        """A word at window times (start, end) -> (its region, chunk start, chunk end), or None
        when it lies in the padding after the last region (nothing was said there)."""
        # Whisper stretches the first word after a pause back over the silence: its sound is
        # at its end, so a word belongs where it ends (less a little for a late end).
        mid = end - min(0.15, (end - start) / 2)
        best, best_distance = None, None
        for r, off in zip(self.regions, self.offsets, strict=True):
            lo, hi = off, off + r.length
            distance = 0.0 if lo <= mid <= hi else min(abs(mid - lo), abs(mid - hi))
            if best_distance is None or distance < best_distance:
                best, best_distance = (r, off), distance
        if best is None or best_distance > PAD_SECONDS / 2 + TAIL_TOLERANCE:
            return None
        r, off = best
        s = min(max(r.start + start - off, r.start), r.end - 0.02)
        e = min(max(r.start + end - off, s + 0.02), r.end)
        return r, s, e


def find_regions(samples: np.ndarray, *, threshold: float = 0.5,
                 shortest: float = MIN_REGION_SECONDS) -> list[Region]:
    """Voiced regions of 16 kHz float samples, split at pauses of 0.1 s or more, each widened
    to the faint speech at its edges (``widen``); ``threshold`` is where the detector's speech
    probability starts a region, ``shortest`` the shortest region kept (seconds)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps
    options = VadOptions(threshold=threshold, min_silence_duration_ms=100, speech_pad_ms=int(EDGE_PAD * 1000),
                         min_speech_duration_ms=int(shortest * 1000), max_speech_duration_s=REGION_MAX_SECONDS)
    spans = get_speech_timestamps(samples, options)
    regions = [Region(s["start"] / RATE, s["end"] / RATE) for s in spans]
    if regions:
        widen(regions, speech_probabilities(samples), len(samples) / RATE, ends=_sound_around(regions, samples))
    # Neighbours' padding may overlap; split the difference so regions never share time.
    for a, b in zip(regions, regions[1:], strict=False):
        if a.end > b.start:
            a.end = b.start = (a.end + b.start) / 2
    return [r for r in regions if r.length >= shortest]


def speech_probabilities(samples: np.ndarray) -> np.ndarray:
    """Silero's speech probability for each VAD_FRAME of the samples (a second pass of the
    detector: 1.3-1.6 s of CPU for ten minutes of audio, against minutes of recognition)."""
    from faster_whisper.vad import get_vad_model
    padded = np.pad(samples, (0, VAD_FRAME - len(samples) % VAD_FRAME))
    return np.asarray(get_vad_model()(padded), dtype=np.float32).ravel()


def widen(regions: list[Region], probs: np.ndarray, total: float, *,
          ends: list[tuple[bool, bool]] | None = None) -> None:
    """Each region's edges moved out over the faint speech next to them: frames at EDGE_PROB or
    more, dips of up to EDGE_GAP frames bridged, at most EDGE_MAX seconds; its start and its end
    only where ``ends`` says so (``_sound_around``: a bed is there; both when None). Under a music
    bed the detector rises late: 你好 of 你好世界 6 dB over a soft pad scored 0.1-0.2 (the bed
    alone: 99% of frames under 0.04), and the region began at 世界, which Whisper then read 时间.
    bench/quiet_speech.py: speakers at the normal level 28 -> 35 of 36 present, quiet ones 19 -> 24
    (starts alone: 33 and 23)."""
    step = VAD_FRAME / RATE
    reach = int(EDGE_MAX / step)
    for i, r in enumerate(regions):
        floor = regions[i - 1].end if i else 0.0
        ceiling = regions[i + 1].start if i + 1 < len(regions) else total
        # only ever outwards, and only where a faint frame lies past the detector's own edge
        if ends is None or ends[i][0]:
            edge = int((r.start + EDGE_PAD) / step)
            first = _faint_run(probs, edge, -1, reach, EDGE_PROB)
            if first < edge:
                r.start = min(r.start, max(floor, first * step - EDGE_PAD))
        if ends is None or ends[i][1]:
            edge = int((r.end - EDGE_PAD) / step) - 1
            last = _faint_run(probs, edge, 1, reach, EDGE_PROB)
            if last > edge:
                r.end = max(r.end, min(ceiling, (last + 1) * step + EDGE_PAD))


def _sound_around(regions: list[Region], samples: np.ndarray) -> list[tuple[bool, bool]]:
    """For each region: does sound within EDGE_UNDER_DB of its loud frames come before it, and
    after it (the median 50 ms frame of the EDGE_LISTEN seconds there, short of its neighbour)?"""
    out = []
    for i, r in enumerate(regions):
        loud = frame_power_db(samples[int(r.start * RATE):int(r.end * RATE)])
        if not len(loud):
            out.append((False, False))
            continue
        floor = float(np.percentile(loud, 90)) - EDGE_UNDER_DB
        since = max(r.start - EDGE_LISTEN, regions[i - 1].end if i else 0.0)
        until = min(r.end + EDGE_LISTEN, regions[i + 1].start if i + 1 < len(regions) else r.end + EDGE_LISTEN)
        out.append(tuple(bool(len(db)) and float(np.median(db)) > floor
                         for db in (frame_power_db(samples[int(since * RATE):int(r.start * RATE)]),
                                    frame_power_db(samples[int(r.end * RATE):int(until * RATE)]))))
    return out


def frame_power_db(samples: np.ndarray, frame: int = FRAME) -> np.ndarray:
    """Each frame's power in dB (50 ms frames by default)."""
    n = len(samples) // frame
    if n == 0:
        return np.zeros(0)
    power = (samples[: n * frame].reshape(n, frame).astype(np.float64) ** 2).mean(axis=1)
    return 10 * np.log10(power + 1e-12)


def _faint_run(probs: np.ndarray, edge: int, direction: int, reach: int, least: float) -> int:
    """The last frame from ``edge`` going ``direction`` that is still faint speech (``least``)."""
    found, misses, k = edge, 0, edge
    while abs(k - edge) < reach and misses <= EDGE_GAP:
        k += direction
        if not 0 <= k < len(probs):
            break
        if probs[k] >= least:
            found, misses = k, 0
        else:
            misses += 1
    return found


def pack(regions: list[Region], limit: float = WINDOW_SECONDS) -> list[Window]:
    """Consecutive regions grouped into windows of at most ``limit`` seconds of audio."""
    windows: list[Window] = []
    for r in regions:
        cur = windows[-1] if windows else None
        used = (cur.offsets[-1] + cur.regions[-1].length) if cur else 0.0
        gap = min(PAD_SECONDS, r.start - cur.regions[-1].end) if cur else 0.0
        if cur is None or used + gap + r.length > limit:
            windows.append(Window([r], [0.0]))
        else:
            cur.regions.append(r)
            cur.offsets.append(used + gap)
    return windows


def token_budget(seconds: float, *, per_second: float = 12.0, floor: int = 24, cap: int = 300) -> int:
    """How many tokens Whisper may write for ``seconds`` of speech: generous for fast
    Chinese (about 6 characters, 8 tokens a second), far short of a runaway loop."""
    return int(min(cap, max(floor, seconds * per_second + floor)))
