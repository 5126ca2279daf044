"""Illustrations that show what a sentence says: a motif picked by keywords, drawn as a still.

The keyword table is data (``motifs.yaml``); the drawings are our own code (Pillow), one
style per video (choices.SCENE_STYLES): ``ink`` (水墨: ink ridges and mist on paper), ``flat``
(plain colours) or ``gradient`` (the old colour fields, with the motif in light ink). Stills are
drawn larger than the frame so the renderer can drift across them (the motion is ffmpeg's).
"""

from __future__ import annotations

import math
import random
import re
from functools import lru_cache
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFilter

from ... import choices

STYLES, DEFAULT_STYLE = choices.SCENE_STYLES, choices.DEFAULT_SCENE_STYLE
MARGIN = 1.12            # the still is this much larger than the frame: room to drift
FALLBACK = "mountain"    # a sentence that names nothing still gets a landscape

# Per style: background top and bottom, far, middle and near ink, an accent.
PALETTES: dict[str, dict[str, tuple[int, int, int]]] = {
    "ink": {"top": (244, 239, 226), "bottom": (226, 219, 203), "far": (190, 188, 182), "mid": (120, 120, 118),
            "near": (45, 45, 48), "accent": (178, 34, 34)},
    "flat": {"top": (135, 190, 230), "bottom": (222, 238, 246), "far": (126, 160, 178), "mid": (70, 125, 110),
             "near": (38, 82, 70), "accent": (236, 150, 60)},
    "gradient": {"top": (30, 58, 95), "bottom": (106, 44, 112), "far": (120, 110, 160), "mid": (180, 170, 210),
                 "near": (235, 230, 245), "accent": (255, 214, 102)},
}


@lru_cache(maxsize=1)
def keyword_table() -> dict[str, list[str]]:
    data = yaml.safe_load((Path(__file__).with_name("motifs.yaml")).read_text(encoding="utf-8"))
    return {str(k): [str(w).lower() for w in v] for k, v in data.items()}


def motifs() -> tuple[str, ...]:
    return tuple(keyword_table())


def named(sentence: str) -> list[str]:
    """Every motif the sentence names, most specific first (the table's order)."""
    text = sentence.lower()
    words = set(re.findall(r"[a-z]+", text))
    return [motif for motif, keys in keyword_table().items()
            if any((k in words) if k.isascii() else (k in text) for k in keys)]


def pick(sentence: str) -> str:
    """The motif a sentence shows on its own: the most specific it names."""
    return next(iter(named(sentence)), FALLBACK)


def pick_all(sentences: list[str]) -> list[tuple[str, int]]:
    """Each sentence's motif and variant, for one video. A script about tea names tea in every
    sentence; six identical tea bowls are a slideshow. So of the motifs a sentence names, the
    one this video has shown least (never the previous scene's, when there is another) wins,
    and a motif shown again comes as its next variant: another drawing, or mirrored."""
    shown: dict[str, int] = {}
    out: list[tuple[str, int]] = []
    for sentence in sentences:
        options = named(sentence) or [FALLBACK]
        previous = out[-1][0] if out else None
        fresh = [m for m in options if m != previous] or options
        motif = min(fresh, key=lambda m: (shown.get(m, 0), options.index(m)))
        out.append((motif, shown.get(motif, 0)))
        shown[motif] = shown.get(motif, 0) + 1
    return out


def draw(motif: str, style: str, width: int, height: int, seed: int, variant: int = 0,
         palette: dict | None = None) -> list[Image.Image]:
    """The motif as layers, back to front: an opaque background and transparent fore layers.
    ``variant`` picks one of the motif's drawings (tea: a bowl, a teapot, a tea garden); past
    the last, the same drawings come mirrored. ``palette`` (the topic's mood) replaces the style's colours."""
    if motif not in keyword_table():
        raise ValueError(f"unknown motif {motif!r}")
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    pal = palette or PALETTES[style]
    w, h = round(width * MARGIN), round(height * MARGIN)
    rng = random.Random(seed)
    back = _background(pal, w, h)
    front = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    drawings = _VARIANTS.get(motif, (_DRAW[motif],))
    drawings[variant % len(drawings)](back, front, pal, rng)
    if (variant // len(drawings)) % 2:
        back, front = (layer.transpose(Image.Transpose.FLIP_LEFT_RIGHT) for layer in (back, front))
    return [back, front]


def render(motif: str, style: str, width: int, height: int, seed: int, out: Path, variant: int = 0) -> Path:
    """One flattened still (PNG) of the motif, ``MARGIN`` times the frame."""
    back, front = draw(motif, style, width, height, seed, variant)
    back.alpha_composite(front)
    back.convert("RGB").save(out, optimize=False, compress_level=1)
    return out


def render_layers(motif: str, style: str, width: int, height: int, seed: int,
                  out_dir: Path, stem: str, variant: int = 0, palette: dict | None = None) -> tuple[Path, Path | None, int]:
    """The motif as two stills for parallax: the background (RGB PNG) and the near layer cut
    to the band it covers (RGBA PNG, full width), with that band's top in still pixels.
    No near layer (None) when the motif drew nothing in front."""
    back, front = draw(motif, style, width, height, seed, variant, palette)
    back_path = out_dir / f"{stem}_back.png"
    back.convert("RGB").save(back_path, optimize=False, compress_level=1)
    box = front.getchannel("A").getbbox()
    if box is None:
        return back_path, None, 0
    top = box[1] - box[1] % 2                 # yuv420p: an even row
    band = front.crop((0, top, front.width, front.height))
    front_path = out_dir / f"{stem}_front.png"
    band.save(front_path, optimize=False, compress_level=1)
    return back_path, front_path, top


def _background(pal, w: int, h: int) -> Image.Image:
    top, bottom = pal["top"], pal["bottom"]
    column = Image.new("RGBA", (1, h))
    for y in range(h):
        f = y / max(1, h - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * f) for a, b in zip(top, bottom, strict=True)) + (255,))
    return column.resize((w, h))


def _blurred(layer: Image.Image, radius: float) -> Image.Image:
    """A Gaussian blur made on a smaller copy when it is wide: the same soft edge for a quarter
    or a sixteenth of the work (blurs were 0.64 of a mountain scene's 0.9 s)."""
    factor = 4 if radius >= 12 else 2 if radius >= 3 else 1
    if factor == 1:
        return layer.filter(ImageFilter.GaussianBlur(radius))
    w, h = layer.size
    small = layer.resize((max(1, w // factor), max(1, h // factor)), Image.Resampling.BILINEAR)
    return small.filter(ImageFilter.GaussianBlur(radius / factor)).resize((w, h), Image.Resampling.BILINEAR)


def _ridge(img: Image.Image, rng: random.Random, base: float, amp: float, color, blur: float,
           alpha: int = 255, peaks: int = 4) -> None:
    """A mountain ridge across the picture: summed sines for the skyline, filled down, soft at the edge."""
    w, h = img.size
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    phases = [rng.uniform(0, math.tau) for _ in range(3)]
    pts = []
    for x in range(0, w + 8, 8):
        u = x / w
        y = base - amp * (0.6 * abs(math.sin(u * math.pi * peaks / 2 + phases[0]))
                          + 0.3 * math.sin(u * math.pi * peaks * 1.7 + phases[1])
                          + 0.1 * math.sin(u * math.pi * peaks * 5.3 + phases[2]))
        pts.append((x, h * y))
    ImageDraw.Draw(layer).polygon([(0, h), *pts, (w, h)], fill=color + (alpha,))
    if blur:
        layer = _blurred(layer, blur)
    img.alpha_composite(layer)


def _mist(img: Image.Image, pal, y: float, rng: random.Random) -> None:
    w, h = img.size
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    for _ in range(5):
        cx, cy = rng.uniform(0, w), h * (y + rng.uniform(-0.04, 0.04))
        d.ellipse((cx - w * 0.3, cy - h * 0.03, cx + w * 0.3, cy + h * 0.03), fill=pal["top"] + (170,))
    img.alpha_composite(_blurred(layer, h / 40))


def _sun(img: Image.Image, pal, x: float, y: float, r: float, moon: bool = False) -> None:
    w, h = img.size
    d = ImageDraw.Draw(img)
    c = (250, 248, 240) if moon else pal["accent"]
    d.ellipse((w * x - h * r, h * y - h * r, w * x + h * r, h * y + h * r), fill=c + (255,))


def _mountain(back, front, pal, rng) -> None:
    _sun(back, pal, rng.uniform(0.6, 0.85), 0.2, 0.06)
    _ridge(back, rng, 0.5, 0.28, pal["far"], 3, peaks=3)
    _mist(back, pal, 0.55, rng)
    _ridge(back, rng, 0.68, 0.22, pal["mid"], 1.5, peaks=5)
    _mist(back, pal, 0.72, rng)
    _ridge(front, rng, 0.9, 0.18, pal["near"], 0, peaks=7)


def _water(back, front, pal, rng) -> None:
    _ridge(back, rng, 0.5, 0.15, pal["far"], 3, peaks=3)
    w, h = back.size
    d = ImageDraw.Draw(back)
    d.rectangle((0, h * 0.52, w, h), fill=pal["bottom"] + (255,))
    for i in range(14):
        y = h * (0.56 + i * 0.03)
        x = rng.uniform(0, w * 0.7)
        d.line((x, y, x + w * rng.uniform(0.1, 0.3), y), fill=pal["mid"] + (255,), width=max(2, h // 300))
    fd = ImageDraw.Draw(front)   # a small boat
    bx, by = w * rng.uniform(0.3, 0.6), h * 0.7
    fd.polygon([(bx, by), (bx + w * 0.1, by), (bx + w * 0.08, by + h * 0.03), (bx + w * 0.02, by + h * 0.03)],
               fill=pal["near"] + (255,))
    fd.line((bx + w * 0.05, by, bx + w * 0.05, by - h * 0.1), fill=pal["near"] + (255,), width=max(2, h // 250))


def _sky(back, front, pal, rng) -> None:
    w, h = back.size
    night = rng.random() < 0.5
    if night:
        d = ImageDraw.Draw(back)
        d.rectangle((0, 0, w, h), fill=(20, 28, 52, 255))
        for _ in range(160):
            x, y, r = rng.uniform(0, w), rng.uniform(0, h * 0.7), rng.uniform(1, h / 500 + 1)
            d.ellipse((x - r, y - r, x + r, y + r), fill=(250, 250, 235, 255))
    _sun(back, pal, 0.7, 0.28, 0.09, moon=night)
    _ridge(front, rng, 0.92, 0.1, pal["near"], 0, peaks=3)


def _forest(back, front, pal, rng) -> None:
    _ridge(back, rng, 0.55, 0.2, pal["far"], 3, peaks=3)
    w, h = back.size
    for layer, color, n, width in ((back, pal["mid"], 18, 0.010), (front, pal["near"], 9, 0.016)):
        d = ImageDraw.Draw(layer)
        for _ in range(n):   # bamboo: a stalk with nodes and a few leaves
            x = rng.uniform(0, w)
            sw = w * width
            d.rectangle((x, 0, x + sw, h), fill=color + (255,))
            for y in range(int(rng.uniform(0, h * 0.1)), h, int(h * 0.12)):
                d.rectangle((x - sw * 0.3, y, x + sw * 1.3, y + sw * 0.4), fill=pal["top"] + (255,))
                leaf = [(x + sw, y), (x + sw + w * 0.06, y - h * 0.03), (x + sw + w * 0.015, y + h * 0.01)]
                d.polygon(leaf, fill=color + (255,))


def _tea(back, front, pal, rng) -> None:
    w, h = _table(back, pal)
    fd = ImageDraw.Draw(front)
    cx, cy, r = w * rng.uniform(0.42, 0.58), h * 0.66, min(w, h) * 0.16
    fd.chord((cx - r, cy - r * 0.9, cx + r, cy + r * 1.1), 0, 180, fill=pal["near"] + (255,))   # the bowl
    fd.ellipse((cx - r, cy - r * 0.18, cx + r, cy + r * 0.18), fill=pal["mid"] + (255,))      # its rim
    fd.ellipse((cx - r * 0.9, cy - r * 0.12, cx + r * 0.9, cy + r * 0.12), fill=(164, 140, 60, 255))  # tea
    fd.ellipse((cx - r * 1.6, cy + r * 0.95, cx + r * 1.6, cy + r * 1.25), outline=pal["near"] + (255,),
               width=max(3, h // 200))                                                         # the saucer
    _steam(front, pal, cx, cy - r * 0.3, r)
    _ridge(back, rng, 0.45, 0.15, pal["far"], 4, alpha=140, peaks=3)   # hills behind, faint


def _city(back, front, pal, rng) -> None:
    w, h = back.size
    for layer, color, base, tall in ((back, pal["mid"], 0.8, 0.45), (front, pal["near"], 0.95, 0.35)):
        d = ImageDraw.Draw(layer)
        x = -rng.uniform(0, w * 0.05)
        while x < w:
            bw, bh = w * rng.uniform(0.04, 0.09), h * rng.uniform(0.15, tall)
            d.rectangle((x, h * base - bh, x + bw, h), fill=color + (255,))
            for wy in range(int(h * base - bh + h * 0.02), int(h * base), int(h * 0.04)):
                for wx in range(int(x + bw * 0.15), int(x + bw * 0.85), int(max(6, bw * 0.25))):
                    if rng.random() < 0.4:
                        d.rectangle((wx, wy, wx + bw * 0.1, wy + h * 0.015), fill=pal["accent"] + (255,))
            x += bw + w * rng.uniform(0.0, 0.02)


def _flower(back, front, pal, rng) -> None:
    _ridge(back, rng, 0.6, 0.15, pal["far"], 3, peaks=3)
    w, h = back.size
    d = ImageDraw.Draw(front)
    d.line([(w * 0.05, h), (w * 0.3, h * 0.5), (w * 0.55, h * 0.35), (w * 0.9, h * 0.25)],
           fill=pal["near"] + (255,), width=max(6, h // 70))   # a branch
    for _ in range(28):
        t = rng.uniform(0.15, 1.0)
        x, y = w * (0.05 + 0.85 * t), h * (1 - 0.75 * t) + rng.uniform(-h * 0.06, h * 0.06)
        r = h * rng.uniform(0.015, 0.03)
        for a in range(5):
            px, py = x + r * math.cos(a * math.tau / 5), y + r * math.sin(a * math.tau / 5)
            d.ellipse((px - r * 0.7, py - r * 0.7, px + r * 0.7, py + r * 0.7), fill=(232, 120, 150, 255))
        d.ellipse((x - r * 0.3, y - r * 0.3, x + r * 0.3, y + r * 0.3), fill=(250, 220, 120, 255))


def _rain(back, front, pal, rng) -> None:
    _mountain(back, Image.new("RGBA", back.size), pal, rng)
    w, h = back.size
    d = ImageDraw.Draw(front)
    for _ in range(260):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        d.line((x, y, x - h * 0.01, y + h * 0.05), fill=pal["mid"] + (170,), width=max(2, h // 500))


def _snow(back, front, pal, rng) -> None:
    snowy = dict(pal, near=(235, 238, 242), mid=(180, 186, 196))
    _mountain(back, Image.new("RGBA", back.size), snowy, rng)
    w, h = back.size
    d = ImageDraw.Draw(front)
    for _ in range(220):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(2, h / 220 + 2)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 230))


def _table(back, pal) -> tuple[int, int]:
    w, h = back.size
    ImageDraw.Draw(back).rectangle((0, h * 0.7, w, h), fill=pal["far"] + (255,))
    return w, h


def _steam(front, pal, x: float, y: float, r: float, curls: tuple[int, ...] = (-1, 0, 1)) -> None:
    w, h = front.size
    steam = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    sd = ImageDraw.Draw(steam)
    for k in curls:
        pts = [(x + k * r * 0.4 + r * 0.15 * math.sin(t / 6), y - t * r / 18) for t in range(40)]
        sd.line(pts, fill=pal["mid"] + (200,), width=max(4, h // 120))
    front.alpha_composite(steam.filter(ImageFilter.GaussianBlur(h / 200)))


def _teapot(back, front, pal, rng) -> None:
    w, h = _table(back, pal)
    _ridge(back, rng, 0.42, 0.14, pal["far"], 4, alpha=140, peaks=4)
    fd = ImageDraw.Draw(front)
    # the handle to the cup spans 4.45 r: in a narrow (9:16) frame it shrinks to fit 80% of the width
    r = min(min(w, h) * 0.14, w * 0.8 / 4.45)
    cx, cy = w / 2 - 0.825 * r + w * rng.uniform(-0.05, 0.05), h * 0.6
    ink, line = pal["near"] + (255,), max(6, h // 90)
    fd.polygon([(cx + r * 0.8, cy), (cx + r * 1.7, cy - r * 0.75), (cx + r * 1.85, cy - r * 0.7),
                (cx + r * 0.95, cy + r * 0.35)], fill=ink)                                    # the spout
    fd.arc((cx - r * 1.4, cy - r * 0.5, cx - r * 0.4, cy + r * 0.4), 90, 270, fill=ink, width=line)  # the handle
    fd.ellipse((cx - r, cy - r * 0.75, cx + r, cy + r * 0.75), fill=ink)                     # the body
    fd.ellipse((cx - r * 0.45, cy - r * 0.9, cx + r * 0.45, cy - r * 0.6), fill=pal["mid"] + (255,))  # the lid
    fd.ellipse((cx - r * 0.12, cy - r * 1.05, cx + r * 0.12, cy - r * 0.85), fill=ink)       # its knob
    cup = cx + r * 2.6
    fd.chord((cup - r * 0.45, cy + r * 0.25, cup + r * 0.45, cy + r * 0.95), 0, 180, fill=ink)  # a cup beside it
    _steam(front, pal, cx + r * 1.8, cy - r * 0.8, r * 0.6, curls=(0, 1))


def _tea_garden(back, front, pal, rng) -> None:
    """Rows of tea bushes along terraced hills, the nearest rows in front."""
    w, h = back.size
    _sun(back, pal, rng.uniform(0.15, 0.35), 0.2, 0.05)
    _ridge(back, rng, 0.45, 0.18, pal["far"], 3, peaks=3)
    _mist(back, pal, 0.5, rng)
    for row in range(6):   # far rows pale and small, near rows darker and larger, paper between
        layer = back if row < 4 else front
        d = ImageDraw.Draw(layer)
        y0, bush = h * (0.56 + row * 0.08), h * (0.014 + row * 0.005)
        f = row / 5
        color = tuple(round(a + (b - a) * f) for a, b in zip(pal["far"], pal["mid"], strict=True))
        edge = pal["near"] if row >= 4 else color
        tilt, phase = rng.uniform(-0.04, 0.04), rng.uniform(0, math.tau)
        for x in range(-int(bush * 2), w + int(bush * 2), max(4, int(bush * 1.6))):
            y = y0 + h * (tilt * (x / w - 0.5) + 0.012 * math.sin(x / w * 5 + phase))
            d.ellipse((x - bush * 1.3, y - bush * 0.7, x + bush * 1.3, y + bush * 0.7), fill=color + (255,),
                      outline=edge + (255,), width=max(1, h // 400))


def _book(back, front, pal, rng) -> None:
    """An open book of vertical lines of writing, a brush and a red seal: history, poems, learning."""
    w, h = _table(back, pal)
    _ridge(back, rng, 0.45, 0.12, pal["far"], 4, alpha=120, peaks=3)
    fd = ImageDraw.Draw(front)
    cx, cy, pw, ph = w * rng.uniform(0.42, 0.56), h * 0.62, min(w, h) * 0.3, min(w, h) * 0.22
    paper, ink = (250, 247, 238, 255), pal["near"] + (255,)
    for side in (-1, 1):   # two pages, rising from the spine
        outer = cx + side * pw
        fd.polygon([(cx, cy + ph * 0.5), (outer, cy + ph * 0.42), (outer, cy - ph * 0.5), (cx, cy - ph * 0.42)],
                   fill=paper, outline=ink, width=max(2, h // 300))
        for k in range(1, 7):  # columns of writing, right to left
            x = cx + side * pw * k / 7.5
            top = cy - ph * 0.34 + rng.uniform(0, ph * 0.04)
            fd.line((x, top, x, top + ph * rng.uniform(0.45, 0.68)), fill=pal["mid"] + (255,), width=max(3, h // 160))
    seal = ph * 0.1
    fd.rectangle((cx + pw * 0.8 - seal, cy + ph * 0.22, cx + pw * 0.8, cy + ph * 0.22 + seal), fill=pal["accent"] + (255,))
    bx, by = cx - pw * 1.15, cy + ph * 0.55   # the brush, lying by the book
    fd.line((bx, by, bx + pw * 0.75, by - ph * 0.18), fill=ink, width=max(6, h // 110))
    fd.ellipse((bx - ph * 0.1, by - ph * 0.05, bx + ph * 0.06, by + ph * 0.05), fill=ink)


def _dining(back, front, pal, rng) -> None:
    """A wall with a window and an empty table in front: food and things stand here."""
    w, h = _table(back, pal)
    d = ImageDraw.Draw(back)
    x0, y0 = w * rng.uniform(0.08, 0.5), h * 0.12
    d.rectangle((x0, y0, x0 + w * 0.4, y0 + h * 0.3), fill=(206, 228, 240, 255), outline=pal["mid"] + (255,),
                width=max(6, h // 120))
    d.line((x0 + w * 0.2, y0, x0 + w * 0.2, y0 + h * 0.3), fill=pal["mid"] + (255,), width=max(4, h // 160))
    ImageDraw.Draw(front).rectangle((0, h * 0.7, w, h * 0.72), fill=pal["near"] + (255,))   # the table's edge


def _pitch(back, front, pal, rng) -> None:
    """A stadium: stands under the sky, a striped pitch with its white lines."""
    w, h = back.size
    d = ImageDraw.Draw(back)
    d.rectangle((0, h * 0.45, w, h * 0.6), fill=pal["near"] + (255,))   # the stands
    for _ in range(400):
        x, y = rng.uniform(0, w), rng.uniform(h * 0.46, h * 0.59)
        d.ellipse((x - 4, y - 4, x + 4, y + 4), fill=rng.choice([pal["accent"], pal["top"], (230, 80, 60)]) + (255,))
    for k in range(8):
        d.rectangle((0, h * (0.6 + k * 0.05), w, h * (0.65 + k * 0.05)), fill=(pal["mid"] if k % 2 else pal["far"]) + (255,))
    d.line((0, h * 0.75, w, h * 0.75), fill=(255, 255, 255, 255), width=max(4, h // 200))
    d.ellipse((w * 0.3, h * 0.7, w * 0.7, h * 0.8), outline=(255, 255, 255, 255), width=max(4, h // 200))


_DRAW = {"table": _dining, "field": _pitch, "mountain": _mountain, "water": _water, "sky": _sky, "forest": _forest, "tea": _tea, "city": _city,
         "flower": _flower, "rain": _rain, "snow": _snow, "book": _book}
_VARIANTS = {"tea": (_tea, _teapot, _tea_garden)}
