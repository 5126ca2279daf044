"""What every router of the engine shares: the contract's envelope, the error statuses a
route documents, and the dependency that names the user behind a token."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Header

from .service import Engine

ATTRIBUTION = ("X-Skill-Source", "X-Skill-Version", "X-Skill-Platform")


def ok(data) -> dict:
    return {"code": 0, "message": "success", "data": data}


_ERROR_BODY = {"content": {"application/json": {"schema": {"type": "object", "properties": {
    "code": {"type": "integer"}, "message": {"type": "string"}, "success": {"type": "boolean"},
    "error": {"type": "object"}, "data": {"type": ["object", "null"], "description": (
        "a refused tool call: its ToolError code (`error`, e.g. bad_arguments) and the `field`")}}}}}}
_MEANING = {400: "bad request (a message names the field)", 401: "token missing, invalid or expired (1001)",
            402: "out of credits (2001)", 404: "not found, or not yours", 409: "render id already used",
            413: "body too large", 415: "unsupported file type", 421: "Host is not this engine's loopback address",
            429: "too many renders waiting"}


def errors(codes: tuple[int, ...]) -> dict:
    """The error statuses a route really sends, for the OpenAPI document (issue 10)."""
    return {code: {"description": _MEANING[code], **_ERROR_BODY} for code in codes}


def user_of(engine: Engine) -> Callable[..., str]:
    """The dependency that turns the Authorization header into the user's id (or 401)."""
    def user(authorization: str | None = Header(default=None)) -> str:
        return engine.accounts.authenticate(authorization)
    return user
