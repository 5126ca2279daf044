#!/usr/bin/env python3
"""Long videos (issue 25, item 5): our recognition and burn-in beside the plain pipeline
(faster-whisper's WhisperModel.transcribe, same model and beam, its own VAD; a bare
`ffmpeg -vf subtitles=` burn with the same encoder settings and ASS), on one input of real
Chinese speech (tests/data, cycled with pauses) under a testsrc2 picture, in one run (each
step plain then ours, back to back); then recognition killed at 60% and run again.

Each step runs in its own process, which reports its own peak memory (ru_maxrss), so the
figure is that step's alone. Drift: every recording's first cue start against the speech
onset (by energy), in the first and the last tenth of the input.

Usage: .venv/bin/python bench/long_video.py [--minutes 10] [--size 1920x1080] [--keep DIR]
(--minutes 60 is supported; it takes about two hours on a 2-core machine.)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import speech_video as sv  # noqa: E402

CYCLE = [sv.YASUI, sv.AISHELL, sv.PADDLE, sv.FUNASR, sv.AISHELL_2, sv.HELLO_ZH]

STEP = r'''
import json, resource, sys, time
sys.path.insert(0, {src!r})
from pathlib import Path
step, video, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
t0 = time.perf_counter()
if step == "ours_asr":
    from nemo_skill.media import asr, cues
    asr.load_model(); t0 = time.perf_counter()
    result = asr.transcribe(video)
    items = cues.layout(result.words, result.language)
    data = {{"cues": [[c.start, c.end, c.text] for c in items]}}
elif step == "plain_asr":
    from nemo_skill.media import asr
    model, _ = asr.load_model(); t0 = time.perf_counter()
    segments, _ = model.transcribe(str(video), language="zh", beam_size=5, vad_filter=True)
    data = {{"cues": [[s.start, s.end, s.text] for s in segments]}}
elif step == "ours_burn":
    from nemo_skill.media import compose, ffmpeg
    draft = json.loads(Path(sys.argv[4]).read_text())
    plan = compose.build(draft, lambda s: video, out, out.parent)
    ffmpeg.run(plan.args, duration=plan.duration)
    data = {{}}
else:
    raise SystemExit("unknown step " + step)
data["seconds"] = time.perf_counter() - t0
data["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(data, ensure_ascii=False))
'''


def build_input(work: Path, minutes: float, size: str) -> tuple[Path, list[tuple[str, float]]]:
    parts, t = [], 1.0
    while True:
        for name in CYCLE:
            if t + sv.LENGTHS[name] > minutes * 60 - 1.5:
                return sv.build(work / f"talk{minutes:g}.mp4", parts, minutes * 60, size=size, crf=32), parts
            parts.append((name, round(t, 3)))
            t += sv.LENGTHS[name] + 1.6


def step(name: str, video: Path, out: Path, *extra: str) -> dict:
    code = STEP.format(src=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, "-c", code, name, str(video), str(out), *extra],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def plain_burn(video: Path, ass: Path, out: Path, size: str) -> float:
    from nemo_skill.media.encode import ENCODE, burn_filter
    w, h = size.split("x")
    t0 = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(video), "-vf",
                    f"scale={w}:{h},{burn_filter(ass)}", *ENCODE, str(out)], check=True)
    return time.perf_counter() - t0


def drift(cues: list, parts: list, length: float) -> dict:
    """Cue start minus speech onset, for recordings in the first and the last tenth."""
    onset = {name: sv.speech_onset(name) for name in set(n for n, _ in parts)}
    out = {}
    for label, lo, hi in (("first tenth", 0, length / 10), ("last tenth", length * 0.9, length)):
        errors = []
        for name, at in parts:
            if lo <= at < hi:
                starts = [c[0] for c in cues if at - 0.5 <= c[0] < at + sv.LENGTHS[name]]
                if starts:
                    errors.append(round(min(starts) - (at + onset[name]), 2))
        out[label] = errors
    return out


def resume_run(video: Path, work: Path, full_seconds: float) -> tuple[float, float]:
    """Kill a recognition at 60% of a full run's time, run it again; (killed at, rerun seconds)."""
    code = STEP.format(src=str(ROOT / "src"))
    env = dict(os.environ, NEMO_STATE_DIR=str(work / "resume-state"))
    proc = subprocess.Popen([sys.executable, "-c", code, "ours_asr", str(video), str(work / "x")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.6 * full_seconds)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    again = subprocess.run([sys.executable, "-c", code, "ours_asr", str(video), str(work / "x")], env=env,
                           capture_output=True, text=True, check=True)
    return 0.6 * full_seconds, json.loads(again.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nemo-bench-long-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["NEMO_STATE_DIR"] = str(work / "state")
    video, parts = build_input(work, args.minutes, args.size)
    length = args.minutes * 60
    print(f"Input: {args.minutes:g} min {args.size}, {len(parts)} recordings; {os.cpu_count()} cores", flush=True)
    plain = step("plain_asr", video, work / "p")
    ours = step("ours_asr", video, work / "o")
    print(f"recognition  plain {plain['seconds']:7.1f} s (RTF {plain['seconds'] / length:.3f}, "
          f"{plain['peak_mb']:.0f} MB)   ours {ours['seconds']:7.1f} s (RTF {ours['seconds'] / length:.3f}, "
          f"{ours['peak_mb']:.0f} MB)   ratio {ours['seconds'] / plain['seconds']:.2f}", flush=True)
    print(f"cues: plain {len(plain['cues'])}, ours {len(ours['cues'])}; drift (cue start - onset, s): "
          f"ours {drift(ours['cues'], parts, length)}, plain {drift(plain['cues'], parts, length)}", flush=True)
    from nemo_skill.media import subfiles
    from nemo_skill.media.cues import Cue
    ass = subfiles.new_ass(*map(int, args.size.split("x")))
    subfiles.add_subtitles(ass, [subfiles.SubTrack("zh", [Cue(*c) for c in ours["cues"]], {}, "asr")],
                           *map(int, args.size.split("x")))
    ass.save(str(work / "subs.ass"))
    w, h = map(int, args.size.split("x"))
    draft = {"m": {"width": w, "height": h},
             "t": [{"id": "v", "tt": 0, "sg": [{"st": 0, "d": int(length * 1000), "src": "talk"}]},
                   {"id": "sub_zh", "tt": 7, "m": {"kind": "subtitle", "lang": "zh"},
                    "sg": [{"id": f"s{i}", "st": int(c[0] * 1000), "d": max(1, int((c[1] - c[0]) * 1000)),
                            "txt": c[2]} for i, c in enumerate(ours["cues"])]}]}
    (work / "draft.json").write_text(json.dumps(draft, ensure_ascii=False))
    bare = plain_burn(video, work / "subs.ass", work / "plain.mp4", args.size)
    burn = step("ours_burn", video, work / "ours.mp4", str(work / "draft.json"))
    print(f"burn-in      plain {bare:7.1f} s   ours {burn['seconds']:7.1f} s ({burn['peak_mb']:.0f} MB)   "
          f"ratio {burn['seconds'] / bare:.2f}", flush=True)
    killed, rerun = resume_run(video, work, ours["seconds"])
    print(f"resume       killed at {killed:.0f} s (60% of a full run), the same command again took {rerun:.1f} s "
          f"(a fresh run {ours['seconds']:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
