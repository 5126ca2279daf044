"""The one module that runs ffmpeg and ffprobe (house-style.md, yt-dlp).

argv lists only (never a shell), ``file:`` before paths so odd names are
safe, the last stderr lines in every error, the child killed on any
exception or cancel, progress read from ``-progress``.

Media is untrusted (issue 10): every file input is opened with the ``file``
protocol only, and a probed file must be a container of a type we accept, so
an HLS or concat playlist renamed ``.mp4`` is refused before it can pull in
other files. Children die with the process that started them.
"""

from __future__ import annotations

import ctypes
import json
import logging
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from ..errors import MediaError, ToolMissingError

log = logging.getLogger("nemo_skill.media")

# Demuxers (ffprobe's format_name parts) of the types skill.yaml accepts. Anything else -
# hls, concat, ffconcat, a playlist, a device - is refused: it could read other files.
ALLOWED_FORMATS = frozenset({
    "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "flv",
    "mp3", "wav", "aac", "ogg", "flac",
    "image2", "png_pipe", "jpeg_pipe", "gif", "gif_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe",
    "srt", "ass", "lavfi",
})
FILE_ONLY = ["-protocol_whitelist", "file"]


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except OSError:
        return None


_PRCTL = _load_prctl()   # loaded here, in the parent: the child only makes one call


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the thread that started us dies, so a
    killed engine leaves no ffmpeg behind (Linux; elsewhere the engine kills on exit)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _guard_inputs(args: Sequence[str]) -> list[str]:
    """``-protocol_whitelist file`` before every file input, so nothing inside a file can
    send ffmpeg to another protocol (http, tcp, concat, subfile, ...)."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "-i" and i + 1 < len(args) and str(args[i + 1]).startswith("file:"):
            out += FILE_ONLY
        out.append(arg)
    return out


class Cancelled(MediaError):
    """The job was cancelled while ffmpeg ran."""


def binary(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise ToolMissingError(f"{name} is not installed",
                               hint="install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; "
                                    "macOS: brew install ffmpeg), then try again")
    return path


def fpath(path: str | Path) -> str:
    """A path ffmpeg reads as a file, whatever its name looks like."""
    return "file:" + str(path)


@dataclass
class MediaInfo:
    path: Path
    format: str
    duration: float
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    is_image: bool = False
    audio_rate: int = 0
    raw: dict = field(default_factory=dict, repr=False)


_IMAGE_CODECS = {"mjpeg", "png", "gif", "webp", "bmp", "tiff"}


def probe(path: str | Path, timeout: float = 60) -> MediaInfo:
    """ffprobe a file; MediaError if it is not readable media."""
    path = Path(path)
    cmd = [binary("ffprobe"), "-v", "error", *FILE_ONLY, "-print_format", "json", "-show_format",
           "-show_streams", fpath(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False,
                              preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{path.name}: reading the media took too long") from None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["unknown"]
        raise MediaError(f"{path.name} is not a readable media file ({detail[0][:200]})",
                         hint="check that the file is a complete video, image or audio file")
    info = json.loads(proc.stdout or b"{}")
    streams = info.get("streams") or []
    fmt = info.get("format") or {}
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not (s.get("disposition") or {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None:
        raise MediaError(f"{path.name} has no audio or video stream",
                         hint="give a video, image or audio file")
    fmt_name = str(fmt.get("format_name", ""))
    if not set(fmt_name.split(",")) & ALLOWED_FORMATS:
        raise MediaError(f"{path.name} is a {fmt_name or 'unknown'} file, not a video, image or audio "
                         "container this tool takes", hint="give an MP4, MOV, MKV, WebM, AVI, FLV, "
                         "JPG, PNG, GIF, WebP, MP3, WAV, M4A or AAC file")
    is_image = bool(video) and (video.get("codec_name") in _IMAGE_CODECS) and (
        "image2" in fmt_name or "_pipe" in fmt_name or fmt_name in ("gif", "webp"))
    duration = float(fmt.get("duration") or (video or audio or {}).get("duration") or 0)
    fps = 0.0
    if video:
        try:
            fps = float(Fraction(video.get("avg_frame_rate") or "0/1"))
        except (ValueError, ZeroDivisionError):
            fps = 0.0
    width, height = int((video or {}).get("width") or 0), int((video or {}).get("height") or 0)
    if _quarter_turned(video):      # ffmpeg turns the frames upright when it decodes them
        width, height = height, width
    return MediaInfo(path, fmt_name, duration, video is not None, audio is not None, width, height,
                     round(fps, 3), is_image, int((audio or {}).get("sample_rate") or 0), info)


def _quarter_turned(stream: dict | None) -> bool:
    """A phone video stored landscape with a 90 degree rotation (side data or the old tag)."""
    if not stream:
        return False
    turns = [d.get("rotation") for d in stream.get("side_data_list") or [] if "rotation" in d]
    turns.append((stream.get("tags") or {}).get("rotate"))
    for turn in turns:
        try:
            if turn is not None and round(float(turn)) % 180 == 90:
                return True
        except (TypeError, ValueError):
            continue
    return False


def run(args: Sequence[str], *, duration: float | None = None,
        on_progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None, timeout: float | None = None,
        on_start: Callable[[subprocess.Popen], None] | None = None) -> None:
    """Run ffmpeg with ``args`` (after the binary); progress 0..100 if ``duration`` is known."""
    cmd = [binary("ffmpeg"), "-hide_banner", "-nostdin", "-y", "-progress", "pipe:1",
           "-nostats", "-loglevel", "error", *_guard_inputs(args)]
    log.debug("ffmpeg %s", " ".join(cmd[1:]))
    tail: deque[str] = deque(maxlen=12)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            preexec_fn=_die_with_parent)
    if on_start:
        on_start(proc)
    started = time.monotonic()

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            tail.append(line.decode("utf-8", "replace").rstrip())

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            if cancel is not None and cancel.is_set():
                raise Cancelled("cancelled")
            if timeout and time.monotonic() - started > timeout:
                raise MediaError(f"ffmpeg ran longer than {timeout:.0f} s")
            key, _, value = raw.decode("ascii", "replace").strip().partition("=")
            if key == "out_time_us" and duration and on_progress and value.isdigit():
                on_progress(min(99.0, int(value) / 1e6 / duration * 100))
        proc.wait()
        reader.join(timeout=5)
        if cancel is not None and cancel.is_set():
            raise Cancelled("cancelled")
        if proc.returncode != 0:
            raise MediaError("ffmpeg failed: " + (" | ".join(list(tail)[-3:]) or f"exit {proc.returncode}"),
                             hint="the input may be broken; check it with `ffprobe FILE`")
        if on_progress:
            on_progress(100.0)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def output(args: Sequence[str], *, timeout: float = 120) -> bytes:
    """Run ffmpeg with ``args`` writing to ``pipe:1`` and return what it wrote (raw frames, a
    listing); MediaError with its last stderr lines when it fails or runs over ``timeout``."""
    cmd = [binary("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", *_guard_inputs(args)]
    log.debug("ffmpeg %s", " ".join(cmd[1:]))
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise MediaError(f"ffmpeg ran longer than {timeout:.0f} s",
                         hint="the input may be broken or very long; check it with `ffprobe FILE`") from None
    except OSError as exc:
        raise MediaError(f"ffmpeg could not start ({exc.strerror or type(exc).__name__})",
                         hint="run `nemo doctor` to check the ffmpeg install") from None
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise MediaError("ffmpeg failed: " + (" | ".join(tail) or f"exit {proc.returncode}"),
                         hint="the input may be broken; check it with `ffprobe FILE`")
    return proc.stdout


def filter_names(timeout: float = 30) -> set[str]:
    """The filters this ffmpeg build has (``ffmpeg -filters``)."""
    listing = output(["-filters"], timeout=timeout).decode("utf-8", "replace")
    return {parts[1] for line in listing.splitlines() if len(parts := line.split()) > 2}


def read_pcm(path: str | Path, rate: int, *, block_seconds: float = 30,
             cancel: threading.Event | None = None):
    """Yield the audio of ``path`` as mono int16 numpy blocks at ``rate`` Hz."""
    import numpy as np  # only the ASR path needs it

    cmd = [binary("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", *FILE_ONLY, "-i",
           fpath(path), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "pipe:1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            preexec_fn=_die_with_parent)
    tail: deque[str] = deque(maxlen=6)
    reader = threading.Thread(target=lambda: [tail.append(line.decode("utf-8", "replace").rstrip())
                                              for line in proc.stderr], daemon=True)
    reader.start()
    size = int(rate * block_seconds) * 2
    try:
        assert proc.stdout is not None
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled("cancelled")
            data = proc.stdout.read(size)
            if not data:
                break
            yield np.frombuffer(data[: len(data) // 2 * 2], dtype=np.int16)
        proc.wait()
        reader.join(timeout=5)
        if proc.returncode != 0:
            raise MediaError(f"{Path(path).name}: the audio could not be decoded ("
                             + (" | ".join(list(tail)[-2:]) or f"exit {proc.returncode}") + ")",
                             hint="the file may be damaged or cut short; re-export or re-download it")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def keyframe_times(path: str | Path, timeout: float = 600) -> list[float]:
    """The times of the first video stream's keyframes, from the packet flags (no decoding)."""
    cmd = [binary("ffprobe"), "-v", "error", *FILE_ONLY, "-select_streams", "v:0",
           "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", fpath(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                              preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{Path(path).name}: reading the keyframes took too long") from None
    if proc.returncode != 0:
        raise MediaError(f"{Path(path).name}: ffprobe could not list its packets "
                         f"({(proc.stderr.strip().splitlines() or ['unknown'])[-1][:200]})")
    times = []
    for line in proc.stdout.splitlines():
        pts, _, flags = line.partition(",")
        if "K" in flags and pts not in ("", "N/A"):
            times.append(float(pts))
    return sorted(times)
