"""The /run_sse stream: decoding, both event shapes, and joining partial text.

Framing is sseclient-py's (chunks split mid-line, CRLF, multi-line data).
Keep-alives (empty ``data:`` lines, ``:`` comments) never reach it as
events, so the byte source reports activity itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sseclient

from ..errors import ProtocolError
from ..redact import redact


@dataclass
class StreamEvent:
    kind: str            # text | tool_call | tool_result | heartbeat | error | state
    text: str = ""
    name: str = ""
    data: Any = None     # args, result, stateDelta or the error detail
    partial: bool = False


def _error_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("message") or value.get("error") or json.dumps(value))
    return str(value)


def parse_payload(obj: Any) -> list[StreamEvent]:
    """One decoded ``data:`` JSON document -> the events it holds (either shape)."""
    if not isinstance(obj, dict):
        raise ProtocolError("an agent stream event is not a JSON object")
    if obj.get("error") and "content" not in obj and obj.get("type") in (None, "error"):
        return [StreamEvent("error", text=redact(_error_text(obj["error"])), data=obj)]
    if obj.get("errorCode") or obj.get("errorMessage"):
        detail = obj.get("errorMessage") or obj.get("errorCode")
        return [StreamEvent("error", text=redact(str(detail)), data=obj)]
    if "type" in obj:  # flat shape
        kind = obj["type"]
        if kind == "text":
            return [StreamEvent("text", text=str(obj.get("content") or ""),
                                partial=bool(obj.get("partial")))]
        if kind == "tool_call":
            return [StreamEvent("tool_call", name=str(obj.get("name", "")), data=obj.get("args"))]
        if kind == "tool_result":
            return [StreamEvent("tool_result", name=str(obj.get("name", "")),
                                data=obj.get("result"))]
        if kind == "error":
            return [StreamEvent("error", text=redact(_error_text(obj.get("content") or obj)))]
        return [StreamEvent("heartbeat", data=obj)]
    events: list[StreamEvent] = []
    content = obj.get("content") or {}
    partial = bool(obj.get("partial"))
    for part in content.get("parts") or []:
        if not isinstance(part, dict) or part.get("thought"):
            continue
        if "text" in part and part["text"] is not None:
            # the local engine names the words no tool understood (issue 23)
            missing = obj.get("notUnderstood") if isinstance(obj.get("notUnderstood"), list) else None
            events.append(StreamEvent("text", text=str(part["text"]), partial=partial, data=missing))
        elif "functionCall" in part:
            call = part["functionCall"] or {}
            events.append(StreamEvent("tool_call", name=str(call.get("name", "")),
                                      data=call.get("args")))
        elif "functionResponse" in part:
            resp = part["functionResponse"] or {}
            events.append(StreamEvent("tool_result", name=str(resp.get("name", "")),
                                      data=resp.get("response")))
    delta = (obj.get("actions") or {}).get("stateDelta")
    if delta:
        events.append(StreamEvent("state", data=delta))
    return events or [StreamEvent("heartbeat", data=obj)]


@dataclass
class TextAssembler:
    """Joins partial chunks; a final event that repeats them is not printed twice."""

    parts: list[str] = field(default_factory=list)
    _pending: str = ""

    def add(self, event: StreamEvent) -> None:
        if event.partial:
            self._pending += event.text
            return
        if self._pending and event.text.startswith(self._pending):
            self._pending = ""  # the final event carries the joined text
        else:
            self.flush()
        if event.text:
            self.parts.append(event.text)

    def flush(self) -> None:
        if self._pending:
            self.parts.append(self._pending)
            self._pending = ""

    @property
    def text(self) -> str:
        self.flush()
        return "\n".join(p.strip() for p in self.parts if p.strip())


def read_events(chunks: Iterable[bytes], *, on_bytes: Callable[[], None] | None = None,
                deadline: float | None = None) -> Iterator[StreamEvent]:
    """Decode an SSE byte stream into :class:`StreamEvent` s.

    ``on_bytes`` is called for every chunk, keep-alives included;
    ``deadline`` (a monotonic time) bounds the whole stream.
    """
    def source() -> Iterator[bytes]:
        for chunk in chunks:
            if on_bytes:
                on_bytes()
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError("the agent stream ran past its deadline")
            yield chunk

    client = sseclient.SSEClient(source())
    for message in client.events():
        data = message.data.strip()
        if not data:
            continue
        try:
            obj = json.loads(data)
        except ValueError:
            raise ProtocolError(f"the agent stream sent an event that is not JSON "
                                f"({redact(data[:80])!r})") from None
        yield from parse_payload(obj)
