"""The engine's outer wall, before any route runs (issue 10).

- Host: only 127.0.0.1, localhost or [::1] with the engine's own port. A web
  page that rebinds its DNS name to 127.0.0.1 sends its own name as Host, so
  it is turned away with 421 and can never drive the engine.
- Token: a request that sends a body is authenticated here, before a byte of
  the body is read; a web page's token-less POST costs the engine nothing (issue 22).
- Body size: every route but the upload is read up to ``MAX_JSON_BODY`` bytes,
  whatever its Content-Type; past that it gets 413 before anything parses it
  (a 400 MB JSON body once took the engine to 1.2 GB). Multipart is refused on
  the routes that take no files (a page can send it without a CORS preflight).
- JSON: a body that holds NaN or Infinity is not JSON: 400 (a NaN once bricked a
  project, issue 22).
"""

from __future__ import annotations

import json
import re

from anyio import to_thread

from ..safe_json import NotFinite, loads_strict
from .errors import EngineError

MAX_JSON_BODY = 16 * 1024 * 1024          # a 3 h subtitle draft is a few MB
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
UPLOAD_ROUTE = re.compile(r"^/api/upload-video/[^/]+/me/[^/]+$")
PUBLIC_POSTS = ("/api/auth/anonymous-token",)    # the one body-taking route without a token
PAGE_PREFIX = "/review/"                          # the review page's routes: its cookie, not a token


def strict_json(body: bytes) -> str | None:
    """Why ``body`` is not standard JSON because of NaN/Infinity (None: it is fine or not JSON
    at all; the route's own parser answers that)."""
    if not body.strip():
        return None
    try:
        loads_strict(body)
    except NotFinite as exc:
        return str(exc)
    except (ValueError, RecursionError):
        return None
    return None


async def _answer(send, status: int, code: int, message: str) -> None:
    body = json.dumps({"code": code, "message": message, "data": None}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


class Guard:
    """ASGI middleware: Host check and a bounded, replayed body for non-upload requests."""

    def __init__(self, app, *, extra_hosts: tuple[str, ...] = (), authenticate=None, page_cookie=None) -> None:
        self.app = app
        self.extra_hosts = set(extra_hosts)
        self.authenticate = authenticate    # Authorization header -> user id, else EngineError
        self.page_cookie = page_cookie      # the review page's Cookie header -> session id, else EngineError

    def host_allowed(self, scope) -> bool:
        host = _header(scope, b"host").strip().lower()
        if host in self.extra_hosts:
            return True
        server = scope.get("server") or (None, None)
        port = server[1] if len(server) > 1 else None
        return any(host == f"{name}:{port}" for name in LOOPBACK_NAMES)

    async def _refused(self, scope, send) -> bool:
        """True when the request was answered here: no token, or multipart off the upload route."""
        path = scope.get("path", "")
        # The review page posts with its cookie (HttpOnly, SameSite=Strict), never a token.
        page = self.page_cookie is not None and path.startswith(PAGE_PREFIX)
        check, credential = (self.page_cookie, b"cookie") if page else (self.authenticate, b"authorization")
        if check is not None and path not in PUBLIC_POSTS:
            try:
                await to_thread.run_sync(check, _header(scope, credential) or None)
            except EngineError as exc:
                await _answer(send, exc.status, exc.code, exc.message)
                return True
        if _header(scope, b"content-type").lower().startswith("multipart/") and not UPLOAD_ROUTE.match(path):
            await _answer(send, 400, 4000, "this route takes no files; upload them to "
                                           "/api/upload-video/{app}/me/{session_id}")
            return True
        return False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if not self.host_allowed(scope):
            return await _answer(send, 421, 4000, "this engine answers only to 127.0.0.1, localhost "
                                                  "or [::1] on its own port")
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        if await self._refused(scope, send):
            return None
        if UPLOAD_ROUTE.match(scope.get("path", "")) and \
                _header(scope, b"content-type").lower().startswith("multipart/"):
            return await self.app(scope, receive, send)    # streamed to disk, capped by the route
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > MAX_JSON_BODY:
            return await _answer(send, 413, 4000, f"request body over {MAX_JSON_BODY >> 20} MB")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BODY:
                return await _answer(send, 413, 4000, f"request body over {MAX_JSON_BODY >> 20} MB")
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body, sent = b"".join(chunks), False
        if (why := strict_json(body)) is not None:
            return await _answer(send, 400, 4000, f"invalid JSON: {why}")

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()   # after the body: a disconnect, when it comes

        return await self.app(scope, replay, send)
