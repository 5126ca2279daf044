"""The engine's state and operations; the HTTP routes (app.py) stay thin.

Everything blocking (SQLite writes of size, ffprobe, ffmpeg, tools) is
called from worker threads by the routes, never on the event loop.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ..bundle import manifest
from ..config import Settings
from ..errors import ConfigError, NemoError
from ..llm import LLMSettings
from ..timeline import Draft
from . import draft_check, links, llm_planner, registry, storage, understanding
from .accounts import Accounts
from .db import Database
from .errors import EngineError, ToolError, session_not_found
from .jobs import RenderQueue
from .tools import TOOLS, ToolContext, add_media, edit, normalize

log = logging.getLogger("nemo_skill.engine")
MESSAGE_COST = 1.0


@dataclass
class EngineConfig:
    state_dir: Path
    starting_credits: float = 10000.0
    token_lifetime: float = 7 * 24 * 3600
    allow_private_urls: bool = False
    idle_timeout: float = 1800.0
    keepalive: float = 10.0      # seconds between progress keep-alives in a stream
    max_upload_bytes: int = field(default_factory=lambda: manifest().max_upload_bytes)
    llm: LLMSettings | None = None   # the LLM planner's endpoint (NEMO_LLM_*); None: rules only

    @classmethod
    def from_settings(cls, settings: Settings, state_dir: Path | None = None) -> EngineConfig:
        """The engine's part of the process's settings (read once, at its start)."""
        try:
            llm = settings.llm()
        except ConfigError as exc:
            log.warning("LLM planner off: %s", exc.message)
            llm = None
        return cls(state_dir=Path(state_dir or settings.state_dir), starting_credits=settings.engine_credits,
                   allow_private_urls=settings.allow_private_urls, idle_timeout=settings.engine_idle, llm=llm)

    @classmethod
    def from_env(cls, state_dir: Path, env: dict | None = None) -> EngineConfig:
        return cls.from_settings(Settings.from_env(env), state_dir)


class Engine:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.home = config.state_dir / "engine"
        self.db = Database(self.home / "engine.db")
        storage.make_spare(self.home)    # so a job's end still fits on a disk that fills up
        links.ensure_table(self.db)
        self.accounts = Accounts(self.db, starting_credits=config.starting_credits,
                                 token_lifetime=config.token_lifetime)
        self.scene_cache = self.home / "scenes"
        self.renders = RenderQueue(self.db, self.home / "renders", self.accounts, self.resolve_src, self.scene_cache)
        self.last_activity = time.monotonic()
        self.instance = uuid.uuid4().hex
        self.llm = config.llm   # read once at start, like every engine setting
        self.active_streams = 0
        self._session_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._turns: dict[str, set[threading.Event]] = {}   # session -> the stop events of its running turns

    # --- sessions ------------------------------------------------------------------
    def create_session(self, user_id: str, language: str) -> dict:
        sid, task = "s_" + uuid.uuid4().hex, "t_" + uuid.uuid4().hex[:16]
        with self.db.tx() as c:
            c.execute("INSERT INTO sessions (id, task_id, user_id, language, state, created_at) "
                      "VALUES (?,?,?,?,?,?)", (sid, task, user_id, language or "en", "{}", time.time()))
        return {"task_id": task, "session_id": sid, "user_id": user_id}

    def owned_session(self, user_id: str, session_id: str) -> dict:
        row = self.db.one("SELECT * FROM sessions WHERE id=? AND user_id=?", session_id, user_id)
        if row is None:
            raise session_not_found()
        return dict(row)

    def session_lock(self, session_id: str) -> threading.Lock:
        """One edit at a time per session, so no edit is lost to another."""
        with self._locks_guard:
            return self._session_locks.setdefault(session_id, threading.Lock())

    def session_dir(self, session_id: str) -> Path:
        return self.home / "sessions" / session_id

    def uploads_of(self, session_id: str) -> list[dict]:
        rows = self.db.all("SELECT * FROM uploads WHERE session_id=? ORDER BY created_at", session_id)
        return [{**dict(r), "cdn_url": f"/api/files/{r['id']}/{quote(r['filename'])}"} for r in rows]

    def state(self, session_id: str) -> dict:
        version, draft = self.db.latest_draft(session_id)
        extra = self.db.session_state(session_id)
        draft = draft or {}
        meta = draft.get("m") or {}
        files = self.uploads_of(session_id)
        return {"state": {
            "draft": draft,
            "draft_version": version,
            "video_infos": [{k: f[k] for k in ("id", "filename", "file_type", "cdn_url", "duration",
                                               "width", "height", "fps", "hash")} for f in files],
            "canvas_config": {"width": meta.get("width", 1920), "height": meta.get("height", 1080),
                              "aspect": meta.get("aspect", "16:9"), "fps": meta.get("fps", 30)},
            "generated_media": extra.get("generated_media", []),
            "video_analyses": extra.get("video_analyses", []),
        }}

    # --- uploads -------------------------------------------------------------------------
    def apply_uploads(self, session_id: str, files: list[dict]) -> bool:
        """Put uploaded videos and images on the timeline; True if the draft changed."""
        visual = [f for f in files if f["file_type"] in ("video", "image")]
        if not visual:
            return False
        with self.session_lock(session_id):
            _, current = self.db.latest_draft(session_id)
            draft = edit(current)
            for f in visual:
                add_media(draft, f)
            self.db.save_draft(session_id, normalize(draft), note="upload")
        return True

    def resolve_src(self, src: str, session_id: str) -> Path:
        """A draft ``src`` -> the file on disk, if it belongs to ``session_id``: an /api/files
        URL of one of its uploads, or a file the engine made inside its folder (narration).
        Anything else (another user's upload or output, a path outside) gets one answer,
        whether it exists or not, so nothing leaks."""
        parts = str(src).split("/api/files/", 1)
        if len(parts) == 2:
            upload_id = parts[1].split("/", 1)[0]
            row = self.db.one("SELECT path FROM uploads WHERE id=? AND session_id=?", upload_id, session_id)
            if row and Path(row["path"]).is_file():
                return Path(row["path"])
        else:
            path = Path(str(src))
            try:
                inside = path.is_absolute() and path.resolve().is_relative_to(
                    self.session_dir(session_id).resolve())
            except (OSError, ValueError):
                inside = False
            if inside and path.is_file():
                return path
        raise EngineError(4000, f"the draft refers to a file that is not in this project: {str(src)[:80]}",
                          400, envelope="success")

    def owns_src(self, session_id: str):
        def owns(src: str) -> bool:
            try:
                self.resolve_src(src, session_id)
                return True
            except EngineError:
                return False
        return owns

    # --- the agent ----------------------------------------------------------------------
    def understand(self, text: str) -> understanding.Understanding:
        """The LLM's calls when one is configured and answers well; else the rules', with the
        clauses they did not understand (then nothing may run)."""
        if self.llm is not None:
            calls = llm_planner.plan(text, self.llm)
            if calls:
                return understanding.Understanding(calls, [])
        return understanding.by_rules(text)

    def plan(self, text: str) -> list[registry.Call]:
        return self.understand(text).calls

    # --- running work, and stopping it ------------------------------------------------------
    def turn_started(self, session_id: str, stop: threading.Event) -> None:
        with self._locks_guard:
            self._turns.setdefault(session_id, set()).add(stop)

    def turn_ended(self, session_id: str, stop: threading.Event) -> None:
        with self._locks_guard:
            stops = self._turns.get(session_id, set())
            stops.discard(stop)
            if not stops:
                self._turns.pop(session_id, None)

    def cancel_work(self, user_id: str, session_id: str) -> dict:
        """Stop what runs for one project: its agent turns (the running tool's ffmpeg and ASR
        stop at their next check and the turn's hold is released) and its renders (theirs too)."""
        self.owned_session(user_id, session_id)
        with self._locks_guard:
            stops = list(self._turns.get(session_id, ()))
        for stop in stops:
            stop.set()
        rows = self.db.all("SELECT id FROM renders WHERE session_id=? AND status IN ('pending', 'processing')",
                           session_id)
        for row in rows:
            self.renders.cancel(row["id"])
        return {"turns": len(stops), "renders": [row["id"] for row in rows]}

    def run_tool(self, user_id: str, session_id: str, call: registry.Call, ctx: ToolContext) -> dict:
        """Run one tool on the latest draft and save a new version if it edits; ToolError
        (nothing saved) when its arguments do not fit or it could not do what was asked."""
        registry.check_call(call.name, call.args)   # whichever planner made the call: ToolError
        t = TOOLS[call.name]
        with self.session_lock(session_id):
            _, current = self.db.latest_draft(session_id)
            draft = edit(current)
            try:
                result = t.run(draft, call.args, ctx)
            except NemoError as exc:       # media or input trouble: the tool's error, nothing saved
                raise ToolError.of(exc) from None
            if t.edits:
                normalize(draft)
                if draft != current:
                    result["draft_version"] = self.db.save_draft(session_id, draft, note=call.name)
        return result

    def render(self, user_id: str, render_id: str, session_id: str, draft: dict) -> dict:
        self.owned_session(user_id, session_id)
        draft_check.check(draft, owns=self.owns_src(session_id))
        if not Draft(draft).exportable:
            raise EngineError(400, "the draft has no track with segments; nothing to render", 400,
                              envelope="success")
        return self.renders.submit(render_id, user_id, session_id, draft)

    def owned_render(self, user_id: str, render_id: str) -> None:
        if self.renders.owner(render_id) != user_id:
            raise EngineError(404, f"render {render_id} not found", 404, envelope="success")


def dumps(obj) -> str:
    """One event's JSON: standard JSON only (a NaN would end the client's stream unread)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

