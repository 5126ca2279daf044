"""The upload route: files streamed to disk (or fetched from URLs), probed, registered."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from . import uploads
from .errors import EngineError
from .http_common import errors, ok, user_of
from .service import Engine


async def _drain(request: Request, budget: int = 1 << 30) -> None:
    try:
        async for chunk in request.stream():
            budget -= len(chunk)
            if budget < 0:
                return
    except Exception:  # noqa: BLE001 - the client went away; nothing to answer
        return


async def _receive(request: Request, stream: uploads.StreamingUpload):
    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(stream.feed, chunk)
        return await run_in_threadpool(stream.finish)
    except EngineError:
        await run_in_threadpool(stream.abort)
        await _drain(request)  # so the client reads our answer instead of a reset
        raise
    except BaseException:
        await run_in_threadpool(stream.abort)
        raise


async def _fetch(engine: Engine, request: Request, dest) -> list:
    body = await request.json()
    urls = body.get("urls") if isinstance(body, dict) else None
    if not urls or not isinstance(urls, list):
        raise EngineError(4000, "expected {\"urls\": [...], \"source_type\": \"url\"}", 400)
    return [await run_in_threadpool(uploads.fetch_url, str(u), dest, max_bytes=engine.config.max_upload_bytes,
                                    allow_private=engine.config.allow_private_urls) for u in urls]


def router(engine: Engine) -> APIRouter:
    api = APIRouter()
    user = user_of(engine)

    @api.post("/api/upload-video/{app_name}/me/{session_id}", responses=errors((400, 401, 404, 413, 421)))
    async def upload(app_name: str, session_id: str, request: Request, user_id: str = Depends(user)):
        await run_in_threadpool(engine.owned_session, user_id, session_id)
        dest = engine.session_dir(session_id) / "uploads"
        if request.headers.get("content-type", "").startswith("application/json"):
            saved = await _fetch(engine, request, dest)
        else:
            saved = await _receive(request, uploads.StreamingUpload(
                dest, request.headers.get("content-type", ""), engine.config.max_upload_bytes))
        files = []
        try:
            for item in saved:
                files.append(await run_in_threadpool(uploads.register, engine.db, session_id, item))
        except EngineError:
            for item in saved:
                item.path.unlink(missing_ok=True)
            raise
        applied = await run_in_threadpool(engine.apply_uploads, session_id, files)
        return ok({"files": files, "session_state_applied": applied})

    return api
