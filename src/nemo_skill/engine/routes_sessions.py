"""Routes of a project: a new session, its state, its files."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from .bodies import NewSession
from .errors import EngineError
from .http_common import errors, ok, user_of
from .service import Engine


def router(engine: Engine) -> APIRouter:
    api = APIRouter()
    user = user_of(engine)

    @api.post("/api/tasks/me/with-session/{app_name}", responses=errors((400, 401, 413, 421)))
    def new_session(app_name: str, body: NewSession | None = None, user_id: str = Depends(user)):
        return ok(engine.create_session(user_id, body.language if body else "en"))

    @api.get("/api/state/{app_name}/me/{session_id}/latest", responses=errors((401, 404, 421)))
    def state(app_name: str, session_id: str, user_id: str = Depends(user)):
        engine.owned_session(user_id, session_id)
        return ok(engine.state(session_id))

    @api.get("/api/files/{upload_id}/{name}", responses=errors((401, 404, 421)))
    def file(upload_id: str, name: str, user_id: str = Depends(user)):
        row = engine.db.one("SELECT u.path, u.filename FROM uploads u JOIN sessions s "
                            "ON s.id=u.session_id WHERE u.id=? AND s.user_id=?", upload_id, user_id)
        if row is None:
            raise EngineError(404, "file not found", 404)
        return FileResponse(row["path"], filename=row["filename"])

    @api.post("/api/sessions/{session_id}/cancel", responses=errors((400, 401, 404, 413, 421)))
    def cancel_work(session_id: str, user_id: str = Depends(user)):
        """Stop the project's running turn and renders (`nemo mcp`'s cancel; a dropped stream does it too)."""
        return ok(engine.cancel_work(user_id, session_id))

    return api
