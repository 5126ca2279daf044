"""Running the helper programs that are not ffmpeg (fc-match, espeak-ng): argv lists only,
a timeout on every run, and a missing program or a run over its time said as a NemoError with
the next step, never a trace. ffmpeg and ffprobe have their own runner (ffmpeg.py)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from ..errors import MediaError, ToolMissingError


def run(name: str, args: Sequence[str], *, timeout: float, install_hint: str) -> subprocess.CompletedProcess:
    """``name`` with ``args``; its output (bytes) whatever its exit code, which the caller judges."""
    binary = shutil.which(name)
    if not binary:
        raise ToolMissingError(f"{name} is not installed", hint=install_hint)
    try:
        return subprocess.run([binary, *args], capture_output=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{name} ran longer than {timeout:.0f} s", hint="run the command again; "
                         "`nemo doctor` checks the install") from None
    except OSError as exc:
        raise MediaError(f"{name} could not start ({exc.strerror or type(exc).__name__})",
                         hint="run `nemo doctor` to check the install") from None
