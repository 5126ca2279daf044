"""A draft -> one ffmpeg command that renders it (1080p H.264 High + AAC).

Video segments are trimmed, scaled and padded onto a canvas at their start
times; audio (the clips' own, BGM, narration) is delayed into place and
mixed at each segment's volume; text tracks are drawn by libass from an ASS
file. The draft's ``src`` values are mapped to local files by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pysubs2

from ..timeline import AUDIO, TEXT, VIDEO, Draft
from . import ffmpeg
from .escape import ass_text, filter_value
from .fonts import CJK_FAMILY, fonts_dir

FPS = 30
# Bilibili-ready encode: H.264 High yuv420p, a keyframe at least every 10 s,
# AAC 44.1 kHz, moov atom first so playback starts before the download ends.
ENCODE = ["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-preset", "veryfast",
          "-crf", "20", "-g", str(FPS * 10), "-c:a", "aac", "-b:a", "192k", "-ar", "44100",
          "-movflags", "+faststart"]

POSITIONS = {"bottom": 2, "middle": 5, "center": 5, "top": 8}


@dataclass
class RenderPlan:
    args: list[str]
    duration: float
    ass_path: Path | None


def canvas(draft: Draft) -> tuple[int, int]:
    w = int(draft.meta.get("width") or 1920)
    h = int(draft.meta.get("height") or 1080)
    return w - w % 2, h - h % 2


def _colour(value: str | None, default: str = "#FFFFFF") -> pysubs2.Color:
    text = (value or default).lstrip("#")
    try:
        r, g, b = int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except (ValueError, IndexError):
        r, g, b = 255, 255, 255
    return pysubs2.Color(r, g, b)


def text_style(meta: dict, kind: str, height: int) -> pysubs2.SSAStyle:
    """A track's ``m.style`` (size at 1080p, colour, position) as an ASS style."""
    style = meta.get("style") or {}
    scale = height / 1080
    default_size = 96 if kind == "title" else 54
    position = style.get("position") or ("middle" if kind == "title" else "bottom")
    return pysubs2.SSAStyle(
        fontname=style.get("font") or CJK_FAMILY,
        fontsize=round(float(style.get("size") or default_size) * scale),
        primarycolor=_colour(style.get("color")),
        outlinecolor=_colour(style.get("outline_color"), "#000000"),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        bold=bool(style.get("bold", kind == "title")),
        outline=float(style.get("outline", 3)) * scale, shadow=1 * scale,
        alignment=pysubs2.Alignment(POSITIONS.get(position, 2)),
        marginv=round(float(style.get("margin", 60)) * scale),
        marginl=round(40 * scale), marginr=round(40 * scale),
    )


def draft_ass(draft: Draft, width: int, height: int) -> pysubs2.SSAFile | None:
    """Every text track of the draft as one ASS document, or None."""
    doc = pysubs2.SSAFile()
    doc.info.update({"PlayResX": str(width), "PlayResY": str(height), "WrapStyle": "0",
                     "ScaledBorderAndShadow": "yes"})
    any_text = False
    for index, track in enumerate(draft.tracks):
        if track.type != TEXT or not track.segments:
            continue
        name = f"T{index}_{track.kind}"
        doc.styles[name] = text_style(track.raw.get("m") or {}, track.kind, height)
        for seg in track.segments:
            if seg.text:
                doc.events.append(pysubs2.SSAEvent(start=int(seg.start), end=int(seg.end),
                                                   text=ass_text(seg.text), style=name))
                any_text = True
    return doc if any_text else None


def build(draft_raw: dict, resolve: Callable[[str], Path], out: Path, workdir: Path,
          *, encode: list[str] | None = None) -> RenderPlan:
    """The ffmpeg arguments that render ``draft_raw`` to ``out``."""
    draft = Draft(draft_raw)
    width, height = canvas(draft)
    duration = max(draft.duration, 100.0) / 1000.0
    inputs: list[str] = ["-f", "lavfi", "-i", f"color=c=black:s={width}x{height}:r={FPS}:d={duration:.3f}"]
    graph: list[str] = []
    audio_labels: list[str] = []
    base = "[0:v]"
    n = 1
    for track in draft.tracks:
        for seg in track.segments:
            if track.type not in (VIDEO, AUDIO) or not seg.raw.get("src"):
                continue
            path = resolve(seg.raw["src"])
            info = ffmpeg.probe(path)
            st, dur = seg.start / 1000.0, seg.duration / 1000.0
            ss = float(seg.raw.get("ss", 0)) / 1000.0
            volume = seg.volume if seg.volume is not None else 1.0
            if info.is_image:
                inputs += ["-loop", "1", "-framerate", str(FPS), "-t", f"{dur:.3f}", "-i", ffmpeg.fpath(path)]
            elif track.type == AUDIO and seg.raw.get("loop", True):
                inputs += ["-stream_loop", "-1", "-ss", f"{ss:.3f}", "-t", f"{dur:.3f}", "-i", ffmpeg.fpath(path)]
            else:
                inputs += ["-ss", f"{ss:.3f}", "-t", f"{dur:.3f}", "-i", ffmpeg.fpath(path)]
            if track.type == VIDEO and info.has_video:
                graph.append(
                    f"[{n}:v]scale={width}:{height}:force_original_aspect_ratio=decrease,"
                    f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={FPS},"
                    f"setpts=PTS-STARTPTS+{st:.3f}/TB[v{n}]")
                graph.append(f"{base}[v{n}]overlay=eof_action=pass[b{n}]")
                base = f"[b{n}]"
            if info.has_audio and volume > 0 and not info.is_image:
                delay = int(round(st * 1000))
                graph.append(f"[{n}:a]aresample=48000,asetpts=PTS-STARTPTS,volume={volume:.3f},"
                             f"adelay={delay}:all=1[a{n}]")
                audio_labels.append(f"[a{n}]")
            n += 1
    ass = draft_ass(draft, width, height)
    ass_path = None
    if ass is not None:
        ass_path = workdir / "text.ass"
        ass.save(str(ass_path))
        font_opt = f":fontsdir={filter_value(str(fonts_dir()))}" if fonts_dir() else ""
        graph.append(f"{base}subtitles=filename={filter_value(str(ass_path))}{font_opt}[vout]")
    else:
        graph.append(f"{base}null[vout]")
    if audio_labels:
        graph.append(f"{''.join(audio_labels)}amix=inputs={len(audio_labels)}:normalize=0:"
                     f"duration=longest,apad[aout]")
    else:
        inputs += ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo"]
        graph.append(f"[{n}:a]anull[aout]")
    args = [*inputs, "-filter_complex", ";".join(graph), "-map", "[vout]", "-map", "[aout]",
            "-t", f"{duration:.3f}", "-r", str(FPS), *(encode or ENCODE), ffmpeg.fpath(out)]
    return RenderPlan(args, duration, ass_path)
