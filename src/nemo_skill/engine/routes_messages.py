"""Routes of the agent: a message (``/run_sse``) and the plan of one without running it.

Both only translate HTTP: the turn itself is agent.Turn, the reading understanding.py.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from ..language import has_cjk
from . import registry
from .agent import Turn
from .bodies import RunAgentRequest
from .errors import EngineError
from .http_common import errors, ok, user_of
from .service import MESSAGE_COST, Engine, dumps


class PlanRequest(BaseModel):
    """Words to read into typed calls, nothing run (issue 23: `nemo say` plans first)."""
    session_id: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=20_000)


def _message_text(body: RunAgentRequest) -> str:
    # A lone surrogate ("\ud800") cannot be sent back as UTF-8: it would end the stream
    # half-way with the credit still held (issue 10).
    text = " ".join(p.text or "" for p in body.new_message.parts).strip()
    return text.encode("utf-8", "replace").decode("utf-8")


def _direct_calls(body: RunAgentRequest) -> list[registry.Call]:
    """The calling agent's own calls (`nemo do`, `nemo say`): ADK functionCall parts, checked
    against each tool's schema here, before any credit is reserved."""
    try:
        return [registry.check_call(p.functionCall.get("name"), p.functionCall.get("args"))
                for p in body.new_message.parts if p.functionCall is not None]
    except registry.ToolError as exc:
        language = "zh" if has_cjk(_message_text(body)) else "en"
        raise EngineError(4000, exc.message(language), 400, data={"error": exc.code, **exc.details}) from None


def router(engine: Engine) -> APIRouter:
    api = APIRouter()
    user = user_of(engine)

    @api.post("/run_sse", responses=errors((400, 401, 402, 404, 413, 421)))
    async def run_sse(body: RunAgentRequest, user_id: str = Depends(user)):
        text, calls = _message_text(body), _direct_calls(body)
        session = await run_in_threadpool(engine.owned_session, user_id, body.session_id)
        ref = f"msg:{uuid.uuid4().hex}"
        await run_in_threadpool(engine.accounts.reserve, user_id, MESSAGE_COST, ref)
        language = "zh" if has_cjk(text) else (session.get("language") or "en")
        turn = Turn(engine, user_id, body.session_id, text, language, ref, calls or None)
        encoded = ({"data": dumps(event)} async for event in turn.events())
        return EventSourceResponse(encoded, ping=15, sep="\n")

    @api.post("/api/agent/plan", responses=errors((400, 401, 404, 413, 421)))
    def plan(body: PlanRequest, user_id: str = Depends(user)):
        """The typed calls the words ask for and the words no tool was found for; nothing runs
        and nothing is charged."""
        engine.owned_session(user_id, body.session_id)
        return ok(engine.understand(body.text).to_json())

    return api
