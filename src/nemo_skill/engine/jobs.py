"""Render jobs: queued in SQLite, run one at a time by a worker thread.

pending -> processing -> completed | failed | cancelled. Progress comes from
ffmpeg's -progress output. Cancel kills ffmpeg. A job that was pending or
processing when the engine stopped is run again when it starts.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import sqlite3
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import NemoError
from ..media import ffmpeg
from ..media.render import compose, generate
from ..media.render.encode import RenderPlan
from . import storage
from .db import Database
from .errors import EngineError

log = logging.getLogger("nemo_skill.engine.jobs")


MAX_WAITING_PER_USER = 3


def build_for(draft: dict, resolve, out: Path, workdir: Path, scene_cache: Path | None = None) -> RenderPlan:
    """Which builder renders a draft: a generated video has its own graph; soft subtitles
    are muxed without re-encoding; anything else is the full burned-in composition."""
    if generate.is_generated(draft):
        return generate.build(draft, resolve, out, workdir, cache=scene_cache)
    if ((draft.get("m") or {}).get("subtitles") or {}).get("mode") == "soft":
        return compose.build_soft(draft, resolve, out, workdir)
    return compose.build(draft, resolve, out, workdir)


def render_cost(draft: dict) -> float:
    """Credits for a render: one, plus one for each started 10 s of output."""
    return 1 + math.ceil(max(float(draft.get("d") or 0), 0) / 10000)


def _discard(work: Path | None) -> None:
    if work is not None:
        shutil.rmtree(work, ignore_errors=True)


class RenderQueue:
    def __init__(self, db: Database, out_dir: Path, accounts, resolve, scene_cache: Path | None = None) -> None:
        self.db, self.out_dir, self.accounts, self.resolve = db, out_dir, accounts, resolve
        self.scene_cache = scene_cache   # drawn scene layers the planner made ahead (media/scenes/cache.py)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        self._cancel: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._stopping = False
        self._unsaved: dict[str, tuple[dict, bool]] = {}   # ends not written yet (a full disk)

    def submit(self, render_id: str, user_id: str, session_id: str, draft: dict) -> dict:
        if self.db.one("SELECT 1 FROM renders WHERE id=?", render_id):
            raise EngineError(409, f"render id {render_id} already exists", 409, envelope="success")
        waiting = self.db.one("SELECT count(*) AS n FROM renders WHERE user_id=? AND status IN "
                              "('pending','processing')", user_id)["n"]
        if waiting >= MAX_WAITING_PER_USER:   # one user's renders cannot starve the others'
            raise EngineError(429, f"you already have {waiting} renders waiting or running; let one "
                                   "finish (or cancel one) first", 429, envelope="success")
        self.accounts.reserve(user_id, render_cost(draft), f"render:{render_id}")
        with self.db.tx() as c:
            c.execute("INSERT INTO renders (id, session_id, user_id, status, progress, draft, created_at) "
                      "VALUES (?,?,?,?,?,?,?)", (render_id, session_id, user_id, "pending", 0,
                                                 json.dumps(draft, ensure_ascii=False), time.time()))
        self._enqueue(render_id)
        return self.status(render_id)

    def _enqueue(self, render_id: str) -> None:
        with self._lock:
            self._cancel[render_id] = threading.Event()
        self.pool.submit(self._run, render_id)

    def recover(self) -> int:
        """Run again every job the last engine left unfinished."""
        rows = self.db.all("SELECT id FROM renders WHERE status IN ('pending','processing') "
                           "ORDER BY created_at")
        for row in rows:
            self._set(row["id"], status="pending", progress=0,
                      error="the engine restarted during this render; it is being run again")
            self._enqueue(row["id"])
        return len(rows)

    def _set(self, render_id: str, **fields) -> None:
        cols = ", ".join(f"{k}=?" for k in fields)
        with self.db.tx() as c:
            c.execute(f"UPDATE renders SET {cols} WHERE id=?", (*fields.values(), render_id))

    def _run(self, render_id: str) -> None:
        row = self.db.one("SELECT * FROM renders WHERE id=?", render_id)
        cancel = self._cancel.get(render_id) or threading.Event()
        if row is None or row["status"] not in ("pending",) or cancel.is_set():
            return
        out = self.out_dir / f"{render_id}.mp4"
        work: Path | None = None
        last = [0.0]

        def progress(pct: float) -> None:
            if pct - last[0] >= 1 or pct >= 100:
                last[0] = pct
                self._try_set(render_id, progress=round(pct, 1))

        try:
            self._set(render_id, status="processing", progress=0)
            work = Path(tempfile.mkdtemp(prefix=f"{render_id}_", dir=self.out_dir))
            draft = json.loads(row["draft"])
            tmp = work / "out.mp4"
            def resolve(src: str):   # called per input while the plan is built: cancel works here too
                if cancel.is_set():
                    raise ffmpeg.Cancelled("cancelled")
                return self.resolve(src, row["session_id"])

            plan = build_for(draft, resolve, tmp, work, self.scene_cache)
            ffmpeg.run(plan.args, duration=plan.duration, on_progress=progress, cancel=cancel)
            shutil.move(str(tmp), out)
            self._end(render_id, "completed", None, spend=True, output_path=str(out), progress=100)
        except ffmpeg.Cancelled:
            if self._stopping:  # the engine is stopping: left for recover() on the next start
                self._try_set(render_id, status="pending", progress=0)
                return
            self._end(render_id, "cancelled", "cancelled", spend=False)
        except Exception as exc:  # noqa: BLE001 - whatever it was, the render ends and its hold closes
            _discard(work)   # first: a full disk gets back what this render took
            self._end(render_id, "failed", self._reason(exc), spend=False)
        finally:
            _discard(work)
            with self._lock:
                self._cancel.pop(render_id, None)

    def _reason(self, exc: Exception) -> str:
        """What a user reads for a failed render: the disk, the input, or a bug of ours."""
        kind = storage.trouble(exc)
        if kind is not None:
            log.warning("render failed: %s", exc)
            return storage.message(kind, self.out_dir)
        if isinstance(exc, (NemoError, EngineError, OSError, ValueError, KeyError)):
            reason = getattr(exc, "message", None) or str(exc)
            log.warning("render failed: %s", reason)
            return reason[:500]
        log.error("render failed on an internal error", exc_info=exc)
        return "internal error while building the render; see `nemo engine logs`"

    def _try_set(self, render_id: str, **fields) -> None:
        """A progress write: one that fails (a full disk) must not end the render."""
        try:
            self._set(render_id, **fields)
        except (sqlite3.Error, OSError) as exc:
            log.warning("render %s: progress not saved (%s)", render_id, exc)

    def _end(self, render_id: str, status: str, error: str | None, *, spend: bool, **extra) -> None:
        """The final status and the credit hold, written together. A full disk gives up the
        spare space and tries again; a write that still fails keeps the end in memory (the
        status says it) and is written by the next status read that can."""
        fields = {"status": status, "completed_at": time.time(), "error": error, **extra}
        self._unsaved[render_id] = (fields, spend)
        if not self._save_end(render_id) and storage.free_spare(self.db.path.parent):
            self._save_end(render_id)

    def _save_end(self, render_id: str) -> bool:
        fields, spend = self._unsaved[render_id]
        cols = ", ".join(f"{k}=?" for k in fields)
        try:
            with self.db.tx() as c:
                c.execute(f"UPDATE renders SET {cols} WHERE id=?", (*fields.values(), render_id))
                self.accounts.close_hold(c, f"render:{render_id}", spend=spend)
        except (sqlite3.Error, OSError) as exc:
            log.warning("render %s ended %s, but that could not be saved yet: %s", render_id, fields["status"], exc)
            return False
        self._unsaved.pop(render_id, None)
        return True

    def cancel(self, render_id: str) -> dict:
        row = self.db.one("SELECT status FROM renders WHERE id=?", render_id)
        if row and row["status"] in ("pending", "processing"):
            with self._lock:
                event = self._cancel.get(render_id)
            if event:
                event.set()
            if row["status"] == "pending":
                self._end(render_id, "cancelled", "cancelled", spend=False)
        return self.status(render_id)

    def status(self, render_id: str) -> dict:
        if render_id in self._unsaved:
            self._save_end(render_id)
        row = self.db.one("SELECT * FROM renders WHERE id=?", render_id)
        if row is None:
            raise EngineError(404, f"render {render_id} not found", 404, envelope="success")
        if render_id in self._unsaved:     # ended, though the disk would not take it yet
            row = {**dict(row), **self._unsaved[render_id][0]}
        return {"id": row["id"], "status": row["status"], "progress": row["progress"],
                "error": row["error"] if row["status"] in ("failed", "cancelled") else None,
                "createdAt": int(row["created_at"] * 1000),
                "completedAt": int(row["completed_at"] * 1000) if row["completed_at"] else None,
                "sessionId": row["session_id"]}

    def owner(self, render_id: str) -> str | None:
        row = self.db.one("SELECT user_id FROM renders WHERE id=?", render_id)
        return row["user_id"] if row else None

    def output(self, render_id: str) -> Path | None:
        row = self.db.one("SELECT status, output_path FROM renders WHERE id=?", render_id)
        if row and row["status"] == "completed" and row["output_path"] and Path(row["output_path"]).is_file():
            return Path(row["output_path"])
        return None

    def busy(self) -> bool:
        return bool(self.db.one("SELECT 1 FROM renders WHERE status IN ('pending','processing')"))

    def shutdown(self) -> None:
        self._stopping = True
        with self._lock:
            for event in self._cancel.values():
                event.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
