"""One root error and a small tree under it, keyed by where things failed.

Every message says what went wrong and what to do next. No message ever
holds a token: the client builds them from codes and server text only, and
:func:`nemo_skill.redact.redact` scrubs server text before it lands here.
"""

from __future__ import annotations

from .constants import EXIT_ERROR, EXIT_NEEDS_USER, REGISTER_URL, TOPUP_URL


class NemoError(Exception):
    """Root of every error this package raises on purpose."""

    exit_code = EXIT_ERROR
    hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message

    def to_json(self) -> dict:
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint,
                "code": getattr(self, "code", None)}


class NeedsUser(NemoError):
    """Only the person can fix this (credits, plan, a handoff)."""

    exit_code = EXIT_NEEDS_USER


# --- local problems, before anything is sent ---------------------------------

class ConfigError(NemoError):
    hint = "check the NEMO_* settings listed in the README"


class InputError(NemoError):
    """Bad input from the user: a missing, unreadable or unsupported file."""


class FileTypeError(InputError):
    pass


class FileSizeError(InputError):
    hint = "compress or trim it below 500 MB (for example with ffmpeg -crf 28), then upload again"


class MediaError(NemoError):
    """ffmpeg/ffprobe failed or the media is broken."""


class ToolMissingError(NemoError):
    """A required program (ffmpeg, ffprobe, espeak-ng) is not installed."""


# --- the transport ------------------------------------------------------------

class APIConnectionError(NemoError):
    hint = "check the network, or run `nemo engine status` for the local engine"

    def __init__(self, message: str, *, hint: str | None = None, sent: bool = True) -> None:
        super().__init__(message, hint=hint)
        # False only when the connection was never made: then nothing reached the server and
        # even a paid request may be sent again (issue 11).
        self.sent = sent


class APITimeoutError(APIConnectionError):
    hint = "the server took too long; try again in a minute"


class ProtocolError(NemoError):
    """The server sent something that is not the contract (bad JSON or SSE)."""

    hint = "this is a server problem; try again, and report it if it repeats"


# --- answers with an error code ----------------------------------------------

class APIError(NemoError):
    """The server answered with an error code or status."""

    code: int | None = None

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None,
                 hint: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, hint=hint)
        if code is not None:
            self.code = code
        self.status = status
        self.retry_after = retry_after


class TokenInvalid(APIError):
    code = 1001
    hint = "the token is invalid or expired; unset NEMO_TOKEN to get a new free token, or set a valid one"


class SessionNotFound(APIError):
    code = 1002
    hint = "run `nemo connect --new` to start a new project session"


class OutOfCredits(APIError, NeedsUser):
    code = 2001
    exit_code = EXIT_NEEDS_USER

    def __init__(self, message: str, *, bind_id: str | None = None, registered: bool = False,
                 **kw) -> None:
        if registered:
            hint = f"top up your credits at {TOPUP_URL}"
        elif bind_id:
            hint = f"register for more credits at {REGISTER_URL}?bind={bind_id}"
        else:
            hint = f"register for more credits at {REGISTER_URL}"
        super().__init__(message, hint=hint, **kw)


class UnsupportedFileType(APIError):
    code = 4001


class FileTooLarge(APIError):
    code = 4002
    hint = FileSizeError.hint


class MissingClientId(APIError):
    code = 400
    hint = "a new client id was made; run the command again"


class PlanRequired(APIError, NeedsUser):
    """HTTP 402: export is a subscription matter, not credits."""

    code = 402
    exit_code = EXIT_NEEDS_USER
    hint = f"exporting needs a plan that allows it: register or upgrade at {REGISTER_URL}"


class BadRequest(APIError):
    code = 400
    hint = "the server refused the request as malformed; check the arguments"


class RateLimited(APIError):
    code = 429
    hint = "too many requests; wait a minute and try again"


class NotFound(APIError):
    code = 404
    hint = "it does not exist (any more); check the id"


class Conflict(APIError):
    code = 409


class ServerError(APIError):
    hint = "the server failed; try again in a minute"


class UnknownAPIError(APIError):
    hint = "the server gave an error this client does not know; the message above is the server's"


class StreamError(APIError):
    """The agent stream carried an error event."""

    hint = "the request failed on the server; rephrase it or try again"


# --- long jobs ------------------------------------------------------------------

class ExportFailed(NemoError):
    hint = "check the timeline with `nemo state`, then export again"


class ExportTimeout(NemoError):
    hint = "the render is still running; resume waiting with `nemo export --resume`"


# code -> class, for the one function that maps an answer to an exception.
BY_CODE: dict[int, type[APIError]] = {
    cls.code: cls
    for cls in (TokenInvalid, SessionNotFound, OutOfCredits, UnsupportedFileType,
                FileTooLarge, MissingClientId, PlanRequired, RateLimited, NotFound, Conflict)
}
