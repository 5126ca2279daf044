"""Where the CLI's words go: answers on stdout, progress on stderr.

With --json, stdout carries exactly one JSON document.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from ..redact import redact


class Output:
    def __init__(self, *, json_mode: bool = False, quiet: bool = False) -> None:
        self.json_mode = json_mode
        self.quiet = quiet
        self._last_bytes_note = 0.0

    def progress(self, message: str) -> None:
        if not self.quiet:
            print(redact(message), file=sys.stderr, flush=True)

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
            print(redact(human))

    def failure(self, data: dict[str, Any], human: str) -> None:
        if self.json_mode:
            print(redact(json.dumps({"ok": False, **data}, ensure_ascii=False, indent=2)))
        print(redact(human), file=sys.stderr)
