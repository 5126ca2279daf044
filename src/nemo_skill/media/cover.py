"""A cover beside every generated export: the title set large over the strongest frame.

Two PNGs: the video's own aspect, and Bilibili's 16:10 (1920x1200). The
"strongest" frame is the sampled frame with the most contrast. The title is
drawn by Pillow onto the picture, so no text ever reaches a filter string.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import ffmpeg, fonts

BILIBILI = (1920, 1200)
SAMPLES = 6


def _grab(video: Path, at: float, size: str | None = None) -> bytes:
    vf = ["-vf", f"scale={size}"] if size else []
    return subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{at:.3f}", "-i", ffmpeg.fpath(video), "-frames:v", "1",
                           *vf, "-f", "image2pipe", "-vcodec", "png", "pipe:1"],
                          capture_output=True, check=True, timeout=60).stdout


def strongest_time(video: Path, start: float, duration: float) -> float:
    """The sample time after ``start`` (the title card) whose frame has the most contrast."""
    start = min(max(0.0, start), duration * 0.8)
    best, best_score = (start + duration) / 2, -1.0
    for k in range(SAMPLES):
        at = start + (duration - start) * (k + 0.5) / SAMPLES
        pixels = np.asarray(Image.open(io.BytesIO(_grab(video, at, "160:-2"))).convert("L"), dtype=float)
        if pixels.std() > best_score:
            best, best_score = at, float(pixels.std())
    return best


def _title(img: Image.Image, title: str) -> Image.Image:
    w, h = img.size
    draw = ImageDraw.Draw(img)
    font_file = fonts.cjk_font_file()
    size = max(24, min(round(h * 0.14), round(w * 0.8 / max(1, len(title)))))
    font = ImageFont.truetype(str(font_file), size) if font_file else ImageFont.load_default(size)
    box = draw.textbbox((0, 0), title, font=font, stroke_width=max(2, size // 14))
    x, y = (w - (box[2] - box[0])) / 2, h * 0.42 - (box[3] - box[1]) / 2
    draw.text((x, y), title, font=font, fill=(255, 230, 0), stroke_width=max(2, size // 14), stroke_fill=(20, 20, 20))
    return img


def make(video: Path, title: str, duration: float, title_end: float = 0.0) -> list[Path]:
    """``<video>.cover.png`` (the video's aspect) and ``<video>.cover-16x10.png``, beside the video;
    the frame comes from after the title card, so the title is not drawn twice."""
    frame = Image.open(io.BytesIO(_grab(video, strongest_time(video, title_end + 0.5, duration)))).convert("RGB")
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
