"""`nemo scenes pending|submit`: what each generated scene shows, for the agent to change."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .. import scenes_job
from .context import make_client, settings
from .output import Output


def _interval(args) -> float:
    return args.poll_interval if getattr(args, "poll_interval", None) is not None else settings().poll_interval


def cmd_pending(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        doc = scenes_job.pending(client)
    lines = [f"{s['sentence']}. {s['text']}  ->  {' '.join(x[2] + ' ' + x[1] for x in s['shows']) or '(setting only)'}"
             for s in doc["sentences"]]
    out.result("\n".join(lines) + f"\nNext: {doc['instructions']}", doc)
    if args.out:
        Path(args.out).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def cmd_submit(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        data = scenes_job.submit(client, Path(args.file), Path(args.out).expanduser(),
                                 poll_interval=_interval(args), progress=out.progress)
    out.result(f"Made {data['path']}: scenes {', '.join(map(str, data['changed']))} changed.", data)
    return 0


def add_parsers(sub, common) -> None:
    s = sub.add_parser("scenes", parents=[common], help="what each scene of a generated video shows",
                       description="The storyboard of the last generated video: see what each sentence's scene "
                                   "shows, then change it and render again.")
    verbs = s.add_subparsers(dest="scenes_command", required=True, metavar="VERB")
    p = verbs.add_parser("pending", parents=[common], help="each scene's subjects and the library (JSON with --json)")
    p.add_argument("--out", help="also save it to this file")
    p.set_defaults(func=cmd_pending)
    p = verbs.add_parser("submit", parents=[common], help="show these subjects and render again")
    p.add_argument("file", help='JSON: {"scenes": [{"sentence": 1, "shows": ["panda", "🎋"]}]}')
    p.add_argument("--out", default="video.mp4", help="where to save the MP4 (default ./video.mp4)")
    p.add_argument("--poll-interval", type=float, help="seconds between render status polls")
    p.set_defaults(func=cmd_submit)
