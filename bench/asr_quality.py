#!/usr/bin/env python3
"""ASR quality on the tests/data recordings joined in the arrangements the tests use
(tight 0.15 s gaps, 1.5 s silences, a quiet music bed): CER per arrangement, the
reference sentences missing, and the ASR time. Prints one line each.

Usage: .venv/bin/python bench/asr_quality.py [--terms 压岁钱,停滞] [--keep DIR]
A glossary the speech never says must change nothing: --terms 原神,区块链,人工智能,比特币,抖音
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import speech_video as sv  # noqa: E402

from nemo_skill.media.asr import transcribe as asr  # noqa: E402
from nemo_skill.media.asr.text import bare, cer, to_simplified  # noqa: E402

ARRANGEMENTS = {   # the first three are tests/test_asr_joins.py's
    "tight 0.15 s + music": ([sv.YASUI, sv.AISHELL, sv.HELLO_ZH], 0.15, sv.MUSIC_BED),
    "tight 0.15 s + music 2": ([sv.AISHELL_2, sv.PADDLE, sv.AISHELL], 0.15, sv.MUSIC_BED),
    "pauses 1.5 s + music": ([sv.PADDLE, sv.HELLO_ZH, sv.YASUI], 1.5, sv.MUSIC_BED),
    "tight 0.15 s": ([sv.YASUI, sv.AISHELL, sv.HELLO_ZH], 0.15, None),
    "pauses 1.5 s": ([sv.HELLO_ZH, sv.FUNASR, sv.HELLO_ZH, sv.AISHELL], 1.5, None),
}


def missing(names: list[str], text: str) -> list[str]:
    """Reference sentences of which less than half the characters were heard, in order."""
    import difflib
    got = bare(to_simplified(text))
    out = []
    for name in names:
        ref = bare(sv.TRANSCRIPTS[name])
        hit = sum(b.size for b in difflib.SequenceMatcher(None, ref, got, autojunk=False).get_matching_blocks())
        if hit < len(ref) / 2:
            out.append(sv.TRANSCRIPTS[name])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terms", default="", help="glossary terms, comma-separated")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nemo-asr-quality-"))
    work.mkdir(parents=True, exist_ok=True)
    terms = [t for t in args.terms.split(",") if t]
    extra = {"terms": terms} if terms else {}
    asr.load_model()
    for label, (names, gap, bed) in ARRANGEMENTS.items():
        path, _ = sv.joined(work / (label.replace(" ", "_").replace("+", "") + ".m4a"), names, gap, bed=bed)
        reference = "".join(sv.TRANSCRIPTS[n] for n in names)
        t0 = time.perf_counter()
        result = asr.transcribe(path, **extra)
        took = time.perf_counter() - t0
        lost = missing(names, result.text)
        print(f"{label:<24} CER {cer(reference, result.text):.3f}  ASR {took:5.1f} s  "
              f"missing {len(lost)}  | {result.text}")


if __name__ == "__main__":
    main()
