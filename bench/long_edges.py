#!/usr/bin/env python3
"""Drift and peak memory over an hour, in a fraction of an hour's recognition (issue 25, item 5):
the first and the last ``--edge-minutes`` of bench/long_video.py's 10-minute input, with silence
between them up to ``--minutes``. Our recognition runs over the whole input (every chunk is read,
levelled and searched; only the edges hold speech), then each recording's first cue start is set
against its speech onset (by energy) at both ends, and the step's peak memory is printed.

A whole dense hour (the 10-minute input six times over, 540 recordings), measured once on 2 cores
under a load of 12-25: 1389 s (565 s CPU, CPU RTF 0.157), peak 725 MB, over the 700 MB asked
(571 MB by 16%, 679 MB by 32%, 714 MB by 64%: the resident size grows about 90 MB over the hour);
cue start - onset median 0.05 s in the first tenth (46/55 within 0.3 s), 0.07 s in the last
(44/53); the late ones are one recording, 0.48 s at the start and 0.50 s at the end.
Again after the speech-band level was computed a minute at a time (media/asr/level.band_db held
154 MB of temporaries per 10-minute chunk, now 20 MB), the same dense hour under a load of 5-9:
639 s (518 s CPU), peak 616 MB; cue start - onset -0.01..0.04 s at both ends but for the same
one recording, 0.46 s in the first tenth and 0.46 s in the last: no drift.

Usage: .venv/bin/python bench/long_edges.py [--minutes 60] [--edge-minutes 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import long_video as lv  # noqa: E402
import speech_video as sv  # noqa: E402  (long_video puts tests/ on the path)


def build(work: Path, minutes: float, edge: float) -> tuple[Path, list[tuple[str, float]]]:
    source, parts10 = lv.build_input(work, 10, "audio")
    length, tail_at = minutes * 60, minutes * 60 - edge * 60
    out = work / f"edges{minutes:g}-{edge:g}.wav"
    graph = (f"[0:a]aresample=16000,pan=mono|c0=0.5*c0+0.5*c1,asplit[x][y];"
             f"[x]atrim=0:{edge * 60},asetpts=N/SR/TB[a];[y]atrim={600 - edge * 60}:600,asetpts=N/SR/TB[b];"
             f"[a][1:a][b]concat=n=3:v=0:a=1[o]")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-f", "lavfi", "-i",
                    f"anullsrc=r=16000:cl=mono:d={length - 2 * edge * 60}", "-filter_complex", graph,
                    "-map", "[o]", "-ar", "16000", "-ac", "1", str(out)], check=True)
    parts = [(n, a) for n, a in parts10 if a + sv.LENGTHS[n] <= edge * 60]
    parts += [(n, a - (600 - edge * 60) + tail_at) for n, a in parts10 if a >= 600 - edge * 60]
    return out, parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--edge-minutes", type=float, default=2.0)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    if not (0 < args.edge_minutes <= 5 and args.minutes >= 4 * args.edge_minutes and args.minutes <= 180):
        parser.error("--edge-minutes must be 0-5 and --minutes between 4 edges and 180")
    work = args.keep or Path(tempfile.mkdtemp(prefix="nemo-bench-edges-"))
    work.mkdir(parents=True, exist_ok=True)
    video, parts = build(work, args.minutes, args.edge_minutes)
    ours = lv.step("ours_asr", video, work / "o", env={"NEMO_STATE_DIR": str(work / "state")})
    length = args.minutes * 60
    found = lv.drift(ours["cues"], parts, length)
    print(f"{args.minutes:g} min, speech in the first and last {args.edge_minutes:g} min ({len(parts)} recordings): "
          f"ours {ours['seconds']:.1f} s ({ours['cpu_seconds']:.0f} s CPU), peak {ours['peak_mb']:.0f} MB")
    for label, errors in found.items():
        near = sum(abs(e) <= 0.3 for e in errors)
        print(f"  {label}: cue start - onset median {statistics.median(errors) if errors else float('nan'):.2f} s, "
              f"{near}/{len(errors)} within 0.3 s: {json.dumps(errors)}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
