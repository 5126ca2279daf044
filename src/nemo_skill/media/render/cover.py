"""A cover beside every generated export: the title set large over the strongest frame.

Two PNGs: the video's own aspect, and Bilibili's 16:10 (1920x1200). The
"strongest" frame is the sampled frame with the most contrast. The title is
drawn by Pillow onto the picture, so no text ever reaches a filter string.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ...errors import MediaError
from .. import ffmpeg
from . import fonts

BILIBILI = (1920, 1200)
SAMPLES = 6


def _frames(video: Path, args: list[str], width: int, height: int, pix: str = "rgb24") -> list[np.ndarray]:
    depth = 3 if pix == "rgb24" else 1
    raw = ffmpeg.output([*args, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", pix, "pipe:1"],
                        timeout=120)
    size = width * height * depth
    return [np.frombuffer(raw[i:i + size], dtype=np.uint8).reshape(height, width, depth)
            for i in range(0, len(raw) - size + 1, size)]


def _keyframe(video: Path, start: float, info) -> Image.Image | None:
    """The keyframe after ``start`` with the most contrast, decoding nothing else: our generated
    videos put one in the middle of every scene (generate.py), so these are the scenes
    themselves. Chosen on small grey copies, then that one decoded at full size. None when
    there are too few to choose from (another maker's video, a keyframe every 10 s)."""
    after = ["-skip_frame", "nokey", "-i", ffmpeg.fpath(video), "-vf"]
    keyframes = f"select='gte(t\\,{start:.3f})'"
    small = _frames(video, [*after, f"{keyframes},scale=96:96", "-frames:v", "200"], 96, 96, "gray")
    if len(small) < 3:
        return None
    best = max(range(len(small)), key=lambda i: float(small[i].std()))
    full = _frames(video, [*after, f"{keyframes},select='eq(n\\,{best})'", "-frames:v", "1"],
                   info.width, info.height)
    return Image.fromarray(full[0]) if full else None


def _sampled(video: Path, start: float, duration: float, info) -> Image.Image | None:
    """Of ``SAMPLES`` frames evenly spread after ``start``, from one decoding pass, the one with
    the most contrast (a seek per sample decoded from the keyframe before it each time: seven
    ffmpeg runs took 5.3 s after a 30 s video)."""
    step = max(0.04, (duration - start) / SAMPLES)
    frames = _frames(video, ["-ss", f"{start + step / 2:.3f}", "-i", ffmpeg.fpath(video), "-vf",
                             f"select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,{step:.3f})'",
                             "-frames:v", str(SAMPLES)], info.width, info.height)
    best = max(frames, key=lambda f: float(f[::8, ::8].mean(axis=2).std()), default=None)
    return Image.fromarray(best) if best is not None else None


def strongest_frame(video: Path, start: float, duration: float) -> Image.Image:
    """The frame after ``start`` (the title card) with the most contrast."""
    start = min(max(0.0, start), duration * 0.8)
    info = ffmpeg.probe(video)
    frame = _keyframe(video, start, info) or _sampled(video, start, duration, info)
    if frame is None:
        raise MediaError(f"{video.name}: no frame could be read for the cover",
                         hint="check the MP4 plays; the video itself is written")
    return frame


def _title(img: Image.Image, title: str) -> Image.Image:
    """The title large in the top fifth, on a dark band: the frame's own words (the scene's key
    phrase in the middle, the subtitle at the bottom) stay clear of it and it reads over any picture."""
    w, h = img.size
    font_file = fonts.cjk_font_file()
    size = max(24, min(round(h * 0.12), round(w * 0.8 / max(1, len(title)))))
    font = ImageFont.truetype(str(font_file), size) if font_file else ImageFont.load_default(size)
    stroke = max(2, size // 14)
    box = ImageDraw.Draw(img).textbbox((0, 0), title, font=font, stroke_width=stroke)
    tw, th = box[2] - box[0], box[3] - box[1]
    x, y = (w - tw) / 2 - box[0], h * 0.2 - th / 2 - box[1]
    band = Image.new("RGBA", img.size, (0, 0, 0, 0))
    pad = size * 0.35
    ImageDraw.Draw(band).rounded_rectangle((x + box[0] - pad, y + box[1] - pad, x + box[2] + pad, y + box[3] + pad),
                                           radius=round(pad), fill=(0, 0, 0, 150))
    out = Image.alpha_composite(img.convert("RGBA"), band)
    ImageDraw.Draw(out).text((x, y), title, font=font, fill=(255, 230, 0), stroke_width=stroke,
                             stroke_fill=(20, 20, 20))
    return out.convert("RGB")


def make(video: Path, title: str, duration: float, title_end: float = 0.0) -> list[Path]:
    """``<video>.cover.png`` (the video's aspect) and ``<video>.cover-16x10.png``, beside the video;
    the frame comes from after the title card, so the title is not drawn twice. A cover that
    cannot be made is a MediaError that names the step (never a trace)."""
    try:
        return _make(video, title, duration, title_end)
    except (OSError, ValueError) as exc:    # a frame Pillow cannot take, a disk that refuses the PNG
        raise MediaError(f"{video.name}: the cover could not be made ({getattr(exc, 'strerror', None) or exc})",
                         hint="the video itself is written; check it plays, then run the command again") from None


def _make(video: Path, title: str, duration: float, title_end: float) -> list[Path]:
    frame = strongest_frame(video, title_end + 0.5, duration)
    own = video.with_name(video.stem + ".cover.png")
    _title(frame.copy(), title).save(own)
    w, h = frame.size
    scale = max(BILIBILI[0] / w, BILIBILI[1] / h)
    wide = frame.resize((round(w * scale), round(h * scale)))
    left, top = (wide.width - BILIBILI[0]) // 2, (wide.height - BILIBILI[1]) // 2
    wide = wide.crop((left, top, left + BILIBILI[0], top + BILIBILI[1]))
    bili = video.with_name(video.stem + ".cover-16x10.png")
    _title(wide, title).save(bili)
    return [own, bili]
