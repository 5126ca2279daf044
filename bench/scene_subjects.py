#!/usr/bin/env python3
"""Render cost of composed scenes (issue 27): a 30 s 9:16 generated video's single ffmpeg command
with the scenes as they are now (setting coloured to the mood, one or two floating subjects,
data cards, no centred label) beside the same draft with the subjects, cards and mood taken out
and the centred labels back (the scenes before issue 27), on the same narration and music,
alternating, so load from other work on the machine falls on both.

Usage: .venv/bin/python bench/scene_subjects.py [--rounds 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
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

SCRIPT = """手机销量创新高
今年第一季度，国内手机销量增长了百分之十二。
新款手机的电池续航明显提升，充电也更快了。
很多年轻人用手机拍照、剪视频、看直播。
工程师正在实验室里测试新的芯片和电脑。
专家认为，人工智能会让手机变得更聪明。
明年，折叠屏手机的价格可能会继续下降。"""


def _draft(work: Path) -> tuple[dict, Engine, str]:
    state = work / "state"
    info = daemon.start(state, idle=0)
    env = {**os.environ, "NEMO_STATE_DIR": str(state), "NEMO_API_URL": info["url"], "NEMO_BACKEND": "local",
           "NEMO_POLL_INTERVAL": "0.2"}
    try:
        proc = subprocess.run([sys.executable, "-m", "nemo_skill.cli.main", "generate", "--script", SCRIPT,
                               "--duration", "30", "--aspect", "9:16", "--scenes", "drawn", "--voice", "espeak:cmn+f3",
                               "--out", str(work / "ours.mp4"), "--json", "-q"], env=env, capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"nemo generate failed: {proc.stdout}{proc.stderr}")
        doc = json.loads(subprocess.run([sys.executable, "-m", "nemo_skill.cli.main", "state", "--json"],
                                        env=env, capture_output=True, text=True).stdout)
    finally:
        daemon.stop(state)
    engine = Engine(EngineConfig(state_dir=state))
    session_id = engine.db.one("SELECT session_id FROM drafts ORDER BY created_at DESC LIMIT 1")["session_id"]
    return doc["state"]["state"]["draft"], engine, session_id


def _as_before(draft: dict) -> dict:
    """The same draft drawn as before issue 27: the motif alone, the style's colours, the label."""
    old = copy.deepcopy(draft)
    for track in old["t"]:
        for seg in track.get("sg", []):
            meta = seg.get("m") or {}
            for key in ("subjects", "figure", "mood"):
                meta.pop(key, None)
    old["m"]["generator"]["labels"] = True
    return old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the work files in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nemo-bench-scenes-"))
    work.mkdir(parents=True, exist_ok=True)
    draft, engine, session_id = _draft(work)
    plans = {}
    for name, d in (("composed scenes (now)", draft), ("motif + label (before)", _as_before(draft))):
        folder = work / name.split()[0]
        folder.mkdir(exist_ok=True)
        plans[name] = build_for(d, lambda src: engine.resolve_src(src, session_id), folder / "out.mp4", folder)
    times: dict[str, list[float]] = {name: [] for name in plans}
    for _ in range(args.rounds):
        for name, plan in plans.items():
            t0 = time.perf_counter()
            ffmpeg.run(plan.args)
            times[name].append(time.perf_counter() - t0)
    length = ffmpeg.probe(work / "composed" / "out.mp4").duration
    print(f"A {length:.1f} s 9:16 generated video, its single ffmpeg command, {args.rounds} rounds alternating, "
          f"{os.cpu_count()} CPU cores:")
    for name, spent in times.items():
        print(f"  {name:<26} best {min(spent):6.2f} s  mean {sum(spent) / len(spent):6.2f} s   "
              f"RTF {min(spent) / length:5.3f}")
    print(f"Work files: {work}")


if __name__ == "__main__":
    main()
