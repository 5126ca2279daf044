"""Uploads: checks before anything is sent, and a streamed multipart body.

The body is a file-like object with a length, so requests sends a
Content-Length and reads the files in blocks: a 400 MB upload never sits in
memory.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

from ..errors import FileSizeError, FileTypeError, InputError

BLOCK = 1024 * 1024


@dataclass(frozen=True)
class UploadFile:
    path: Path
    size: int
    kind: str  # video | image | audio


def check_file(raw: str | os.PathLike) -> UploadFile:
    """Type and size checked before anything is sent (nemo-api.md, "Tolerances")."""
    from ..bundle import manifest  # reads skill.yaml: only an upload pays for it
    m = manifest()
    path = Path(raw).expanduser()
    if not path.exists():
        raise InputError(f"{path}: no such file", hint="check the path and try again")
    if not path.is_file():
        raise InputError(f"{path} is not a file", hint="give the path of a video, image or audio file")
    kind = m.kind_of_extension(path.suffix)
    if kind is None:
        raise FileTypeError(
            f"{path.name}: {path.suffix or 'no extension'} files are not accepted",
            hint=f"accepted types: {', '.join(m.accepted_extensions)}")
    size = path.stat().st_size
    if size > m.max_upload_bytes:
        raise FileSizeError(f"{path.name} is {size / 2**20:.0f} MB, over the "
                            f"{m.max_upload_bytes // (1024 * 1024)} MB limit")
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as exc:
        raise InputError(f"{path.name} cannot be read ({exc.strerror})",
                         hint="check the file's permissions") from None
    if size == 0:
        raise InputError(f"{path.name} is empty", hint="check that the file was fully copied")
    return UploadFile(path, size, kind)


def check_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(f"{url!r} is not an http(s) URL", hint="give a full http:// or https:// link")
    return url


def disposition_filename(name: str) -> str:
    """``filename=`` for every server, plus RFC 5987 ``filename*=`` with the exact UTF-8 name,
    so 视频.mp4 or ünï.mp4 arrive as they are (issue 10)."""
    name = name.replace("\r", "").replace("\n", "")
    plain = name.replace("\\", "_").replace('"', "%22")
    if name.isascii():
        return f'filename="{plain}"'
    return f"filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


class MultipartStream:
    """multipart/form-data with one ``files`` part per file, read block by block."""

    def __init__(self, files: list[UploadFile], field: str = "files",
                 on_progress: Callable[[int, int], None] | None = None) -> None:
        self.boundary = os.urandom(16).hex()  # as uuid4().hex, without importing uuid (3 ms)
        self.on_progress = on_progress
        self._parts: list[bytes | Path] = []
        for item in files:
            ctype = mimetypes.guess_type(item.path.name)[0] or "application/octet-stream"
            head = (f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                    f"{disposition_filename(item.path.name)}\r\nContent-Type: {ctype}\r\n\r\n").encode()
            self._parts += [head, item.path, b"\r\n"]
        self._parts.append(f"--{self.boundary}--\r\n".encode())
        self.total = sum(p.stat().st_size if isinstance(p, Path) else len(p) for p in self._parts)
        self.sent = 0
        self._index = 0
        self._buffer = b""
        self._file = None

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self.total

    def read(self, size: int = -1) -> bytes:
        size = BLOCK if size is None or size < 0 else size
        out = bytearray()
        while len(out) < size and self._index < len(self._parts):
            part = self._parts[self._index]
            if isinstance(part, bytes):
                out += part
                self._index += 1
                continue
            if self._file is None:
                self._file = open(part, "rb")  # noqa: SIM115 - closed when exhausted
            block = self._file.read(size - len(out))
            if block:
                out += block
            else:
                self._file.close()
                self._file = None
                self._index += 1
        self.sent += len(out)
        if self.on_progress and out:
            self.on_progress(self.sent, self.total)
        return bytes(out)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
