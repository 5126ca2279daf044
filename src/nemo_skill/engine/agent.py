"""The agent's turn (issue 23): plan a message whole, run its typed calls, word the reply.

A :class:`Turn` takes the words (or the calling agent's own typed calls) and yields events:
ADK-shaped dicts (a plan text, one functionCall and functionResponse per tool, progress
heartbeats, a closing text) that the ``/run_sse`` route only encodes. It holds the message's
credit and always closes the hold: settled once a tool has run, released otherwise. It is
tested without HTTP (tests/test_agent_turn.py).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
from starlette.concurrency import run_in_threadpool

from ..constants import APP_NAME
from ..timeline import Draft
from . import registry, storage
from .errors import ToolError
from .service import Engine
from .tools import TOOLS, ToolContext, TurnContext
from .understanding import Understanding

log = logging.getLogger("nemo_skill.engine")


class TurnCancelled(Exception):
    """The project's work was cancelled (`cancel_work`) while a tool of this turn ran."""


def not_understood_text(missing: list[str], language: str) -> str:
    """What to say when part of a request maps to no tool: nothing ran, and how to go on."""
    if language == "zh":
        return ("没有听懂：" + "；".join(f"“{m}”" for m in missing) + "。什么都没有改。"
                "运行 `nemo tools` 查看能做的事，或用 `nemo do 工具名 --args '{...}'` 直接调用一个工具。\n"
                + registry.capabilities("zh"))
    return ("Not understood: " + "; ".join(f'"{m}"' for m in missing) + ". Nothing was changed. "
            "`nemo tools` lists what I can do; `nemo do TOOL --args '{...}'` runs one directly.\n"
            + registry.capabilities("en"))


@dataclass
class Turn:
    """One message to the agent, from its plan to its last word."""
    engine: Engine
    user_id: str
    session_id: str
    text: str
    language: str
    ref: str                                  # the credit hold to settle or release
    calls: list[registry.Call] | None = None  # the calling agent's typed calls, checked already
    invocation: str = field(default_factory=lambda: "e-" + uuid.uuid4().hex[:12])
    worked: bool = False                      # once a tool has run, the message is paid for
    stop: threading.Event = field(default_factory=threading.Event)

    def event(self, parts: list[dict], *, final: bool = False, **extra) -> dict:
        return {"content": {"role": "model", "parts": parts}, "author": APP_NAME,
                "invocationId": self.invocation, "id": uuid.uuid4().hex[:12],
                "timestamp": time.time(), "partial": False, "turnComplete": final, **extra}

    def say(self, en: str, zh: str) -> str:
        return zh if self.language == "zh" else en

    async def events(self) -> AsyncIterator[dict]:
        """The turn's events; whatever happens, the credit hold is closed at the end."""
        self.engine.active_streams += 1
        self.engine.turn_started(self.session_id, self.stop)   # `cancel_work` can stop it
        try:
            async for event in self._run():
                yield event
        except TurnCancelled:   # stopped while a tool ran: nothing more runs, the hold is released
            yield {"error": "cancelled"}
        except Exception as exc:  # noqa: BLE001 - reported to the client as the contract's error event
            log.exception("agent turn failed")
            kind = storage.trouble(exc) if isinstance(exc, (OSError, sqlite3.Error)) else None
            yield {"error": storage.message(kind, self.engine.home) if kind
                   else getattr(exc, "message", None) or str(exc)}
        finally:
            # Every path closes the hold: a dropped stream (cancel), a send that failed, a
            # generator closed early. Settling or releasing twice is a no-op.
            self.stop.set()
            self.engine.turn_ended(self.session_id, self.stop)
            close = self.engine.accounts.settle if self.worked else self.engine.accounts.release
            with anyio.CancelScope(shield=True):   # a cancelled stream still closes its hold
                await run_in_threadpool(close, self.ref)
            self.engine.active_streams -= 1

    async def _run(self) -> AsyncIterator[dict]:
        plan = Understanding(self.calls, []) if self.calls else \
            await run_in_threadpool(self.engine.understand, self.text)   # never on the event loop
        if plan.not_understood or not plan.calls:
            missing = plan.not_understood or [self.text]
            yield self.event([{"text": not_understood_text(missing, self.language)}], final=True,
                             notUnderstood=missing, code="not_understood", hint="nemo_tools")
            return
        steps = self.say(", ", "，").join(TOOLS[c.name].describe(self.language) for c in plan.calls)
        yield self.event([{"text": self.say(f"On it: {steps}.", f"好的，我来{steps}。")}])
        uploaded = await run_in_threadpool(self.engine.uploads_of, self.session_id)
        notes: list[str] = []
        ctx = TurnContext(session_id=self.session_id, uploads=uploaded, engine=self.engine,
                          note=notes.append, language=self.language, cancel=self.stop)
        said = []
        for call in plan.calls:
            async for event in self._call(call, ctx, notes):
                yield event
                response = event.get("content", {}).get("parts", [{}])[0].get("functionResponse")
                if response:
                    said.append(response["response"].get("message", ""))
        yield self.event([{"text": await run_in_threadpool(self._closing, said)}], final=True)
        await run_in_threadpool(self.engine.accounts.settle, self.ref)

    async def _call(self, call: registry.Call, ctx: ToolContext, notes: list[str]) -> AsyncIterator[dict]:
        """One tool: its call, progress notes as they come (at most 1/s) else a keep-alive,
        and its response."""
        call_id = "call_" + uuid.uuid4().hex[:10]
        yield self.event([{"functionCall": {"id": call_id, "name": call.name, "args": call.args}}])
        task = asyncio.ensure_future(run_in_threadpool(self.engine.run_tool, self.user_id, self.session_id,
                                                       call, ctx))
        sent, quiet = len(notes), 0.0
        while not task.done():
            done, _ = await asyncio.wait({task}, timeout=1.0)
            quiet += 1.0
            if done:
                break
            if len(notes) > sent or quiet >= self.engine.config.keepalive:
                # A note goes out once; a plain keep-alive carries none (no repeated lines).
                fresh = notes[-1] if len(notes) > sent else None
                sent, quiet = len(notes), 0.0
                yield {"type": "heartbeat", **({"note": fresh} if fresh else {})}
        try:
            result = task.result()
        except ToolError as exc:        # the tool's refusal, in the reply shape of its response
            result = exc.response(self.language)
        if self.stop.is_set():
            raise TurnCancelled
        self.worked = True
        yield self.event([{"functionResponse": {"id": call_id, "name": call.name, "response": result}}])

    def _closing(self, said: list[str]) -> str:
        draft = Draft(self.engine.state(self.session_id)["state"]["draft"])
        closing = " ".join(s for s in said if s)
        if draft.exportable:
            closing += self.say(" Click Export when you are ready.", " 准备好后点击导出。")
        return closing.strip()
