"""Keep secrets out of everything a person or a log can see."""

from __future__ import annotations

import logging
import re

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_known: set[str] = set()


def register_secret(secret: str | None) -> None:
    """Remember a secret so :func:`redact` removes it wherever it shows up."""
    if secret and len(secret) >= 8:
        _known.add(secret)


def redact(text: str) -> str:
    for secret in _known:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return _BEARER.sub(r"\1[redacted]", text)


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs known secrets from every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True
