"""A tiny HTTP server on 127.0.0.1 that replays recorded agent streams.

It serves just enough of the contract (token, session, state, /run_sse) for
NemoClient.chat, and writes the stream's bytes exactly as a scenario says:
split at awkward places, or cut off in the middle of a chunk.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Scenario:
    def __init__(self, chunks: list[bytes], *, drop: bool = False,
                 state_before: dict | None = None, state_after: dict | None = None) -> None:
        self.chunks, self.drop = chunks, drop
        self.state_before = state_before or {"state": {"draft": {}}}
        self.state_after = state_after or self.state_before
        self.streamed = threading.Event()
        self.messages = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    scenario: Scenario

    def log_message(self, *args) -> None:
        pass

    def _json(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        sc = self.server.scenario
        state = sc.state_after if sc.streamed.is_set() else sc.state_before
        self._json({"code": 0, "data": state})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        sc = self.server.scenario
        if self.path.endswith("anonymous-token"):
            return self._json({"code": 0, "data": {"token": "replay-token-123456", "user_id": "u1",
                                                   "expires_at": "2099-01-01T00:00:00Z"}})
        if "with-session" in self.path:
            return self._json({"code": 0, "data": {"session_id": "s1", "task_id": "t1", "user_id": "u1"}})
        sc.messages += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in sc.chunks:
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.flush()
        sc.streamed.set()
        if sc.drop:  # promise a chunk, send half of it, hang up
            self.wfile.write(b"40\r\ndata: {\"content\": {\"parts\": [{\"te")
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")


class ReplayServer:
    def __init__(self, scenario: Scenario) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.scenario = scenario
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # A short poll interval: shutting the server down takes milliseconds, not half a second.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def sse(*payloads, sep: bytes = b"\n\n") -> bytes:
    """Encode payloads as ``data:`` events (bytes pass through as raw lines)."""
    out = b""
    for p in payloads:
        out += p if isinstance(p, bytes) else b"data: " + json.dumps(p, ensure_ascii=False).encode() + sep
    return out


def adk_text(text: str, partial: bool = False) -> dict:
    return {"content": {"role": "model", "parts": [{"text": text}]}, "author": "nemo_agent",
            "partial": partial}


def adk_call(name: str, args: dict) -> dict:
    return {"content": {"role": "model", "parts": [{"functionCall": {"id": "c1", "name": name, "args": args}}]}}


def adk_response(name: str, response: dict) -> dict:
    return {"content": {"role": "user", "parts": [{"functionResponse": {"id": "c1", "name": name, "response": response}}]}}
