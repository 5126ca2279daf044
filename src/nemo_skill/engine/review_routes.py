"""The review page's routes (issue 26): ``/review`` and ``/review/api/...`` on the engine.

Access: `nemo review` asks (with the user's token) for a claim, the same one-project claim
`nemo open` uses (links.py); the page's URL carries it as ``?ct=``. The first visit trades it
for a session cookie (HttpOnly, SameSite=Strict, path /review) and redirects to the bare
page, so the claim leaves the address bar; a reload with the cookie keeps working and the
page without claim or cookie is refused (401). Every answer carries a strict CSP: scripts,
styles and media from the engine itself only, no inline script.
"""

from __future__ import annotations

import copy
import hashlib
import html
import secrets
import time
from http.cookies import CookieError, SimpleCookie
from pathlib import Path

from fastapi import APIRouter, Cookie, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ..review import STATIC_DIR
from . import links, review_data, review_save
from .errors import EngineError

COOKIE = "nemo_review"
COOKIE_LIFETIME = 12 * 3600
ASSETS = {"review.js": "text/javascript; charset=utf-8", "review.css": "text/css; charset=utf-8"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
           "X-Frame-Options": "DENY", "Cache-Control": "no-store"}


class ReviewLink(BaseModel):
    session_id: str = Field(max_length=100)
    out_dir: str | None = Field(default=None, max_length=4096)
    stem: str | None = Field(default=None, max_length=120)


def _hash(token: str) -> str:
    """As links.py stores a claim (and as this table stores a cookie): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def ensure_table(engine) -> None:
    with engine.db.tx() as c:
        c.execute("CREATE TABLE IF NOT EXISTS review_cookies (hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, "
                  "expires_at REAL NOT NULL)")


def cookie_check(engine):
    """The Guard's check of the page's posts, before their body is read: the Cookie header ->
    the reviewed session, else 401."""
    def check(header: str | None) -> str:
        jar = SimpleCookie()
        try:
            jar.load(header or "")
        except CookieError:
            jar = SimpleCookie()
        morsel = jar.get(COOKIE)
        session_id = _valid_cookie(engine, morsel.value if morsel else None)
        if session_id is None:
            raise EngineError(1001, "this review page needs the link from `nemo review`", 401)
        return session_id
    return check


def _valid_cookie(engine, cookie: str | None) -> str | None:
    row = engine.db.one("SELECT session_id, expires_at FROM review_cookies WHERE hash=?", _hash(cookie or ""))
    return row["session_id"] if cookie and row is not None and row["expires_at"] >= time.time() else None


def _refused(status: int, message: str) -> HTMLResponse:
    body = (f"<!doctype html><html lang='zh'><meta charset='utf-8'><title>Review</title>"
            f"<link rel='stylesheet' href='/review/static/review.css'><body class='refused'><main><h1>{status}</h1>"
            f"<p>{html.escape(message)}</p><p>运行 <code>nemo review</code> 获取新的链接。</p></main></body></html>")
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def router(engine) -> APIRouter:
    """The routes, bound to ``engine``; create_app includes them."""
    ensure_table(engine)
    api = APIRouter(include_in_schema=False)

    def _valid(cookie: str | None) -> str | None:
        return _valid_cookie(engine, cookie)

    def reviewed_session(nemo_review: str | None = Cookie(default=None)) -> str:
        session_id = _valid(nemo_review)
        if session_id is None:
            raise EngineError(1001, "this review page needs the link from `nemo review`", 401)
        return session_id

    @api.post("/api/review/link", include_in_schema=True)
    def review_link(body: ReviewLink, request: Request):
        """A claim for the review page of one of the caller's projects; where its files go."""
        user_id = engine.accounts.authenticate(request.headers.get("authorization"))
        engine.owned_session(user_id, body.session_id)
        if body.out_dir is not None or body.stem is not None:
            folder = Path(str(body.out_dir or ""))
            if not folder.is_absolute() or not folder.is_dir() or not review_save.STEM.fullmatch(body.stem or ""):
                raise EngineError(4000, "out_dir must be an existing absolute folder and stem a file name", 400)
            engine.db.update_session_state(body.session_id, lambda s: s.__setitem__(
                "review_target", {"out_dir": str(folder.resolve()), "stem": body.stem}))
        claim = links.issue(engine.db, body.session_id)
        return {"code": 0, "message": "success", "data": {**claim, "path": f"/review?ct={claim['claim_token']}"}}

    @api.get("/review")
    def page(ct: str = "", nemo_review: str | None = Cookie(default=None)):
        return _open_page(engine, ct, nemo_review)

    @api.get("/review/static/{name}")
    def asset(name: str):
        if name not in ASSETS:
            raise EngineError(404, "not found", 404)
        return Response((STATIC_DIR / name).read_bytes(), media_type=ASSETS[name], headers=HEADERS)

    @api.get("/review/api/project")
    def project(session_id: str = Depends(reviewed_session)):
        version, draft = engine.db.latest_draft(session_id)
        clip = review_data.video_clip(draft, engine, session_id)
        return JSONResponse(review_data.project(draft, version, clip), headers=HEADERS)

    @api.get("/review/api/video")
    def video(session_id: str = Depends(reviewed_session)):
        _, draft = engine.db.latest_draft(session_id)
        path = review_data.video_path(draft, engine, session_id)
        if path is None:
            raise EngineError(404, "this project has no video", 404)
        return FileResponse(path, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    @api.get("/review/api/vtt/{lang}")
    def vtt(lang: str, session_id: str = Depends(reviewed_session)):
        _, draft = engine.db.latest_draft(session_id)
        if lang not in review_data.ordered_langs(draft):
            raise EngineError(404, "no subtitles in that language", 404)
        clip = review_data.video_clip(draft, engine, session_id)
        offset = clip["timeline_start"] - clip["source_start"] if clip else 0.0
        return Response(review_data.webvtt(draft, lang, offset), media_type="text/vtt; charset=utf-8",
                        headers=HEADERS)

    @api.post("/review/api/save")
    def save(body: review_save.SaveRequest, request: Request, session_id: str = Depends(reviewed_session)):
        origin = request.headers.get("origin")
        if origin and origin.split("://", 1)[-1] != request.headers.get("host"):
            raise EngineError(4030, "a save must come from the review page itself", 403)
        return JSONResponse(_save(engine, session_id, body), headers=HEADERS)

    return api


def _open_page(engine, ct: str, cookie: str | None):
    """The page: a claim is traded once for the cookie (and leaves the address bar); with the
    cookie the page itself; else refused."""
    if ct:
        try:
            session_id = links.session_of(engine.db, ct)
        except EngineError:
            if _valid_cookie(engine, cookie):   # the browser that used the link opens it again
                return RedirectResponse("/review", status_code=303, headers=HEADERS)
            return _refused(403, "这个链接无效或已过期。This link is unknown, used or expired.")
        token = secrets.token_urlsafe(32)
        with engine.db.tx() as c:
            # the claim opens the page once: a copied or logged URL opens nothing afterwards
            c.execute("DELETE FROM claims WHERE hash=?", (_hash(ct),))
            c.execute("INSERT INTO review_cookies VALUES (?,?,?)",
                      (_hash(token), session_id, time.time() + COOKIE_LIFETIME))
        answer = RedirectResponse("/review", status_code=303, headers=HEADERS)
        answer.set_cookie(COOKIE, token, max_age=COOKIE_LIFETIME, path="/review", httponly=True,
                          samesite="strict")
        return answer
    if _valid_cookie(engine, cookie) is None:
        return _refused(401, "请用 `nemo review` 给出的链接打开此页。Open this page with the link "
                             "`nemo review` prints.")
    return HTMLResponse((STATIC_DIR / "index.html").read_text(encoding="utf-8"), headers=HEADERS)


def _save(engine, session_id: str, body: review_save.SaveRequest) -> dict:
    """Check the whole edit, then apply it and write the files; nothing changes on a refusal."""
    with engine.session_lock(session_id):
        version, current = engine.db.latest_draft(session_id)
        if body.revision != version:
            raise EngineError(4090, "the project changed since this page loaded (another edit); reload "
                                    "the page and make the edit again; nothing was changed", 409)
        languages = review_data.ordered_langs(current)
        if not languages:
            raise EngineError(4000, "the project has no subtitles to edit", 400)
        editable = review_save.editable_languages(current, languages)
        clip = review_data.video_clip(current, engine, session_id)
        rows = review_save.check(body, languages, editable, review_data.timeline_length(current, clip))
        draft = copy.deepcopy(current)
        review_save.apply(draft, rows, languages, editable)
        version = engine.db.save_draft(session_id, draft, note="review")
    folder, stem = review_save.target_of(engine.db.session_state(session_id), engine.session_dir(session_id))
    written = review_save.write_files(draft, folder, stem)
    model = review_data.project(draft, version, clip)
    stale = written["out_of_date"]
    return {"ok": True, "saved": len(rows), "revision": version, **written, "project": model,
            "next": ("the subtitle files are written; render the MP4 again with `nemo subs files`"
                     if stale else "the subtitle files are written")}
