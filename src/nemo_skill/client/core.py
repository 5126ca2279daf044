"""NemoClient: every endpoint of nemo-api.md, both backends, one code path.

The client never prints; progress goes to an ``on_progress(str)`` callback
the CLI passes in. Retries follow :mod:`.retry`; secrets are never put in a
URL, a message or a log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from .. import constants as C
from ..errors import (
    APIConnectionError,
    APITimeoutError,
    Conflict,
    NemoError,
    OutOfCredits,
    ProtocolError,
    SessionNotFound,
    StreamError,
    TokenInvalid,
)
from ..intents import translate_gui
from ..redact import redact, register_secret
from ..store import Store
from ..timeline import Draft, diff
from . import envelope
from .retry import RetryState, backoff_delay, decide, rate_limit_delay
from .sse import StreamEvent, TextAssembler, read_events
from .upload import MultipartStream, check_file, check_url

log = logging.getLogger("nemo_skill.client")
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class ChatResult:
    text: str
    tool_calls: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)   # GUI actions the text stands for
    changes: list[str] = field(default_factory=list)   # state diff, when the stream was silent or dropped
    recovered: bool = False                             # the stream dropped; state was polled
    session_id: str = ""
    tool_results: list[dict] = field(default_factory=list)  # {"name", "response"} per tool

    def to_json(self) -> dict:
        return {"text": self.text, "tool_calls": self.tool_calls, "actions": self.actions,
                "changes": self.changes, "recovered": self.recovered, "session_id": self.session_id}

    def errors(self) -> list[str]:
        """What the tools said went wrong (their ``message``), if anything."""
        return [str(r["response"].get("message") or r["response"]["error"]) for r in self.tool_results
                if isinstance(r.get("response"), dict) and r["response"].get("error")]


@dataclass
class RenderStatus:
    id: str
    status: str
    progress: float = 0.0
    output_url: str | None = None
    error: str | None = None
    raw: dict = field(default_factory=dict)

    @classmethod
    def parse(cls, render_id: str, body: dict) -> RenderStatus:
        """Status in data.status or top level; the URL in outputUrl, output.url (nemo-api.md)."""
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        output = data.get("output") if isinstance(data.get("output"), dict) else \
            body.get("output") if isinstance(body.get("output"), dict) else {}
        url = data.get("outputUrl") or output.get("url") or body.get("outputUrl")
        status = str(data.get("status") or body.get("status") or "pending").lower()
        try:
            progress = float(data.get("progress") or body.get("progress") or 0)
        except (TypeError, ValueError):
            progress = 0.0
        error = data.get("error") or data.get("errorMessage") or body.get("error")
        return cls(str(data.get("id") or render_id), status, progress, url,
                   redact(str(error)) if error else None, data)

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed", "cancelled")


class NemoClient:
    """A client for one API base URL.

    Settings come from :class:`nemo_skill.config.Settings`, the only reader
    of the environment; ``headers`` are the attribution headers of the
    running skill (:meth:`nemo_skill.skill.SkillIdentity.headers`).
    """

    def __init__(self, base_url: str, *, store: Store, headers: dict[str, str],
                 skill: str, token: str | None = None, retry_delay: float = C.RETRY_DELAY,
                 rate_limit_wait: float = C.RATE_LIMIT_WAIT,
                 state_poll_interval: float = C.STATE_POLL_INTERVAL,
                 on_progress: Progress = _quiet, store_key: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.store = store
        # What token, session and render jobs are kept under: the URL, except for the local
        # engine, which is one backend whatever port it starts on (issue 10: a restart must
        # not lose the project).
        self.store_key = store_key or self.base_url
        self.skill = skill
        self.attribution = dict(headers)
        self.user_token = token           # NEMO_TOKEN: a registered user's, never renewed
        register_secret(token)
        self.retry_delay = retry_delay
        self.rate_limit_wait = rate_limit_wait
        self.state_poll_interval = state_poll_interval
        self.progress = on_progress
        self.http = requests.Session()
        self.http.trust_env = False if self.base_url.startswith("http://127.") else True
        self._token: str | None = token

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> NemoClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- tokens ------------------------------------------------------------------
    @property
    def anonymous(self) -> bool:
        return self.user_token is None

    def anonymous_token(self) -> dict:
        """POST /api/auth/anonymous-token with the persisted X-Client-Id."""
        data = self._request("POST", "/api/auth/anonymous-token", auth=False, client_id=True)
        token = data.get("token") if isinstance(data, dict) else None
        if not token:
            raise ProtocolError("the token endpoint answered without a token")
        expires = _epoch(data.get("expires_at"))
        self.store.save_token(self.store_key, token, user_id=data.get("user_id"), expires_at=expires)
        self._token = token
        return {k: v for k, v in data.items() if k != "token"}

    def token(self) -> str:
        if self._token is None:
            saved = self.store.token(self.store_key)
            if saved:
                self._token = saved["token"]
            else:
                self.anonymous_token()
        assert self._token is not None
        return self._token

    def _renew_token(self) -> None:
        self.store.forget_token(self.store_key)
        self._token = None
        self.anonymous_token()

    # --- requests -------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def _send(self, method: str, path: str, *, auth: bool, headers: dict | None,
              timeout: tuple[float, float], **kwargs) -> requests.Response:
        all_headers = {**self.attribution, **(headers or {})}
        if auth:
            all_headers["Authorization"] = f"Bearer {self.token()}"
        log.debug("%s %s", method, path)
        try:
            return self.http.request(method, self._url(path), headers=all_headers,
                                     timeout=timeout, **kwargs)
        except requests.Timeout:
            raise APITimeoutError(f"{method} {path} timed out") from None
        except requests.ConnectionError as exc:
            raise APIConnectionError(f"cannot reach {self.base_url} ({type(exc).__name__})") from None

    def _request(self, method: str, path: str, *, auth: bool = True, headers: dict | None = None,
                 json: Any = None, body_factory: Callable[[], Any] | None = None,
                 timeout: tuple[float, float] = (C.CONNECT_TIMEOUT, C.READ_TIMEOUT),
                 stream: bool = False, raw: bool = False, client_id: bool = False) -> Any:
        """Send with the contract's retries; the answer's data, or the response if ``raw``."""
        state = RetryState()
        while True:
            try:
                body = body_factory() if body_factory else None
                kwargs: dict = {"json": json} if json is not None else {}
                extra = dict(headers or {})
                if client_id:  # read each try: a 400 retry sends the new one
                    extra["X-Client-Id"] = self.store.client_id()
                if body is not None:
                    kwargs["data"] = body
                    extra["Content-Type"] = body.content_type
                response = self._send(method, path, auth=auth, headers=extra, timeout=timeout,
                                      stream=stream, **kwargs)
                if raw and response.status_code < 400:
                    return response
                try:
                    return envelope.unwrap(response)
                finally:
                    response.close()
            except NemoError as exc:
                action = decide(exc, state, anonymous=self.anonymous)
                if action is None:
                    if isinstance(exc, TokenInvalid) and not self.anonymous:
                        exc.hint = "your NEMO_TOKEN is invalid or expired: set a valid one, or unset it to use a free token"
                    if isinstance(exc, OutOfCredits):
                        raise self._credits_error(exc) from None
                    raise
                self._recover(action, exc, state)
                state.tries += 1

    def _recover(self, action: str, exc: NemoError, state: RetryState) -> None:
        if action == "new_token":
            self.progress("Token expired; getting a new one...")
            self._renew_token()
        elif action == "new_client_id":
            self.store.client_id(renew=True)
        elif action == "wait":
            delay = rate_limit_delay(getattr(exc, "retry_after", None), self.rate_limit_wait)
            self.progress(f"Rate limited; waiting {delay:.0f} s...")
            time.sleep(delay)
        elif action == "backoff":
            delay = backoff_delay(state.tries, self.retry_delay,
                                  retry_after=getattr(exc, "retry_after", None))
            self.progress(f"{exc.message}; retrying in {delay:.1f} s...")
            time.sleep(delay)

    def _credits_error(self, exc: OutOfCredits) -> OutOfCredits:
        saved = self.store.token(self.store_key) or {}
        return OutOfCredits(exc.message, bind_id=saved.get("user_id"),
                            registered=not self.anonymous, status=exc.status)

    # --- sessions ----------------------------------------------------------------------
    def create_session(self, language: str = "en") -> dict:
        data = self._request("POST", f"/api/tasks/me/with-session/{C.APP_NAME}",
                             json={"task_name": "project", "language": language})
        if not isinstance(data, dict) or not data.get("session_id"):
            raise ProtocolError("the session endpoint answered without a session_id")
        session = {"session_id": data["session_id"], "task_id": data.get("task_id"),
                   "user_id": data.get("user_id"), "created_at": time.time(), "language": language}
        self.store.save_session(self.store_key, self.skill, session)
        return session

    def session(self, *, new: bool = False, language: str = "en") -> dict:
        saved = None if new else self.store.session(self.store_key, self.skill)
        return saved or self.create_session(language)

    def _with_session(self, call: Callable[[str], Any], session_id: str | None = None) -> Any:
        """Run ``call(session_id)``; on 1002 make a new session and run it once more."""
        sid = session_id or self.session()["session_id"]
        try:
            return call(sid)
        except SessionNotFound:
            self.progress("The project session was not found; starting a new one...")
            self.store.forget_session(self.store_key, self.skill)
            return call(self.create_session()["session_id"])

    # --- simple reads --------------------------------------------------------------------
    def credits(self) -> dict:
        return self._request("GET", "/api/credits/balance/simple")

    def _state(self, session_id: str) -> dict:
        return self._request("GET", f"/api/state/{C.APP_NAME}/me/{session_id}/latest")

    def state(self, session_id: str | None = None) -> dict:
        return self._with_session(self._state, session_id)

    def draft(self, session_id: str | None = None) -> Draft:
        return Draft.from_state(self.state(session_id))

    # --- uploads ---------------------------------------------------------------------------
    def upload(self, paths: list[str | Path], session_id: str | None = None,
               on_bytes: Callable[[int, int], None] | None = None) -> dict:
        """Upload one or more files in one call; checked before anything is sent."""
        files = [check_file(p) for p in paths]
        timeout = (C.CONNECT_TIMEOUT, C.UPLOAD_READ_TIMEOUT)

        def call(sid: str) -> dict:
            return self._request("POST", f"/api/upload-video/{C.APP_NAME}/me/{sid}",
                                 body_factory=lambda: MultipartStream(files, on_progress=on_bytes),
                                 timeout=timeout)
        return self._with_session(call, session_id)

    def upload_urls(self, urls: list[str], session_id: str | None = None) -> dict:
        body = {"urls": [check_url(u) for u in urls], "source_type": "url"}
        return self._with_session(lambda sid: self._request(
            "POST", f"/api/upload-video/{C.APP_NAME}/me/{sid}", json=body,
            timeout=(C.CONNECT_TIMEOUT, C.UPLOAD_READ_TIMEOUT)), session_id)

    # --- the agent ----------------------------------------------------------------------------
    def stream(self, text: str, session_id: str, *, on_bytes: Callable[[], None] | None = None,
               deadline: float = C.STREAM_DEADLINE) -> Iterator[StreamEvent]:
        """POST /run_sse and yield its events; the response is always closed."""
        session = self.store.session(self.store_key, self.skill) or {}
        body = {"app_name": C.APP_NAME, "user_id": session.get("user_id") or "me",
                "session_id": session_id,
                "new_message": {"role": "user", "parts": [{"text": text}]}, "streaming": True}
        response = self._request("POST", "/run_sse", json=body, stream=True, raw=True,
                                 headers={"Accept": "text/event-stream"},
                                 timeout=(C.CONNECT_TIMEOUT, C.STREAM_READ_TIMEOUT))
        try:
            yield from read_events(response.iter_content(chunk_size=None), on_bytes=on_bytes,
                                   deadline=time.monotonic() + deadline)
        finally:
            response.close()

    def chat(self, text: str, session_id: str | None = None,
             deadline: float = C.STREAM_DEADLINE) -> ChatResult:
        """Send one message; answer with its text, or the state change when it is silent."""
        sid, before = self._with_session(lambda s: (s, self._state(s)), session_id)
        text_out, tools, results = TextAssembler(), [], []
        last_note = [time.monotonic()]

        def alive() -> None:  # keep-alives and progress: "Still working..." at most every 2 min
            if time.monotonic() - last_note[0] >= C.STILL_WORKING_EVERY:
                last_note[0] = time.monotonic()
                self.progress("Still working...")

        recovered = False
        try:
            for event in self.stream(text, sid, on_bytes=alive, deadline=deadline):
                if event.kind == "text":
                    text_out.add(event)
                elif event.kind == "tool_call":
                    tools.append(event.name)
                    self.progress(f"Working: {event.name}...")
                elif event.kind == "tool_result":
                    results.append({"name": event.name, "response": event.data})
                elif event.kind == "error":
                    raise StreamError(event.text or "the agent failed")
                elif event.kind == "heartbeat" and isinstance(event.data, dict) \
                        and event.data.get("note"):
                    self.progress(str(event.data["note"]))
        except (APIConnectionError, requests.RequestException, TimeoutError) as exc:
            # Never re-send a running message: watch the state settle instead.
            self.progress(f"The connection dropped ({type(exc).__name__}); "
                          "waiting for the project to settle...")
            recovered = True
        after_state = self.settle(sid, before) if recovered else None
        said = text_out.text
        changes: list[str] = []
        if not said or recovered:
            after_state = after_state or self.state(sid)
            changes = diff(Draft.from_state(before), Draft.from_state(after_state))
        gui = translate_gui(said)
        if not said:
            gui.text = ("Done: " + "; ".join(changes)) if changes else "Done (no visible change)."
        return ChatResult(gui.text, tools, gui.actions, changes, recovered, sid, results)

    def settle(self, session_id: str, before: dict,
               deadline: float = C.STATE_POLL_DEADLINE) -> dict:
        """Poll the state until it stops changing (after a dropped stream)."""
        end = time.monotonic() + deadline
        last, same = before, 0
        while time.monotonic() < end:
            time.sleep(self.state_poll_interval)
            current = self._state(session_id)
            same = same + 1 if current == last else 0
            if same >= C.STATE_SETTLE_POLLS - 1 and current != before:
                return current
            if same >= C.STATE_SETTLE_POLLS:
                return current
            last = current
        return last

    # --- export -----------------------------------------------------------------------------------
    def start_export(self, draft: dict, session_id: str | None = None,
                     quality: str = "high") -> dict:
        """POST the render; its id is saved to disk before the first poll."""
        def call(sid: str) -> dict:
            for attempt in range(2):  # a duplicate id: make a new one, once
                render_id = f"render_{int(time.time() * 1000)}{attempt or ''}"
                body = {"id": render_id, "sessionId": sid, "draft": draft,
                        "output": {"format": "mp4", "quality": quality}}
                try:
                    data = self._request("POST", "/api/render/proxy/lambda", json=body)
                except Conflict:
                    if attempt:
                        raise
                    continue
                status = RenderStatus.parse(render_id, data if isinstance(data, dict) else {})
                job = {"id": status.id, "session_id": sid, "base_url": self.base_url,
                       "store_key": self.store_key, "skill": self.skill, "status": status.status, "created_at": time.time()}
                self.store.save_render(job)
                return job
            raise AssertionError("unreachable")
        return self._with_session(call, session_id)

    def export_status(self, render_id: str) -> RenderStatus:
        data = self._request("GET", f"/api/render/proxy/lambda/{render_id}")
        return RenderStatus.parse(render_id, data if isinstance(data, dict) else {})

    def cancel_export(self, render_id: str) -> dict:
        data = self._request("POST", f"/api/render/proxy/lambda/{render_id}/cancel")
        job = self.store.render(render_id)
        if job:
            self.store.save_render({**job, "status": "cancelled"})
        return data

    def wait_export(self, render_id: str, *, interval: float, deadline: float = C.EXPORT_DEADLINE,
                    on_status: Callable[[RenderStatus], None] | None = None) -> RenderStatus:
        from ..errors import ExportFailed, ExportTimeout
        end = time.monotonic() + deadline
        while True:
            status = self.export_status(render_id)
            job = self.store.render(render_id) or {"id": render_id, "base_url": self.base_url,
                                                   "store_key": self.store_key}
            self.store.save_render({**job, "status": status.status, "progress": status.progress,
                                    "output_url": status.output_url})
            if on_status:
                on_status(status)
            if status.status == "completed":
                return status
            if status.status in ("failed", "cancelled"):
                raise ExportFailed(f"the render {status.status}: {status.error or 'no reason given'}")
            if time.monotonic() + interval > end:
                raise ExportTimeout(f"the render {render_id} did not finish within {deadline:.0f} s")
            time.sleep(interval)

    def download(self, status: RenderStatus, dest: Path,
                 on_bytes: Callable[[int, int], None] | None = None) -> Path:
        """Fetch the rendered file to ``dest``; the download endpoint is the fallback."""
        from ..media.files import atomic_target
        candidates = []
        if status.output_url:
            candidates.append(status.output_url)
        candidates.append(f"/api/render/proxy/{status.id}/download")
        last_error: Exception | None = None
        for url in candidates:
            absolute = self._url(url if url.startswith(("http://", "https://", "/")) else "/" + url)
            # The token goes only to the API's own origin, never to a CDN.
            same_origin = absolute.startswith(self.base_url + "/")
            try:
                response = self._send("GET", absolute, auth=same_origin, headers={},
                                      timeout=(C.CONNECT_TIMEOUT, C.UPLOAD_READ_TIMEOUT), stream=True)
                if response.status_code >= 400:
                    envelope.unwrap(response)
                total = int(response.headers.get("Content-Length") or 0)
                with atomic_target(dest) as tmp, open(tmp, "wb") as out:
                    got = 0
                    for block in response.iter_content(1024 * 1024):
                        out.write(block)
                        got += len(block)
                        if on_bytes:
                            on_bytes(got, total)
                response.close()
                job = self.store.render(status.id)
                if job:
                    self.store.save_render({**job, "downloaded": str(dest)})
                return dest
            except NemoError as exc:
                last_error = exc
                continue
        assert last_error is not None
        raise last_error


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) / (1000.0 if value > 1e11 else 1.0)
    try:
        from datetime import datetime
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
