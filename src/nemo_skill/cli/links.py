"""`nemo open`: a link that opens the project in a browser, never with the token in it."""

from __future__ import annotations

import argparse

from .. import workflows
from .context import make_client, settings
from .output import Output


def cmd_open(args: argparse.Namespace, out: Output) -> int:
    cfg = settings()
    with make_client(args, out) as client:
        noted = client.store.session(client.store_key, client.skill) or {}
        link = workflows.review_link(client, cfg.backend, cfg.web_url, noted)
    seconds = int(link.get("expires_in") or 0)
    lasts = f"{seconds // 86400} days" if seconds >= 86400 else f"{max(seconds // 60, 1)} minutes, once"
    out.result(f"Open the project: {link['url']}" + (f"\n(the link works for {lasts}; it opens this one "
                                                     "project and cannot use your account)" if seconds else ""),
               {"url": link["url"], "expires_in": link.get("expires_in")})
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("open", parents=[common], help="a link that opens the project in a browser",
                       description="Make a link that opens the current project in a browser (the official "
                                   "claim-token flow: the link carries a one-project claim token, never your "
                                   "token). On the local engine it opens the engine's own page of the project: the "
                                   "subtitle review page (`nemo review`) when the project has subtitles.")
    p.set_defaults(func=cmd_open)
