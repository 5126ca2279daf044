"""SQLite (WAL) under the state dir: tokens, sessions, drafts, uploads, jobs, credits.

One connection per thread; every write in a short transaction. Each draft
edit is a new row (version), so an edit can be read back or undone.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..safe_json import dumps_standard, loads_repaired

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, client_id TEXT UNIQUE, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at REAL NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, task_id TEXT NOT NULL, user_id TEXT NOT NULL, language TEXT,
    state TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS drafts (
    session_id TEXT NOT NULL, version INTEGER NOT NULL, draft TEXT NOT NULL, note TEXT,
    created_at REAL NOT NULL, PRIMARY KEY (session_id, version));
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL, filename TEXT NOT NULL, path TEXT NOT NULL,
    file_type TEXT NOT NULL, size INTEGER, duration REAL, width INTEGER, height INTEGER,
    fps REAL, hash TEXT, has_audio INTEGER, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS renders (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0, draft TEXT NOT NULL, output_path TEXT, error TEXT,
    created_at REAL NOT NULL, completed_at REAL);
CREATE TABLE IF NOT EXISTS accounts (
    user_id TEXT PRIMARY KEY, available REAL NOT NULL, frozen REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS holds (
    ref TEXT PRIMARY KEY, user_id TEXT NOT NULL, amount REAL NOT NULL, state TEXT NOT NULL,
    created_at REAL NOT NULL);
"""


class DamagedDatabase(Exception):
    """engine.db is there but is not a readable database: refuse to start over it."""


def check_file(path: Path) -> None:
    """A missing file becomes a new database; a damaged one is never silently replaced
    (a zero-byte engine.db once wiped every user and project, issue 10)."""
    if not path.exists():
        return
    with open(path, "rb") as f:
        head = f.read(16)
    if head != b"SQLite format 3\x00":
        raise DamagedDatabase(
            f"{path} is damaged ({'empty' if not head else 'not an SQLite database'}); the engine "
            f"will not start over it. Move it aside to start afresh (its projects are lost): "
            f"mv '{path}' '{path}.damaged', or put back a copy you trust")


class Database:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        check_file(self.path)
        self._local = threading.local()
        try:
            self._conn().executescript(SCHEMA)  # executescript manages its own transaction
            self._conn().execute("SELECT count(*) FROM sessions").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DamagedDatabase(f"{self.path} cannot be read ({exc}); move it aside to start "
                                  f"afresh: mv '{self.path}' '{self.path}.damaged'") from None

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE), committed or rolled back."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:   # a COMMIT that met a full disk has rolled back already
                conn.execute("ROLLBACK")
            raise

    def one(self, sql: str, *params: Any) -> sqlite3.Row | None:
        return self._conn().execute(sql, params).fetchone()

    def all(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return self._conn().execute(sql, params).fetchall()

    # --- drafts -----------------------------------------------------------------
    def latest_draft(self, session_id: str) -> tuple[int, dict]:
        row = self.one("SELECT version, draft FROM drafts WHERE session_id=? "
                       "ORDER BY version DESC LIMIT 1", session_id)
        # Repaired on read: a NaN an older engine saved must not make the project unreadable.
        return (row["version"], loads_repaired(row["draft"])) if row else (0, {})

    def save_draft(self, session_id: str, draft: dict, note: str = "") -> int:
        with self.tx() as c:
            row = c.execute("SELECT COALESCE(MAX(version), 0) AS v FROM drafts WHERE session_id=?",
                            (session_id,)).fetchone()
            version = row["v"] + 1
            c.execute("INSERT INTO drafts VALUES (?,?,?,?,?)",
                      (session_id, version, dumps_standard(draft, ensure_ascii=False), note, time.time()))
        return version

    # --- session state (canvas, generated media, analyses) ----------------------------
    def session_state(self, session_id: str) -> dict:
        row = self.one("SELECT state FROM sessions WHERE id=?", session_id)
        return loads_repaired(row["state"]) if row else {}

    def update_session_state(self, session_id: str, change) -> dict:
        with self.tx() as c:
            row = c.execute("SELECT state FROM sessions WHERE id=?", (session_id,)).fetchone()
            state = loads_repaired(row["state"]) if row else {}
            change(state)
            c.execute("UPDATE sessions SET state=? WHERE id=?",
                      (dumps_standard(state, ensure_ascii=False), session_id))
        return state
