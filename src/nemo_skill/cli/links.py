"""`nemo open`: a link that opens the project in a browser, never with the token in it."""

from __future__ import annotations

import argparse

from .. import constants as C
from .context import make_client, settings
from .output import Output


def subtitled(client) -> bool:
    from ..media import subfiles
    return bool(subfiles.from_draft(client.draft()))


def cmd_open(args: argparse.Namespace, out: Output) -> int:
    cfg = settings()
    with make_client(args, out) as client:
        if cfg.backend != "cloud" and subtitled(client):   # the local engine's review page (issue 26)
            from .review import review_link
            claim = review_link(client, client.session()["session_id"],
                                client.store.session(client.store_key, client.skill) or {})
            url = client.base_url.rstrip("/") + claim["path"]
        else:
            claim = client.claim_token()
            # The cloud's page lives on its web site; the local engine serves its own.
            web = cfg.web_url if cfg.backend == "cloud" else client.base_url
            url = f"{web}{C.CLAIM_PATH}?ct={claim['claim_token']}"
    days = int(claim.get("expires_in") or 0) // 86400
    out.result(f"Open the project: {url}" + (f"\n(the link works for {days} days; it opens this one "
                                              "project and cannot use your account)" if days else ""),
               {"url": url, "expires_in": claim.get("expires_in")})
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("open", parents=[common], help="a link that opens the project in a browser",
                       description="Make a link that opens the current project in a browser (the official "
                                   "claim-token flow: the link carries a one-project claim token, never your "
                                   "token). On the local engine it opens the engine's own page of the project: the "
                                   "subtitle review page (`nemo review`) when the project has subtitles.")
    p.set_defaults(func=cmd_open)
