"""`nemo review`: a link to the local engine's review page for the current project (issue 26).

The creator watches the video beside one row per cue, fixes text and timing and saves; the
engine writes the subtitle files again where `nemo subtitle` wrote them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import subtitle_job, workflows
from ..errors import InputError
from ..media.subtitles import formats as subfiles
from .context import make_client, settings
from .output import Output


def cmd_review(args: argparse.Namespace, out: Output) -> int:
    if settings().backend == "cloud":
        raise InputError("the review page is served by the local engine, not the cloud",
                         hint="run it on the local engine (NEMO_BACKEND=local), or `nemo open` for the cloud's page")
    with make_client(args, out) as client:
        if args.video:
            subtitle_job.use_video_project(client, Path(args.video).expanduser(), required=True)
        draft = client.draft()
        tracks = subfiles.from_draft(draft, as_written=True)
        if not tracks:
            raise InputError("this project has no subtitles to review yet",
                             hint="run `nemo subtitle VIDEO` first, then `nemo review`")
        noted = client.store.session(client.store_key, client.skill) or {}
        link = workflows.review_page_link(client, client.session()["session_id"], noted)
        url = client.base_url.rstrip("/") + link["path"]
    where = (f"{link['out_dir']}/{link['stem']}.*" if link.get("out_dir") else "the engine's project folder")
    data = {"url": url, "expires_in": link.get("expires_in"), "files": where,
            "cues": {t.lang: len(t.cues) for t in tracks},
            "next": "open the URL in a browser on this computer, fix and save; then `nemo subs files` renders "
                    "the MP4 again and `nemo publish --out-dir DIR` makes the upload folder"}
    out.result(f"Review the subtitles: {url}\n(the link opens this project's review page once, on this "
               f"computer; saving writes the subtitle files to {where})\nNext: {data['next']}", data)
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("review", parents=[common], help="a page to watch the video and fix the subtitles",
                       description="Print a loopback link to the local engine's review page for the current "
                                   "project: the video beside one row per cue (start, end, reading speed, each "
                                   "language, the recogniser's confidence, the `subs check` findings). Fix text "
                                   "and timing, split, merge, insert, delete, then save: the engine checks the "
                                   "whole edit and writes every subtitle file again.",
                       epilog="The link carries a one-time claim; the page trades it for a cookie, so a reload "
                              "keeps working. Renders made before a save are named out of date: run `nemo subs "
                              "files` to render them again.")
    p.add_argument("--video", help="the project of this video (after a batch); default the last one")
    p.set_defaults(func=cmd_review)
