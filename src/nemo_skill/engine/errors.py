"""Errors the engine answers with: a contract code, a message, an HTTP status."""

from __future__ import annotations


class EngineError(Exception):
    def __init__(self, code: int, message: str, status: int = 400, *,
                 envelope: str = "code") -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.envelope = code, message, status, envelope


def token_invalid() -> EngineError:
    return EngineError(1001, "token invalid or expired", 401)


def session_not_found() -> EngineError:
    # Another user's session is reported as missing, so its existence leaks nothing.
    return EngineError(1002, "session not found", 404)


def out_of_credits(needed: float, available: float) -> EngineError:
    # Not HTTP 402: that status is the plan-blocked export, a different thing (issue 11).
    return EngineError(2001, f"out of credits: this needs {needed:g}, {available:g} available", 403)
