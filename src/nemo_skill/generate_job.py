"""The video-generation skill's main job, over the API: a script (or a
prompt) in, a narrated, subtitled 1080p MP4 out.

The request is a GenerateRequest (generate_request.py), checked once where it
comes in (script length, voice name, music and image files), so a bad request
fails in a second with the next step, before anything is uploaded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import stock_scenes, workflows
from .bundle import manifest
from .client import NemoClient
from .config import Settings
from .errors import InputError, NeedsUser
from .generate_request import (  # noqa: F401 - the choices the CLI offers
    DEFAULT_SUBTITLE_STYLE,
    SCENE_SOURCES,
    SUBTITLE_STYLES,
    GenerateRequest,
)
from .media import ffmpeg
from .media.render import cover
from .media.render.generate import ASPECTS  # noqa: F401 - the choices the CLI offers
from .media.scenes import library, script
from .media.scenes.motifs import DEFAULT_STYLE
from .media.voice import narration_plan, tts


def read_script(value: str) -> str:
    """--script is a file if such a file exists, else the text itself."""
    path = Path(value).expanduser()
    if len(value) < 4096 and "\n" not in value and path.is_file():
        try:
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the script file {path.name}: {exc}",
                             hint="give a UTF-8 text file") from None
    return value


def to_call(req: GenerateRequest, scene_files: list[str | None] | None = None) -> dict:
    """The request as the generate_video tool call the local engine runs as it is; ``scene_files``:
    per sentence, the stored upload it shows (what the job found, not part of the request)."""
    args: dict = {"aspect": req.aspect, "voice": req.voice.id}
    if req.script is not None:
        args["script"] = req.script.strip()
    else:
        args["prompt"] = (req.prompt or "").strip()
    if req.duration:
        args["duration"] = float(req.duration)
    if req.title:
        args["title"] = req.title
    if req.no_music:
        args["music"] = False
    if req.style:
        args["style"] = req.style
    if req.subtitle_style != DEFAULT_SUBTITLE_STYLE:
        args["subtitle_style"] = req.subtitle_style
    if scene_files is not None:
        args["scene_files"] = list(scene_files)
    if req.labels:
        args["labels"] = True
    return {"name": "generate_video", "args": args}


def from_call(call: dict) -> GenerateRequest:
    """The inverse of :func:`to_call` (files travel as uploads, not in the call)."""
    args = call["args"]
    return GenerateRequest.build(
        script=args.get("script"), prompt=args.get("prompt"), aspect=args.get("aspect", "16:9"),
        duration=args.get("duration"), voice=args.get("voice"), title=args.get("title"),
        no_music=args.get("music") is False, style=args.get("style"),
        subtitle_style=args.get("subtitle_style", DEFAULT_SUBTITLE_STYLE), labels=args.get("labels") is True)


def message(req: GenerateRequest) -> str:
    """The same request in words, for the cloud's agent."""
    head = "generate a"
    if req.duration:
        head += f" {req.duration:g}-second"
    head += f" {req.aspect} Chinese video, voice {req.voice.id}"
    if req.title:
        head += f', title "{req.title}"'
    if req.no_music:
        head += ", no music"
    if req.subtitle_style == "karaoke":
        head += ", karaoke subtitles (each character highlighted as it is spoken)"
    elif req.subtitle_style == "plain":
        head += ", plain subtitles (white with a black outline)"
    if req.script is not None:
        return f"{head}, from this script:\n{req.script.strip()}"
    return f"{head}, about: {req.prompt.strip()}"


def plan(req: GenerateRequest) -> dict:
    """What ``run`` would make, without an engine and without speaking or drawing: the options in
    force and every sentence with what the voice will say. A prompt alone has no script to plan:
    NeedsScript carries what the script should be (the same handoff as `nemo script pending`)."""
    options = {"aspect": req.aspect, "duration": req.duration, "voice": req.voice.id,
               "style": req.style or DEFAULT_STYLE, "subtitle_style": req.subtitle_style,
               "scenes": "your files" if req.images or req.media_dir else req.scenes,
               "music": req.music.name if req.music else (None if req.no_music else "generated bed"),
               "images": [p.name for p in req.images], "media_dir": str(req.media_dir) if req.media_dir else None}
    if req.script is None:
        raise NeedsScript(script.script_request((req.prompt or "").strip(), req.duration or 30.0), options)
    laid = narration_plan.build(req.script, title=req.title, duration=req.duration)
    return {"plan_only": True, **laid, "options": {**options, "title": laid["title"], "rate": laid["rate"]},
            "voice_terms": tts.terms(req.voice),
            "seconds_basis": "estimated from syllables and pauses at the offline voice's pace",
            "next": "check each sentence's spoken text; then run the same command without --plan-only"}


class NeedsScript(NeedsUser):
    """A plan, or a render with no LLM to write the script, needs the script first."""

    def __init__(self, request: dict, options: dict) -> None:
        super().__init__("a plan needs the script: a prompt alone is written into one only when the video is made",
                         hint="write the script as `script_request` says, then run `nemo generate --plan-only "
                              "--script FILE`; or run without --plan-only to let the configured LLM write it")
        self.request, self.options = request, options

    def to_json(self) -> dict:
        return {**super().to_json(), "needs": "script", "script_request": self.request, "options": self.options}


def run(client: NemoClient, req: GenerateRequest, out: Path, *, settings: Settings, poll_interval: float,
        progress: Callable[[str], None] = lambda _m: None) -> dict:
    """The video of ``req`` saved to ``out``; ``settings`` say which picture sources have a key."""
    client.session(new=True)
    found: dict = {}
    images, scene_files = list(req.images), None
    if req.media_dir is not None:
        images, unused, scene_files = _library_matches(req, progress)
        found["warnings"] = [f"{p.name}: matched no sentence, not used" for p in unused]
    elif not req.images and req.scenes != "drawn":
        found = stock_scenes.pictures_for(req, progress, settings)
        images, scene_files = found.get("files", []), found.get("scene_files")
    files = [p for p in [req.music, *images] if p is not None]
    if files:
        progress(f"Uploading {len(files)} file(s)...")
        answer = client.upload(files)
        if scene_files is not None:
            scene_files = _stored_names(scene_files, files, answer.get("files") or [])
    data = _generate(client, req, out, poll_interval, progress, scene_files)
    if found.get("credits") or found.get("warnings"):
        data.update(credits=found.get("credits", []), warnings=found.get("warnings", []))
    return data


def _stored_names(scene_files: list[str | None], files: list[Path], stored: list[dict]) -> list[str | None]:
    """Each sentence's file as the engine stored it: it makes names safe (``tea%20cup.jpg``,
    ``mountain?.png`` were stored under other names, and their scenes were silently drawn),
    so the client names a file by what the upload answered, never by its own name."""
    if len(stored) != len(files):
        raise InputError(f"the upload answered {len(stored)} file(s) for {len(files)} sent",
                         hint="run the command again; `nemo state` shows what the project holds")
    names = [str(f.get("filename") or "") for f in stored]
    # Two files stored under one name cannot be told apart by it: those are named by their id.
    local = {path.name: (f.get("id") if names.count(name) > 1 else name)
             for path, f, name in zip(files, stored, names, strict=True)}
    return [local.get(name) if name else None for name in scene_files]


def _library_matches(req: GenerateRequest, progress) -> tuple[list[Path], list[Path], list[str | None]]:
    """The library's files for the script's sentences: (the files to upload, those left unused,
    each sentence's file name or None for a drawn scene)."""
    kinds = manifest().upload_types
    entries = library.scan(req.media_dir, kinds["image"] + kinds["video"])
    _title, body = script.split_title(req.script)
    picked = library.match([s.text for s in script.split(body)], entries)
    names: dict[str, Path] = {}
    scene_files: list[str | None] = []
    for path in picked:
        if path is not None and path.name in names and names[path.name] != path:
            path = None        # two library files share a name: the upload could not tell them apart
        if path is not None:
            names[path.name] = path
        scene_files.append(path.name if path is not None else None)
    progress(f"Library: {sum(1 for n in scene_files if n)} of {len(picked)} sentences matched a file "
             f"in {req.media_dir}")
    for path in names.values():
        ffmpeg.probe(path)
    used = set(names.values())
    return list(names.values()), [e.path for e in entries if e.path not in used], scene_files


def _generate(client: NemoClient, req: GenerateRequest, out: Path, poll_interval: float, progress,
              scene_files: list[str | None] | None = None) -> dict:
    result = client.chat(message(req), call=to_call(req, scene_files))
    errors = result.errors()
    if errors:
        raise InputError(errors[0], hint="fix the request and run it again")
    reply = next((r["response"] for r in result.tool_results if r.get("name") == "generate_video"), {}) or {}
    if reply.get("missing_scene_files"):     # a matched picture the engine could not find: not ok
        raise InputError(f"the engine did not find {', '.join(map(str, reply['missing_scene_files'][:5]))} "
                         "among the uploads, so those scenes would be drawn",
                         hint="run the command again; `nemo state` lists the uploaded files")
    if reply.get("needs") == "script":
        client.store.note_session(client.store_key, client.skill, generate_out=str(out))
        raise NeedsUser("a script is needed and no LLM is configured to write it",
                        hint="write it: `nemo script pending --json` says what is needed; then "
                             "`nemo script submit FILE --out video.mp4`")
    draft = client.draft()
    if not (draft.meta.get("generator")):
        raise InputError("the backend did not make a video draft", hint=f"its answer was: {result.text[:200]}")
    progress("Rendering...")
    res = workflows.export(client, out, interval=poll_interval, draft=draft,
                           on_status=lambda s: progress(f"Rendering: {s.status} {s.progress:.0f}%"))
    covers = _covers(client, Path(res.path), draft, progress)
    narration = [s for t in draft.tracks if t.kind == "narration" for s in t.segments]
    # The voice the engine spoke with, as it said (the cloud says no terms: those of the voice asked for).
    voice = reply.get("voice") if isinstance(reply.get("voice"), dict) else tts.terms(req.voice)
    return {"path": res.path, "covers": [str(c) for c in covers], "seconds": draft.duration / 1000, "render_seconds": round(res.seconds, 2),
            "sentences": len(narration), "narration_end": max((s.end for s in narration), default=0) / 1000,
            "aspect": draft.meta.get("aspect"), "width": draft.meta.get("width"),
            "height": draft.meta.get("height"), "voice": voice, "scenes": scene_list(draft), "reply": result.text,
            "next": "to change what a scene shows: `nemo scenes pending --json`, then `nemo scenes submit FILE`"}


def _covers(client: NemoClient, video: Path, draft, progress) -> list[Path]:
    titles = [s for t in draft.tracks if t.kind == "title" for s in t.segments if s.text]
    if not titles:
        return []
    progress("Making the cover...")
    covers = cover.make(video, titles[0].text, draft.duration / 1000, titles[0].end / 1000)
    if len(covers) > 1:   # `nemo publish` puts the 16:10 one in the upload folder (issue 26)
        client.store.note_session(client.store_key, client.skill, cover=str(Path(covers[1]).resolve()))
    return covers


def scene_list(draft) -> list[dict]:
    """One entry a sentence (the title card is none): its text, time and what its scene shows."""
    texts = [s.get("text", "") for s in (draft.meta.get("generator") or {}).get("sentences", [])]
    scenes = [s for t in draft.tracks if t.kind == "scene" for s in t.segments]
    out = []
    for i, seg in enumerate(scenes):
        meta = seg.raw.get("m") or {}
        entry = {"sentence": i + 1, "text": texts[i] if i < len(texts) else "", "start": round(seg.start / 1000, 2),
                 "end": round(seg.end / 1000, 2), "shows": meta.get("shows") or [], "by": meta.get("by", "rules")}
        if seg.raw.get("src"):
            entry.update(shows=[], file=seg.raw.get("n") or "", by="file")
        if isinstance(meta.get("figure"), dict):
            entry["figure"] = meta["figure"]
        out.append(entry)
    return out


def pending(client: NemoClient) -> dict:
    doc = client.draft().meta.get("generator_pending")
    if not doc:
        raise InputError("no script is waiting to be written",
                         hint='start with `nemo generate --prompt "..."` or give --script')
    return doc


def submit(client: NemoClient, path: Path, out: Path | None, *, aspect: str | None, voice: str | None,
           poll_interval: float, progress=lambda _m: None) -> dict:
    """The video from the written script, with every option the pending request was made
    with (aspect, duration, voice, styles, title, music, where to save it); what is given here wins."""
    doc = pending(client)
    text = read_script(str(path))
    script.split(text)
    options = {**(doc.get("options") or {}), "duration": doc.get("duration")}
    options.update({k: v for k, v in (("aspect", aspect), ("voice", voice)) if v})
    req = from_call({"name": "generate_video", "args": {**options, "script": text}})
    noted = client.store.session(client.store_key, client.skill) or {}
    target = out or Path(noted.get("generate_out") or "video.mp4")
    return _generate(client, req, target, poll_interval, progress)
