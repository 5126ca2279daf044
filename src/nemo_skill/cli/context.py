"""Building a client for a command: settings, store, skill, backend."""

from __future__ import annotations

import argparse

from ..client import NemoClient
from ..config import Settings
from ..skill import identify
from ..store import Store
from .output import Output


def settings() -> Settings:
    return Settings.from_env()


def make_client(args: argparse.Namespace, out: Output, *, skill: str | None = None) -> NemoClient:
    cfg = settings()
    store = Store(cfg.state_dir)
    ident = identify(skill or getattr(args, "skill", None))
    base_url = cfg.api_url
    if cfg.backend == "local" and base_url is None:
        from ..engine.daemon import ensure_running
        base_url = ensure_running(cfg, on_progress=out.progress)
    return NemoClient(base_url, store=store, headers=ident.headers(cfg.platform), skill=ident.name,
                      token=cfg.token, retry_delay=cfg.retry_delay,
                      rate_limit_wait=cfg.rate_limit_wait,
                      state_poll_interval=cfg.state_poll_interval, on_progress=out.progress)
