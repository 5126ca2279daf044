#!/usr/bin/env python3
"""Speaker changes and labels on two-speaker joins of real recordings (issue 25, item 6).

Usage: .venv/bin/python bench/speakers.py [--pauses 0,0.3,0.8] [--quick]

Each conversation (tests/conversation.py) alternates two people's recordings A B A B, with
a pause between turns or back to back. Whisper hears it once; then the plain layout
(``cues.layout``) and ours (``speaker_cues``: turns from ``speakers.turns``, cues turn by
turn) are laid out from the same words. Printed per conversation and in total:
- changes: precision and recall within +-0.5 s of the true change;
- labels: the share of cues labelled with their true speaker (best mapping of labels);
- straddling: cues that hold words of both speakers (plain layout vs ours);
- single recordings: how many speakers each is given, and its cue count plain vs ours.
The speaker part is numpy only and deterministic; the words come from Whisper, so run it on
each CPU path (CT2_FORCE_CPU_ISA=AVX2, AVX512) to see the spread.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import conversation as cv  # noqa: E402

from nemo_skill.media.asr import speakers, transcribe as asr  # noqa: E402
from nemo_skill.media.subtitles import cues, speaker_cues  # noqa: E402


def straddling(items: list, turns: list[tuple[float, float, int]]) -> int:
    """Cues that reach into two true turns by more than 0.15 s each."""
    count = 0
    for c in items:
        inside = [min(c.end, t[1]) - max(c.start, t[0]) for t in turns]
        count += sum(x > 0.15 for x in inside) > 1
    return count


def one(wav: Path, conv: cv.Conversation | None, count: int | None, heard=None) -> dict:
    heard = heard or asr.transcribe(wav, resume=False)
    rules = cues.rules_for(heard.language)
    plain = cues.layout([w for w in heard.words], heard.language, rules)
    started = time.perf_counter()
    turns = speaker_cues.detect(wav, heard.words, source_start=0.0, timeline_start=0.0, count=count)
    seconds = time.perf_counter() - started
    ours = speaker_cues.layout(heard.words, turns, heard.language, rules)
    out = {"speakers": len({t.speaker for t in turns}), "plain_cues": len(plain), "cues": len(ours),
           "seconds": seconds, "changes": speakers.changes(turns)}
    if conv is not None:
        out["right"], out["caught"] = cv.change_scores(out["changes"], conv.changes)
        out["truth"] = len(conv.changes)
        out["labels"] = cv.label_share([(c.start, c.end, c.speaker) for c in ours], conv.turns)
        out["straddle_plain"], out["straddle_ours"] = straddling(plain, conv.turns), straddling(ours, conv.turns)
    return out


def conversations(pauses: list[float], counts: list[int | None], work: Path) -> None:
    totals = {c: dict(right=0, found=0, caught=0, truth=0, ok=0.0, cues=0, sp=0, so=0) for c in counts}
    for pause in pauses:
        for first, second in cv.PAIRS:
            conv = cv.build(first, second, pause)
            wav = cv.write_wav(conv, work / f"conv_{pause}_{first[:8]}_{second[:8]}.wav")
            heard = asr.transcribe(wav, resume=False)       # once: both counts lay out the same words
            for count in counts:
                r = one(wav, conv, count, heard)
                t = totals[count]
                t["right"] += r["right"]
                t["found"] += len(r["changes"])
                t["caught"] += r["caught"]
                t["truth"] += r["truth"]
                t["ok"] += r["labels"] * r["cues"]
                t["cues"] += r["cues"]
                t["sp"] += r["straddle_plain"]
                t["so"] += r["straddle_ours"]
                print(f"pause {pause:.1f} {first[:14]:14} / {second[:14]:14} speakers={count or 'auto':4} "
                      f"found {r['speakers']}  changes P {r['right']}/{len(r['changes'])} R {r['caught']}/"
                      f"{r['truth']}  labels {r['labels']:.0%} of {r['cues']} cues  straddling plain "
                      f"{r['straddle_plain']} ours {r['straddle_ours']}  ({r['seconds']:.2f} s)", flush=True)
    for count, t in totals.items():
        print(f"TOTAL speakers={count or 'auto'}: change precision {t['right']}/{t['found']} = "
              f"{t['right'] / max(1, t['found']):.0%}, recall {t['caught']}/{t['truth']} = "
              f"{t['caught'] / max(1, t['truth']):.0%}; cues with the right label {t['ok'] / max(1, t['cues']):.0%} "
              f"of {t['cues']}; cues straddling a change: plain layout {t['sp']}, ours {t['so']}")


def singles(work: Path) -> None:
    for name in cv.SINGLE:
        wav = cv.write_wav(cv.load(name), work / f"single_{name}.wav")
        r = one(wav, None, None)
        print(f"single {name:34} speakers found {r['speakers']}  cues plain {r['plain_cues']} ours {r['cues']}"
              f"  changes {r['changes']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pauses", default="0,0.3,0.8", help="seconds between turns (0: back to back)")
    parser.add_argument("--quick", action="store_true", help="--speakers auto only")
    args = parser.parse_args()
    pauses = [float(x) for x in args.pauses.split(",")]
    counts: list[int | None] = [None] if args.quick else [None, 2]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        singles(work)
        conversations(pauses, counts, work)


if __name__ == "__main__":
    main()
