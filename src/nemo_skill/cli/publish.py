"""`nemo publish`: the folder a creator uploads to Bilibili (issue 26).

The title, tags, description and chapters are language work: with an LLM configured the
engine writes them (`write_publish_info`); otherwise `nemo publish` exits 3 with the
transcript and the limits, the calling agent writes them into a file, and
`nemo publish submit FILE` checks every limit and writes the folder named when it was asked.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .. import publish_flow, publish_meta
from ..constants import EXIT_FINDINGS, EXIT_NEEDS_USER
from ..errors import InputError
from .context import make_client, settings
from .output import Output, seconds


def _done(data: dict, meta: dict, out: Output) -> int:
    check = data["video_check"]
    lines = [f"Ready to upload: {data['out_dir']}", *(f"  {label}: {Path(p).name}" for label, p in data["files"].items()),
             f"Title: {meta['title']}", f"Tags: {', '.join(meta['tags'])}",
             f"Chapters: {len(meta['chapters'])}",
             "MP4 check: meets Bilibili's upload rules" if check["clean"] else
             "MP4 check: " + "; ".join(f["message"] for f in check["findings"])]
    out.result("\n".join([*lines, f"Next: {data['next']}"]), data)
    return 0 if check["clean"] else EXIT_FINDINGS


def cmd_publish(args: argparse.Namespace, out: Output) -> int:
    if not args.out_dir:
        raise InputError("say where the upload folder goes: --out-dir DIR", hint="nemo publish --out-dir DIR")
    out_dir = Path(args.out_dir).expanduser().resolve()
    with make_client(args, out) as client:
        outcome, doc = publish_flow.ask(client, out_dir, settings().backend,
                                        video=Path(args.video).expanduser() if args.video else None,
                                        poll_interval=args.poll_interval or settings().poll_interval,
                                        progress=out.progress)
    if outcome == "done":
        return _done(doc, doc["meta"], out)
    if args.out:
        Path(args.out).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    doc["next"] = ("write the title, tags, description and chapters from the transcript into a JSON file "
                   "and run `nemo publish submit FILE`")
    lines = [f"The upload text for {out_dir} waits for your agent. Limits:",
             *(f"  {field}: {limit}" for field, limit in doc["limits"].items()), "Transcript:",
             *(f"  [{publish_meta.stamp(c['start'])}] {c['text']}" for c in doc["cues"]), "Next: " + doc["next"]]
    out.result("\n".join(lines), {"needs": "publish_metadata", **doc})
    return EXIT_NEEDS_USER


def cmd_submit(args: argparse.Namespace, out: Output) -> int:
    path = Path(args.file).expanduser()
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError:
        raise InputError(f"cannot read {path}", hint="give the JSON file your agent wrote") from None
    except ValueError as exc:
        raise InputError(f"{path.name} is not JSON ({exc}); nothing was written",
                         hint="write {\"title\", \"tags\", \"description\", \"chapters\"} as JSON") from None
    with make_client(args, out) as client:
        data = publish_flow.submit(client, doc, out_dir=Path(args.out_dir) if args.out_dir else None,
                                   video=Path(args.video).expanduser() if getattr(args, "video", None) else None,
                                   poll_interval=args.poll_interval or settings().poll_interval,
                                   progress=out.progress)
    return _done(data, data["meta"], out)


def add_parsers(sub, common) -> None:
    p = sub.add_parser("publish", parents=[common], help="the folder to upload to Bilibili: MP4, subtitles, cover, text",
                       description="Write everything a Bilibili upload needs into --out-dir: the MP4 with the "
                                   "subtitles burned in (checked against the upload rules), BCC and SRT per "
                                   "language, cover.jpg (16:10, the title inside the centre 4:3), chapters.txt "
                                   "and meta.json (title <= 80 characters, <= 10 tags, description <= 2000, "
                                   "the subtitle languages).",
                       epilog="With an LLM configured (NEMO_LLM_*) the engine writes the title, tags, description "
                              "and chapters; otherwise exit 3 with the transcript and the limits: your agent "
                              "writes {\"title\", \"tags\", \"description\", \"chapters\": [{\"start\": 0, "
                              "\"title\"}]} and runs `nemo publish submit FILE`. Exit 4: the MP4 breaks an "
                              "upload rule (the report says which).")
    p.add_argument("--out-dir", help="the upload folder to write")
    p.add_argument("--video", help="the project of this video (after a batch); default the last one")
    p.add_argument("--out", help="also save the handoff document (exit 3) to this file")
    p.add_argument("--poll-interval", type=seconds, help="seconds between render status polls")
    p.set_defaults(func=cmd_publish)
    verbs = p.add_subparsers(dest="publish_command", metavar="VERB")
    s = verbs.add_parser("submit", parents=[common], help="check the agent's upload text and write the folder",
                         description="Check every limit of the title, tags, description and chapters in FILE "
                                     "(a refusal names the field and the limit, and writes nothing), then write "
                                     "the folder `nemo publish --out-dir DIR` named.")
    s.add_argument("file", help="JSON {title, tags, description, chapters}")
    s.add_argument("--out-dir", help="write here instead of the folder named before")
    s.add_argument("--video", help="the project of this video (after a batch)")
    s.add_argument("--poll-interval", type=seconds, help="seconds between render status polls")
    s.set_defaults(func=cmd_submit)
