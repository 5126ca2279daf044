#!/usr/bin/env python3
"""Number readings on the corpus (tests/data/zh_numbers_corpus.tsv), per class: the rules
before issue 24 (commit c7f69b0, read from git), WeTextProcessing's runtime ``wetext`` (when
installed: pip install wetext==0.1.8) and ours, on the same sentences, alternating.

Usage: .venv/bin/python bench/numbers_corpus.py [--show]   (--show: print every miss)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import zh_corpus  # noqa: E402

from nemo_skill.media.voice import zh_numbers  # noqa: E402

BEFORE = "c7f69b0"


def _before():
    try:
        code = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE}:src/nemo_skill/media/voice/zh_numbers.py"],
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("zh_numbers_before")
    exec(compile(code, "zh_numbers_before.py", "exec"), module.__dict__)  # noqa: S102 - our own history
    return module.normalize


def _wetext():
    try:
        from wetext import Normalizer
    except ImportError:
        return None
    return Normalizer(lang="zh", operator="tn").normalize


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print every sentence a reader gets wrong")
    args = ap.parse_args()
    readers = {"before": _before(), "wetext": _wetext(), "ours": zh_numbers.normalize}
    readers = {k: v for k, v in readers.items() if v is not None}
    rows = zh_corpus.load()
    passed: dict[str, dict[str, int]] = {k: defaultdict(int) for k in readers}
    crashed: dict[str, int] = defaultdict(int)
    spent: dict[str, float] = defaultdict(float)
    totals: dict[str, int] = defaultdict(int)
    for kind, text, accepted in rows:
        totals[kind] += 1
        for name, read in readers.items():      # alternating: load from others hits every reader alike
            t = time.perf_counter()
            try:
                got = read(text)
            except Exception as exc:  # noqa: BLE001 - a crash is a miss, counted apart
                got = f"<{type(exc).__name__}>"
                crashed[name] += 1
            spent[name] += time.perf_counter() - t
            if zh_corpus.same(got, accepted):
                passed[name][kind] += 1
            elif args.show:
                print(f"{name:7} {kind:12} {text}  =>  {got}   (want {accepted[0]})")
    names = list(readers)
    print(f"{'class':12} {'n':>4} " + " ".join(f"{n:>8}" for n in names))
    for kind in totals:
        print(f"{kind:12} {totals[kind]:>4} " + " ".join(f"{passed[n][kind]:>8}" for n in names))
    n = len(rows)
    print(f"{'all':12} {n:>4} " + " ".join(f"{sum(passed[k].values()):>8}" for k in names))
    for name in names:
        ok = sum(passed[name].values())
        print(f"{name}: {ok}/{n} = {ok / n:.1%} as a listener expects, {crashed[name]} crashed, "
              f"{spent[name] / n * 1000:.2f} ms a sentence")
    return 0


if __name__ == "__main__":
    sys.exit(main())
