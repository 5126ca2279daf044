"""`nemo publish`'s folder (issue 26): everything a creator uploads to Bilibili.

- ``<stem>.mp4``: the subtitles burned in, checked against the upload rules (videocheck);
- ``<stem>.<lang>.bcc`` and ``.srt`` per language (and the bilingual SRT);
- ``cover.jpg``: 16:10 at 1920x1200 (Bilibili asks at least 1146x717, under 5 MB), the title
  kept inside the centre 4:3, which the feed shows;
- ``chapters.txt``: 分段章节, ``m:ss 标题`` a line;
- ``meta.json``: title, tags, description, chapters and the subtitle languages.

Every value is checked (publish_meta.check) before the first file is written.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from . import publish_meta, workflows
from .errors import MediaError
from .media.render import compose, cover, fonts, videocheck
from .media.subtitles import formats as subfiles
from .timeline import Draft

COVER_SIZE = (1920, 1200)          # 16:10
COVER_MIN = (1146, 717)
COVER_MAX_BYTES = 5 * 1024 * 1024
SAFE_WIDTH = COVER_SIZE[1] * 4 // 3   # the centre 4:3 the feed crops to: 1600 px of 1920


def title_end(draft: Draft) -> float:
    """Where a title card ends (a generated video opens on one), in seconds; 0 without one."""
    for t in draft.tracks:
        if t.kind == "title" and t.segments:
            return t.segments[0].end / 1000
    return 0.0


def fit_title(draw: ImageDraw.ImageDraw, title: str, font_file: Path | None, width: int, height: int):
    """The largest font (and its lines) that keeps the title inside ``width``: one line, else two."""
    for size in range(round(height * 0.11), 23, -2):
        font = ImageFont.truetype(str(font_file), size) if font_file else ImageFont.load_default(size)
        for lines in ([title], _halves(title)):
            boxes = [draw.textbbox((0, 0), line, font=font, stroke_width=max(2, size // 14)) for line in lines]
            if all(b[2] - b[0] <= width for b in boxes):
                return font, lines, boxes
    font = ImageFont.truetype(str(font_file), 24) if font_file else ImageFont.load_default(24)
    lines = _halves(title)
    return font, lines, [draw.textbbox((0, 0), line, font=font, stroke_width=2) for line in lines]


def _halves(title: str) -> list[str]:
    cut = len(title) // 2
    space = title.rfind(" ", 0, cut + 6)
    cut = space if space > cut - 6 else cut
    return [title[:cut].strip(), title[cut:].strip()]


def make_cover(video: Path, draft: Draft, title: str, out: Path) -> dict:
    """The 16:10 cover from the video's strongest frame (the generated videos' cover maker's
    choice, after any title card), the title on a band inside the centre 4:3."""
    frame = cover.strongest_frame(video, title_end(draft) + 0.5, max(draft.duration / 1000, 1.0))
    w, h = frame.size
    scale = max(COVER_SIZE[0] / w, COVER_SIZE[1] / h)
    wide = frame.resize((round(w * scale), round(h * scale)))
    left, top = (wide.width - COVER_SIZE[0]) // 2, (wide.height - COVER_SIZE[1]) // 2
    img = wide.crop((left, top, left + COVER_SIZE[0], top + COVER_SIZE[1])).convert("RGBA")
    draw = ImageDraw.Draw(img)
    font, lines, boxes = fit_title(draw, title, fonts.cjk_font_file(), round(SAFE_WIDTH * 0.86), COVER_SIZE[1])
    stroke = max(2, font.size // 14)
    line_h = max(b[3] - b[1] for b in boxes) * 1.25
    y0 = COVER_SIZE[1] * 0.42 - line_h * len(lines) / 2   # clear of burned-in subtitles at the bottom
    pad = font.size * 0.4
    widest = max(b[2] - b[0] for b in boxes)
    band = Image.new("RGBA", img.size, (0, 0, 0, 0))
    band_box = ((COVER_SIZE[0] - widest) / 2 - pad, y0 - pad, (COVER_SIZE[0] + widest) / 2 + pad,
                y0 + line_h * len(lines) + pad * 0.6)
    ImageDraw.Draw(band).rounded_rectangle(band_box, radius=round(pad), fill=(0, 0, 0, 160))
    img = Image.alpha_composite(img, band)
    draw = ImageDraw.Draw(img)
    drawn = []
    for i, (line, box) in enumerate(zip(lines, boxes, strict=True)):
        x = (COVER_SIZE[0] - (box[2] - box[0])) / 2 - box[0]
        y = y0 + i * line_h - box[1]
        draw.text((x, y), line, font=font, fill=(255, 230, 0), stroke_width=stroke, stroke_fill=(20, 20, 20))
        drawn.append(draw.textbbox((x, y), line, font=font, stroke_width=stroke))
    img.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    return check_cover(out, drawn)


def reuse_cover(made: Path, out: Path) -> dict:
    """The 16:10 cover `nemo generate` made (cover.py: its title within the middle 80%, inside
    the centre 4:3), as a JPEG checked against the rules."""
    with Image.open(made) as img:
        picture = img.convert("RGB")
    if picture.size != COVER_SIZE:
        picture = picture.resize(COVER_SIZE)
    picture.save(out, "JPEG", quality=90, optimize=True)
    width = COVER_SIZE[0]
    return check_cover(out, [(width * 0.1, 0, width * 0.9, 0)])


def check_cover(path: Path, text_boxes: list) -> dict:
    """The cover against Bilibili's rules: 16:10, big enough, under 5 MB, the text in the 4:3 centre."""
    with Image.open(path) as img:
        width, height = img.size
    safe_left = (width - height * 4 / 3) / 2
    inside = all(b[0] >= safe_left and b[2] <= width - safe_left for b in text_boxes)
    size = path.stat().st_size
    problems = [why for ok, why in (
        (abs(width / height - 1.6) < 0.01, f"{width}x{height} is not 16:10"),
        (width >= COVER_MIN[0] and height >= COVER_MIN[1], f"{width}x{height} is under {COVER_MIN[0]}x{COVER_MIN[1]}"),
        (size < COVER_MAX_BYTES, f"{size} bytes is over 5 MB"),
        (inside, "the title reaches outside the centre 4:3")) if not ok]
    if problems:
        raise MediaError(f"the cover {path.name} breaks Bilibili's rules: {'; '.join(problems)}")
    return {"path": str(path), "width": width, "height": height, "bytes": size,
            "title_box": [round(v) for v in (min(b[0] for b in text_boxes), min(b[1] for b in text_boxes),
                                             max(b[2] for b in text_boxes), max(b[3] for b in text_boxes))]}


def write_folder(client, draft: Draft, meta: dict, out_dir: Path, stem: str, *, poll_interval: float,
                 source: Path | None = None, made_cover: Path | None = None, progress: Callable[[str], None] = lambda _m: None) -> dict:
    """Render and write the upload folder; ``meta`` has passed publish_meta.check. The cover's
    picture comes from ``source`` (the creator's own video, no subtitles on it) when given."""
    tracks = subfiles.from_draft(draft)
    out_dir.mkdir(parents=True, exist_ok=True)
    variant = copy.deepcopy(draft.raw)
    meta_block = variant.setdefault("m", {})
    meta_block.pop("publish", None)
    meta_block.setdefault("subtitles", {})["mode"] = "burn"
    progress("Rendering the MP4 with the subtitles burned in...")
    video = out_dir / f"{stem}.mp4"
    res = workflows.export(client, video, interval=poll_interval, draft=Draft(variant),
                           on_status=lambda s: progress(f"Rendering: {s.status} {s.progress:.0f}%"))
    findings, summary = videocheck.check_video(Path(res.path))
    width, height = compose.canvas(draft)
    files = {"video": str(video), **subfiles.write_all(tracks, out_dir, stem, width, height, ("srt", "bcc"))}
    progress("Making the cover...")
    if made_cover is not None and made_cover.is_file():   # a generated video's own cover
        covered = reuse_cover(made_cover, out_dir / "cover.jpg")
    else:
        picture = source if source is not None and source.is_file() else video
        covered = make_cover(picture, draft, meta["title"], out_dir / "cover.jpg")
    files["cover"] = covered["path"]
    (out_dir / "chapters.txt").write_text(publish_meta.chapters_text(meta["chapters"]), encoding="utf-8")
    files["chapters"] = str(out_dir / "chapters.txt")
    doc = {**meta, "subtitle_languages": [t.lang for t in tracks],
           "files": {k: Path(v).name for k, v in files.items()}}
    (out_dir / "meta.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    files["meta"] = str(out_dir / "meta.json")
    return {"out_dir": str(out_dir), "files": files, "meta": doc, "cover": covered,
            "video_check": {"clean": not findings, "findings": [f.to_json() for f in findings], **summary}}
