"""The storyboard handoff (issue 27): the calling agent sees what each generated scene shows
(`nemo scenes pending`) and changes it (`nemo scenes submit FILE`), then the video is rendered
again. The rules' choice is always rendered first, so nothing waits for the agent."""

from __future__ import annotations

import json
from pathlib import Path

from . import workflows
from .client import NemoClient
from .errors import InputError
from .generate_job import scene_list
from .media.scenes import subjects

MAX_FILE = 1_000_000     # bytes: a storyboard of 500 sentences is far below this


def _generated(client: NemoClient):
    draft = client.draft()
    if not draft.meta.get("generator"):
        raise InputError("there is no generated video in this session",
                         hint='make one first: `nemo generate --script FILE --out video.mp4`')
    return draft


def pending(client: NemoClient) -> dict:
    draft = _generated(client)
    vocab = [sub.shows() for sub in subjects.vocabulary().values()]
    return {"sentences": scene_list(draft), "vocabulary": vocab,
            "instructions": ("Each sentence shows one or two pictures (`shows`). To change them, write a JSON file "
                             '{"scenes": [{"sentence": 1, "shows": ["panda", "🎋"]}, ...]} naming entries of '
                             "`vocabulary` (the emoji, or its English or Chinese name), and run "
                             "`nemo scenes submit FILE --out video.mp4`.")}


def read_storyboard(path: Path) -> list[dict]:
    """The agent's file, checked: each entry a sentence number and one or two subjects the
    library draws. Raises InputError naming every entry it cannot use."""
    try:
        if path.stat().st_size > MAX_FILE:
            raise InputError(f"{path.name} is larger than {MAX_FILE // 1000} KB", hint="give only the scenes to change")
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read the storyboard {path.name}: {type(exc).__name__}",
                         hint='give a JSON file: {"scenes": [{"sentence": 1, "shows": ["panda"]}]}') from None
    items = doc.get("scenes") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise InputError("the storyboard names no scenes", hint='write {"scenes": [{"sentence": 1, "shows": ["panda"]}]}')
    out, problems = [], []
    for item in items[:500]:
        n = item.get("sentence") if isinstance(item, dict) else None
        shows = item.get("shows") if isinstance(item, dict) else None
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 500 or not isinstance(shows, list) \
                or not 1 <= len(shows) <= 2:
            problems.append(f"entry {str(item)[:60]}: needs a sentence number and one or two shows")
            continue
        unknown = [str(s)[:40] for s in shows if subjects.parse_shows(s) is None]
        if unknown:
            problems.append(f"sentence {n}: no picture of {', '.join(unknown)}")
        out.append({"sentence": n, "shows": [str(s)[:40] for s in shows]})
    if problems:
        raise InputError("; ".join(problems[:10]), hint="pick names from `vocabulary` in `nemo scenes pending --json`")
    return out


def submit(client: NemoClient, path: Path, out: Path, *, poll_interval: float, progress=lambda _m: None) -> dict:
    scenes = read_storyboard(path)
    _generated(client)
    call = {"name": "set_scene_subjects", "args": {"scenes": scenes}}
    result = client.chat("show these subjects in the scenes: " + json.dumps(scenes, ensure_ascii=False), call=call)
    errors = result.errors()
    if errors:
        raise InputError(errors[0], hint="fix the storyboard and submit it again")
    draft = client.draft()
    progress("Rendering...")
    res = workflows.export(client, out, interval=poll_interval, draft=draft,
                           on_status=lambda s: progress(f"Rendering: {s.status} {s.progress:.0f}%"))
    return {"path": res.path, "seconds": draft.duration / 1000, "render_seconds": round(res.seconds, 2),
            "changed": sorted(s["sentence"] for s in scenes), "scenes": scene_list(draft)}
