"""What a tool may use besides the draft and its arguments (issue 23: a typed context, not
the whole Engine reached through ``getattr``).

:class:`ToolContext` lists exactly what the tools use; :class:`TurnContext` is the one the
agent's turn gives them, backed by the engine (tests give it a stand-in engine).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..llm import LLMSettings


class ToolContext(Protocol):
    session_id: str
    uploads: list[dict]          # the project's uploads, oldest first
    language: str                # "zh" or "en": the user's
    cancel: threading.Event      # set when the project's work is cancelled

    @property
    def llm(self) -> LLMSettings | None:
        """The LLM endpoint the engine read at its start, if one is configured."""

    @property
    def scene_cache(self) -> Path | None:
        """Where scenes drawn ahead of a render wait for it."""

    def note(self, message: str) -> None:
        """Progress, sent to the client as keep-alive events."""

    def say(self, en: str, zh: str) -> str:
        """The message in the user's language."""

    def latest_upload(self, *kinds: str) -> dict | None:
        """The newest upload of one of ``kinds`` (video, image, audio)."""

    def resolve_src(self, src: str) -> Path:
        """The file a draft's ``src`` names inside this project (EngineError if none)."""

    def session_dir(self) -> Path:
        """This project's folder in the state dir."""


class ToolEngine(Protocol):
    """What a turn's context takes from the engine (service.Engine is one)."""
    llm: LLMSettings | None
    scene_cache: Path | None

    def resolve_src(self, src: str, session_id: str) -> Path: ...

    def session_dir(self, session_id: str) -> Path: ...


@dataclass
class TurnContext:
    """The context of one agent turn, for one project of one engine."""

    session_id: str
    uploads: list[dict]
    engine: ToolEngine | None = None   # service.Engine; tests give a stand-in
    note: Callable[[str], None] = lambda _msg: None
    cancel: threading.Event = field(default_factory=threading.Event)
    language: str = "en"

    @property
    def llm(self) -> LLMSettings | None:
        return self.engine.llm if self.engine is not None else None

    @property
    def scene_cache(self) -> Path | None:
        return self.engine.scene_cache if self.engine is not None else None

    def say(self, en: str, zh: str) -> str:
        return zh if self.language == "zh" else en

    def latest_upload(self, *kinds: str) -> dict | None:
        return next((u for u in reversed(self.uploads) if u["file_type"] in kinds), None)

    def resolve_src(self, src: str) -> Path:
        return self.engine.resolve_src(src, self.session_id)

    def session_dir(self) -> Path:
        return self.engine.session_dir(self.session_id)
