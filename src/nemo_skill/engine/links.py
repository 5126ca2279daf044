"""Opening a project in a browser without the token in the URL (issue 11).

The official flow (nemovideo_skills SKILL.md v1.9, "Open in browser"): POST
/api/auth/claim-token {task_id, session_id} -> {claim_token: "clm_...",
expires_in}, then ``$WEB/workspace/claim?ct=<claim_token>``. A claim token opens
one project read-only and has no API access. It works once, within ten minutes (issue 22):
a link copied from a history or a log later opens nothing. The local engine serves the page
itself: the project's timeline as HTML, every user value escaped.
"""

from __future__ import annotations

import hashlib
import html
import secrets
import time

from ..timeline import Draft
from .db import Database
from .errors import EngineError

CLAIM_LIFETIME = 10 * 60   # seconds; single use as well (the link is opened right after `nemo open`)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ensure_table(db: Database) -> None:
    with db.tx() as c:
        c.execute("CREATE TABLE IF NOT EXISTS claims (hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, "
                  "expires_at REAL NOT NULL)")


def issue(db: Database, session_id: str) -> dict:
    token = "clm_" + secrets.token_urlsafe(24)
    now = time.time()
    with db.tx() as c:
        c.execute("DELETE FROM claims WHERE expires_at < ?", (now,))
        c.execute("INSERT INTO claims VALUES (?,?,?)", (_hash(token), session_id, now + CLAIM_LIFETIME))
    return {"claim_token": token, "expires_in": CLAIM_LIFETIME}


def session_of(db: Database, token: str) -> str:
    """The session a claim token opens; the token is used up by it (single use)."""
    with db.tx() as c:
        row = c.execute("SELECT session_id, expires_at FROM claims WHERE hash=?", (_hash(str(token)),)).fetchone()
        if row is not None:
            c.execute("DELETE FROM claims WHERE hash=?", (_hash(str(token)),))
    if row is None or row["expires_at"] < time.time():
        raise EngineError(404, "this link is unknown, was already opened, or has expired; run `nemo open` "
                               "for a new one", 404)
    return row["session_id"]


def page(state: dict, uploads: list[dict]) -> str:
    """The project as a small HTML page: the timeline summary, its tracks and files."""
    draft = Draft(state.get("draft") or {})
    rows = []
    for track in draft.tracks:
        segs = ", ".join(f"{s.start / 1000:.1f}-{s.end / 1000:.1f}s"
                         + (f" “{s.text[:60]}”" if s.text else "") for s in track.segments[:12])
        more = f" (+{len(track.segments) - 12} more)" if len(track.segments) > 12 else ""
        rows.append(f"<tr><td>{html.escape(track.kind or str(track.type))}</td>"
                    f"<td>{len(track.segments)}</td><td>{html.escape(segs + more)}</td></tr>")
    files = "".join(f"<li>{html.escape(str(u.get('filename')))} ({html.escape(str(u.get('file_type')))}, "
                    f"{float(u.get('duration') or 0):.1f} s)</li>" for u in uploads)
    return ("<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>NemoVideo project</title>"
            "<meta name='viewport' content='width=device-width'>"
            "<style>body{font:16px system-ui,'Noto Sans CJK SC',sans-serif;margin:2em;max-width:60em}"
            "td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left}</style></head><body>"
            f"<h1>{html.escape(draft.meta.get('title') or 'Project')}</h1>"
            f"<p>{html.escape(draft.summary())}</p>"
            "<table><tr><th>track</th><th>segments</th><th>timing</th></tr>" + "".join(rows) + "</table>"
            f"<h2>Files</h2><ul>{files or '<li>none</li>'}</ul></body></html>")
