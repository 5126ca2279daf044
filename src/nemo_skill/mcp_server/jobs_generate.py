"""The video-generation skill's jobs as tools: generate a video, the script handoff and its
submit. They run `nemo generate` / `nemo script ...`'s own functions."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .. import config, generate_job
from ..errors import InputError, NeedsUser
from ..generate_request import GenerateRequest
from .table import job, obj, path_arg, poll_interval, registry_params, text_arg

# The generate_video tool's own options, with their bounds, as the engine declares them.
_ENGINE = ("script", "prompt", "title", "aspect", "duration", "voice", "music", "style", "subtitle_style")
VIDEO_OUT = {"path": {"type": "string", "description": "the MP4 written"}, "covers": {"type": "array"},
             "seconds": {"type": "number"}, "width": {"type": ["integer", "null"]},
             "height": {"type": ["integer", "null"]},
             "sentences": {"type": "integer"}, "voice": {"type": "object", "description": "the voice and its "
                                                         "licence terms (commercial or not)"}}
SCRIPT_OUT = {"pending": {"type": "object", "description": "what the script should be: prompt, length, form"}}
_WRITE_NEXT = ("write the narration script as `pending.instructions` says (first line a short title, then one "
               "sentence a line, in Chinese), then call submit_script with `script` set to it")


def _generate_params() -> dict:
    engine = registry_params("generate_video")["properties"]
    return obj({**{k: engine[k] for k in _ENGINE if k in engine},
                "out": path_arg("where to save the MP4 (default ./video.mp4 in the server's folder)"),
                "images": {"type": "array", "maxItems": 100, "items": path_arg("an image or clip"),
                           "description": "your pictures and clips for the scenes, in order (default: drawn)"},
                "music_file": path_arg("background music (mp3, wav, m4a, aac; default a generated bed)")})


def _script_handoff(run, client) -> dict:
    return {"ok": False, "needs": "script", "pending": generate_job.pending(client), "next": _WRITE_NEXT}


@job("generate_video", "Make a short narrated Chinese video (1080p, 16:9, 9:16 or 1:1) from a `script` (the "
     "narration, used as written: first line a title, one sentence a line) or a `prompt` (what it is about): a "
     "voice per sentence, subtitles timed to it, drawn scenes or your `images`, music ducked under the voice. "
     "Renders and saves the MP4 (`path`). Takes about 1-2 minutes for 30 s of video (progress reported; "
     "cancellable). With only a prompt and no LLM configured, the script waits for you: ok=false, "
     "needs='script'; write it and call submit_script. Costs 1 credit plus 1 a started 10 s of video (free on "
     "the local engine). The default voice is the first installed offline voice a creator may publish with "
     "(see `voice` for its licence); afterwards pending_scenes / submit_scenes change what each scene shows.",
     _generate_params(), returns={**VIDEO_OUT, **SCRIPT_OUT}, long=True, title="Generate a video")
def generate_video(run, args: dict) -> dict:
    if not (args.get("script") or "").strip() and not (args.get("prompt") or "").strip():
        raise InputError("give `script` (the narration) or `prompt` (what the video is about)",
                         hint="e.g. prompt: 一分钟介绍春节习俗")
    req = GenerateRequest.build(
        script=args.get("script") or None, prompt=args.get("prompt"), aspect=args.get("aspect", "16:9"),
        duration=args.get("duration"), voice=args.get("voice"),
        title=args.get("title"),
        no_music=args.get("music") is False, style=args.get("style"),
        subtitle_style=args.get("subtitle_style") or generate_job.DEFAULT_SUBTITLE_STYLE,
        music=Path(args["music_file"]).expanduser() if args.get("music_file") else None,
        images=[Path(p).expanduser() for p in args.get("images") or []])
    with run.client("generate") as client:
        try:
            data = generate_job.run(client, req, Path(args.get("out") or "video.mp4").expanduser(),
                                    settings=config.current(), poll_interval=poll_interval(), progress=run.progress)
        except NeedsUser:
            return _script_handoff(run, client)
    return {"ok": True, **data}


@job("pending_script", "What the script of a prompt-only video should be (after generate_video answered "
     "needs='script'): the prompt, the length, the form. Write it, then call submit_script. Free, instant.",
     obj({}), returns=SCRIPT_OUT, title="Script to write")
def pending_script(run, args: dict) -> dict:
    with run.client("script") as client:
        return {"ok": True, "pending": generate_job.pending(client), "next": _WRITE_NEXT}


def _submit_params() -> dict:
    engine = registry_params("generate_video")["properties"]
    return obj({"script": text_arg("the narration: first line a short title, then one sentence a line",
                                   engine["script"]["maxLength"]),
                "aspect": engine["aspect"], "voice": engine["voice"],
                "out": path_arg("where to save the MP4 (default ./video.mp4 in the server's folder)")}, ("script",))


@job("submit_script", "Make the video that waits for its script (see pending_script) from the `script` you wrote, "
     "and save the MP4, as generate_video does. Costs 1 credit plus 1 a started 10 s of video.",
     _submit_params(), returns=VIDEO_OUT, long=True, title="Submit the script")
def submit_script(run, args: dict) -> dict:
    with run.client("script") as client, tempfile.TemporaryDirectory(prefix="nemo-mcp-") as work:
        path = Path(work) / "script.txt"
        path.write_text(args["script"], encoding="utf-8")
        data = generate_job.submit(client, path, Path(args.get("out") or "video.mp4").expanduser(),
                                   aspect=args.get("aspect"), voice=args.get("voice"),
                                   poll_interval=poll_interval(), progress=run.progress)
    return {"ok": True, **data}
