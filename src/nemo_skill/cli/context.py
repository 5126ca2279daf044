"""Building a client for a command: settings, store, skill, backend."""

from __future__ import annotations

import argparse

from .. import config, constants as C
from ..client import NemoClient
from ..config import Settings
from ..skill import identify
from ..store import Store
from .output import Output

# Outside an installed skill folder the command says which skill speaks; each keeps its own
# session (the store keys sessions by skill).
COMMAND_SKILLS = {"generate": "video-generation-chinese", "script": "video-generation-chinese",
                  "subtitle": "best-bilibili-ai-subtitle", "subs": "best-bilibili-ai-subtitle"}
LOCAL_ENGINE_KEY = "local-engine"   # the engine's port changes at every start; its identity does not


def settings() -> Settings:
    """The process's settings: read from the environment once, at the first command that needs them."""
    return config.current()


def make_client(args: argparse.Namespace, out: Output, *, skill: str | None = None) -> NemoClient:
    cfg = settings()
    store = Store(cfg.state_dir, client_id=cfg.client_id)
    base_url, store_key, reconnect = cfg.api_url, None, None
    if cfg.backend == "local" and base_url is None:
        from ..engine.daemon import ensure_running
        base_url, store_key = ensure_running(cfg, on_progress=out.progress), LOCAL_ENGINE_KEY
        reconnect = lambda: ensure_running(cfg, on_progress=out.progress)  # noqa: E731
    # A job command speaks as its skill; the others (say, state, export, ...) continue the
    # project made last, whichever skill made it.
    command_skill = COMMAND_SKILLS.get(getattr(args, "command", None) or "") or \
        store.latest_skill(store_key or base_url.rstrip("/"))
    ident = identify(skill or getattr(args, "skill", None), command_skill=command_skill,
                     cache=cfg.state_dir / "cache")
    return NemoClient(base_url, store=store, headers=ident.headers(cfg.platform), skill=ident.name,
                      token=cfg.token, retry_delay=cfg.retry_delay,
                      rate_limit_wait=cfg.rate_limit_wait,
                      state_poll_interval=cfg.state_poll_interval, on_progress=out.progress,
                      store_key=store_key,
                      max_polls=C.CLOUD_MAX_POLLS if cfg.backend == "cloud" else None,
                      unofficial_types=C.CLOUD_UNLISTED_TYPES if cfg.backend == "cloud" else (),
                      structured_calls=cfg.backend == "local", reconnect=reconnect)
