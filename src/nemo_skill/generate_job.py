"""The video-generation skill's main job, over the API: a script (or a
prompt) in, a narrated, subtitled 1080p MP4 out.

Inputs are checked here first (script length, voice name, music and image
files), so a bad request fails in a second with the next step, before
anything is uploaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import choices, stock_scenes, workflows
from .bundle import manifest
from .client import NemoClient
from .errors import FileTypeError, InputError, NeedsUser
from .media import cover, ffmpeg, library, narration_plan, script, tts, voice_catalog
from .media.generate import ASPECTS
from .media.motifs import DEFAULT_STYLE, STYLES

SUBTITLE_STYLES = choices.SUBTITLE_STYLES
# Drawn scenes keep their subject low in the frame, where subtitles sit: a panel keeps them legible.
DEFAULT_SUBTITLE_STYLE = "box"
SCENE_SOURCES = ("auto", "drawn", "pexels", "pixabay", "ai")


@dataclass
class Request:
    script: str | None = None
    prompt: str | None = None
    aspect: str = "16:9"
    duration: float | None = None
    voice: str = field(default_factory=voice_catalog.default_voice)
    music: Path | None = None
    images: list[Path] = field(default_factory=list)
    title: str | None = None
    no_music: bool = False
    style: str | None = None    # the illustrations' look: ink (水墨), flat or gradient
    subtitle_style: str = "box"     # on a dark panel; plain: outlined; karaoke: each character lights up
    media_dir: Path | None = None   # the user's library, matched to the sentences by name and tags
    scenes: str = "auto"            # auto, drawn, pexels, pixabay or ai: where pictures come from
    scene_files: list[str | None] | None = None   # per sentence, the library file it shows (set by run)
    labels: bool = False            # each scene's key phrase large in the middle (the subtitle says it already)


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


def check(req: Request) -> None:
    if req.style is not None and req.style not in STYLES:
        raise InputError(f"style {req.style} is not known", hint=f"use one of {', '.join(STYLES)}")
    if req.scenes not in SCENE_SOURCES:
        raise InputError(f"--scenes {req.scenes} is not known", hint=f"use one of {', '.join(SCENE_SOURCES)}")
    if req.subtitle_style not in SUBTITLE_STYLES:
        raise InputError(f"subtitle style {req.subtitle_style} is not known",
                         hint=f"use {' or '.join(SUBTITLE_STYLES)}")
    if req.aspect not in ASPECTS:
        raise InputError(f"aspect {req.aspect} is not supported", hint="use 16:9, 9:16 or 1:1")
    if req.script is not None:
        script.split(req.script)
    elif not (req.prompt or "").strip():
        raise InputError("nothing to make a video from", hint="give --script TEXT|FILE or --prompt TEXT")
    if req.duration is not None and not 3 <= req.duration <= 600:
        raise InputError(f"--duration {req.duration:g} is out of range", hint="give 3 to 600 seconds")
    tts.parse_voice(req.voice)
    types = manifest().upload_types
    if req.music is not None:
        _check_file(req.music, types["audio"], "an audio file")
        info = ffmpeg.probe(req.music)
        if not info.has_audio or info.has_video:   # probe() does not count cover art as video
            raise FileTypeError(f"{req.music.name} is not an audio file", hint="give mp3, wav, m4a or aac music")
    for image in req.images:
        _check_file(image, types["image"] + types["video"], "an image or video")
        ffmpeg.probe(image)


def _check_file(path: Path, exts: tuple[str, ...], what: str) -> None:
    if not path.is_file():
        raise InputError(f"{path} does not exist", hint=f"give the path of {what}")
    if path.suffix.lower().lstrip(".") not in exts:
        raise FileTypeError(f"{path.name} is not {what}", hint="use one of: " + ", ".join(exts))


def to_call(req: Request) -> dict:
    """The request as the generate_video tool call the local engine runs as it is."""
    args: dict = {"aspect": req.aspect, "voice": req.voice}
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
    if req.scene_files is not None:
        args["scene_files"] = list(req.scene_files)
    if req.labels:
        args["labels"] = True
    return {"name": "generate_video", "args": args}


def from_call(call: dict) -> Request:
    """The inverse of :func:`to_call` (files travel as uploads, not in the call)."""
    args = call["args"]
    return Request(script=args.get("script"), prompt=args.get("prompt"), aspect=args.get("aspect", "16:9"),
                   duration=args.get("duration"), voice=args.get("voice") or voice_catalog.default_voice(),
                   title=args.get("title"), no_music=args.get("music") is False, style=args.get("style"),
                   subtitle_style=args.get("subtitle_style", DEFAULT_SUBTITLE_STYLE), scene_files=args.get("scene_files"),
                   labels=args.get("labels") is True)


def message(req: Request) -> str:
    """The same request in words, for the cloud's agent."""
    head = "generate a"
    if req.duration:
        head += f" {req.duration:g}-second"
    head += f" {req.aspect} Chinese video, voice {req.voice}"
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


def plan(req: Request) -> dict:
    """What ``run`` would make, without an engine and without speaking or drawing: the options in
    force and every sentence with what the voice will say. A prompt alone has no script to plan:
    NeedsScript carries what the script should be (the same handoff as `nemo script pending`)."""
    check(req)
    options = {"aspect": req.aspect, "duration": req.duration, "voice": req.voice,
               "style": req.style or DEFAULT_STYLE, "subtitle_style": req.subtitle_style,
               "scenes": "your files" if req.images or req.media_dir else req.scenes,
               "music": req.music.name if req.music else (None if req.no_music else "generated bed"),
               "images": [p.name for p in req.images], "media_dir": str(req.media_dir) if req.media_dir else None}
    if req.script is None:
        raise NeedsScript(script.script_request((req.prompt or "").strip(), req.duration or 30.0), options)
    laid = narration_plan.build(req.script, title=req.title, duration=req.duration)
    return {"plan_only": True, **laid, "options": {**options, "title": laid["title"], "rate": laid["rate"]},
            "voice_terms": tts.terms(tts.parse_voice(req.voice)),
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


def run(client: NemoClient, req: Request, out: Path, *, poll_interval: float,
        progress: Callable[[str], None] = lambda _m: None) -> dict:
    check(req)
    client.session(new=True)
    found: dict = {}
    if req.media_dir is not None:
        req.images, unused = _library_matches(req, progress)
        found["warnings"] = [f"{p.name}: matched no sentence, not used" for p in unused]
    elif not req.images and req.scenes != "drawn":
        found = stock_scenes.pictures_for(req, progress)
        req.images = found.get("files", [])
    files = [p for p in [req.music, *req.images] if p is not None]
    if files:
        progress(f"Uploading {len(files)} file(s)...")
        answer = client.upload(files)
        if req.scene_files is not None:
            _use_stored_names(req, files, answer.get("files") or [])
    data = _generate(client, req, out, poll_interval, progress)
    if found.get("credits") or found.get("warnings"):
        data.update(credits=found.get("credits", []), warnings=found.get("warnings", []))
    return data


def _use_stored_names(req: Request, files: list[Path], stored: list[dict]) -> None:
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
    req.scene_files = [local.get(name) if name else None for name in req.scene_files]


def _library_matches(req: Request, progress) -> tuple[list[Path], list[Path]]:
    """Pick the library's files for the script's sentences; returns the files to upload and
    those left unused, and sets ``req.scene_files`` to each sentence's file name (None: a
    drawn scene)."""
    if req.script is None:
        raise InputError("--media-dir needs the script", hint="give --script with --media-dir")
    if req.images:
        raise InputError("--media-dir and --image both choose the scenes", hint="give one of them")
    kinds = manifest().upload_types
    entries = library.scan(req.media_dir, kinds["image"] + kinds["video"])
    _title, body = script.split_title(req.script)
    picked = library.match([s.text for s in script.split(body)], entries)
    names: dict[str, Path] = {}
    req.scene_files = []
    for path in picked:
        if path is not None and path.name in names and names[path.name] != path:
            path = None        # two library files share a name: the upload could not tell them apart
        if path is not None:
            names[path.name] = path
        req.scene_files.append(path.name if path is not None else None)
    progress(f"Library: {sum(1 for n in req.scene_files if n)} of {len(picked)} sentences matched a file "
             f"in {req.media_dir}")
    for path in names.values():
        ffmpeg.probe(path)
    used = set(names.values())
    return list(names.values()), [e.path for e in entries if e.path not in used]


def _generate(client: NemoClient, req: Request, out: Path, poll_interval: float, progress) -> dict:
    result = client.chat(message(req), call=to_call(req))
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
    narration = [s for t in draft.tracks if t.kind == "narration" for s in t.segments]
    titles = [s for t in draft.tracks if t.kind == "title" for s in t.segments if s.text]
    progress("Making the cover...")
    covers = cover.make(Path(res.path), titles[0].text, draft.duration / 1000, titles[0].end / 1000) if titles else []
    if len(covers) > 1:   # `nemo publish` puts the 16:10 one in the upload folder (issue 26)
        client.store.note_session(client.store_key, client.skill, cover=str(Path(covers[1]).resolve()))
    return {"path": res.path, "covers": [str(c) for c in covers], "seconds": draft.duration / 1000, "render_seconds": round(res.seconds, 2),
            "sentences": len(narration), "narration_end": max((s.end for s in narration), default=0) / 1000,
            "aspect": draft.meta.get("aspect"), "width": draft.meta.get("width"),
            "height": draft.meta.get("height"),
            "voice": tts.terms(tts.parse_voice((draft.meta.get("generator") or {}).get("voice") or req.voice)),
            "scenes": scene_list(draft), "reply": result.text,
            "next": "to change what a scene shows: `nemo scenes pending --json`, then `nemo scenes submit FILE`"}


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
    options["voice"] = options.get("voice") or voice_catalog.default_voice()
    req = from_call({"name": "generate_video", "args": {**options, "script": text}})
    check(req)
    noted = client.store.session(client.store_key, client.skill) or {}
    target = out or Path(noted.get("generate_out") or "video.mp4")
    return _generate(client, req, target, poll_interval, progress)
