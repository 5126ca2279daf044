#!/usr/bin/env python3
"""Recognition quality on bench/long_video.py's 10-minute talk (issue 25, item 5): the talk is
known recordings cycled with pauses, so each recording's words (those starting within its
time) are scored against its transcript. Prints the CER of the whole text, the mean and worst
CER per recording, the recordings with no words, and the mean first-word start error against
the speech onset. Meant to be run on two trees (PYTHONPATH=OTHER/src) to compare decode paths
on long input, which the tests (clips of under 20 s of speech) do not reach.

Measured (10 min, 90 recordings): before windows were read with timestamps (commit 5a53107):
CER whole 0.099, per recording mean 0.147, hello_zh mean 0.433; first-word start error mean
0.10 s, max 0.46 s; 85-89 s CPU. After (5d862f7): CER whole 0.099, per recording mean 0.172,
hello_zh mean 0.617 (2.3 s, 你好世界, read inside a long window), funasr 0.109 -> 0.063, the others
within 0.01; start error mean 0.09 s, max 0.46 s; 67-70 s CPU. Retrying the unsure regions one
by one (as before) instead of packed gives the same figures to the third decimal: the loss on
hello_zh comes with the timestamps.
Retries once a chunk (after its windows) instead of once a window: thin, unsure and second
opinions all packed together, CER whole 0.106 (hello_zh 0.733: a short unsure 你好 packed beside
longer regions came back a surer 您好 and replaced the right one); each kind packed only with its
own, CER whole 0.096, per recording mean 0.154, hello_zh 0.500, aishell 0724 0.183 (was 0.172),
the others unchanged; thin and unsure together, second opinions apart: 0.100.

Usage: .venv/bin/python bench/long_cer.py [--minutes 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

import long_video  # noqa: E402
import speech_video as sv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nemo-long-cer-"))
    work.mkdir(parents=True, exist_ok=True)
    video, parts = long_video.build_input(work, args.minutes, "audio")
    from nemo_skill.media.asr import transcribe as asr
    from nemo_skill.media.asr.text import cer
    t0, c0 = time.perf_counter(), time.process_time()
    result = asr.transcribe(video, resume=False)
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    scores, empty, starts = [], 0, []
    for name, at in parts:
        mine = [w for w in result.words if at - 0.3 <= w.start < at + sv.LENGTHS[name] + 0.3]
        empty += not mine
        scores.append(cer(sv.TRANSCRIPTS[name], "".join(w.text for w in mine)))
        if mine:
            starts.append(abs(mine[0].start - (at + sv.speech_onset(name))))
    by_name: dict[str, list[float]] = {}
    for (name, _), score in zip(parts, scores, strict=True):
        by_name.setdefault(name, []).append(score)
    for name, values in sorted(by_name.items()):
        print(f"  {name:32s} CER mean {statistics.mean(values):.3f}, worst {max(values):.3f} "
              f"({len(values)} times)")
    whole = cer("".join(sv.TRANSCRIPTS[n] for n, _ in parts), result.text)
    print(f"{asr.__file__}\nCER whole {whole:.3f}; per recording mean {statistics.mean(scores):.3f}, "
          f"worst {max(scores):.3f}; {empty} of {len(parts)} recordings without words; first-word start "
          f"error mean {statistics.mean(starts):.2f} s, max {max(starts):.2f} s; {took:.0f} s wall, {cpu:.0f} s CPU")


if __name__ == "__main__":
    main()
