"""Bilibili's upload rules for an MP4, read with ffprobe (issue 13): H.264 8-bit
yuv420p, a keyframe at least every 10 s, AAC at most 320 kbit/s, 48 kHz, two
channels, under 4 GB and under 5 hours. Each rule broken is a finding with the
ffmpeg command that fixes it."""

from __future__ import annotations

from pathlib import Path

from ...errors import MediaError
from .. import ffmpeg
from ..findings import Finding

VIDEO_TYPES = (".mp4", ".mov", ".mkv", ".flv")
MAX_KEYFRAME_GAP = 10.0
MAX_AUDIO_BITRATE = 320_000
AUDIO_RATE = 48_000
AUDIO_CHANNELS = 2
MAX_BYTES = 4 * 1024 ** 3
MAX_SECONDS = 5 * 3600

_VIDEO_FIX = "-c:v libx264 -profile:v high -pix_fmt yuv420p -g 240"
_AUDIO_FIX = "-c:a aac -b:a 192k -ar 48000 -ac 2"


def _reencode(path: Path, video: bool, audio: bool) -> str:
    """The one ffmpeg command that fixes what is wrong, copying what is right."""
    v = _VIDEO_FIX if video else "-c:v copy"
    a = _AUDIO_FIX if audio else "-c:a copy"
    return f"ffmpeg -i {path.name} {v} {a} -movflags +faststart {path.stem}.fixed.mp4"


def check_video(path: Path) -> tuple[list[Finding], dict]:
    """(findings, a summary of what ffprobe saw) for one video file."""
    try:
        info = ffmpeg.probe(path)
    except MediaError as exc:
        return [Finding("unreadable", str(path), exc.message, exc.hint or "check the file")], {}
    streams = info.raw.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    findings: list[Finding] = []

    def add(code: str, message: str, *, video_fix: bool = False, audio_fix: bool = False,
            fix: str | None = None, time: float | None = None) -> None:
        findings.append(Finding(code, str(path), message, fix or _reencode(path, video_fix, audio_fix), time=time))

    summary: dict = {"duration": round(info.duration, 3), "bytes": path.stat().st_size}
    if video is None:
        add("no_video", f"{path.name} has no video stream", fix="give Bilibili a video file")
    else:
        summary["video"] = {k: video.get(k) for k in ("codec_name", "profile", "pix_fmt", "width", "height")}
        if video.get("codec_name") != "h264":
            add("video_codec", f"the video is {video.get('codec_name')}, not H.264", video_fix=True)
        pix_fmt = str(video.get("pix_fmt") or "")
        if pix_fmt != "yuv420p":
            add("pixel_format", f"the video's pixels are {pix_fmt or 'unknown'}; Bilibili wants 8-bit yuv420p",
                video_fix=True)
        gap, at = _largest_keyframe_gap(ffmpeg.keyframe_times(path), info.duration)
        summary["max_keyframe_gap"] = round(gap, 3)
        if gap > MAX_KEYFRAME_GAP + 0.01:
            add("keyframe_interval", f"{gap:.1f} s without a keyframe from {at:.1f} s; Bilibili wants one at "
                f"least every {MAX_KEYFRAME_GAP:g} s", video_fix=True, time=round(at, 3))
    if audio is None:
        summary["audio"] = None
    else:
        summary["audio"] = {k: audio.get(k) for k in ("codec_name", "sample_rate", "channels", "bit_rate")}
        if audio.get("codec_name") != "aac":
            add("audio_codec", f"the audio is {audio.get('codec_name')}, not AAC", audio_fix=True)
        if int(audio.get("bit_rate") or 0) > MAX_AUDIO_BITRATE:
            add("audio_bitrate", f"the audio is {int(audio['bit_rate']) // 1000} kbit/s, over "
                f"{MAX_AUDIO_BITRATE // 1000}", audio_fix=True)
        if int(audio.get("sample_rate") or 0) != AUDIO_RATE:
            add("audio_sample_rate", f"the audio is sampled at {audio.get('sample_rate')} Hz, not "
                f"{AUDIO_RATE}", audio_fix=True)
        if int(audio.get("channels") or 0) != AUDIO_CHANNELS:
            add("audio_channels", f"the audio has {audio.get('channels')} channel(s), not {AUDIO_CHANNELS}",
                audio_fix=True)
    if summary["bytes"] >= MAX_BYTES:
        add("file_size", f"{path.name} is {summary['bytes'] / 1024 ** 3:.1f} GB; Bilibili takes under 4 GB",
            fix="encode at a lower bitrate (e.g. -crf 26) or split the video")
    if info.duration >= MAX_SECONDS:
        add("duration", f"{path.name} runs {info.duration / 3600:.1f} h; Bilibili takes under 5 h",
            fix="split it into parts under 5 hours")
    return findings, summary


def _largest_keyframe_gap(keys: list[float], duration: float) -> tuple[float, float]:
    """(the longest stretch without a keyframe, where it starts), the file's end included."""
    points = (keys or [0.0]) + [max(duration, keys[-1] if keys else 0.0)]
    gaps = [(b - a, a) for a, b in zip(points, points[1:], strict=False)]
    return max(gaps) if gaps else (0.0, 0.0)
