"""`nemo open`: a link that opens the project in a browser, never with the token in it."""

from __future__ import annotations

import argparse

from .. import constants as C
from .context import make_client, settings
from .output import Output


def cmd_open(args: argparse.Namespace, out: Output) -> int:
    cfg = settings()
    with make_client(args, out) as client:
        claim = client.claim_token()
        # The cloud's page lives on its web site; the local engine serves its own.
        web = cfg.web_url if cfg.backend == "cloud" else client.base_url
    url = f"{web}{C.CLAIM_PATH}?ct={claim['claim_token']}"
    seconds = int(claim.get("expires_in") or 0)
    lasts = f"{seconds // 86400} days" if seconds >= 86400 else f"{max(seconds // 60, 1)} minutes, once"
    out.result(f"Open the project: {url}" + (f"\n(the link works for {lasts}; it opens this one "
                                              "project and cannot use your account)" if seconds else ""),
               {"url": url, "expires_in": claim.get("expires_in")})
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("open", parents=[common], help="a link that opens the project in a browser",
                       description="Make a link that opens the current project in a browser (the official "
                                   "claim-token flow: the link carries a one-project claim token, never your "
                                   "token). On the local engine it opens the engine's own page of the project.")
    p.set_defaults(func=cmd_open)
