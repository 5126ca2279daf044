"""Errors the engine answers with: a contract code, a message, an HTTP status."""

from __future__ import annotations


class EngineError(Exception):
    def __init__(self, code: int, message: str, status: int = 400, *,
                 envelope: str = "code", data: dict | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.envelope = code, message, status, envelope
        self.data = data      # the "code" envelope's data: a refused tool call's code and field


def token_invalid() -> EngineError:
    return EngineError(1001, "token invalid or expired", 401)


def session_not_found() -> EngineError:
    # Another user's session is reported as missing, so its existence leaks nothing.
    return EngineError(1002, "session not found", 404)


def out_of_credits(needed: float, available: float) -> EngineError:
    # Not HTTP 402: that status is the plan-blocked export, a different thing (issue 11).
    return EngineError(2001, f"out of credits: this needs {needed:g}, {available:g} available", 403)


class ToolError(ValueError):
    """A tool could not do what it was asked, or was asked with arguments that do not fit it:
    a stable ``code`` for programs, the words in English and Chinese for the user, and any
    ``details`` the reply carries beside them. Raised before the tool changes anything; the
    agent's turn answers it in the reply shape of a tool's response (agent.Turn)."""

    def __init__(self, code: str, en: str, zh: str = "", **details) -> None:
        super().__init__(en)
        self.code, self.en, self.zh, self.details = code, en, zh or en, details

    def message(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    def response(self, language: str) -> dict:
        """The tool's response: ``{"error": code, "message": ..., **details}``."""
        return {"error": self.code, "message": self.message(language), **self.details}

    @classmethod
    def of(cls, exc: Exception) -> ToolError:
        """A media or input failure (NemoError) as a tool's error: its class is the code."""
        hint = getattr(exc, "hint", "")
        text = (getattr(exc, "message", None) or str(exc)) + (f" — {hint}" if hint else "")
        return cls(type(exc).__name__, text)
