#!/usr/bin/env python3
"""Where our recognition spends its time (issue 25, item 5): one run of media/asr.transcribe on
an input (by default bench/long_video.py's), with every Whisper pass counted by what asked for it
(window, a thin region's retry, an unsure region's retry, an empty stretch, a second opinion),
the audio seconds each kind decoded, and the seconds spent in the encoder, the beam search, the
word alignment, the voice detector, levelling, the stretch search and the edge refinement.
Then plain faster-whisper on the same input, with its encoder/search seconds, for comparison.

Usage: .venv/bin/python bench/asr_profile.py [--minutes 10] [--input FILE] [--no-plain] [--language zh|auto]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

seconds: dict[str, float] = defaultdict(float)
cpu: dict[str, float] = defaultdict(float)
calls: dict[str, int] = defaultdict(int)
audio_seconds: dict[str, float] = defaultdict(float)
cpu: dict[str, float] = defaultdict(float)
_kind: list[str] = []


def timed(owner, name: str, label: str, *, kind: str | None = None, audio_arg: int | None = None) -> None:
    """Wrap owner.name so its wall time adds to ``label``; ``kind`` labels the Whisper passes inside."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if kind:
            _kind.append(kind)
        if audio_arg is not None:
            audio_seconds[label] += len(args[audio_arg]) / 16000
        calls[label] += 1
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[label] += time.perf_counter() - t0
            cpu[label] += time.process_time() - c0
            if kind:
                _kind.pop()
    setattr(owner, name, wrapper)


def count_encodes(model_class) -> None:
    """Each encoder run is one Whisper pass (a 30 s window, whatever its length): counted by the
    kind of decode it served, as one decode that seeks on runs several."""
    original = model_class.encode

    def encode(self, features):
        kind = _kind[-1] if _kind else "window"
        calls["encoder passes: " + (kind if _in_decode else "plain or language detection")] += 1
        return original(self, features)
    model_class.encode = encode


_in_decode: list[bool] = []


def instrument() -> None:
    from faster_whisper import transcribe as fw

    from nemo_skill.media.asr import (
    decode as asr_decode,
    level as asr_level,
    regions as speech_regions,
    transcribe as asr,
)
    timed(fw.WhisperModel, "encode", "whisper encode")
    count_encodes(fw.WhisperModel)
    timed(fw.WhisperModel, "generate_with_fallback", "whisper beam search")
    timed(fw.WhisperModel, "add_word_timestamps", "whisper word alignment")
    timed(fw, "get_speech_timestamps", "silero vad (faster-whisper's own)")
    timed(speech_regions, "find_regions", "voice detector (find_regions)")
    timed(asr_level, "level", "levelling")
    timed(asr_level, "empty_stretches", "empty-stretch search")
    timed(asr, "refine_edges", "edge refinement")
    timed(asr, "_detect", "language detection")
    dec = asr_decode.Decoder
    timed(dec, "window", "windows")
    timed(dec, "revise", "retries and second opinions (a chunk's regions again)", kind="retry")
    timed(dec, "stretch", "empty stretches decode", kind="stretch")
    original_retry = dec._retry

    def retry(self, audio, window, placed, dropped, modes):
        kinds = sorted({modes.get(id(r), asr_decode._OTHER) for r in window.regions})
        _kind.append("retry (" + "+".join(kinds) + ")")
        try:
            return original_retry(self, audio, window, placed, dropped, modes)
        finally:
            _kind.pop()
    dec._retry = retry
    original_decode = dec.decode

    def decode(self, audio, length, **options):
        kind = _kind[-1] if _kind else "window"
        calls["pass: " + kind] += 1
        audio_seconds["pass: " + kind] += len(audio) / 16000
        t0, c0 = time.perf_counter(), time.process_time()
        _in_decode.append(True)
        try:
            return original_decode(self, audio, length, **options)
        finally:
            _in_decode.pop()
            seconds["pass: " + kind] += time.perf_counter() - t0
            cpu["pass: " + kind] += time.process_time() - c0
    dec.decode = decode


def report(title: str, wall: float, cpu_total: float) -> None:
    """Wall and CPU seconds per part (CPU seconds move less with a shared machine's load)."""
    print(f"\n{title}: {wall:.1f} s wall, {cpu_total:.1f} s CPU")
    for label in sorted(cpu, key=lambda k: -cpu[k]):
        extra = f", {audio_seconds[label]:.0f} s of audio" if label in audio_seconds else ""
        print(f"  {label:40s} {seconds[label]:7.1f} s wall {cpu[label]:7.1f} s CPU  ({calls[label]} calls{extra})",
              flush=True)
    for label in sorted(k for k in calls if k.startswith("encoder passes")):
        print(f"  {label:40s} {calls[label]}", flush=True)
    seconds.clear(), cpu.clear(), calls.clear(), audio_seconds.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--input", type=Path)
    parser.add_argument("--no-plain", action="store_true")
    parser.add_argument("--language", default="zh",
                        help="given to both, as `nemo subtitle --lang` does; 'auto': both detect it")
    args = parser.parse_args()
    language = None if args.language == "auto" else args.language
    import os
    work = Path(tempfile.mkdtemp(prefix="nemo-asr-profile-"))
    os.environ.setdefault("NEMO_STATE_DIR", str(work / "state"))
    video = args.input
    if video is None:
        import long_video
        video, _ = long_video.build_input(work, args.minutes, "320x180")
    instrument()
    from nemo_skill.media.asr import transcribe as asr
    model, _ = asr.load_model()
    t0, c0 = time.perf_counter(), time.process_time()
    result = asr.transcribe(video, language=language, resume=False)
    report(f"ours ({len(result.words)} words, {len(result.heard_again)} alternatives)",
           time.perf_counter() - t0, time.process_time() - c0)
    if not args.no_plain:
        t0, c0 = time.perf_counter(), time.process_time()
        segments, _ = model.transcribe(str(video), language=language, beam_size=5, vad_filter=True)
        n = len(list(segments))
        report(f"plain faster-whisper ({n} segments)", time.perf_counter() - t0, time.process_time() - c0)


if __name__ == "__main__":
    main()
