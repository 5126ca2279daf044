"""Both response envelopes, and the one function that maps an answer to an exception.

  {"code": 0, "message": ..., "data": {...}}       code != 0 is an error
  {"success": true|false, "data": ..., "error": ...}  the render endpoints
HTTP statuses carry meaning too (nemo-api.md, "Envelopes").
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import requests

from ..errors import (
    BY_CODE,
    APIError,
    BadRequest,
    Conflict,
    FileTooLarge,
    MissingClientId,
    NotFound,
    OutOfCredits,
    PlanRequired,
    ProtocolError,
    RateLimited,
    ServerError,
    TokenInvalid,
    UnknownAPIError,
)
from ..redact import redact

# HTTP status -> the error it means when the body names no code.
_BY_STATUS: dict[int, type[APIError]] = {
    401: TokenInvalid, 402: PlanRequired, 404: NotFound, 409: Conflict, 413: FileTooLarge,
    429: RateLimited,
}


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        import time
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _message(body: Any, fallback: str) -> str:
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or err.get("detail") or fallback)
        for key in ("message", "msg", "detail"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
        if isinstance(err, str) and err:
            return err
    return fallback


def error_code(body: Any) -> int | None:
    """The non-zero error code a body carries (``code`` or ``error.code``), else None."""
    if not isinstance(body, dict):
        return None
    for candidate in (body.get("code"), (body.get("error") or {}).get("code")
                      if isinstance(body.get("error"), dict) else None):
        try:
            if candidate is not None and int(candidate) != 0:
                return int(candidate)
        except (TypeError, ValueError):
            continue
    return None


def error_for(status: int, body: Any, *, retry_after: float | None = None,
              reason: str = "") -> APIError:
    """The exception an answer stands for (status and body together)."""
    code = error_code(body)
    message = redact(_message(body, reason or f"HTTP {status}"))
    if code in BY_CODE:
        cls = BY_CODE[code]
    elif status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status == 400:
        cls = MissingClientId if "client" in message.lower() else BadRequest
    elif status >= 500:
        cls = ServerError
    else:
        cls = UnknownAPIError
    kwargs: dict = {"status": status, "retry_after": retry_after}
    if cls is OutOfCredits:
        return OutOfCredits(message, **kwargs)
    if cls is UnknownAPIError and code is not None:
        message = f"error {code}: {message}"
    return cls(message, code=code if cls is UnknownAPIError else None, **kwargs)


def unwrap(response: requests.Response) -> Any:
    """The ``data`` of a successful answer, or the matching exception."""
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    body = _body(response)
    if response.status_code >= 400:
        raise error_for(response.status_code, body, retry_after=retry_after,
                        reason=response.reason or "")
    if body is None:
        raise ProtocolError(f"the server sent something that is not JSON "
                            f"(HTTP {response.status_code}, {len(response.content)} bytes)")
    if not isinstance(body, dict):
        raise ProtocolError("the server sent JSON that is not an object")
    if "code" in body and body["code"] not in (0, "0", None):
        raise error_for(response.status_code, body, retry_after=retry_after)
    if body.get("success") is False:
        raise error_for(response.status_code, body, retry_after=retry_after)
    data = body.get("data", body)
    return data if data is not None else {}
