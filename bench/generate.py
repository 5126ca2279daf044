#!/usr/bin/env python3
"""Video generation benchmark: a 30 s Chinese video from a script, in one run.

Prints our wall time for `nemo generate` (session, narration, draft, render,
download), the wall time of the single ffmpeg command the render runs (the
same command, run again bare on the same inputs), and real-time factors; then
the narration alone: seconds of synthesis per second of audio for the default
neural voice beside espeak-ng, on the same script in the same run (issue 14).

Usage: .venv/bin/python bench/generate.py [--aspect 16:9] [--keep DIR]
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

from nemo_skill.engine import daemon  # noqa: E402
from nemo_skill.engine.jobs import build_for  # noqa: E402
from nemo_skill.engine.service import Engine, EngineConfig  # noqa: E402
from nemo_skill.media import ffmpeg  # noqa: E402
from nemo_skill.media.voice import tts  # noqa: E402

SCRIPT = """茶之道
茶是中国人的国饮，已有几千年的历史。
相传神农尝百草，发现了茶的妙用。
唐代陆羽写下《茶经》，让饮茶成为一门学问。
泡一壶好茶，要讲究水、器和火候。
绿茶清新，红茶醇厚，乌龙茶香气悠长。
一杯清茶，也是一种生活的态度。"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aspect", action="append", choices=("16:9", "9:16", "1:1"),
                        help="the shapes to make (repeatable; default 16:9 and 9:16)")
    parser.add_argument("--keep", type=Path, help="keep the work files in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="nemo-bench-gen-"))
    for aspect in args.aspect or ["16:9", "9:16"]:
        one_video(aspect, root / aspect.replace(":", "x"))
    narration_speed(root)
    print(f"Work files: {root}")


def one_video(aspect: str, work: Path) -> None:
    """Our `nemo generate` beside the single ffmpeg command its render runs, for one shape."""
    work.mkdir(parents=True, exist_ok=True)
    state = work / "state"
    info = daemon.start(state, idle=0)
    env = {**os.environ, "NEMO_STATE_DIR": str(state), "NEMO_API_URL": info["url"], "NEMO_BACKEND": "local",
           "NEMO_POLL_INTERVAL": "0.2"}
    try:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "nemo_skill.cli.main", "generate", "--script", SCRIPT,
                               "--duration", "30", "--aspect", aspect, "--scenes", "drawn",
                               "--out", str(work / "ours.mp4"), "--json", "-q"], env=env, capture_output=True, text=True)
        ours = time.perf_counter() - t0
        if proc.returncode:
            raise SystemExit(f"nemo generate failed: {proc.stderr}")
        data = json.loads(proc.stdout)
        state_doc = json.loads(subprocess.run([sys.executable, "-m", "nemo_skill.cli.main", "state", "--json"],
                                              env=env, capture_output=True, text=True).stdout)
    finally:
        daemon.stop(state)
    draft = state_doc["state"]["state"]["draft"]
    engine = Engine(EngineConfig(state_dir=state))          # only to map the draft's files to paths
    session_id = engine.db.one("SELECT session_id FROM drafts ORDER BY created_at DESC LIMIT 1")["session_id"]
    plan = build_for(draft, lambda src: engine.resolve_src(src, session_id), work / "bare.mp4", work)
    t0 = time.perf_counter()
    ffmpeg.run(plan.args)
    bare = time.perf_counter() - t0
    length = ffmpeg.probe(work / "ours.mp4").duration
    print(f"A {length:.1f} s {aspect} video ({data['width']}x{data['height']}, {data['sentences']} sentences, "
          f"{data['voice']['id']} narration, generated scenes and music) on {os.cpu_count()} CPU cores")
    print(f"  {'nemo generate (all of it)':<40} {ours:7.2f} s   RTF {ours / length:5.3f}")
    print(f"  {'  of which the render + download':<40} {data['render_seconds']:7.2f} s   "
          f"RTF {data['render_seconds'] / length:5.3f}")
    print(f"  {'the single ffmpeg command, bare':<40} {bare:7.2f} s   RTF {bare / length:5.3f}")
    print(f"  render + download against the bare command: {data['render_seconds'] / bare:.2f}x (goal 1.15x); "
          f"all of it: {ours - bare:+.2f} s more (narration, planning, queue, download)")


def narration_speed(work: Path) -> None:
    """Synthesis time per second of audio, each voice over the same sentences (after one warm-up)."""
    sentences = [line for line in SCRIPT.splitlines()[1:] if line.strip()]
    print(f"Narration alone, {len(sentences)} sentences, one thread:")
    for voice_id in (tts.DEFAULT_VOICE, tts.FALLBACK_VOICE):
        voice = tts.parse_voice(voice_id)
        tts.synthesize(sentences[0], voice, work / "warm.wav")      # model load and rewrite check
        spent = audio = 0.0
        for i, text in enumerate(sentences):
            t0 = time.perf_counter()
            audio += tts.synthesize(text, voice, work / f"{voice.provider}_{i}.wav")
            spent += time.perf_counter() - t0
        print(f"  {voice_id:<40} {spent:6.2f} s for {audio:5.1f} s of speech   "
              f"{spent / audio:5.3f} s per second of audio")


if __name__ == "__main__":
    main()
