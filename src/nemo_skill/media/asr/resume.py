"""Recognition that survives a kill (issue 25, item 5), and this machine's measured speed.

After each decode window the words so far are written beside the state dir,
under a name made of the input's SHA-256 and the settings (model, language,
task, glossary): running the same command again after a crash, a closed
laptop or `nemo engine stop` decodes the audio again (cheap) but skips every
window already recognised. A different file, or the same file changed by one
byte, never reuses anything. The file is removed when recognition finishes.

The speed of the last recognitions (seconds of work per second of audio) is
kept too, so a long job can say how long it will take before it starts.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ... import config
from ..files import sha256_of
from .words import Unheard, Word

VERSION = 3                 # 2: a chunk is kept whole once revised (words, alternatives, done)
                            # 3: and the stretches heard but not read (unheard)
SPEED_FILE = "speed.json"
DEFAULT_RTF = 0.75          # measured on the 2-core reference machine (issue 25: 9.5 min in 420 s)


def work_dir() -> Path:
    return config.media().state_root / "asr"




class Checkpoint:
    """The windows already recognised for one input and one set of settings."""

    def __init__(self, media: Path, settings: dict):
        key = hashlib.sha256(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
        self.sha = sha256_of(media)
        self.path = work_dir() / f"{self.sha[:32]}-{key}.json"
        self.state = self._load()

    def _load(self) -> dict:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"version": VERSION, "chunks": {}}
        if not isinstance(state, dict) or state.get("version") != VERSION or state.get("sha256") != self.sha:
            return {"version": VERSION, "chunks": {}}
        return state

    def resumed_seconds(self) -> float:
        """How much audio the kept windows cover (0 for a fresh start)."""
        return float(sum(c.get("seconds", 0.0) for c in self.state["chunks"].values()))

    def chunk(self, offset: float, samples: int) -> dict:
        """The record of the chunk at ``offset`` (a new one if it is not the same chunk)."""
        key = f"{offset:.3f}"
        rec = self.state["chunks"].get(key)
        if not isinstance(rec, dict) or rec.get("samples") != samples:
            rec = {"samples": samples, "windows": 0, "seconds": 0.0, "words": [], "done": False}
            self.state["chunks"][key] = rec
        return rec

    def save(self, rec: dict, windows: int, seconds: float, placed: list, regions: list,
             language: tuple[str, float], *, alternatives: list[Word] | None = None,
             unheard: list[Unheard] | None = None) -> None:
        """After a window: the chunk's words so far, each with the index of its region. With
        ``alternatives``, after the whole chunk: its final words and their other versions."""
        index = {id(r): i for i, r in enumerate(regions)}
        rec.update(windows=windows, seconds=round(seconds, 3),
                   words=[[w.text, w.start, w.end, w.probability, index.get(id(r), -1)] for w, r in placed])
        if alternatives is not None:
            rec.update(done=True, alternatives=[[w.text, w.start, w.end, w.probability] for w in alternatives],
                       unheard=[[u.start, u.end, u.heard] for u in unheard or ()])
        self.state.update(sha256=self.sha, language=list(language))
        self._write()

    def words(self, rec: dict, regions: list) -> list[tuple[Word, object]]:
        return [(Word(t, s, e, p), regions[i] if 0 <= i < len(regions) else None)
                for t, s, e, p, i in rec.get("words") or []]

    def alternatives(self, rec: dict) -> list[Word]:
        return [Word(t, s, e, p) for t, s, e, p in rec.get("alternatives") or []]

    def unheard(self, rec: dict) -> list[Unheard]:
        return [Unheard(s, e, h) for s, e, h in rec.get("unheard") or []]

    def language(self) -> tuple[str, float] | None:
        lang = self.state.get("language")
        return (str(lang[0]), float(lang[1])) if isinstance(lang, list) and len(lang) == 2 else None

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


def measured_rtf() -> float:
    """Seconds of recognition per second of audio on this machine (the last runs), or a default."""
    try:
        rtf = float(json.loads((work_dir() / SPEED_FILE).read_text(encoding="utf-8"))["rtf"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_RTF
    return rtf if 0.01 <= rtf <= 20 else DEFAULT_RTF


def record_speed(audio_seconds: float, work_seconds: float) -> None:
    """Fold one run into the measured speed (runs under a minute say little and are skipped)."""
    if audio_seconds < 60 or work_seconds <= 0:
        return
    rtf = 0.5 * measured_rtf() + 0.5 * work_seconds / audio_seconds
    work_dir().mkdir(parents=True, exist_ok=True)
    (work_dir() / SPEED_FILE).write_text(json.dumps({"rtf": round(rtf, 4)}), encoding="utf-8")
