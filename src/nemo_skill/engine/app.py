"""The HTTP routes of the local engine: nemo-api.md, path for path.

Routes only check, call the Engine, and wrap the answer in the contract's
envelopes. Blocking work goes to worker threads (sync routes run in
FastAPI's threadpool; async routes hand off with run_in_threadpool).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import threading
import time
import uuid

import anyio
from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..constants import APP_NAME, RENDER_ID_PATTERN
from ..intents import has_cjk
from ..timeline import Draft
from . import links, registry, review_routes, storage, uploads
from .bodies import ClaimRequest, NewSession, RenderRequest, RunAgentRequest
from .errors import EngineError
from .guard import Guard
from .service import MESSAGE_COST, Engine, dumps
from .tools import TOOLS, ToolContext

log = logging.getLogger("nemo_skill.engine")


ATTRIBUTION = ("X-Skill-Source", "X-Skill-Version", "X-Skill-Platform")


def ok(data) -> dict:
    return {"code": 0, "message": "success", "data": data}


_ERROR_BODY = {"content": {"application/json": {"schema": {"type": "object", "properties": {
    "code": {"type": "integer"}, "message": {"type": "string"}, "success": {"type": "boolean"},
    "error": {"type": "object"}}}}}}
_MEANING = {400: "bad request (a message names the field)", 401: "token missing, invalid or expired (1001)",
            402: "out of credits (2001)", 404: "not found, or not yours", 409: "render id already used",
            413: "body too large", 415: "unsupported file type", 421: "Host is not this engine's loopback address",
            429: "too many renders waiting"}


def errors(codes: tuple[int, ...]) -> dict:
    """The error statuses a route really sends, for the OpenAPI document (issue 10)."""
    return {code: {"description": _MEANING[code], **_ERROR_BODY} for code in codes}


def create_app(engine: Engine, *, extra_hosts: tuple[str, ...] = ()) -> FastAPI:
    """The app. ``extra_hosts``: Host names besides the loopback ones (in-process tests)."""
    app = FastAPI(title="NemoVideo API (local engine)", version=__version__,
                  description="The NemoVideo API contract served on 127.0.0.1 (nemo-api.md).")
    app.state.engine = engine
    app.add_middleware(Guard, extra_hosts=extra_hosts, authenticate=engine.accounts.authenticate)
    app.include_router(review_routes.router(engine))   # the review page (issue 26)

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError):
        return JSONResponse({"code": 4000, "message": "the JSON body is nested too deeply", "data": None},
                            status_code=400)

    @app.exception_handler(EngineError)
    async def engine_error(request: Request, exc: EngineError):
        if exc.envelope == "success":
            body = {"success": False, "error": {"code": exc.code, "message": exc.message}}
        else:
            body = {"code": exc.code, "message": exc.message, "data": None}
        headers = {"Retry-After": "30"} if exc.status == 429 else None
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.exception_handler(OSError)
    @app.exception_handler(sqlite3.OperationalError)
    async def storage_error(request: Request, exc: Exception):
        kind = storage.trouble(exc)    # a full disk or a read-only folder: said so, never a trace
        log.warning("a write failed: %s", exc)
        message = storage.message(kind, engine.home) if kind else "internal error; see `nemo engine logs`"
        return JSONResponse({"code": 5000, "message": message, "data": None},
                            status_code=507 if kind == "full" else 503 if kind else 500)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse({"code": 4000, "message": f"invalid request: {where} {first.get('msg', '')}",
                             "data": None}, status_code=400)

    @app.middleware("http")
    async def touch(request: Request, call_next):
        if request.url.path != "/healthz":  # status checks must not keep an idle engine alive
            engine.last_activity = time.monotonic()
        return await call_next(request)

    def user(authorization: str | None = Header(default=None)) -> str:
        return engine.accounts.authenticate(authorization)

    @app.get("/healthz", responses=errors((421,)))
    def health():
        # An opaque id of this run (engine.json holds it too), so `nemo` knows it reached its own
        # engine; no pid or path for a stranger.
        return ok({"status": "ok", "version": __version__, "instance": engine.instance})

    @app.post("/api/auth/anonymous-token", responses=errors((400, 413, 421)))
    def anonymous_token(x_client_id: str | None = Header(default=None)):
        return ok(engine.accounts.issue_token(x_client_id or ""))

    @app.post("/api/tasks/me/with-session/{app_name}", responses=errors((400, 401, 413, 421)))
    def new_session(app_name: str, body: NewSession | None = None, user_id: str = Depends(user)):
        return ok(engine.create_session(user_id, body.language if body else "en"))

    @app.post("/api/auth/claim-token", responses=errors((400, 401, 404, 413, 421)))
    def claim_token(body: ClaimRequest, user_id: str = Depends(user)):
        """A link that opens one project in a browser; the token never goes in a URL."""
        engine.owned_session(user_id, body.session_id)
        return ok(links.issue(engine.db, body.session_id))

    @app.get("/workspace/claim", response_class=HTMLResponse, responses=errors((404, 421)))
    def claim_page(ct: str = ""):
        session_id = links.session_of(engine.db, ct)
        state = engine.state(session_id)["state"]
        return HTMLResponse(links.page(state, engine.uploads_of(session_id)),
                            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                                     "Referrer-Policy": "no-referrer"})

    @app.get("/api/credits/balance/simple", responses=errors((401, 421)))
    def credits(user_id: str = Depends(user)):
        return ok(engine.accounts.balance(user_id))

    @app.get("/api/state/{app_name}/me/{session_id}/latest", responses=errors((401, 404, 421)))
    def state(app_name: str, session_id: str, user_id: str = Depends(user)):
        engine.owned_session(user_id, session_id)
        return ok(engine.state(session_id))

    @app.get("/api/files/{upload_id}/{name}", responses=errors((401, 404, 421)))
    def file(upload_id: str, name: str, user_id: str = Depends(user)):
        row = engine.db.one("SELECT u.path, u.filename FROM uploads u JOIN sessions s "
                            "ON s.id=u.session_id WHERE u.id=? AND s.user_id=?", upload_id, user_id)
        if row is None:
            raise EngineError(404, "file not found", 404)
        return FileResponse(row["path"], filename=row["filename"])

    @app.post("/api/upload-video/{app_name}/me/{session_id}", responses=errors((400, 401, 404, 413, 421)))
    async def upload(app_name: str, session_id: str, request: Request, user_id: str = Depends(user)):
        await run_in_threadpool(engine.owned_session, user_id, session_id)
        dest = engine.session_dir(session_id) / "uploads"
        limit = engine.config.max_upload_bytes
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
            urls = body.get("urls") if isinstance(body, dict) else None
            if not urls or not isinstance(urls, list):
                raise EngineError(4000, "expected {\"urls\": [...], \"source_type\": \"url\"}", 400)
            saved = [await run_in_threadpool(uploads.fetch_url, str(u), dest, max_bytes=limit,
                                             allow_private=engine.config.allow_private_urls)
                     for u in urls]
        else:
            saved = await _receive(request, uploads.StreamingUpload(
                dest, request.headers.get("content-type", ""), limit))
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

    async def _drain(request: Request, budget: int = 1 << 30) -> None:
        try:
            async for chunk in request.stream():
                budget -= len(chunk)
                if budget < 0:
                    return
        except Exception:  # noqa: BLE001 - the client went away; nothing to answer
            return

    @app.post("/run_sse", responses=errors((400, 401, 402, 404, 413, 421)))
    async def run_sse(body: RunAgentRequest, user_id: str = Depends(user)):
        session_id, parts = body.session_id, body.new_message.parts
        # A lone surrogate ("\ud800") cannot be sent back as UTF-8: it would end the stream
        # half-way with the credit still held (issue 10).
        text = " ".join(p.text or "" for p in parts).strip().encode("utf-8", "replace").decode("utf-8")
        # The calling agent may name the tool itself (`nemo do`): an ADK functionCall part,
        # checked against the tool's schema here, before any credit is reserved.
        direct = [p.functionCall for p in parts if p.functionCall is not None]
        try:
            calls = [registry.check_call(c.get("name"), c.get("args")) for c in direct]
        except registry.BadCall as exc:
            raise EngineError(4000, str(exc), 400) from None
        session = await run_in_threadpool(engine.owned_session, user_id, session_id)
        ref = f"msg:{uuid.uuid4().hex}"
        await run_in_threadpool(engine.accounts.reserve, user_id, MESSAGE_COST, ref)
        language = "zh" if has_cjk(text) else (session.get("language") or "en")
        return EventSourceResponse(_agent_events(user_id, session_id, text, language, ref, calls or None),
                                   ping=15, sep="\n")

    async def _agent_events(user_id: str, session_id: str, text: str, language: str, ref: str,
                            direct: list | None = None):
        invocation = "e-" + uuid.uuid4().hex[:12]

        def adk(parts: list[dict], *, final: bool = False) -> dict:
            return {"data": dumps({"content": {"role": "model", "parts": parts}, "author": APP_NAME,
                                   "invocationId": invocation, "id": uuid.uuid4().hex[:12],
                                   "timestamp": time.time(), "partial": False, "turnComplete": final})}

        engine.active_streams += 1
        worked = False   # once a tool has run, the message is paid for, whatever happens next
        stop = threading.Event()   # set when the stream ends early: the running tool stops too
        engine.turn_started(session_id, stop)   # ... or when the project's work is cancelled
        try:
            # The agent's own calls, else the rules (never planned on the event loop).
            calls = direct or await run_in_threadpool(engine.plan, text)
            if not calls:
                yield adk([{"text": registry.capabilities(language)}], final=True)
                await run_in_threadpool(engine.accounts.settle, ref)
                return
            steps = ("，" if language == "zh" else ", ").join(TOOLS[c.name].describe(language) for c in calls)
            yield adk([{"text": ("好的，我来" if language == "zh" else "On it: ") + steps + ("。" if language == "zh" else ".")}])
            uploaded = await run_in_threadpool(engine.uploads_of, session_id)
            notes: list[str] = []
            ctx = ToolContext(session_id=session_id, uploads=uploaded, engine=engine,
                              note=notes.append, language=language, cancel=stop)
            said = []
            for call in calls:
                call_id = "call_" + uuid.uuid4().hex[:10]
                yield adk([{"functionCall": {"id": call_id, "name": call.name, "args": call.args}}])
                task = asyncio.ensure_future(run_in_threadpool(engine.run_tool, user_id, session_id, call, ctx))
                sent, quiet = len(notes), 0.0
                while not task.done():   # progress notes as they come (at most 1/s), else a keep-alive
                    done, _ = await asyncio.wait({task}, timeout=1.0)
                    quiet += 1.0
                    if done:
                        break
                    if len(notes) > sent or quiet >= engine.config.keepalive:
                        # A note goes out once; a plain keep-alive carries none (no repeated lines).
                        fresh = notes[-1] if len(notes) > sent else None
                        sent, quiet = len(notes), 0.0
                        yield {"data": dumps({"type": "heartbeat", **({"note": fresh} if fresh else {})})}
                result = task.result()
                if stop.is_set():   # cancelled while it ran: nothing more runs, and the hold is released
                    yield {"data": dumps({"error": "cancelled"})}
                    return
                worked = True
                yield adk([{"functionResponse": {"id": call_id, "name": call.name, "response": result}}])
                said.append(result.get("message", ""))
            draft = Draft(engine.state(session_id)["state"]["draft"])
            closing = " ".join(s for s in said if s)
            if draft.exportable:
                closing += (" 准备好后点击导出。" if language == "zh" else " Click Export when you are ready.")
            yield adk([{"text": closing.strip()}], final=True)
            await run_in_threadpool(engine.accounts.settle, ref)
        except Exception as exc:  # noqa: BLE001 - reported to the client as the contract's error event
            log.exception("agent turn failed")
            await run_in_threadpool(engine.accounts.release, ref)
            kind = storage.trouble(exc) if isinstance(exc, (OSError, sqlite3.Error)) else None
            said = storage.message(kind, engine.home) if kind else getattr(exc, "message", None) or str(exc)
            yield {"data": dumps({"error": said})}
        finally:
            # Every path closes the hold: a dropped stream (cancel), a send that failed, a
            # generator closed early. Settling or releasing twice is a no-op.
            stop.set()
            engine.turn_ended(session_id, stop)
            close = engine.accounts.settle if worked else engine.accounts.release
            with anyio.CancelScope(shield=True):   # a cancelled stream still closes its hold
                await run_in_threadpool(close, ref)
            engine.active_streams -= 1

    @app.post("/api/sessions/{session_id}/cancel", responses=errors((401, 404, 413, 421)))
    def cancel_work(session_id: str, user_id: str = Depends(user)):
        """Stop the project's running turn and renders (`nemo mcp`'s cancel; a dropped stream does it too)."""
        return ok(engine.cancel_work(user_id, session_id))

    def official(status: dict, request: Request) -> dict:
        """A render's status in both shapes: the current official one (top-level ``status``
        and ``output.url``: SKILL.md v1.9 "3.5 c", nemovideo-tools render.ts) and the older
        ``data.status`` / ``data.outputUrl`` (references/api-reference.md)."""
        if status["status"] == "completed":
            status["outputUrl"] = str(request.url_for("download", render_id=status["id"]))
        return {"success": True, "id": status["id"], "status": status["status"],
                "progress": status["progress"], "error": status.get("error"),
                "output": {"url": status.get("outputUrl")}, "data": status}

    def render_id_of(value) -> str:
        """A render id names a file: only the safe shape, or 400 (issue 10)."""
        if not isinstance(value, str) or not re.fullmatch(RENDER_ID_PATTERN, value):
            raise EngineError(4000, "a render id is 1-64 letters, digits, '_' or '-' "
                                    "(e.g. render_1700000000000)", 400, envelope="success")
        return value

    @app.post("/api/render/proxy/lambda", responses=errors((400, 401, 402, 404, 409, 413, 421, 429)))
    def render(body: RenderRequest, request: Request, user_id: str = Depends(user)):
        # The cloud answers 402 to an export without the attribution headers (nemovideo_skills
        # SKILL.md v1.9: "Missing them will cause auth failures or export 402"); so do we.
        missing = [h for h in ATTRIBUTION if not request.headers.get(h)]
        if missing:
            raise EngineError(402, f"export needs the attribution headers: {', '.join(missing)}", 402,
                              envelope="success")
        render_id = render_id_of(body.id or f"render_{int(time.time() * 1000)}")
        session_id = body.sessionId or body.session_id
        if not session_id:
            raise EngineError(4000, "expected id, sessionId and draft", 400, envelope="success")
        status = engine.render(user_id, render_id, session_id, body.draft)
        return official(status, request)

    @app.get("/api/render/proxy/lambda/{render_id}", responses=errors((400, 401, 404, 421)))
    def render_status(render_id: str, request: Request, user_id: str = Depends(user)):
        engine.owned_render(user_id, render_id_of(render_id))
        return official(engine.renders.status(render_id), request)

    @app.post("/api/render/proxy/lambda/{render_id}/cancel", responses=errors((400, 401, 404, 413, 421)))
    def render_cancel(render_id: str, request: Request, user_id: str = Depends(user)):
        engine.owned_render(user_id, render_id_of(render_id))
        return official(engine.renders.cancel(render_id), request)

    @app.get("/api/render/proxy/{render_id}/download", name="download", responses=errors((400, 401, 404, 421)))
    def download(render_id: str, user_id: str = Depends(user)):
        engine.owned_render(user_id, render_id_of(render_id))
        path = engine.renders.output(render_id)
        if path is None:
            raise EngineError(404, f"render {render_id} has no finished output yet", 404,
                              envelope="success")
        return FileResponse(path, media_type="video/mp4", filename=f"{render_id}.mp4")

    return app
