"""A save from the review page (issue 26): one typed request, checked whole, applied whole.

Refused (400, nothing changes): a time that is not a finite number inside the video, a cue
that does not start before it ends, cues that overlap once edited, a text with a control or
bidi-override character, a language the project has not got, a page older than the project
(409). Line length and reading speed are the creator's call: they come back as findings.
After the draft, every file is written again (SRT, VTT, ASS, BCC per language, bilingual),
as `nemo subs files` writes them, and the renders made before are named out of date.
"""

from __future__ import annotations

import glob
import math
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..media.render import compose
from ..media.subtitles import formats as subfiles, speaker_cues
from ..media.subtitles.cues import Cue
from ..timeline import Draft, to_ms
from ..timeline_edit import normalize
from .errors import EngineError
from .review_data import follows, forbidden_character, segment_cue, track_segments
from .subtitle_tools import save_cues, subtitle_track

MAX_CUES = 20000
MAX_TEXT = 500
TIME_SLACK = 0.0005     # s: times are kept to the millisecond
STEM = re.compile(r"[^\x00-\x1f\x7f/\\]{1,120}")


class CueEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: float
    end: float
    texts: dict[str, str] = Field(default_factory=dict)
    origin: int | None = Field(default=None, ge=1, le=MAX_CUES,
                               description="the cue this row was loaded as (1-based); none for a new one")


class SaveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    revision: int = Field(ge=0)
    cues: list[CueEdit] = Field(max_length=MAX_CUES)


def _refuse(message: str) -> EngineError:
    return EngineError(4000, message + "; nothing was changed", 400)


def clean_text(text: str, where: str) -> str:
    """A cue's text, or a refusal naming the cue: lines joined by \\n, no other control or
    bidi character (they would reorder or hide what the viewer reads)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_TEXT:
        raise _refuse(f"{where}: the text has {len(text)} characters, over {MAX_TEXT}")
    ch = forbidden_character(text)
    if ch is not None:
        raise _refuse(f"{where}: the text holds the invisible character U+{ord(ch):04X}")
    return "\n".join(line.strip() for line in text.split("\n")).strip("\n")


def check(request: SaveRequest, languages: list[str], editable: list[str], duration: float) -> list[dict]:
    """The edit as rows {start, end, texts, origin}, every rule checked before anything changes."""
    rows: list[dict] = []
    for n, cue in enumerate(request.cues, 1):
        where = f"cue {n}"
        for name, value in (("start", cue.start), ("end", cue.end)):
            if not math.isfinite(value) or value < 0 or value > duration + TIME_SLACK:
                raise _refuse(f"{where}: {name} {value!r} is not a time inside the video (0-{duration:.3f} s)")
        if to_ms(cue.end) <= to_ms(cue.start):
            raise _refuse(f"{where}: it must start before it ends ({cue.start:.3f} >= {cue.end:.3f} s)")
        unknown = [lang for lang in cue.texts if lang not in languages]
        if unknown:
            raise _refuse(f"{where}: the project has no {unknown[0][:10]!r} subtitles")
        fixed = [lang for lang in cue.texts if lang not in editable]
        if fixed:
            raise _refuse(f"{where}: the {fixed[0]} subtitles are split differently and are not edited here")
        texts = {lang: clean_text(text, where) for lang, text in cue.texts.items()}
        if rows and to_ms(cue.start) < to_ms(rows[-1]["end"]):
            raise _refuse(f"{where} starts at {cue.start:.3f} s, before cue {n - 1} ends at "
                          f"{rows[-1]['end']:.3f} s (cues may not overlap)")
        rows.append({"start": cue.start, "end": cue.end, "texts": texts, "origin": cue.origin})
    return rows


def apply(draft: dict, rows: list[dict], languages: list[str], editable: list[str]) -> None:
    """Write the rows into the draft's tracks: the first language always, each language that
    follows it cue for cue on the same times. A cue kept as it was keeps what the recogniser
    knew of it (per-character timing, confidence); an edited one is the creator's."""
    before = {lang: track_segments(draft, lang) for lang in editable}
    for lang in editable:
        old = before[lang]
        items, kept = [], []
        for row in rows:
            origin = row["origin"]
            seg = old[origin - 1] if origin and origin <= len(old) else None
            text = row["texts"].get(lang)
            if text is None:   # not sent: as it was (a new cue starts empty)
                text = segment_cue(seg).text if seg else ""
            items.append(Cue(round(row["start"], 3), round(row["end"], 3), text,   # its speaker, edited or not
                             **(speaker_cues.from_segment(seg) if seg else {})))
            same = seg is not None and segment_cue(seg).text == text and \
                to_ms(row["start"]) == int(seg.get("st", -1)) and to_ms(row["end"]) - to_ms(row["start"]) == int(seg.get("d", -1))
            kept.append(seg if same else None)
        source = str(((subtitle_track(draft, lang) or {}).get("m") or {}).get("source") or "review")
        track = save_cues(draft, lang, items, source)
        for seg, was in zip(track["sg"], kept, strict=True):
            if was is not None and was.get("m"):
                seg["m"] = dict(was["m"])
    normalize(draft)


def editable_languages(draft: dict, languages: list[str]) -> list[str]:
    if not languages:
        return []
    first = [segment_cue(s) for s in track_segments(draft, languages[0])]
    return [languages[0], *[lang for lang in languages[1:]
                            if follows(first, [segment_cue(s) for s in track_segments(draft, lang)])]]


# --- the files -------------------------------------------------------------------------------

RENDERS = ("bilibili.mp4", "soft.mp4", "preview.png")


def write_files(draft: dict, out_dir: Path, stem: str) -> dict:
    """Every subtitle file of the draft, as `nemo subs files` writes them; and the renders in
    ``out_dir`` that still show the old subtitles."""
    d = Draft(draft)
    tracks = subfiles.from_draft(d)
    width, height = compose.canvas(d)
    files = subfiles.write_all(tracks, out_dir, stem, width, height)
    stale = [str(out_dir / f"{stem}.{name}") for name in RENDERS if (out_dir / f"{stem}.{name}").is_file()]
    # a subtitle file of before that this edit no longer makes (a bilingual pair that no longer
    # pairs): named, never deleted
    written = {Path(p).resolve() for p in files.values()}
    stale += sorted(str(p) for suffix in ("srt", "vtt", "bcc", "ass") for p in out_dir.glob(f"{glob.escape(stem)}.*{suffix}")
                    if p.is_file() and p.resolve() not in written and p.suffix == f".{suffix}")
    return {"files": files, "out_of_date": stale}


def target_of(state: dict, default_dir: Path) -> tuple[Path, str]:
    """Where this project's files go: the folder and name `nemo review` gave (the ones
    `nemo subtitle` wrote to), else the engine's own folder for the project."""
    target = state.get("review_target") or {}
    folder, stem = target.get("out_dir"), target.get("stem")
    if isinstance(folder, str) and isinstance(stem, str) and Path(folder).is_dir() and STEM.fullmatch(stem):
        return Path(folder), stem
    return default_dir, "subtitles"
