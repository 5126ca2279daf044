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

This module is the only reader of the environment (issue 12): the CLI's Settings, and
the functions below for the engine and media knobs (the LLM endpoint, the ASR model,
its cache and length limit, the engine's credits and URL policy, debug output).
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


# --- the knobs the engine and the media layer read (still only here) -------------------------

def _env(env: dict | None) -> dict:
    return os.environ if env is None else env


def debug(env: dict | None = None) -> bool:
    """NEMO_DEBUG: debug logging and full tracebacks."""
    return bool(_env(env).get("NEMO_DEBUG"))


def llm_settings(env: dict | None = None):
    """NEMO_LLM_BASE_URL / NEMO_LLM_MODEL / NEMO_LLM_API_KEY as an LLMSettings, or None."""
    from .llm import LLMSettings
    from .redact import register_secret
    env = _env(env)
    base = (env.get("NEMO_LLM_BASE_URL") or "").rstrip("/")
    if not base:
        return None
    model = env.get("NEMO_LLM_MODEL") or ""
    if not model:
        raise ConfigError("NEMO_LLM_BASE_URL is set but NEMO_LLM_MODEL is not",
                          hint="set NEMO_LLM_MODEL to the model name, e.g. deepseek-chat or qwen-plus")
    key = env.get("NEMO_LLM_API_KEY") or ""
    register_secret(key or None)
    return LLMSettings(base, model, key)


def asr_model_choice(env: dict | None = None) -> str:
    """NEMO_ASR_MODEL: a model folder or name; empty for the packaged base model."""
    return (_env(env).get("NEMO_ASR_MODEL") or "").strip()


def state_root(env: dict | None = None) -> Path:
    """NEMO_STATE_DIR (the media layer's view: recognition checkpoints and measured speed)."""
    return Path(_env(env).get("NEMO_STATE_DIR") or platformdirs.user_state_dir("nemo-skill"))


def model_cache_root(env: dict | None = None) -> Path:
    """NEMO_MODEL_CACHE: where the packaged model is joined and checksummed once."""
    return Path(_env(env).get("NEMO_MODEL_CACHE") or platformdirs.user_cache_dir("nemo-skill"))


def voice_roots(env: dict | None = None) -> list[Path]:
    """Where `sherpa:DIR` voices may live: NEMO_VOICE_DIRS (separated by the path separator)
    and the model cache's voices folder. A path elsewhere is refused without looking at it."""
    named = [Path(p).expanduser() for p in (_env(env).get("NEMO_VOICE_DIRS") or "").split(os.pathsep) if p.strip()]
    return [*named, model_cache_root(env) / "voices"]


def kokoro_voices_dir(env: dict | None = None) -> Path | None:
    """NEMO_KOKORO_VOICES: where the Kokoro style vectors are (default: the install's share/)."""
    raw = _env(env).get("NEMO_KOKORO_VOICES")
    return Path(raw) if raw else None


def onnx_basic_optimisation(env: dict | None = None) -> bool:
    """NEMO_ONNX_OPTIMIZATION=basic: onnxruntime's basic graph optimisation (a second CPU path)."""
    return _env(env).get("NEMO_ONNX_OPTIMIZATION", "").lower() == "basic"


def asr_max_seconds(default: float, env: dict | None = None) -> float:
    """NEMO_ASR_MAX_SECONDS: the longest input the ASR takes."""
    try:
        return float(_env(env).get("NEMO_ASR_MAX_SECONDS") or default)
    except ValueError:
        return default


def engine_knobs(env: dict | None = None) -> dict:
    """NEMO_ENGINE_CREDITS, NEMO_ENGINE_ALLOW_PRIVATE_URLS and NEMO_ENGINE_IDLE, for the engine."""
    env = _env(env)
    return {"starting_credits": _float(env, "NEMO_ENGINE_CREDITS", 10000.0),
            "allow_private_urls": env.get("NEMO_ENGINE_ALLOW_PRIVATE_URLS", "") in ("1", "true", "yes"),
            "idle_timeout": _float(env, "NEMO_ENGINE_IDLE", 1800.0)}


def stock_settings(env: dict | None = None) -> list:
    """The picture sources a key is set for, in the order they are tried: NEMO_PEXELS_API_KEY,
    NEMO_PIXABAY_API_KEY, and an OpenAI-compatible image endpoint (NEMO_IMAGE_BASE_URL,
    NEMO_IMAGE_MODEL, NEMO_IMAGE_API_KEY). NEMO_PEXELS_URL / NEMO_PIXABAY_URL move the first
    two (a mirror, or a test server)."""
    from .redact import register_secret
    from .stock import IMAGE_SIZES, StockSettings
    env = _env(env)
    out = []
    for provider, default in (("pexels", "https://api.pexels.com"), ("pixabay", "https://pixabay.com")):
        key = (env.get(f"NEMO_{provider.upper()}_API_KEY") or "").strip()
        if key:
            register_secret(key)
            url = _api_url(env.get(f"NEMO_{provider.upper()}_URL"), name=f"NEMO_{provider.upper()}_URL") or default
            out.append(StockSettings(provider, url, key))
    base = _api_url(env.get("NEMO_IMAGE_BASE_URL"), name="NEMO_IMAGE_BASE_URL")
    if base:
        model = (env.get("NEMO_IMAGE_MODEL") or "").strip()
        if not model:
            raise ConfigError("NEMO_IMAGE_BASE_URL is set but NEMO_IMAGE_MODEL is not",
                              hint=f"set NEMO_IMAGE_MODEL to the image model's name (sizes asked: {IMAGE_SIZES})")
        key = (env.get("NEMO_IMAGE_API_KEY") or "").strip()
        register_secret(key or None)
        out.append(StockSettings("ai", base, key, model))
    return out
