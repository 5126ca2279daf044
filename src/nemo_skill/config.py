"""Settings from the environment. Only :meth:`Settings.from_env` reads it.

NEMO_BACKEND       cloud | local (unset: cloud if NEMO_TOKEN is set, else local)
NEMO_API_URL       base URL of the API (cloud default: the NemoVideo service;
                   local: the engine's own address, found in the state dir)
NEMO_TOKEN         a NemoVideo token; unset, a free anonymous token is fetched
NEMO_STATE_DIR     where tokens, sessions and render jobs are kept
NEMO_SKILL_PLATFORM  overrides where-installed detection for X-Skill-Platform
NEMO_POLL_INTERVAL seconds between export polls (cloud 30, local 1)
NEMO_RETRY_DELAY   base seconds of retry backoff (1); also scales the 429 wait
NEMO_ENGINE_IDLE   seconds before an idle local engine stops (1800; 0 = never)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from . import constants as C
from .errors import ConfigError


def _float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number", hint=f"set {name} to seconds, e.g. 5") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _api_url(raw: str | None, *, name: str = "NEMO_API_URL") -> str | None:
    """An http(s) URL setting with a host and nothing that could smuggle a header."""
    value = (raw or "").strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(
            ch in value for ch in "\r\n\t ") or parts.username or parts.password:
        raise ConfigError(f"{name}={value[:80]!r} is not an http(s) URL",
                          hint="set it to an https:// address, or unset it")
    return value


def _platform(raw: str | None) -> str | None:
    """NEMO_SKILL_PLATFORM goes into a header: a plain name only (CRLF would forge headers)."""
    if not raw:
        return None
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,40}", raw):
        raise ConfigError(f"NEMO_SKILL_PLATFORM={raw[:40]!r} is not a platform name",
                          hint="use letters, digits, '.', '_' or '-' (e.g. openclaw, cursor, claude), or unset it")
    return raw


def _client_id(raw: str | None) -> str | None:
    """NEMO_CLIENT_ID, as the official skills honour it: a UUID or client-<ts>-<rand>."""
    from .store import is_client_id
    if not raw:
        return None
    if not is_client_id(raw.strip()):
        raise ConfigError(f"NEMO_CLIENT_ID={raw[:40]!r} is not a client id",
                          hint="use a UUID (or client-<unix time>-<number>), or unset it")
    return raw.strip()


@dataclass
class Settings:
    backend: str = "local"
    api_url: str | None = None
    token: str | None = field(default=None, repr=False)
    state_dir: Path = Path(".")
    platform: str | None = None
    poll_interval: float = C.POLL_INTERVAL_LOCAL
    retry_delay: float = C.RETRY_DELAY
    rate_limit_wait: float = C.RATE_LIMIT_WAIT
    state_poll_interval: float = C.STATE_POLL_INTERVAL
    engine_idle: float = 1800.0
    client_id: str | None = None
    web_url: str = C.WEB_URL

    @classmethod
    def from_env(cls, env: dict | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        token = env.get("NEMO_TOKEN") or None
        backend = (env.get("NEMO_BACKEND") or ("cloud" if token else "local")).lower()
        if backend not in ("cloud", "local"):
            raise ConfigError(f"NEMO_BACKEND={backend!r} is not a backend",
                              hint="set NEMO_BACKEND to cloud or local, or unset it")
        state_dir = Path(env.get("NEMO_STATE_DIR") or platformdirs.user_state_dir("nemo-skill"))
        api_url = _api_url(env.get("NEMO_API_URL"))
        if backend == "cloud" and api_url is None:
            api_url = C.CLOUD_API_URL
        default_poll = C.POLL_INTERVAL_CLOUD if backend == "cloud" else C.POLL_INTERVAL_LOCAL
        retry_delay = _float(env, "NEMO_RETRY_DELAY", C.RETRY_DELAY)
        return cls(
            backend=backend,
            api_url=api_url,
            token=token if backend == "cloud" else None,
            state_dir=state_dir,
            platform=_platform(env.get("NEMO_SKILL_PLATFORM")),
            poll_interval=_float(env, "NEMO_POLL_INTERVAL", default_poll),
            retry_delay=retry_delay,
            # The 429 wait keeps its 30:1 ratio to the backoff so tests can shrink both.
            rate_limit_wait=C.RATE_LIMIT_WAIT * retry_delay / C.RETRY_DELAY,
            state_poll_interval=C.STATE_POLL_INTERVAL * retry_delay / C.RETRY_DELAY,
            engine_idle=_float(env, "NEMO_ENGINE_IDLE", 1800.0),
            client_id=_client_id(env.get("NEMO_CLIENT_ID")),
            web_url=_api_url(env.get("NEMO_WEB_URL"), name="NEMO_WEB_URL") or C.WEB_URL,
        )
