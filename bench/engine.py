#!/usr/bin/env python3
"""Benchmarks of the local engine, each beside the plain alternative, in one run.

  1. `nemo credits --json` on a warm engine vs a bare `python3 -c` with requests
  2. peak memory of `nemo upload` of a 400 MB file vs the file's size
     (and vs requests' own `files=` upload, which reads the file into memory)
  3. export of a 60 s 1080p draft (clip + title + music) vs the bare ffmpeg
     command for the same composition

Usage: .venv/bin/python bench/engine.py [--runs 20] [--keep DIR] [--only-credits]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nemo_skill.engine import daemon  # noqa: E402
from nemo_skill.media import ffmpeg  # noqa: E402
from nemo_skill.media.render import compose  # noqa: E402

PEAK = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)")


def nemo(env, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "nemo_skill.cli.main", *args], env=env,
                          capture_output=True, text=True)
    if check and proc.returncode:
        raise SystemExit(f"nemo {' '.join(args)} failed: {proc.stderr}")
    return proc


def timed_alternating(fns, runs):
    """Median and minimum seconds of each function, run in turn so drift hits both alike."""
    times = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t0)
    return [(statistics.median(t), min(t)) for t in times]


def peak_kb(cmd, env):
    out = subprocess.run([sys.executable, "-c", PEAK, *cmd], env=env, capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1])


def compiled_share() -> str:
    """How much of the package has bytecode on disk. setup.sh compiles it; without that, on a
    machine that never writes bytecode, every call compiles the package again (about 60 ms)."""
    sources = list((ROOT / "src" / "nemo_skill").rglob("*.py"))
    fresh = sum(1 for py in sources if (c := Path(importlib.util.cache_from_source(py))).is_file()
                and c.stat().st_mtime >= py.stat().st_mtime)
    return f"{fresh} of {len(sources)} modules compiled"


def _print(rows, url) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"machine: {os.cpu_count()} cores; engine {url}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20, help="repetitions for the timing of (1)")
    ap.add_argument("--keep", type=Path, help="keep the work files in this folder")
    ap.add_argument("--only-credits", action="store_true", help="run (1) only")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nemo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    state = work / "state"
    env = {**os.environ, "NEMO_STATE_DIR": str(state), "NEMO_POLL_INTERVAL": "0.5",
           "PYTHONPATH": str(ROOT / "src")}
    env.pop("NEMO_TOKEN", None)
    info = daemon.start(state, idle=0)
    url = info["url"]
    env["NEMO_API_URL"] = url
    try:
        nemo(env, "connect")  # warm: token and session exist
        token = json.loads((state / "credentials.json").read_text())[url]["token"]
        rows = []

        # 1. one small call, CLI vs bare requests
        bare = ["-c", "import requests,sys; r=requests.get(sys.argv[1]+'/api/credits/balance/simple', "
                "headers={'Authorization':'Bearer '+sys.argv[2]}); print(r.json()['data'])", url, token]
        (med_cli, min_cli), (med_bare, min_bare) = timed_alternating(
            [lambda: nemo(env, "credits", "--json"),
             lambda: subprocess.run([sys.executable, *bare], capture_output=True, check=True)], args.runs)
        rows.append(("credits: nemo credits --json", f"{med_cli * 1000:.0f} ms median ({min_cli * 1000:.0f} min)"))
        rows.append(("credits: bare python3 -c requests", f"{med_bare * 1000:.0f} ms median ({min_bare * 1000:.0f} min)"))
        rows.append(("credits: ratio", f"{med_cli / med_bare:.2f}x"))
        rows.append(("credits: package bytecode", compiled_share()))
        if args.only_credits:
            return _print(rows, url)

        # 2. upload memory, 400 MB
        big = work / "big.wav"
        if not big.exists():
            ffmpeg.run(["-f", "lavfi", "-i", "anoisesrc=r=48000:a=0.1", "-ac", "2", "-t", "2185",
                        "-c:a", "pcm_s16le", ffmpeg.fpath(big)])
        size_mb = big.stat().st_size / 1e6
        t0 = time.perf_counter()
        kb, rc = peak_kb([sys.executable, "-m", "nemo_skill.cli.main", "upload", str(big)], env)
        up_s = time.perf_counter() - t0
        sid = json.loads((state / "sessions.json").read_text())
        sid = next(iter(sid.values()))["session_id"]
        naive = ["-c", "import requests,sys; r=requests.post(sys.argv[1], files={'files': open(sys.argv[3],'rb')}, "
                 "headers={'Authorization':'Bearer '+sys.argv[2]}); print(r.status_code)",
                 f"{url}/api/upload-video/nemo_agent/me/{sid}", token, str(big)]
        t0 = time.perf_counter()
        kb_naive, _ = peak_kb([sys.executable, *naive], env)
        naive_s = time.perf_counter() - t0
        rows.append((f"upload {size_mb:.0f} MB: nemo upload peak RSS", f"{kb / 1024:.0f} MB ({up_s:.1f} s, exit {rc})"))
        rows.append((f"upload {size_mb:.0f} MB: requests files= peak RSS", f"{kb_naive / 1024:.0f} MB ({naive_s:.1f} s)"))

        # 3. export of 60 s at 1080p vs the bare ffmpeg command
        nemo(env, "connect", "--new")
        clip, music = work / "clip60.mp4", work / "music.mp3"
        if not clip.exists():
            ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=60", "-f", "lavfi", "-i",
                        "sine=f=330:d=60", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                        "-shortest", ffmpeg.fpath(clip)])
            ffmpeg.run(["-f", "lavfi", "-i", "sine=f=220:d=60", ffmpeg.fpath(music)])
        nemo(env, "upload", str(clip), str(music))
        nemo(env, "say", 'add a title "Benchmark 基准" and background music at 30%')
        out = work / "export.mp4"
        t0 = time.perf_counter()
        nemo(env, "export", "--out", str(out))
        ours = time.perf_counter() - t0
        state_doc = json.loads(nemo(env, "state", "--json").stdout)["state"]
        draft = state_doc["state"]["draft"]
        local = {Path(f["cdn_url"]).parts[3]: f for f in state_doc["state"]["video_infos"]}
        by_name = {"clip60.mp4": clip, "music.mp3": music}

        def resolve(src):
            return by_name[local[src.split("/")[3]]["filename"]]

        plan = compose.build(draft, resolve, work / "bare.mp4", work)
        cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *plan.args]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        bare_s = time.perf_counter() - t0
        rows.append(("export 60 s 1080p: nemo export (queue, render, poll, download)", f"{ours:.1f} s, RTF {ours / 60:.2f}"))
        rows.append(("export 60 s 1080p: bare ffmpeg, same composition", f"{bare_s:.1f} s, RTF {bare_s / 60:.2f}"))
        rows.append(("export overhead", f"{ours - bare_s:+.1f} s ({(ours / bare_s - 1) * 100:+.0f}%)"))

        _print(rows, url)
    finally:
        daemon.stop(state)


if __name__ == "__main__":
    main()
