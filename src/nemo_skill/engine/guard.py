"""The engine's outer wall, before any route runs (issue 10).

- Host: only 127.0.0.1, localhost or [::1] with the engine's own port. A web
  page that rebinds its DNS name to 127.0.0.1 sends its own name as Host, so
  it is turned away with 421 and can never drive the engine.
- Body size: a request that is not a multipart upload is read up to
  ``MAX_JSON_BODY`` bytes; past that it gets 413 before anything parses it
  (a 400 MB JSON body once took the engine to 1.2 GB).
"""

from __future__ import annotations

import json

MAX_JSON_BODY = 16 * 1024 * 1024          # a 3 h subtitle draft is a few MB
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


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

    def __init__(self, app, *, extra_hosts: tuple[str, ...] = ()) -> None:
        self.app = app
        self.extra_hosts = set(extra_hosts)

    def host_allowed(self, scope) -> bool:
        host = _header(scope, b"host").strip().lower()
        if host in self.extra_hosts:
            return True
        server = scope.get("server") or (None, None)
        port = server[1] if len(server) > 1 else None
        return any(host == f"{name}:{port}" for name in LOOPBACK_NAMES)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if not self.host_allowed(scope):
            return await _answer(send, 421, 4000, "this engine answers only to 127.0.0.1, localhost "
                                                  "or [::1] on its own port")
        if _header(scope, b"content-type").startswith("multipart/") or scope["method"] in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
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

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()   # after the body: a disconnect, when it comes

        return await self.app(scope, replay, send)
