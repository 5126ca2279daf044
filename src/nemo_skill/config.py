"""Settings from the environment, read once per process (issue 23).

NEMO_BACKEND       cloud | local (unset: cloud if NEMO_TOKEN is set, else local)
NEMO_API_URL       base URL of the API (cloud default: the NemoVideo service;
                   local: the engine's own address, found in the state dir)
NEMO_TOKEN         a NemoVideo token; unset, a free anonymous token is fetched
NEMO_STATE_DIR     where tokens, sessions and render jobs are kept
NEMO_SKILL_PLATFORM  overrides where-installed detection for X-Skill-Platform
NEMO_POLL_INTERVAL seconds between export polls (cloud 30, local 1)
NEMO_RETRY_DELAY   base seconds of retry backoff (1); also scales the 429 wait
NEMO_ENGINE_IDLE   seconds before an idle local engine stops (1800; 0 = never)

NEMO_DEBUG, NEMO_LLM_*, NEMO_ASR_MODEL, NEMO_ASR_MAX_SECONDS, NEMO_MODEL_CACHE, NEMO_VOICE_DIRS,
NEMO_KOKORO_VOICES, NEMO_ONNX_OPTIMIZATION, NEMO_ENGINE_CREDITS, NEMO_ENGINE_ALLOW_PRIVATE_URLS,
NEMO_PEXELS_*, NEMO_PIXABAY_*, NEMO_IMAGE_*: see README.md and SKILL.md.

This module is the only reader of the environment. :func:`environment` copies it once; every
setting is parsed from that copy into one frozen :class:`Settings` (with its
:class:`MediaSettings`), built once at the start of the CLI, the engine or the MCP server
(:func:`install`) and passed down; :func:`current` is that object. A test that changes the
environment calls :func:`forget` (or starts a new process) to build it anew.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
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


@lru_cache(maxsize=1)
def environment() -> Mapping[str, str]:
    """The process's environment, copied once: no setting is read from os.environ after it."""
    return MappingProxyType(dict(os.environ))


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return environment() if env is None else env


@dataclass(frozen=True)
class MediaSettings:
    """What the media layer needs (the ASR model and its limits, the voices, the caches); the
    media functions take these values, they never read the environment."""

    state_root: Path
    model_cache: Path
    asr_model: str = ""                     # NEMO_ASR_MODEL: a folder or a name; "" = packaged
    asr_max_seconds: float | None = None    # NEMO_ASR_MAX_SECONDS; None = the ASR's own limit
    voice_dirs: tuple[Path, ...] = ()       # NEMO_VOICE_DIRS
    kokoro_voices: Path | None = None       # NEMO_KOKORO_VOICES
    onnx_basic: bool = False                # NEMO_ONNX_OPTIMIZATION=basic (a second CPU path)

    @property
    def voice_roots(self) -> list[Path]:
        """Where `sherpa:DIR` voices may live: NEMO_VOICE_DIRS and the cache's voices folder.
        A path elsewhere is refused without looking at it."""
        return [*self.voice_dirs, self.model_cache / "voices"]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MediaSettings:
        env = _env(env)
        try:
            limit = float(env.get("NEMO_ASR_MAX_SECONDS") or "nan")
        except ValueError:
            limit = float("nan")
        kokoro = env.get("NEMO_KOKORO_VOICES")
        return cls(
            state_root=Path(env.get("NEMO_STATE_DIR") or platformdirs.user_state_dir("nemo-skill")),
            model_cache=Path(env.get("NEMO_MODEL_CACHE") or platformdirs.user_cache_dir("nemo-skill")),
            asr_model=(env.get("NEMO_ASR_MODEL") or "").strip(),
            asr_max_seconds=limit if limit == limit and 0 < limit < float("inf") else None,
            voice_dirs=tuple(Path(p).expanduser() for p in (env.get("NEMO_VOICE_DIRS") or "").split(os.pathsep)
                             if p.strip()),
            kokoro_voices=Path(kokoro) if kokoro else None,
            onnx_basic=(env.get("NEMO_ONNX_OPTIMIZATION") or "").lower() == "basic")


@dataclass(frozen=True)
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
    debug: bool = False
    engine_credits: float = 10000.0
    allow_private_urls: bool = False
    media: MediaSettings = field(default_factory=lambda: MediaSettings(Path("."), Path(".")))
    # The NEMO_* variables as read, for the endpoints parsed when first used (llm, stock_sources):
    # a wrong NEMO_LLM_* turns the planner off, it does not stop every command.
    source: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = _env(env)
        token = env.get("NEMO_TOKEN") or None
        backend = (env.get("NEMO_BACKEND") or ("cloud" if token else "local")).lower()
        if backend not in ("cloud", "local"):
            raise ConfigError(f"NEMO_BACKEND={backend!r} is not a backend",
                              hint="set NEMO_BACKEND to cloud or local, or unset it")
        api_url = _api_url(env.get("NEMO_API_URL"))
        if backend == "cloud" and api_url is None:
            api_url = C.CLOUD_API_URL
        default_poll = C.POLL_INTERVAL_CLOUD if backend == "cloud" else C.POLL_INTERVAL_LOCAL
        retry_delay = _float(env, "NEMO_RETRY_DELAY", C.RETRY_DELAY)
        media = MediaSettings.from_env(env)
        return cls(
            backend=backend, api_url=api_url, token=token if backend == "cloud" else None,
            state_dir=media.state_root, platform=_platform(env.get("NEMO_SKILL_PLATFORM")),
            poll_interval=_float(env, "NEMO_POLL_INTERVAL", default_poll),
            retry_delay=retry_delay,
            # The 429 wait keeps its 30:1 ratio to the backoff so tests can shrink both.
            rate_limit_wait=C.RATE_LIMIT_WAIT * retry_delay / C.RETRY_DELAY,
            state_poll_interval=C.STATE_POLL_INTERVAL * retry_delay / C.RETRY_DELAY,
            engine_idle=_float(env, "NEMO_ENGINE_IDLE", 1800.0),
            client_id=_client_id(env.get("NEMO_CLIENT_ID")),
            web_url=_api_url(env.get("NEMO_WEB_URL"), name="NEMO_WEB_URL") or C.WEB_URL,
            debug=bool(env.get("NEMO_DEBUG")),
            engine_credits=_float(env, "NEMO_ENGINE_CREDITS", 10000.0),
            allow_private_urls=env.get("NEMO_ENGINE_ALLOW_PRIVATE_URLS", "") in ("1", "true", "yes"),
            media=media,
            source=MappingProxyType({k: v for k, v in env.items() if k.startswith("NEMO_")}))

    def llm(self):
        """The LLM endpoint (NEMO_LLM_*) as an LLMSettings, or None; ConfigError if half set."""
        return llm_settings(self.source)

    def stock_sources(self) -> list:
        """The picture sources a key is set for, in the order they are tried."""
        return stock_settings(self.source)


_installed: list[Settings] = []


def install(settings: Settings) -> Settings:
    """The settings a process built at its start: :func:`current` answers them from now on."""
    _installed[:] = [settings]
    return settings


def current() -> Settings:
    """The process's one Settings (built from :func:`environment` on first use if none was installed)."""
    if not _installed:
        _installed.append(Settings.from_env())
    return _installed[0]


@lru_cache(maxsize=1)
def _media() -> MediaSettings:
    return MediaSettings.from_env()


def media() -> MediaSettings:
    """The media layer's settings: those of :func:`current` when installed, else read once on
    their own (a bad NEMO_BACKEND must not stop a transcription)."""
    return _installed[0].media if _installed else _media()


def forget() -> None:
    """Drop the copy of the environment and the settings built from it (tests that change it)."""
    environment.cache_clear()
    _media.cache_clear()
    _installed.clear()


def debug() -> bool:
    """NEMO_DEBUG: debug logging and full tracebacks (asked before the settings can fail)."""
    return bool(environment().get("NEMO_DEBUG"))


def llm_settings(env: Mapping[str, str] | None = None):
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


def stock_settings(env: Mapping[str, str] | None = None) -> list:
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
