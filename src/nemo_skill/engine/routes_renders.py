"""Routes of renders: start one, its status, cancel it, download it."""

from __future__ import annotations

import re
import time

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from ..constants import RENDER_ID_PATTERN
from .bodies import RenderRequest
from .errors import EngineError
from .http_common import ATTRIBUTION, errors, user_of
from .service import Engine


def official(status: dict, request: Request) -> dict:
    """A render's status in both shapes: the current official one (top-level ``status``
    and ``output.url``: SKILL.md v1.9 "3.5 c", nemovideo-tools render.ts) and the older
    ``data.status`` / ``data.outputUrl`` (references/api-reference.md)."""
    if status["status"] == "completed":
        status["outputUrl"] = str(request.url_for("download", render_id=status["id"]))
    return {"success": True, "id": status["id"], "status": status["status"],
            "progress": status["progress"], "error": status.get("error"),
            "output": {"url": status.get("outputUrl")}, "data": status}


def render_id_of(value) -> str:
    """A render id names a file: only the safe shape, or 400 (issue 10)."""
    if not isinstance(value, str) or not re.fullmatch(RENDER_ID_PATTERN, value):
        raise EngineError(4000, "a render id is 1-64 letters, digits, '_' or '-' "
                                "(e.g. render_1700000000000)", 400, envelope="success")
    return value


def router(engine: Engine) -> APIRouter:
    api = APIRouter()
    user = user_of(engine)

    @api.post("/api/render/proxy/lambda", responses=errors((400, 401, 402, 404, 409, 413, 421, 429)))
    def render(body: RenderRequest, request: Request, user_id: str = Depends(user)):
        # The cloud answers 402 to an export without the attribution headers (nemovideo_skills
        # SKILL.md v1.9: "Missing them will cause auth failures or export 402"); so do we.
        missing = [h for h in ATTRIBUTION if not request.headers.get(h)]
        if missing:
            raise EngineError(402, f"export needs the attribution headers: {', '.join(missing)}", 402,
                              envelope="success")
        render_id = render_id_of(body.id or f"render_{int(time.time() * 1000)}")
        session_id = body.sessionId or body.session_id
        if not session_id:
            raise EngineError(4000, "expected id, sessionId and draft", 400, envelope="success")
        status = engine.render(user_id, render_id, session_id, body.draft)
        return official(status, request)

    @api.get("/api/render/proxy/lambda/{render_id}", responses=errors((400, 401, 404, 421)))
    def render_status(render_id: str, request: Request, user_id: str = Depends(user)):
        engine.owned_render(user_id, render_id_of(render_id))
        return official(engine.renders.status(render_id), request)

    @api.post("/api/render/proxy/lambda/{render_id}/cancel", responses=errors((400, 401, 404, 413, 421)))
    def render_cancel(render_id: str, request: Request, user_id: str = Depends(user)):
        engine.owned_render(user_id, render_id_of(render_id))
        return official(engine.renders.cancel(render_id), request)

    @api.get("/api/render/proxy/{render_id}/download", name="download", responses=errors((400, 401, 404, 421)))
    def download(render_id: str, user_id: str = Depends(user)):
        engine.owned_render(user_id, render_id_of(render_id))
        path = engine.renders.output(render_id)
        if path is None:
            raise EngineError(404, f"render {render_id} has no finished output yet", 404,
                              envelope="success")
        return FileResponse(path, media_type="video/mp4", filename=f"{render_id}.mp4")

    return api
