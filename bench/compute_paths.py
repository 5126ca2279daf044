#!/usr/bin/env python3
"""The model tests on every compute path this CPU offers, and the spread of each figure.

Recognition and synthesis are not bit-identical across CPUs: CTranslate2 (Whisper) picks
its kernels by instruction set, ONNX Runtime (the VAD) by graph optimisation and CPU,
LiteRT (the neural voice) by delegate, and the thread count follows the cores. A bound
set a little above one machine's figure fails on the next (issue 21). This runs the tests
marked `model` once per path, each figure logged by tests/figures.py, and prints per
figure its bound, the value on each path, the worst, and the room left; a bound should
sit above the worst with room.

Paths: the default; CT2_FORCE_CPU_ISA at each level below the CPU's best (AVX2, AVX,
GENERIC on x86); ONNX Runtime with basic optimisation and LiteRT without XNNPACK
(tests/compute_paths/sitecustomize.py); one core (taskset), where taskset exists.

Usage: .venv/bin/python bench/compute_paths.py [--paths default,AVX2,...] [--tests FILE ...]
       [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The files whose figures are bounds (test_subtitle_cli's model checks are phrases, not figures).
FIGURE_TESTS = ["tests/test_asr.py", "tests/test_asr_joins.py", "tests/test_narration.py",
                "tests/test_voice_model.py", "tests/test_subtitle_script.py", "tests/test_main_job.py",
                "tests/test_asr_quiet.py"]
LOWER_BOUNDED = ("heard_share",)     # figures bounded from below (tests/figures.at_least)


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:       # not Linux: only the default path is known to exist
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def available_paths() -> dict[str, dict[str, str]]:
    """Name -> the environment that selects it, for the paths this machine can run."""
    flags = cpu_flags()
    paths: dict[str, dict[str, str]] = {"default": {}}
    for isa, needs in (("AVX2", "avx2"), ("AVX", "avx"), ("GENERIC", "sse2")):
        if needs in flags:
            paths[f"ct2-{isa}"] = {"CT2_FORCE_CPU_ISA": isa}
    paths["ort-basic+litert-ref"] = {"NEMO_TEST_KERNELS": "reference"}
    if shutil.which("taskset"):
        paths["one-core"] = {"_TASKSET": "0"}
    return paths


def run_path(name: str, extra: dict[str, str], tests: list[str], log: Path) -> tuple[int, float]:
    env = dict(os.environ, NEMO_FIGURES_LOG=str(log))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tests" / "compute_paths"),
                                                       env.get("PYTHONPATH", "")]))
    cpu = extra.pop("_TASKSET", None) if "_TASKSET" in extra else None
    env.update(extra)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    if cpu is not None:
        cmd = ["taskset", "-c", cpu, *cmd]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    tail = lines[-1] if lines else "(no output)"
    print(f"{name:22s} exit {proc.returncode}  {took:6.0f} s  {tail}", file=sys.stderr)
    for line in lines:
        if line.startswith(("FAILED", "ERROR")):
            print(f"    {line[:300]}", file=sys.stderr)
    return proc.returncode, took


def table(entries: list[dict], order: list[str]) -> list[dict]:
    by_figure: dict[str, dict] = {}
    for e in entries:
        row = by_figure.setdefault(e["figure"], {"figure": e["figure"], "bound": e["bound"], "values": {}})
        row["values"].setdefault(e["path"], []).append(e["value"])
    rows = []
    for row in by_figure.values():
        vals = [v for vs in row["values"].values() for v in vs]
        lower_is_better = not row["figure"].endswith(LOWER_BOUNDED)
        pick = max if lower_is_better else min
        worst = pick(vals)
        room = (row["bound"] - worst) if lower_is_better else (worst - row["bound"])
        rows.append({**row, "min": min(vals), "max": max(vals), "worst": worst, "room": room,
                     "per_path": {p: pick(row["values"][p]) if p in row["values"] else None
                                  for p in order}})
    return sorted(rows, key=lambda r: r["figure"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", help="comma-separated path names (default: all this CPU offers)")
    ap.add_argument("--tests", nargs="*", default=FIGURE_TESTS, help="test files to run on each path")
    ap.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = ap.parse_args()
    paths = available_paths()
    if args.paths:
        wanted = args.paths.split(",")
        unknown = [p for p in wanted if p not in paths]
        if unknown:
            ap.error(f"unknown or unavailable paths {unknown}; this machine has {sorted(paths)}")
        paths = {p: paths[p] for p in wanted}
    entries: list[dict] = []
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra in paths.items():
            log = Path(tmp) / f"{name}.jsonl"
            code, _took = run_path(name, dict(extra), args.tests, log)
            if code:
                failed.append(name)
            if log.exists():
                entries += [dict(json.loads(line), path=name) for line in log.read_text().splitlines()]
    rows = table(entries, list(paths))
    width = max((len(r["figure"]) for r in rows), default=10)
    print(f"{'figure':{width}s}  {'bound':>6s}  " + "  ".join(f"{p[:12]:>12s}" for p in paths)
          + f"  {'worst':>6s}  {'room':>6s}")
    for r in rows:
        cells = "  ".join(f"{r['per_path'][p] if r['per_path'][p] is not None else float('nan'):12.3f}"
                          for p in paths)
        bound = "-" if r["bound"] is None else f"{r['bound']:.3f}"
        print(f"{r['figure']:{width}s}  {bound:>6s}  {cells}  {r['worst']:6.3f}  {r['room']:6.3f}")
    if args.json:
        args.json.write_text(json.dumps({"paths": paths, "rows": rows}, ensure_ascii=False, indent=1))
    if failed:
        print(f"failing paths: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
