"""Writing results safely: a temp file beside the target, renamed into place."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_target(dest: Path) -> Iterator[Path]:
    """Yield a temp path in ``dest``'s folder; on success it replaces ``dest``.

    A failure leaves ``dest`` as it was, so nothing the user had is lost. The file gets the
    mode any new file of the user's gets (0666 less the umask): mkstemp's 0600 made the MP4s
    unreadable to a web server or another account (issue 25). Secrets are not written here
    (``store`` keeps them 0600).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.stem}.", suffix=dest.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask, read without changing it (Linux), else by setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def sha256_of(path: Path) -> str:
    """A file's SHA-256, read in 1 MB blocks (models and videos are large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
