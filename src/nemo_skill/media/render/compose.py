"""A draft -> one ffmpeg command that renders it (1080p H.264 High + AAC).

Video segments are trimmed, scaled and padded onto a canvas at their start
times; audio (the clips' own, BGM, narration) is delayed into place and
mixed at each segment's volume; text tracks are drawn by libass from an ASS
file. The draft's ``src`` values are mapped to local files by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pysubs2

from ...errors import MediaError
from ...timeline import AUDIO, TEXT, VIDEO, Draft
from .. import ffmpeg
from ..escape import ass_text
from ..subtitles import formats as subfiles
from .encode import ENCODE, FPS, RenderPlan, burn_filter, canvas, rate_args, source_rate


def draft_ass(draft: Draft, width: int, height: int) -> pysubs2.SSAFile | None:
    """Every text track of the draft (titles, subtitles) as one ASS document, or None."""
    doc = subfiles.new_ass(width, height)
    for index, track in enumerate(draft.tracks):
        if track.type != TEXT or track.kind == "subtitle" or not track.segments:
            continue
        name = f"T{index}_{track.kind}"
        style = dict((track.raw.get("m") or {}).get("style") or {})
        style.setdefault("position", "middle" if track.kind == "title" else "bottom")
        doc.styles[name] = subfiles.ass_style(style, "zh", width, height,
                                              default_size=96 if track.kind == "title" else 54,
                                              bold=track.kind == "title")
        for seg in track.segments:
            if seg.text:
                doc.events.append(pysubs2.SSAEvent(start=int(seg.start), end=int(seg.end),
                                                   text=ass_text(seg.text), style=name))
    subfiles.add_subtitles(doc, subfiles.from_draft(draft), width, height)
    return doc if doc.events else None


def build(draft_raw: dict, resolve: Callable[[str], Path], out: Path, workdir: Path,
          *, encode: list[str] | None = None) -> RenderPlan:
    """The ffmpeg arguments that render ``draft_raw`` to ``out``."""
    draft = Draft(draft_raw)
    width, height = canvas(draft)
    duration = max(draft.duration, 100.0) / 1000.0
    # One clip filling the whole timeline (the usual subtitle job) is scaled and padded
    # straight onto the canvas; anything else is overlaid on a black canvas at its time.
    single = _single_clip(draft)
    inputs: list[str] = [] if single else [
        "-f", "lavfi", "-i", f"color=c=black:s={width}x{height}:r={FPS}:d={duration:.3f}"]
    graph: list[str] = []
    audio_labels: list[str] = []
    base = "[0:v]"
    n = 0 if single else 1
    rate = Fraction(FPS)    # a timeline of several pieces is drawn at 30 fps; one clip keeps its own
    for track in draft.tracks:
        for seg in track.segments:
            if track.type not in (VIDEO, AUDIO) or not seg.raw.get("src"):
                continue
            path = resolve(seg.raw["src"])
            info = ffmpeg.probe(path)
            st, dur = seg.start / 1000.0, seg.duration / 1000.0
            ss = float(seg.raw.get("ss", 0)) / 1000.0
            if not info.is_image and info.duration and ss >= info.duration:
                # ffmpeg would "finish" with no frames from it: fail with the reason instead
                raise MediaError(f"a segment starts {ss:.1f} s into {seg.name or 'its clip'}, which is "
                                 f"only {info.duration:.1f} s long",
                                 hint="trim it to start inside the clip, or remove it")
            volume = seg.volume if seg.volume is not None else 1.0
            if info.is_image:   # one frame, scaled once and then repeated (not scaled every frame)
                inputs += ["-i", ffmpeg.fpath(path)]
            elif track.type == AUDIO and seg.raw.get("loop", True):
                inputs += ["-stream_loop", "-1", "-ss", f"{ss:.3f}", "-t", f"{dur:.3f}", "-i", ffmpeg.fpath(path)]
            else:
                inputs += ["-ss", f"{ss:.3f}", "-t", f"{dur:.3f}", "-i", ffmpeg.fpath(path)]
            if track.type == VIDEO and info.has_video:
                if single:
                    rate = source_rate(_video_stream(info))
                still = f"format=yuv420p,loop=loop=-1:size=1,fps={FPS},trim=duration={dur:.3f}," \
                    if info.is_image else "" if single else f"fps={FPS},"
                graph.append(
                    f"[{n}:v]scale={width}:{height}:force_original_aspect_ratio=decrease,"
                    f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,{still}"
                    f"setpts=PTS-STARTPTS+{st:.3f}/TB[v{n}]")
                if single:
                    base = f"[v{n}]"
                else:
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
        graph.append(f"{base}{burn_filter(ass_path)}[vout]")
    else:
        graph.append(f"{base}null[vout]")
    if audio_labels:
        graph.append(f"{''.join(audio_labels)}amix=inputs={len(audio_labels)}:normalize=0:"
                     f"duration=longest,apad[aout]")
    else:
        inputs += ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo"]
        graph.append(f"[{n}:a]anull[aout]")
    args = [*inputs, "-filter_complex", ";".join(graph), "-map", "[vout]", "-map", "[aout]",
            "-t", f"{duration:.3f}", *rate_args(rate, encode or ENCODE), ffmpeg.fpath(out)]
    return RenderPlan(args, duration, ass_path)


def _video_stream(info: ffmpeg.MediaInfo) -> dict | None:
    return next((s for s in info.raw.get("streams") or [] if s.get("codec_type") == "video"), None)


def _single_clip(draft: Draft) -> bool:
    """True if one video clip (not a still) covers the timeline from 0 to its end."""
    visual = [s for t in draft.tracks if t.type == VIDEO for s in t.segments if s.raw.get("src")]
    if len(visual) != 1:
        return False
    seg = visual[0]
    is_still = (seg.raw.get("m") or {}).get("type") == "image"
    return not is_still and seg.start == 0 and seg.end >= draft.duration - 1000 / FPS


def soft_source(draft: Draft) -> dict:
    """The one untouched video a soft-subtitle MP4 can be muxed from, or MediaError."""
    visual = [s for t in draft.tracks if t.type in (VIDEO, AUDIO) for s in t.segments]
    others = [t for t in draft.tracks if t.type == TEXT and t.kind != "subtitle" and t.segments]
    if len(visual) != 1 or others or visual[0].raw.get("ss", 0) or visual[0].start:
        raise MediaError("soft subtitles keep the video exactly as uploaded, and this project has "
                         "other edits (trims, titles, music or several clips)",
                         hint='burn the subtitles in instead: say "burn in the subtitles" and export')
    return visual[0].raw


def build_soft(draft_raw: dict, resolve: Callable[[str], Path], out: Path, workdir: Path) -> RenderPlan:
    """Subtitle streams (mov_text) muxed beside the untouched video and audio: no re-encode."""
    draft = Draft(draft_raw)
    seg = soft_source(draft)
    source = resolve(seg["src"])
    info = ffmpeg.probe(source)
    tracks = subfiles.from_draft(draft)
    inputs = ["-i", ffmpeg.fpath(source)]
    maps = ["-map", "0:v:0"] + (["-map", "0:a:0"] if info.has_audio else [])
    meta: list[str] = []
    for i, t in enumerate(tracks):
        srt = workdir / f"{i}.{t.lang}.srt"
        subfiles.plain_document(t.cues, t.lang).save(str(srt), format_="srt", encoding="utf-8")
        inputs += ["-i", ffmpeg.fpath(srt)]
        maps += ["-map", f"{i + 1}:s:0"]
        meta += [f"-metadata:s:s:{i}", f"language={subfiles.ISO639_2.get(t.lang, 'und')}",
                 f"-metadata:s:s:{i}", f"title={subfiles.LANG_NAMES.get(t.lang, t.lang)}"]
    if not tracks:
        raise MediaError("there are no subtitles to add", hint='say "generate subtitles" first')
    args = [*inputs, *maps, "-c:v", "copy", "-c:a", "copy", "-c:s", "mov_text", *meta,
            "-movflags", "+faststart", ffmpeg.fpath(out)]
    return RenderPlan(args, info.duration, None)


def preview(video: Path, draft_raw: dict, at: float, out: Path, workdir: Path) -> Path:
    """One PNG frame of ``video`` at ``at`` seconds with the draft's text drawn on it."""
    draft = Draft(draft_raw)
    width, height = canvas(draft)
    ass = draft_ass(draft, width, height)
    chain = (f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
             f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,setpts=PTS+{at:.3f}/TB")
    if ass is not None:
        ass_path = workdir / "preview.ass"
        ass.save(str(ass_path))
        chain += "," + burn_filter(ass_path)
    ffmpeg.run(["-ss", f"{at:.3f}", "-i", ffmpeg.fpath(video), "-vf", chain, "-frames:v", "1",
                "-update", "1", ffmpeg.fpath(out)])
    return out
