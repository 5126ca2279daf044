"""Where the CLI's words go: answers on stdout, progress on stderr.

With --json, stdout carries exactly one JSON document.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from typing import Any

from ..redact import redact

# Control characters (an ESC sequence in a title, a bell) never reach the user's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    return _CONTROL.sub("", text)


def seconds(value: str) -> float:
    """argparse type: a finite number of seconds, above 0 and at most a day."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(number) or not 0 < number <= 86400:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 86400 seconds")
    return number


class Output:
    def __init__(self, *, json_mode: bool = False, quiet: bool = False) -> None:
        self.json_mode = json_mode
        self.quiet = quiet
        self._last_bytes_note = 0.0

    def progress(self, message: str) -> None:
        if not self.quiet:
            print(printable(redact(message)), file=sys.stderr, flush=True)

    def bytes_progress(self, label: str):
        """A throttled ``(done, total)`` callback for uploads and downloads."""
        def note(done: int, total: int) -> None:
            now = time.monotonic()
            if now - self._last_bytes_note < 1.0 and done != total:
                return
            self._last_bytes_note = now
            if total:
                self.progress(f"{label}: {done / 1e6:.1f} / {total / 1e6:.1f} MB ({100 * done / total:.0f}%)")
            else:
                self.progress(f"{label}: {done / 1e6:.1f} MB")
        return note

    def result(self, human: str, data: dict[str, Any]) -> None:
        if self.json_mode:
            doc = {"ok": True, **data}
            print(redact(json.dumps(doc, ensure_ascii=False, indent=2, default=str)))
        elif human:
            print(printable(redact(human)))

    def failure(self, data: dict[str, Any], human: str) -> None:
        if self.json_mode:
            print(redact(json.dumps({"ok": False, **data}, ensure_ascii=False, indent=2)))
        print(printable(redact(human)), file=sys.stderr)
