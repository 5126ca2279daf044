"""Messages to the agent: one POST /run_sse, its events, and recovery that never sends a
message twice (nemovideo_skills SKILL.md v1.9, "SSE Handling" and "SSE Disconnect Recovery")."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import requests

from .. import constants as C
from ..errors import (
    APIConnectionError,
    OutOfCredits,
    ProtocolError,
    ServerError,
    SessionNotFound,
    StreamError,
    TokenInvalid,
)
from . import envelope

if TYPE_CHECKING:
    from .sse import StreamEvent


@dataclass
class ChatResult:
    text: str
    tool_calls: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)   # GUI actions the text stands for
    changes: list[str] = field(default_factory=list)   # state diff, when the stream was silent or dropped
    recovered: bool = False                             # the stream dropped; state was polled
    session_id: str = ""
    tool_results: list[dict] = field(default_factory=list)  # {"name", "response"} per tool
    not_understood: list[str] = field(default_factory=list)  # words no tool does: nothing ran

    def to_json(self) -> dict:
        return {"text": self.text, "tool_calls": self.tool_calls, "actions": self.actions,
                "changes": self.changes, "recovered": self.recovered, "session_id": self.session_id,
                **({"not_understood": self.not_understood} if self.not_understood else {})}

    def errors(self) -> list[str]:
        """What the tools said went wrong (their ``message``), if anything."""
        return [str(r["response"].get("message") or r["response"]["error"]) for r in self.tool_results
                if isinstance(r.get("response"), dict) and r["response"].get("error")]


def _without_trailing_issue(text: str) -> str:
    """The service sometimes ends a good reply with "I encountered a temporary issue";
    the official skill ignores that trailing line when what came before was normal."""
    head, sep, tail = text.rpartition(C.TEMPORARY_ISSUE)
    if sep and head.strip() and len(tail) < 200:
        return head.rstrip()
    return text



class ChatMixin:
    """The agent's part of NemoClient (needs the Transport's requests and sessions)."""

    def stream(self, text: str, session_id: str, *, on_bytes: Callable[[], None] | None = None,
               deadline: float = C.STREAM_DEADLINE, call: dict | list[dict] | None = None) -> Iterator[StreamEvent]:
        """POST /run_sse and yield its events; the response is always closed."""
        from .sse import read_events  # imported when used: a light command pays for no more
        # Exactly the official body (nemovideo_skills SKILL.md v1.9, "3.1 Send Message via
        # SSE"): "me" as the user, no role, no "streaming" (which would switch ADK to partial
        # token events).
        parts: list[dict] = [{"text": text}]
        if call and self.structured_calls:   # typed calls the local engine reads (issues 12, 23)
            parts += [{"functionCall": c} for c in (call if isinstance(call, list) else [call])]
        body = {"app_name": C.APP_NAME, "user_id": "me", "session_id": session_id,
                "new_message": {"parts": parts}}
        response = self._request("POST", "/run_sse", json=body, stream=True, raw=True,
                                 headers={"Accept": "text/event-stream"}, idempotent=False,
                                 timeout=self.policy.timeout(C.STREAM_READ_TIMEOUT))
        try:
            if "json" in response.headers.get("Content-Type", ""):
                envelope.unwrap(response)   # HTTP 200 with {"code": 2001, ...}: raises it
                raise ProtocolError("the agent answered with JSON instead of an event stream")
            for event in read_events(response.iter_content(chunk_size=None), on_bytes=on_bytes,
                                     deadline=time.monotonic() + deadline):
                code = envelope.error_code(event.data) if event.kind in ("error", "heartbeat") else None
                if code is not None:   # an error code inside the stream, e.g. {"code": 2001}
                    raise envelope.error_for(200, event.data)
                yield event
        except OutOfCredits as exc:   # with the registration link, as from any other endpoint
            raise self._credits_error(exc) from None
        finally:
            response.close()

    def understand(self, text: str, session_id: str | None = None) -> dict | None:
        """The local engine's reading of the words: ``{"calls": [...], "not_understood": [...]}``,
        nothing run. None on the cloud, whose own agent reads the words."""
        if not self.structured_calls:
            return None
        return self._with_session(lambda sid: self._request(
            "POST", "/api/agent/plan", json={"session_id": sid, "text": text}), session_id)

    def chat(self, text: str, session_id: str | None = None, *, call: dict | list[dict] | None = None,
             deadline: float = C.STREAM_DEADLINE) -> ChatResult:
        """Send one message; answer with its text, or the state change when it is silent."""
        from ..intents import translate_gui
        from ..timeline import Draft, diff
        from .sse import TextAssembler
        sid, before = self._with_session(lambda s: (s, self._state(s)), session_id)
        text_out, tools, results, missing = TextAssembler(), [], [], []
        last_note = [time.monotonic()]

        def alive() -> None:  # keep-alives and progress: "Still working..." at most every 2 min
            if time.monotonic() - last_note[0] >= C.STILL_WORKING_EVERY:
                last_note[0] = time.monotonic()
                self.progress("Still working...")

        recovered = False
        try:
            for event in self._stream_once_more(text, sid, alive, deadline, call):
                if event.kind == "text":
                    text_out.add(event)
                    missing += [str(m) for m in event.data or []]
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
        except (APIConnectionError, ServerError, requests.RequestException, TimeoutError) as exc:
            if isinstance(exc, APIConnectionError) and not exc.sent:
                raise   # never reached the server: nothing ran, nothing to recover
            # It may have arrived and be running: never re-send it, watch the state settle.
            self.progress(f"The connection dropped ({type(exc).__name__}); "
                          "waiting for the project to settle...")
            recovered = True
        after_state = self.settle(sid, before) if recovered else None
        said = text_out.text
        changes: list[str] = []
        if not said or recovered:
            after_state = after_state or self.state(sid)
            changes = diff(Draft.from_state(before), Draft.from_state(after_state))
        gui = translate_gui(_without_trailing_issue(said))
        if not said:
            gui.text = ("Done: " + "; ".join(changes)) if changes else "Done (no visible change)."
        return ChatResult(gui.text, tools, gui.actions, changes, recovered, sid, results, missing)

    def _stream_once_more(self, text: str, sid: str, alive, deadline: float,
                          call: dict | list[dict] | None = None) -> Iterator[StreamEvent]:
        """The stream, sent again once only when the server refused it inside the stream
        before doing anything (1001 token, 1002 session), as for the same HTTP errors."""
        for attempt in (1, 2):
            started = False
            try:
                for event in self.stream(text, sid, on_bytes=alive, deadline=deadline, call=call):
                    started = started or event.kind != "heartbeat"
                    yield event
                return
            except TokenInvalid:
                if attempt == 2 or started or not self.anonymous:
                    raise
                self.progress("Token expired; getting a new one...")
                self._renew_token()
            except SessionNotFound:
                if attempt == 2 or started:
                    raise
                self.progress("The project session was not found; starting a new one...")
                self.store.forget_session(self.store_key, self.skill)
                sid = self.create_session()["session_id"]

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
