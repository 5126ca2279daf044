"""What a Bilibili upload needs besides the video (issue 26): title, tags, description and
chapters (分段章节), each checked against the upload form's limits; and the handoff
document that asks the calling agent to write them from the transcript.

The same checks run on the engine's LLM answer and on the agent's file: a value over a
limit is refused with the field and the limit named, and nothing is written.
"""

from __future__ import annotations

import math
import re
import unicodedata

from .errors import InputError
from .media.subtitles import formats as subfiles
from .timeline import Draft

MAX_TITLE = 80
MAX_TAGS = 10
MAX_TAG = 20
MAX_DESCRIPTION = 2000
MAX_CHAPTERS = 10
MAX_CHAPTER_TITLE = 16
MIN_CHAPTER_GAP = 5.0
FIELDS = ("title", "tags", "description", "chapters")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

LIMITS = {
    "title": f"1-{MAX_TITLE} characters, one line",
    "tags": f"1-{MAX_TAGS} tags, each 1-{MAX_TAG} characters, no duplicates",
    "description": f"at most {MAX_DESCRIPTION} characters",
    "chapters": f"1-{MAX_CHAPTERS} chapters {{start (seconds), title}}: the first at 0, each title 1-"
                f"{MAX_CHAPTER_TITLE} characters, starts at least {MIN_CHAPTER_GAP:g} s apart, inside the video",
}


def _refuse(field: str, problem: str) -> InputError:
    return InputError(f"{field}: {problem} (limit: {LIMITS[field.split('[')[0]]}); nothing was written",
                      hint="fix that field and run `nemo publish submit FILE` again")


def _text(value, field: str, limit: int, *, lines: bool = False, minimum: int = 1) -> str:
    if not isinstance(value, str):
        raise _refuse(field, f"must be text, not {type(value).__name__}")
    value = value.strip()
    if len(value) < minimum:
        raise _refuse(field, "is empty")
    if len(value) > limit:
        raise _refuse(field, f"has {len(value)} characters, over {limit}")
    for ch in value:
        if (ch == "\n" and not lines) or (ch not in "\n" and (unicodedata.category(ch) in ("Cc", "Cs")
                                                               or _BIDI.match(ch))):
            raise _refuse(field, f"holds the invisible or control character U+{ord(ch):04X}")
    return value


def _chapters(value, duration: float) -> list[dict]:
    if not isinstance(value, list) or not value:
        raise _refuse("chapters", "must be a list of {start, title}")
    if len(value) > MAX_CHAPTERS:
        raise _refuse("chapters", f"has {len(value)} chapters, over {MAX_CHAPTERS}")
    out: list[dict] = []
    for i, item in enumerate(value):
        where = f"chapters[{i}]"
        if not isinstance(item, dict) or set(item) - {"start", "title"}:
            raise _refuse(where, "must be {\"start\": seconds, \"title\": text}")
        start = item.get("start")
        if isinstance(start, bool) or not isinstance(start, (int, float)) or not math.isfinite(start):
            raise _refuse(where, "start must be a number of seconds")
        if i == 0 and start != 0:
            raise _refuse(where, f"the first chapter must start at 0, not {start:g}")
        if start < 0 or (duration and start >= duration):
            raise _refuse(where, f"starts at {start:g} s, outside the video (0-{duration:.1f} s)")
        if out and start - out[-1]["start"] < MIN_CHAPTER_GAP:
            raise _refuse(where, f"starts {start - out[-1]['start']:g} s after the one before, under "
                                 f"{MIN_CHAPTER_GAP:g} s")
        out.append({"start": round(float(start), 3), "title": _text(item.get("title"), f"{where}.title",
                                                                    MAX_CHAPTER_TITLE)})
    return out


def check(doc, duration: float) -> dict:
    """The agent's (or the LLM's) answer, every limit checked; the clean values, or InputError."""
    if not isinstance(doc, dict):
        raise InputError("the file must hold a JSON object {title, tags, description, chapters}; nothing was written",
                         hint="see `nemo publish --json`'s answer_shape")
    unknown = sorted(set(doc) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown field {unknown[0][:40]!r}; the fields are {', '.join(FIELDS)}; nothing was written",
                         hint="fix the file and run `nemo publish submit FILE` again")
    missing = [f for f in FIELDS if f not in doc]
    if missing:
        raise _refuse(missing[0], "is missing")
    tags = doc["tags"]
    if not isinstance(tags, list) or not tags:
        raise _refuse("tags", "must be a list of text")
    if len(tags) > MAX_TAGS:
        raise _refuse("tags", f"has {len(tags)} tags, over {MAX_TAGS}")
    clean_tags = [_text(t, f"tags[{i}]", MAX_TAG) for i, t in enumerate(tags)]
    if len(set(clean_tags)) != len(clean_tags):
        raise _refuse("tags", "has the same tag twice")
    return {"title": _text(doc["title"], "title", MAX_TITLE),
            "tags": clean_tags,
            "description": _text(doc["description"], "description", MAX_DESCRIPTION, lines=True, minimum=0),
            "chapters": _chapters(doc["chapters"], duration)}


def stamp(seconds: float) -> str:
    """A chapter's time as Bilibili writes it: m:ss, or h:mm:ss past an hour."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def chapters_text(chapters: list[dict]) -> str:
    return "".join(f"{stamp(c['start'])} {c['title']}\n" for c in chapters)


def transcript(draft: Draft) -> tuple[str | None, list[dict]]:
    """The first subtitle language and its cues, the material of the language work."""
    tracks = subfiles.from_draft(draft, as_written=True)
    if not tracks:
        return None, []
    return tracks[0].lang, [{"start": round(c.start, 3), "end": round(c.end, 3), "text": c.text.replace("\n", " ")}
                            for c in tracks[0].cues if c.text.strip()]


INSTRUCTIONS = ("Write the Bilibili upload text from the transcript, in the transcript's language: a title "
                "that says what the video is, tags a viewer would search for, a description (what it is about, "
                "then the main points), and chapters where the topic changes. Keep every limit. Save "
                "{\"title\": \"…\", \"tags\": [\"…\"], \"description\": \"…\", \"chapters\": [{\"start\": 0, "
                "\"title\": \"…\"}]} (start in seconds) and run `nemo publish submit FILE`.")


def handoff(draft: Draft, out_dir: str) -> dict:
    """The document `nemo publish` gives the calling agent when no LLM is configured."""
    lang, cues = transcript(draft)
    duration = round(draft.duration / 1000, 3)
    return {"task": "publish_metadata", "language": lang, "duration": duration, "out_dir": out_dir,
            "limits": dict(LIMITS), "instructions": INSTRUCTIONS,
            "answer_shape": {"title": "…", "tags": ["…"], "description": "…", "chapters": [{"start": 0, "title": "…"}]},
            "count": len(cues), "cues": [{"n": i, **c} for i, c in enumerate(cues, 1)]}
