"""Routes of identity: health, tokens, the browser claim link, credits."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header
from fastapi.responses import HTMLResponse

from .. import __version__
from . import links
from .bodies import ClaimRequest
from .http_common import errors, ok, user_of
from .service import Engine


def router(engine: Engine) -> APIRouter:
    api = APIRouter()
    user = user_of(engine)

    @api.get("/healthz", responses=errors((421,)))
    def health():
        # An opaque id of this run (engine.json holds it too), so `nemo` knows it reached its own
        # engine; no pid or path for a stranger.
        return ok({"status": "ok", "version": __version__, "instance": engine.instance})

    @api.post("/api/auth/anonymous-token", responses=errors((400, 413, 421)))
    def anonymous_token(x_client_id: str | None = Header(default=None)):
        return ok(engine.accounts.issue_token(x_client_id or ""))

    @api.post("/api/auth/claim-token", responses=errors((400, 401, 404, 413, 421)))
    def claim_token(body: ClaimRequest, user_id: str = Depends(user)):
        """A link that opens one project in a browser; the token never goes in a URL."""
        engine.owned_session(user_id, body.session_id)
        return ok(links.issue(engine.db, body.session_id))

    @api.get("/workspace/claim", response_class=HTMLResponse, responses=errors((404, 421)))
    def claim_page(ct: str = ""):
        session_id = links.session_of(engine.db, ct)
        state = engine.state(session_id)["state"]
        return HTMLResponse(links.page(state, engine.uploads_of(session_id)),
                            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                                     "Referrer-Policy": "no-referrer"})

    @api.get("/api/credits/balance/simple", responses=errors((401, 421)))
    def credits(user_id: str = Depends(user)):
        return ok(engine.accounts.balance(user_id))

    return api
