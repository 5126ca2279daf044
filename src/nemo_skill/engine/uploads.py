"""Uploads into a session: streamed to disk with the size cap enforced as the
bytes arrive, names made safe, types checked by extension and by ffprobe,
URL uploads guarded against loopback and private addresses.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import socket
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlparse

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from .. import http_policy
from ..bundle import manifest
from ..errors import MediaError
from ..media import ffmpeg
from ..text_safety import is_unsafe
from .db import Database
from .errors import EngineError


def too_large(name: str = "file") -> EngineError:
    limit = manifest().max_upload_bytes // (1024 * 1024)
    return EngineError(4002, f"{name} is larger than {limit} MB; compress or trim it", 413)


def unsupported(detail: str) -> EngineError:
    types = ", ".join(manifest().accepted_extensions)
    return EngineError(4001, f"unsupported file type: {detail}; accepted: {types}", 400)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_filename(name: str) -> str:
    """A name that cannot climb out of its folder; letters of any script kept."""
    name = unicodedata.normalize("NFC", unquote(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if is_unsafe(ch) else ch for ch in name)   # bidi too: the "gpj.exe" trick
    name = _UNSAFE.sub("_", name).strip().lstrip(".") or "upload"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem[:80] or "upload"
    return f"{stem}.{ext[:10]}" if ext else stem


def part_filename(params: dict[bytes, bytes]) -> str | None:
    """The file name of a multipart part: RFC 5987 ``filename*=UTF-8''...`` first, else
    ``filename`` read as UTF-8 (what browsers and requests send), else latin-1."""
    extended = params.get(b"filename*")
    if extended and b"''" in extended:
        charset, _, encoded = extended.partition(b"''")
        try:
            return unquote(encoded.decode("ascii"), encoding=charset.decode("ascii") or "utf-8",
                           errors="strict")
        except (UnicodeDecodeError, LookupError):
            pass
    plain = params.get(b"filename")
    if plain is None:
        return None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        return plain.decode("latin-1")


@dataclass
class SavedFile:
    original: str
    path: Path
    size: int = 0
    sha256: str = ""


@dataclass
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    file: SavedFile | None = None
    handle: object | None = None
    digest: object | None = None
    temp: Path | None = None        # written here, renamed to file.path once complete


class StreamingUpload:
    """Feeds a multipart body chunk by chunk into files under ``dest``.

    ``feed`` raises :class:`EngineError` 4002 the moment a file passes the
    cap; :meth:`abort` removes everything written so far.
    """

    def __init__(self, dest: Path, content_type: str, max_bytes: int) -> None:
        ctype, params = parse_options_header(content_type)
        if ctype != b"multipart/form-data" or b"boundary" not in params:
            raise EngineError(400, "expected multipart/form-data with `files` fields", 400)
        self.dest, self.max_bytes = dest, max_bytes
        self.saved: list[SavedFile] = []
        self._part = _Part()
        self._field = b""
        self._value = b""
        self._error: EngineError | None = None
        self.parser = MultipartParser(params[b"boundary"], {
            "on_part_begin": self._begin, "on_header_field": self._hfield,
            "on_header_value": self._hvalue, "on_header_end": self._hend,
            "on_headers_finished": self._headers_done, "on_part_data": self._data,
            "on_part_end": self._end})

    def _begin(self) -> None:
        self._part = _Part()

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _hend(self) -> None:
        # Kept as bytes: a UTF-8 file name (视频.mp4) must not pass through latin-1 (issue 10).
        self._part.headers[self._field.decode("latin-1").lower()] = self._value
        self._field = self._value = b""

    def _headers_done(self) -> None:
        _, params = parse_options_header(self._part.headers.get("content-disposition", b""))
        original = part_filename(params)
        if original is None:
            return  # a plain form field: ignored
        self.dest.mkdir(parents=True, exist_ok=True)
        path = self.dest / f"{uuid.uuid4().hex[:8]}_{safe_filename(original)}"
        self._part.file = SavedFile(original, path)
        self._part.temp = temp_name(path)
        self._part.handle = open(self._part.temp, "wb")  # noqa: SIM115 - closed in _end or abort
        self._part.digest = hashlib.sha256()
        self.saved.append(self._part.file)

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if part.file is None:
            return
        part.file.size += end - start
        if part.file.size > self.max_bytes:
            raise too_large(safe_filename(part.file.original))
        part.handle.write(data[start:end])
        part.digest.update(data[start:end])

    def _end(self) -> None:
        part = self._part
        if part.file is not None and part.handle is not None:
            part.handle.close()
            part.handle = None
            part.file.sha256 = part.digest.hexdigest()
            os.replace(part.temp, part.file.path)

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.write(chunk)
        except MultipartParseError as exc:   # e.g. a 5000-character file name: a 400, not a crash
            raise EngineError(400, f"the upload is not well-formed multipart ({exc}); a file name "
                                   "may be too long", 400) from None

    def finish(self) -> list[SavedFile]:
        try:
            self.parser.finalize()
        except MultipartParseError as exc:
            raise EngineError(400, f"the upload is not well-formed multipart ({exc})", 400) from None
        if self._part.handle is not None:
            raise EngineError(400, "the upload ended in the middle of a file", 400)
        if not self.saved:
            raise EngineError(400, "no `files` field in the upload", 400)
        return self.saved

    def abort(self) -> None:
        if self._part.handle is not None:
            self._part.handle.close()
        if self._part.temp is not None:
            self._part.temp.unlink(missing_ok=True)
        for saved in self.saved:
            saved.path.unlink(missing_ok=True)


TEMP_SUFFIX = ".part"


def temp_name(path: Path) -> Path:
    """Where a file is written until it is whole: a short dot name no upload has (the full
    name may already be at the file system's 255-byte limit)."""
    return path.with_name(f".{uuid.uuid4().hex}{TEMP_SUFFIX}")


def remove_unowned(db: Database, sessions_dir: Path) -> int:
    """At start: files in an uploads folder that no upload row owns (a dead engine's partial
    or unregistered upload, issue 22). Returns how many were removed."""
    owned = {row["path"] for row in db.all("SELECT path FROM uploads")}
    gone = 0
    for folder in sessions_dir.glob("*/uploads") if sessions_dir.is_dir() else []:
        for entry in folder.iterdir():
            if entry.is_file() and str(entry) not in owned:
                entry.unlink(missing_ok=True)
                gone += 1
    return gone


def register(db: Database, session_id: str, saved: SavedFile) -> dict:
    """Check a saved file (extension, then ffprobe) and record it; the files[] entry."""
    kind = manifest().kind_of_extension(Path(saved.original).suffix)
    if kind is None:
        saved.path.unlink(missing_ok=True)
        raise unsupported(f"{safe_filename(saved.original)!r}")
    try:
        info = ffmpeg.probe(saved.path)
    except MediaError:
        saved.path.unlink(missing_ok=True)
        raise unsupported(f"{safe_filename(saved.original)!r} is not readable {kind}") from None
    if (kind == "audio" and not info.has_audio) or (kind in ("video", "image") and not info.has_video):
        saved.path.unlink(missing_ok=True)
        raise unsupported(f"{safe_filename(saved.original)!r} has no {kind} stream")
    if kind in ("video", "image") and not (info.width and info.height):   # a header, no picture
        saved.path.unlink(missing_ok=True)
        raise unsupported(f"{safe_filename(saved.original)!r} has no picture ffmpeg can decode")
    if (kind == "image") != info.is_image:   # a video renamed x.png, or a picture renamed x.mp4
        saved.path.unlink(missing_ok=True)
        actual = "a picture" if info.is_image else "a video or audio file"
        raise unsupported(f"{safe_filename(saved.original)!r} is {actual}, not {kind}: "
                          "give it its real extension")
    upload_id = "up_" + uuid.uuid4().hex[:12]
    name = safe_filename(saved.original)
    duration = 0.0 if info.is_image else info.duration
    with db.tx() as c:
        c.execute("INSERT INTO uploads VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  (upload_id, session_id, name, str(saved.path), kind, saved.size, duration,
                   info.width, info.height, info.fps, saved.sha256, int(info.has_audio), time.time()))
    return {"id": upload_id, "filename": name, "file_type": kind,
            "cdn_url": f"/api/files/{upload_id}/{quote(name)}", "duration": round(duration, 3),
            "width": info.width, "height": info.height, "fps": info.fps,
            "hash": saved.sha256, "size": saved.size, "has_audio": info.has_audio}


# --- URL uploads ------------------------------------------------------------------------

def check_public(url: str, *, allow_private: bool) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise EngineError(4001, f"only http and https URLs can be uploaded, not {url[:60]!r}", 400)
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        raise EngineError(400, f"cannot resolve {parsed.hostname}", 400) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise EngineError(400, f"{parsed.hostname} is a loopback or private address; "
                                   "set NEMO_ENGINE_ALLOW_PRIVATE_URLS=1 to allow it", 400)


def fetch_url(url: str, dest: Path, *, max_bytes: int, allow_private: bool,
              timeout: float = 60) -> SavedFile:
    """Download ``url`` under ``dest``; every redirect hop is checked again."""
    policy = http_policy.DEFAULT
    with policy.session(url) as http:   # each hop is checked here, with the engine's own private-URL rule
        for _ in range(policy.max_redirects + 1):
            check_public(url, allow_private=allow_private)
            response = http.get(url, stream=True, timeout=policy.timeout(timeout), allow_redirects=False)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                response.close()
                continue
            break
        else:
            raise EngineError(400, "too many redirects", 400)
        if response.status_code >= 400:
            raise EngineError(400, f"the URL answered HTTP {response.status_code}", 400)
        name = safe_filename(Path(urlparse(url).path).name or "download")
        dest.mkdir(parents=True, exist_ok=True)
        saved = SavedFile(name, dest / f"{uuid.uuid4().hex[:8]}_{name}")
        temp = temp_name(saved.path)
        digest = hashlib.sha256()
        try:
            with open(temp, "wb") as out:
                for block in response.iter_content(1024 * 1024):
                    saved.size += len(block)
                    if saved.size > max_bytes:
                        raise too_large(name)
                    out.write(block)
                    digest.update(block)
            os.replace(temp, saved.path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        saved.sha256 = digest.hexdigest()
        return saved
