"""The last steps as tools: what each generated scene shows (the storyboard handoff and its
submit) and the Bilibili upload folder (the upload-text handoff and its submit). They run
what `nemo scenes ...` and `nemo publish ...` run (scenes_job, publish_flow)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from .. import config, publish_flow, publish_meta, scenes_job
from .jobs_generate import VIDEO_OUT
from .table import job, obj, path_arg, poll_interval, text_arg

_PUBLISH_OUT = {"out_dir": {"type": "string"}, "files": {"type": "object", "description": "label -> path written"},
                "meta": {"type": "object"}, "cover": {"type": "object"},
                "video_check": {"type": "object", "description": "the MP4 against Bilibili's upload rules"},
                "pending": {"type": "object", "description": "the transcript, the limits and the answer's shape"}}
_WRITE_PUBLISH = ("write the title, tags, description and chapters from `pending.cues` within `pending.limits`, "
                  "then call submit_publish with them")
_VIDEO = path_arg("the video whose project to use (after a batch of several); default the current project")


@job("publish_folder", "Write the folder a creator uploads to Bilibili for the current project: the MP4 with the "
     "subtitles burned in (checked against the upload rules), BCC and SRT per language, cover.jpg (16:10, "
     "the title inside the centre 4:3), chapters.txt and meta.json. The title, tags, description and chapters "
     "are written by the engine's LLM when one is configured; otherwise ok=false, needs='publish_metadata' "
     "with the transcript and the limits: write them and call submit_publish. Costs one render (1 credit plus "
     "1 a started 10 s of video; free on the local engine).",
     obj({"out_dir": path_arg("the upload folder to write"), "video": _VIDEO}, ("out_dir",)),
     returns=_PUBLISH_OUT, long=True, title="Bilibili upload folder")
def publish_folder(run, args: dict) -> dict:
    video = Path(args["video"]).expanduser() if args.get("video") else None
    with run.client("publish") as client:
        outcome, doc = publish_flow.ask(client, Path(args["out_dir"]).expanduser().resolve(),
                                        config.current().backend, video=video,
                                        poll_interval=poll_interval(), progress=run.progress)
    if outcome == "done":
        return {"ok": True, **doc}
    return {"ok": False, "needs": "publish_metadata", "pending": doc, "next": _WRITE_PUBLISH}


_CHAPTER = obj({"start": {"type": "number", "minimum": 0, "maximum": 86400, "description": "seconds"},
                "title": text_arg("the chapter's title", publish_meta.MAX_CHAPTER_TITLE)}, ("start", "title"))


@job("submit_publish", "Write the upload folder publish_folder named, with the upload text you wrote from its "
     "transcript. Every limit is checked first (a title over 80 characters, more than 10 tags, chapters "
     "under 5 s apart or not starting at 0 ...): a refusal names the field and the limit and writes nothing. "
     "Costs one render: 1 credit plus 1 a started 10 s of video (free on the local engine).",
     obj({"title": text_arg("the video's title", publish_meta.MAX_TITLE),
          "tags": {"type": "array", "minItems": 1, "maxItems": publish_meta.MAX_TAGS,
                   "items": text_arg("a tag", publish_meta.MAX_TAG)},
          "description": text_arg("the description", publish_meta.MAX_DESCRIPTION),
          "chapters": {"type": "array", "minItems": 1, "maxItems": publish_meta.MAX_CHAPTERS, "items": _CHAPTER},
          "out_dir": path_arg("write here instead of the folder publish_folder named"), "video": _VIDEO},
         ("title", "tags", "description", "chapters")),
     returns=_PUBLISH_OUT, long=True, title="Submit the upload text")
def submit_publish(run, args: dict) -> dict:
    doc = {k: args[k] for k in publish_meta.FIELDS}
    with run.client("publish") as client:
        data = publish_flow.submit(client, doc, out_dir=Path(args["out_dir"]) if args.get("out_dir") else None,
                                   video=Path(args["video"]).expanduser() if args.get("video") else None,
                                   poll_interval=poll_interval(), progress=run.progress)
    return {"ok": True, **data}


_SCENES_OUT = {"pending": {"type": "object", "description": "each sentence with what it shows, and the vocabulary"},
               "changed": {"type": "array"}, "scenes": {"type": "array"}}


@job("pending_scenes", "What each scene of the generated video shows now (`sentences[]` with `shows`, chosen by "
     "rules, an LLM or you) and the picture library's `vocabulary`. Use it to art-direct: pick better subjects, "
     "then call submit_scenes. Free, instant.", obj({}), returns=_SCENES_OUT, title="Storyboard")
def pending_scenes(run, args: dict) -> dict:
    with run.client("scenes") as client:
        return {"ok": True, "pending": scenes_job.pending(client),
                "next": "call submit_scenes with the sentences whose subjects should change"}


@job("submit_scenes", "Show other subjects in some scenes of the generated video and render it again: `scenes` "
     "lists {sentence (1-based), shows (names from pending_scenes' vocabulary, English or Chinese)}; checked "
     "against the library, all or nothing. Costs 1 credit plus 1 a started 10 s of video.",
     obj({"scenes": {"type": "array", "minItems": 1, "maxItems": 200,
                     "items": obj({"sentence": {"type": "integer", "minimum": 1, "maximum": 200},
                                   "shows": {"type": "array", "minItems": 1, "maxItems": 2,
                                             "items": text_arg("a subject's name", 40)}}, ("sentence", "shows"))},
          "out": path_arg("where to save the MP4 (default ./video.mp4 in the server's folder)")}, ("scenes",)),
     returns={**VIDEO_OUT, **_SCENES_OUT}, long=True, title="Submit the storyboard")
def submit_scenes(run, args: dict) -> dict:
    with run.client("scenes") as client, tempfile.TemporaryDirectory(prefix="nemo-mcp-") as work:
        path = Path(work) / "scenes.json"
        path.write_text(json.dumps({"scenes": args["scenes"]}, ensure_ascii=False), encoding="utf-8")
        data = scenes_job.submit(client, path, Path(args.get("out") or "video.mp4").expanduser(),
                                 poll_interval=poll_interval(), progress=run.progress)
    return {"ok": True, **data}
