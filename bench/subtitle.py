#!/usr/bin/env python3
"""Subtitle benchmarks, each beside the plain alternative, on one 60 s video of
real Chinese speech (built from tests/data), in one run:

  1. ASR: our transcribe (decode, VAD regions, Whisper, clean-up, edge refinement)
     vs faster-whisper's WhisperModel.transcribe with its default options, same model,
     same file, on the 60 s video and on a 3 s clip
  2. burn-in: `nemo subtitle` rendering through the engine vs the bare
     `ffmpeg -vf subtitles=` command with the same encoder settings and ASS
  3. soft subtitles: the engine's mov_text mux vs the bare ffmpeg mux
  and the whole `nemo subtitle` run. Real-time factor = wall time / video length.

Usage: .venv/bin/python bench/subtitle.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import speech_video  # noqa: E402

from nemo_skill.engine import daemon  # noqa: E402
from nemo_skill.media import ffmpeg  # noqa: E402
from nemo_skill.media.asr import transcribe as asr  # noqa: E402
from nemo_skill.media.render import compose  # noqa: E402


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def row(label: str, seconds: float, length: float, note: str = "") -> None:
    print(f"  {label:<44} {seconds:7.2f} s   RTF {seconds / length:5.3f}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="keep the work files in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nemo-bench-subs-"))
    work.mkdir(parents=True, exist_ok=True)
    video = speech_video.sixty_seconds_zh(work / "speech60.mp4")
    length = ffmpeg.probe(video).duration
    print(f"Input: {video.name}, {length:.1f} s of 1280x720 video with Chinese speech; "
          f"{os.cpu_count()} CPU cores")

    # 1. ASR, both with the model already loaded, on the same files.
    model, name = asr.load_model()
    short = speech_video.build(work / "speech3.mp4", [(speech_video.HELLO_ZH, 0.4)], 3.0, size="1280x720")
    list(model.transcribe(str(short))[0])      # first-call set-up, for neither side
    print(f"\n1. Speech recognition ({name}, int8; best of 2, alternated)")
    print(f"  {'input':<10} {'plain faster-whisper':>22} {'ours':>10} {'ours/plain':>11}   text")
    for label, path in (("60 s", video), ("3 s", short)):
        seconds = ffmpeg.probe(path).duration
        runs: dict[str, list[float]] = {"plain": [], "ours": []}
        for _ in range(2):    # alternated: neither side gets the warm cache alone
            # WhisperModel.transcribe with its default options: what a user of the library gets
            plain_s, plain = timed(lambda p=path: list(model.transcribe(str(p))[0]))
            ours_s, ours = timed(lambda p=path: asr.transcribe(p))
            runs["plain"].append(plain_s)
            runs["ours"].append(ours_s)
        best_plain, best_ours = min(runs["plain"]), min(runs["ours"])
        print(f"  {label:<10} {best_plain:20.2f} s {best_ours:8.2f} s {best_ours / best_plain:10.2f}x   "
              f"plain {sum(len(s.text.strip()) for s in plain)} chars, ours {len(ours.text)} chars; "
              f"ours RTF {best_ours / seconds:.2f}")

    # 2 and 3 through the real engine and CLI, as a user runs them.
    state = work / "state"
    info = daemon.start(state, idle=0)
    env = {**os.environ, "NEMO_STATE_DIR": str(state), "NEMO_API_URL": info["url"],
           "NEMO_BACKEND": "local", "NEMO_POLL_INTERVAL": "0.2"}
    try:
        total_s, proc = timed(lambda: subprocess.run(
            [sys.executable, "-m", "nemo_skill.cli.main", "subtitle", str(video), "--out-dir",
             str(work / "out"), "--soft", "--translator", "whisper", "--json", "-q"], env=env, capture_output=True, text=True))
    finally:
        daemon.stop(state)
    if proc.returncode:
        raise SystemExit(f"nemo subtitle failed: {proc.stderr}")
    data = json.loads(proc.stdout)
    ass = Path(data["files"]["ass"])
    bare_burn = ["-i", ffmpeg.fpath(video), "-vf",
                 "scale=1920:1080:force_original_aspect_ratio=decrease,pad=1920:1080:(ow-iw)/2:(oh-ih)/2,"
                 + compose.burn_filter(ass), "-r", "30", *compose.ENCODE, ffmpeg.fpath(work / "bare_burn.mp4")]
    bare_burn_s, _ = timed(lambda: ffmpeg.run(bare_burn))
    srt_zh, srt_en = data["files"]["zh.srt"], data["files"]["en.srt"]
    bare_soft = ["-i", ffmpeg.fpath(video), "-i", ffmpeg.fpath(srt_zh), "-i", ffmpeg.fpath(srt_en),
                 "-map", "0:v", "-map", "0:a", "-map", "1", "-map", "2", "-c:v", "copy", "-c:a", "copy",
                 "-c:s", "mov_text", "-movflags", "+faststart", ffmpeg.fpath(work / "bare_soft.mp4")]
    bare_soft_s, _ = timed(lambda: ffmpeg.run(bare_soft))

    print("\n2. Burn-in to a 1080p H.264 High MP4 (CRF 20, veryfast, AAC 48 kHz, +faststart)")
    row("bare ffmpeg -vf subtitles=", bare_burn_s, length)
    row("ours: engine render + poll + download", data["burn_seconds"], length)
    print("\n3. Soft subtitles (mov_text, no re-encode)")
    row("bare ffmpeg -c copy -c:s mov_text", bare_soft_s, length)
    row("ours: engine mux + poll + download", data["soft_seconds"], length)
    print("\nWhole job: `nemo subtitle` (upload, ASR, Whisper English draft, files, preview, both MP4s)")
    row("nemo subtitle --soft", total_s, length, f"{sum(data['cues'].values())} cues")
    print(f"\nWork files: {work}")


if __name__ == "__main__":
    main()
