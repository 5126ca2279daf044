"""The local engine's app: nemo-api.md, path for path, in routers by area.

Routes only check, call the Engine (or the agent's Turn), and wrap the answer in the
contract's envelopes; each area is a module of its own (routes_auth, routes_sessions,
routes_uploads, routes_messages, routes_renders). Blocking work goes to worker threads.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .. import __version__
from . import (
    review_routes,
    routes_auth,
    routes_messages,
    routes_renders,
    routes_sessions,
    routes_uploads,
    storage,
)
from .errors import EngineError
from .guard import Guard
from .service import Engine

log = logging.getLogger("nemo_skill.engine")


def _install_handlers(app: FastAPI, engine: Engine) -> None:
    """Every failure as the contract's envelope, never a 500 with a trace."""
    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError):
        return JSONResponse({"code": 4000, "message": "the JSON body is nested too deeply", "data": None},
                            status_code=400)

    @app.exception_handler(EngineError)
    async def engine_error(request: Request, exc: EngineError):
        if exc.envelope == "success":
            body = {"success": False, "error": {"code": exc.code, "message": exc.message}}
        else:
            body = {"code": exc.code, "message": exc.message, "data": exc.data}
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


def create_app(engine: Engine, *, extra_hosts: tuple[str, ...] = ()) -> FastAPI:
    """The app. ``extra_hosts``: Host names besides the loopback ones (in-process tests)."""
    app = FastAPI(title="NemoVideo API (local engine)", version=__version__,
                  description="The NemoVideo API contract served on 127.0.0.1 (nemo-api.md).")
    app.state.engine = engine
    app.add_middleware(Guard, extra_hosts=extra_hosts, authenticate=engine.accounts.authenticate,
                       page_cookie=review_routes.cookie_check(engine))
    _install_handlers(app, engine)

    @app.middleware("http")
    async def touch(request: Request, call_next):
        if request.url.path != "/healthz":  # status checks must not keep an idle engine alive
            engine.last_activity = time.monotonic()
        return await call_next(request)

    for area in (routes_auth, routes_sessions, routes_uploads, routes_messages, routes_renders, review_routes):
        app.include_router(area.router(engine))
    return app
