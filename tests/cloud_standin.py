"""A stand-in for the NemoVideo cloud on 127.0.0.1, for what the local engine cannot show:
a 502 after the message arrived, an error code inside a 200, a code inside the stream,
the official render-status shape. It records every request (method, path, headers, body)
and answers from a script: per route, a queue of answers, the last one repeating."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK_TOKEN = {"code": 0, "data": {"token": "nmv_usr_standin_0123456789", "user_id": "anon_standin",
                                "expires_at": "2099-01-01T00:00:00Z", "credits": 100}}


class Answer:
    """One answer: a status, a JSON body or raw SSE bytes, an optional delay."""

    def __init__(self, status: int = 200, body=None, *, sse: bytes | None = None, delay: float = 0,
                 headers: dict | None = None) -> None:
        self.status, self.body, self.sse, self.delay = status, body, sse, delay
        self.headers = headers or {}


class Cloud:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Answer]] = {}
        self.requests: list[dict] = []
        self.state = {"state": {"draft": {}, "video_infos": []}}
        self.lock = threading.Lock()
        self.counts: dict[str, int] = defaultdict(int)
        self.on("POST", "/api/auth/anonymous-token", Answer(body=OK_TOKEN))
        self.on("POST", "/api/tasks/me/with-session/nemo_agent",
                Answer(body={"code": 0, "data": {"session_id": "5529798706024415232", "task_id": "task_1",
                                                 "user_id": "anon_standin"}}))
        self.on("GET", "/api/credits/balance/simple",
                Answer(body={"code": 0, "data": {"available": 100, "frozen": 0, "total": 100}}))

    def on(self, method: str, path: str, *answers: Answer) -> Cloud:
        self.routes[(method, path)] = list(answers)
        return self

    def answer(self, method: str, path: str) -> Answer | None:
        for (m, prefix), queue in self.routes.items():
            if m == method and path.startswith(prefix):
                with self.lock:
                    return queue.pop(0) if len(queue) > 1 else queue[0]
        return None

    def sent(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"].startswith(path)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _reply(self, answer: Answer) -> None:
        if answer.delay:
            time.sleep(answer.delay)
        if answer.sse is not None:
            self.send_response(answer.status)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(answer.sse)))
            self.end_headers()
            self.wfile.write(answer.sse)
            return
        data = json.dumps(answer.body if answer.body is not None else {}).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in answer.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        cloud: Cloud = self.server.cloud
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw and "json" in (self.headers.get("Content-Type") or "") else None
        except ValueError:
            body = None
        cloud.requests.append({"method": method, "path": self.path, "headers": dict(self.headers),
                               "body": body, "raw": raw})
        if method == "GET" and self.path.startswith("/api/state/"):
            return self._reply(Answer(body={"code": 0, "data": cloud.state}))
        answer = cloud.answer(method, self.path)
        if answer is None:
            return self._reply(Answer(404, {"code": 404, "message": "no such route in the stand-in"}))
        self._reply(answer)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


class CloudServer:
    def __init__(self, cloud: Cloud) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.cloud = cloud
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # A short poll interval, so shutting down takes milliseconds, not half a second.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    def __enter__(self) -> CloudServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def sse(*events: dict) -> bytes:
    return b"".join(b"data: " + json.dumps(e, ensure_ascii=False).encode() + b"\n\n" for e in events)


def text_event(text: str) -> dict:
    return {"content": {"role": "model", "parts": [{"text": text}]}, "author": "nemo_agent", "partial": False}
