"""A generated video's draft -> one ffmpeg command (one filter graph).

Scenes (the user's stills with a slow zoom, their clips trimmed to the
scene, or illustrations of the sentence's motif drifting across the frame) are joined with xfade; the title,
each scene's key phrase and the subtitles are drawn by libass from one ASS
file; the narration sentences are placed at their times and normalised to
about -16 LUFS; the music (an upload or a generated bed) is ducked under
the voice with sidechain compression and mixed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import pysubs2

from ... import choices
from ...timeline import AUDIO, VIDEO, Draft
from .. import ffmpeg
from ..escape import ass_text
from ..scenes import cache as scene_cache, data_card, motifs
from ..subtitles import formats as subfiles
from . import music
from .encode import ENCODE_DRAWN, FPS, RenderPlan, burn_filter, canvas

FADE = 0.5                  # seconds of cross-fade between scenes
ASPECTS = choices.GENERATED_ASPECTS   # what a generated video can be
PALETTES = [("1e3a5f", "6a2c70"), ("14532d", "0f766e"), ("7c2d12", "b45309"), ("312e81", "1d4ed8"),
            ("4a044e", "be185d"), ("134e4a", "365314"), ("3f3f46", "0c4a6e"), ("7f1d1d", "9a3412")]


def _pan_x(index: int, span: float, reach: float) -> str:
    """Across ``reach`` of the spare width over the scene, alternating direction scene by scene."""
    start = (1 - reach) / 2
    if index % 2 == 0:
        return f"(iw-ow)*({start:.3f}+{reach:.3f}*t/{span:.3f})"
    return f"(iw-ow)*({start + reach:.3f}-{reach:.3f}*t/{span:.3f})"


def _drift(index: int, length: float, width: int, height: int, reach: float = 1.0) -> str:
    """A slow pan across the still, so no frame is held."""
    span = max(length, 0.1)
    y = f"(ih-oh)*(0.5+0.4*sin(t/{span:.3f}*PI-PI/2)*{1 if index % 3 else -1})"
    return f"crop=w={width}:h={height}:x='{_pan_x(index, span, reach)}':y='{y}'"


def _parallax(n: int, i: int, length: float, width: int, height: int, still_height: int, top: int,
              out: str) -> str:
    """The near layer's band, panning the full spare width while the background covers half of
    it: the near hills slide past the far ones. Fixed in height, so it blends only its band."""
    span = max(length, 0.1)
    y = top - (still_height - height) // 2
    y -= y % 2
    return (f"[{n}:v]format=yuva420p,loop=loop=-1:size=1,fps={FPS},trim=duration={length:.3f},setpts=PTS-STARTPTS,"
            f"crop=w={width}:h=ih:x='{_pan_x(i, span, 1.0)}':y=0[f{i}];"
            f"[b{i}][f{i}]overlay=x=0:y={y}:shortest=1,setsar=1[{out}]")


def _floating(n: int, i: int, k: int, length: float, spot: tuple[int, int, int], src: str, out: str) -> str:
    """A subject on the scene: it fades in while it rises into place (ease-out), then floats
    gently up and down; the second subject on another beat, so the two never move as one."""
    left, top, size = spot
    rise, amp, period = round(size * 0.12), max(2, round(size * 0.02)), 3.6 + 0.9 * k
    y = f"{top}+{rise}*pow(max(0,1-t/0.5),2)-{amp}*sin(2*PI*t/{period:.1f}+{k * 1.7:.1f})"
    return (f"[{n}:v]format=yuva420p,loop=loop=-1:size=1,fps={FPS},trim=duration={length:.3f},"
            f"setpts=PTS-STARTPTS,fade=t=in:st=0:d=0.3:alpha=1[p{i}k{k}];"
            f"[{src}][p{i}k{k}]overlay=x={left}:y='{y}':eval=frame:shortest=1[{out}]")


def _cross_faded(labels: list[str], starts: list[float], lengths: list[float], graph: list[str]) -> str:
    """The scenes joined in order, each cross-fading into the next, as one stream label.

    A chain of xfade filters keeps every later scene running from the first frame, and cost
    8 of the graph's 11.5 s of CPU on a 30 s video. Here each scene is cut (by frame number,
    so nothing drifts from the narration) into the head that fades in, the body and the tail
    that fades out; only the 15-frame tail and head pairs are blended, and concat joins the
    pieces: the same frames, 6 s less CPU. A scene too short for two fades is cut, not faded."""
    fade = round(FADE * FPS)
    frames = [round(s * FPS) for s in starts]
    spans = [b - a for a, b in pairwise(frames)] + [round(lengths[-1] * FPS)]
    fades = [fade if min(spans[i], spans[i + 1]) >= 2 * fade else 0 for i in range(len(labels) - 1)]
    order: list[str] = []
    for i, label in enumerate(labels):
        head = fades[i - 1] if i else 0
        tail = fades[i] if i < len(fades) else 0
        end = spans[i] if i < len(fades) else None
        pieces = [("h", 0, head)] if head else []
        pieces.append(("m", head, end))
        if tail:
            pieces.append(("t", end, end + tail))
        graph.append(f"{label}split={len(pieces)}" + "".join(f"[{k}{i}r]" for k, _, _ in pieces))
        for k, first, stop in pieces:
            until = f":end_frame={stop}" if stop is not None else ""
            graph.append(f"[{k}{i}r]trim=start_frame={first}{until},setpts=PTS-STARTPTS[{k}{i}]")
        if head:
            graph.append(f"[t{i - 1}][h{i}]xfade=transition=fade:duration={head / FPS:.4f}:offset=0[c{i}]")
            order.append(f"[c{i}]")
        order.append(f"[m{i}]")
    graph.append("".join(order) + f"concat=n={len(order)}:v=1:a=0[joined]")
    return "[joined]"


def _prepare(draft: Draft, scenes: list, width: int, height: int, total: float, workdir: Path,
             cache: Path | None = None):
    """The drawn scenes (from ``cache`` when the engine drew them ahead) and the music bed, made
    side by side on two threads (Pillow's filters and numpy let go of the GIL): 4.7 s of plan
    building before this on a six-scene video."""
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="scene")
    drawn = {i: (pool.submit(scene_cache.layers, seg.raw.get("m") or {}, i, width, height, cache or workdir),
                 pool.submit(scene_cache.sprites, seg.raw.get("m") or {}, width, height, cache or workdir))
             for i, seg in enumerate(scenes) if not seg.raw.get("src")}
    bgm = next((s for t in draft.tracks if t.type == AUDIO and t.kind == "bgm" for s in t.segments), None)
    bed = pool.submit(music.write_bed, total, workdir / "music.wav", len(scenes) or 1) \
        if bgm is not None and not bgm.raw.get("src") else None
    pool.shutdown(wait=True)     # every result is ready, or raises where it is read
    return drawn, bed


def is_generated(draft_raw: dict) -> bool:
    return bool((draft_raw.get("m") or {}).get("generator"))


def _scenes(draft: Draft):
    return [s for t in draft.tracks if t.type == VIDEO and t.kind == "scene" for s in t.segments]


def _is_figure(fig) -> bool:
    value = fig.get("value") if isinstance(fig, dict) else None
    return isinstance(value, int | float) and math.isfinite(value) and 0 <= value < 1e13


def _ass(draft: Draft, width: int, height: int) -> pysubs2.SSAFile:
    doc = subfiles.new_ass(width, height)
    doc.styles["Phrase"] = subfiles.ass_style({"position": "middle", "size": 110, "outline": 4}, "zh",
                                              width, height, bold=True)
    doc.styles["Title"] = subfiles.ass_style({"position": "middle", "size": 130, "outline": 5,
                                              "color": "#FFE600"}, "zh", width, height, bold=True)
    for t in draft.tracks:
        if t.kind == "title":
            style = dict((t.raw.get("m") or {}).get("style") or {})
            if style:
                doc.styles["Title"] = subfiles.ass_style({"position": "middle", "size": 130, "color": "#FFE600",
                                                          **style}, "zh", width, height, bold=True)
            for seg in t.segments:
                if seg.text:
                    doc.events.append(pysubs2.SSAEvent(start=int(seg.start), end=int(seg.end), style="Title",
                                                       text=r"{\fad(300,300)}" + ass_text(seg.text)))
    title_end = max((s.end for t in draft.tracks if t.kind == "title" for s in t.segments), default=0)
    labels = bool((draft.meta.get("generator") or {}).get("labels"))
    doc.styles["Card"] = subfiles.ass_style({"position": "middle", "size": 90, "outline": 0}, "zh", width, height,
                                            bold=True)
    for seg in _scenes(draft):
        meta = seg.raw.get("m") or {}
        fig = meta.get("figure")
        if _is_figure(fig) and not seg.raw.get("src") and seg.end - max(seg.start, title_end) > 1200:
            card = data_card.Figure(float(fig["value"]), str(fig.get("unit", ""))[:8])
            doc.events += data_card.events(card, int(max(seg.start, title_end) + 200), int(seg.end), width, height)
        phrase = meta.get("phrase") if labels else None
        if phrase and not seg.raw.get("src"):
            start = max(seg.start, title_end)
            if seg.end - start > 600:
                doc.events.append(pysubs2.SSAEvent(start=int(start), end=int(seg.end), style="Phrase",
                                                   text=r"{\fad(400,300)}" + ass_text(phrase)))
    subfiles.add_subtitles(doc, subfiles.from_draft(draft), width, height)
    if height > width:
        _keep_in_safe_area(doc, width, height)
    return doc


# Douyin's and Bilibili's 9:16 players cover the bottom fifth (caption, progress, comment box)
# and a column at the right (like, comment, share buttons): words stay out of both.
SAFE_BOTTOM, SAFE_RIGHT, SAFE_LEFT = 0.24, 0.17, 0.06


def _keep_in_safe_area(doc: pysubs2.SSAFile, width: int, height: int) -> None:
    raised: dict[str, int] = {}
    for name, style in doc.styles.items():
        if name == "Title":
            continue
        style.marginl = max(style.marginl, round(width * SAFE_LEFT))
        style.marginr = max(style.marginr, round(width * SAFE_RIGHT))
        if style.alignment in (pysubs2.Alignment.BOTTOM_LEFT, pysubs2.Alignment.BOTTOM_CENTER,
                               pysubs2.Alignment.BOTTOM_RIGHT):
            new = max(style.marginv, round(height * SAFE_BOTTOM))
            raised[name] = new - style.marginv
            style.marginv = new
    for ev in doc.events:   # a second language stacked above moves up with the first
        if ev.marginv:
            ev.marginv += raised.get(ev.style, 0)


def _audio(draft: Draft, resolve: Callable[[str], Path], inputs: list[str], graph: list[str], n: int,
           total: float, bed) -> None:
    """The sound's inputs and graph, from input ``n`` on: the narration mixed and levelled, the
    music ducked under it (or alone), else silence; the graph ends in ``[aout]``."""
    voice_labels = []
    for t in draft.tracks:
        if t.type != AUDIO or t.kind != "narration":
            continue
        for seg in t.segments:
            inputs += ["-i", ffmpeg.fpath(resolve(seg.raw["src"]))]
            graph.append(f"[{n}:a]aresample=48000,aformat=channel_layouts=mono,adelay={int(seg.start)}:all=1[n{n}]")
            voice_labels.append(f"[n{n}]")
            n += 1
    bgm = next((s for t in draft.tracks if t.type == AUDIO and t.kind == "bgm" for s in t.segments), None)
    if voice_labels:
        graph.append(f"{''.join(voice_labels)}amix=inputs={len(voice_labels)}:normalize=0,apad,"
                     f"atrim=duration={total:.3f},loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000,"
                     f"aformat=channel_layouts=stereo,asplit=2[voice][key]")
    if bgm is not None:
        volume = bgm.volume if bgm.volume is not None else 0.3
        if bgm.raw.get("src"):
            inputs += ["-stream_loop", "-1", "-t", f"{total:.3f}", "-i", ffmpeg.fpath(resolve(bgm.raw["src"]))]
            graph.append(f"[{n}:a]aresample=48000,aformat=channel_layouts=stereo,volume={volume:.3f}[music]")
        else:   # our own bed: a chord progression with a plucked line (media/render/music.py)
            inputs += ["-i", ffmpeg.fpath(bed.result())]
            graph.append(f"[{n}:a]volume={0.5 * volume:.3f},aformat=channel_layouts=stereo[music]")
        n += 1
        if voice_labels:
            graph.append("[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]")
            graph.append("[voice][ducked]amix=inputs=2:normalize=0,alimiter=limit=0.95[aout]")
        else:
            graph.append("[music]anull[aout]")
    elif voice_labels:
        graph.append("[key]anullsink")
        graph.append("[voice]anull[aout]")
    else:
        inputs += ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo"]
        graph.append(f"[{n}:a]anull[aout]")


def build(draft_raw: dict, resolve: Callable[[str], Path], out: Path, workdir: Path,
          cache: Path | None = None) -> RenderPlan:
    draft = Draft(draft_raw)
    width, height = canvas(draft)
    total = max(draft.duration, 100.0) / 1000
    scenes = _scenes(draft)
    drawn, bed = _prepare(draft, scenes, width, height, total, workdir, cache)
    inputs: list[str] = []
    graph: list[str] = []
    n = 0
    labels: list[str] = []
    for i, seg in enumerate(scenes):
        last = i == len(scenes) - 1
        length = seg.duration / 1000 + (0 if last else FADE + 1 / FPS)   # the tail that fades out, and a frame spare
        meta = seg.raw.get("m") or {}
        cover = (f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},"
                 f"setsar=1")
        if seg.raw.get("src") and meta.get("type") == "video":
            inputs += ["-ss", f"{float(seg.raw.get('ss', 0)) / 1000:.3f}", "-t", f"{length:.3f}",
                       "-i", ffmpeg.fpath(resolve(seg.raw["src"]))]
            graph.append(f"[{n}:v]{cover},fps={FPS},tpad=stop_mode=clone:stop_duration={length:.3f},"
                         f"trim=duration={length:.3f},setpts=PTS-STARTPTS[s{i}]")
        elif seg.raw.get("src"):   # a still: slow zoom towards the centre
            frames = max(1, round(length * FPS))
            # Scaled and cropped once, then repeated: scaling every frame cost 7 of the 12 s
            # of an 8 s 9:16 render (a 16:9 photo is 3925x2208 before its crop).
            inputs += ["-i", ffmpeg.fpath(resolve(seg.raw["src"]))]
            graph.append(f"[{n}:v]scale={round(width * 1.15)}:{round(height * 1.15)}:"
                         f"force_original_aspect_ratio=increase,crop={round(width * 1.15)}:{round(height * 1.15)},"
                         f"format=yuv420p,loop=loop=-1:size=1,"
                         f"zoompan=z='min(1+{0.12 / frames:.6f}*on,1.12)':x='iw/2-(iw/zoom/2)':"
                         f"y='ih/2-(ih/zoom/2)':d=1:s={width}x{height}:fps={FPS},setsar=1,"
                         f"trim=duration={length:.3f},setpts=PTS-STARTPTS[s{i}]")
        else:                      # a generated illustration: two layers drifting at two speeds
            back, front, top = drawn[i][0].result()
            spots = drawn[i][1].result()
            inputs += ["-i", ffmpeg.fpath(back)]
            # Converted to yuv420p once, before the loop repeats it: the pan (a crop), the
            # cross-fades and libass then work on the encoder's format, with no per-frame
            # RGB conversion (the video graph's CPU time fell from 16.8 s to 12.6 s on a 30 s video).
            setting = f"q{i}" if spots else f"s{i}"
            label = f"b{i}" if front is not None else setting
            graph.append(f"[{n}:v]format=yuv420p,loop=loop=-1:size=1,fps={FPS},trim=duration={length:.3f},"
                         f"setpts=PTS-STARTPTS,{_drift(i, length, width, height, reach=0.5)},setsar=1[{label}]")
            if front is not None:
                n += 1
                inputs += ["-i", ffmpeg.fpath(front)]
                graph.append(_parallax(n, i, length, width, height, round(height * motifs.MARGIN), top, setting))
            for k, (still, *spot) in enumerate(spots):
                n += 1
                inputs += ["-i", ffmpeg.fpath(still)]
                src, dst = (setting if k == 0 else f"q{i}k{k}"), (f"s{i}" if k == len(spots) - 1 else f"q{i}k{k + 1}")
                graph.append(_floating(n, i, k, length, tuple(spot), src, dst))
        labels.append(f"[s{i}]")
        n += 1
    if not scenes:
        inputs += ["-f", "lavfi", "-i", f"color=c=black:s={width}x{height}:r={FPS}:d={total:.3f}"]
        labels.append(f"[{n}:v]")
        n += 1
    video = _cross_faded(labels, [s.start / 1000 for s in scenes], [s.duration / 1000 for s in scenes], graph) \
        if len(labels) > 1 else labels[0]
    ass_path = workdir / "text.ass"
    _ass(draft, width, height).save(str(ass_path))
    graph.append(f"{video}{burn_filter(ass_path)},format=yuv420p[vout]")

    _audio(draft, resolve, inputs, graph, n, total, bed)
    # a keyframe in the middle of every scene: the cover is chosen among them without decoding the rest
    middles = ",".join(f"{(s.start + s.duration / 2) / 1000:.3f}" for s in scenes) or "0"
    args = [*inputs, "-filter_complex", ";".join(graph), "-map", "[vout]", "-map", "[aout]",
            "-t", f"{total:.3f}", "-r", str(FPS), *ENCODE_DRAWN, "-force_key_frames", middles, ffmpeg.fpath(out)]
    return RenderPlan(args, total, ass_path)
