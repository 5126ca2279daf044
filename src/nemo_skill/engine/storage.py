"""A full disk or a read-only state folder, told as such (issue 22).

A render that met a full disk once stayed "processing" forever with its credits frozen: the
failure handler's own database write failed too. Here: what such an error is (:func:`trouble`),
a message that names the folder and the way out (never "report the trace"), and a small
spare file kept in the engine's folder, given up when a write meets a full disk so that the
write that ends a job (its status and its credit hold) still fits.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

SPARE_NAME = ".spare-space"
SPARE_BYTES = 2 * 1024 * 1024     # a few hundred SQLite pages: enough to end every running job
_FULL = ("no space left", "database or disk is full", "disk i/o error", "file too large", "disk quota")
_READ_ONLY = ("read-only file system", "readonly database", "attempt to write a readonly",
              "permission denied")


def trouble(exc: BaseException) -> str | None:
    """'full', 'read-only' or None: what a failed write says about its disk."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "full"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "read-only"
    text = str(getattr(exc, "message", None) or exc).lower()
    if any(word in text for word in _FULL):
        return "full"
    if any(word in text for word in _READ_ONLY):
        return "read-only"
    return None


def message(kind: str, folder: Path) -> str:
    if kind == "full":
        return (f"the disk holding {folder} is full; free some space on it (or point NEMO_STATE_DIR "
                "at a disk with room) and try again")
    return (f"the folder {folder} is read-only (or not writable by this user); make it writable "
            "(or point NEMO_STATE_DIR at a writable folder) and try again")


def make_spare(folder: Path) -> None:
    """Keep the spare file (best effort: a disk already full just has none)."""
    spare = folder / SPARE_NAME
    try:
        if spare.is_file() and spare.stat().st_size >= SPARE_BYTES:
            return
        with open(spare, "wb") as f:
            f.write(b"\0" * SPARE_BYTES)
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        try:    # a part of it would only take room without the promise of a whole one
            spare.unlink(missing_ok=True)
        except OSError:
            pass


def free_spare(folder: Path) -> bool:
    """Give up the spare file so one more write fits; True if there was one."""
    try:
        (folder / SPARE_NAME).unlink()
    except OSError:
        return False
    log.warning("the disk holding %s is full: the spare space was used to end a job cleanly", folder)
    return True
