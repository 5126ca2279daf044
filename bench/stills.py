#!/usr/bin/env python3
"""A photo on the timeline: our render (the still scaled once, then repeated) beside the plain
ffmpeg way (`-loop 1` on the input, so every frame is decoded and scaled again), same input,
same output, in one run. Prints seconds, real-time factor and the PSNR between the two.

Usage: .venv/bin/python bench/stills.py [--seconds 8] [--size 4000x3000]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nemo_skill.media import ffmpeg  # noqa: E402
from nemo_skill.media.render import compose  # noqa: E402


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    ffmpeg.run(args)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=8.0, help="how long the photo shows")
    ap.add_argument("--size", default="4000x3000", help="the photo's pixels")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nemo-stills-"))
    photo = work / "photo.png"
    ffmpeg.run(["-f", "lavfi", "-i", f"testsrc2=s={args.size}", "-frames:v", "1", ffmpeg.fpath(photo)])
    ms = round(args.seconds * 1000)
    draft = {"t": [{"id": "v", "tt": 0, "sg": [{"st": 0, "d": ms, "src": "photo.png"}]}],
             "d": ms, "m": {"width": 1920, "height": 1080}}
    ours_out, plain_out = work / "ours.mp4", work / "plain.mp4"
    plan = compose.build(draft, lambda s: work / s, ours_out, work)
    # the plain way: the same command, but the photo looped at the input and scaled every frame
    plain = list(plan.args)
    at = plain.index(ffmpeg.fpath(photo))
    plain[at - 1:at + 1] = ["-loop", "1", "-framerate", "30", "-t", f"{args.seconds:.3f}", "-i", ffmpeg.fpath(photo)]
    graph = plain.index("-filter_complex") + 1
    plain[graph] = re.sub(r"format=yuv420p,loop=loop=-1:size=1,fps=30,trim=duration=[0-9.]+,", "fps=30,", plain[graph])
    plain[plain.index(ffmpeg.fpath(ours_out))] = ffmpeg.fpath(plain_out)
    ours, bare = timed(plan.args), timed(plain)
    psnr = subprocess.run(["ffmpeg", "-i", str(ours_out), "-i", str(plain_out), "-filter_complex", "psnr",
                           "-f", "null", "-"], capture_output=True, text=True).stderr
    average = re.search(r"average:(\S+)", psnr)
    print(f"photo {args.size}, {args.seconds:g} s at 1920x1080")
    print(f"ours (scaled once)      {ours:6.2f} s  RTF {ours / args.seconds:.2f}")
    print(f"plain (-loop 1 input)   {bare:6.2f} s  RTF {bare / args.seconds:.2f}")
    print(f"ours / plain            {ours / bare:.2f}x; PSNR between them {average.group(1) if average else '?'} dB")


if __name__ == "__main__":
    main()
