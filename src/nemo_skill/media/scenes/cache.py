"""Drawn scene layers kept on disk, shared by the tool that plans a generated video and the
render that shows it. The engine draws them while the narration is being synthesised, so the
render starts with its pictures ready: drawing was 1.9 s of a six-scene video's plan building,
all of it before ffmpeg could start.

A layer set is named by everything that decides its pixels (motif, style, variant, seed, size)
and is complete once its marker (``KEY.json``) exists: files are written under temporary names
and moved into place, so a render that draws a scene the planner is still drawing wastes a
little work and never reads half a file.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from PIL import Image, ImageFilter

from . import emoji_art, look as scene_look, motifs, subjects

log = logging.getLogger(__name__)
KEEP = 120    # layer sets kept (about twenty six-scene videos); older ones are deleted


def _look(meta: dict) -> tuple[str, str, int, str | None]:
    """The scene's motif, style, variant and mood; a bad or missing value falls back."""
    motif = meta.get("motif") if meta.get("motif") in motifs.motifs() else motifs.FALLBACK
    style = meta.get("style") if meta.get("style") in motifs.STYLES else motifs.DEFAULT_STYLE
    variant = meta.get("variant") if isinstance(meta.get("variant"), int) and 0 <= meta["variant"] < 100 else 0
    mood = meta.get("mood") if meta.get("mood") in scene_look.MOODS else None
    return motif, style, variant, mood


def layers(meta: dict, index: int, width: int, height: int, folder: Path) -> tuple[Path, Path | None, int]:
    """The scene's parallax layers (background, near layer or None, the near layer's top row),
    from ``folder`` if they were drawn before, else drawn into it."""
    motif, style, variant, mood = _look(meta)
    key = f"{motif}-{style}-{mood or 'own'}-{variant}-{index + 1}-{width}x{height}"
    back, front, marker = folder / f"{key}_back.png", folder / f"{key}_front.png", folder / f"{key}.json"
    try:
        done = json.loads(marker.read_text())
        if back.is_file() and (not done["front"] or front.is_file()):
            return back, front if done["front"] else None, int(done["top"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".drawing-", dir=folder))
    try:
        drawn_back, drawn_front, top = motifs.render_layers(motif, style, width, height, seed=index + 1,
                                                            out_dir=scratch, stem=key, variant=variant,
                                                            palette=scene_look.palette(mood))
        os.replace(drawn_back, back)
        if drawn_front is not None:
            os.replace(drawn_front, front)
        (scratch / "marker").write_text(json.dumps({"front": drawn_front is not None, "top": top}))
        os.replace(scratch / "marker", marker)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return back, front if drawn_front is not None else None, top


def _subject_still(char: str, size: int, path: Path) -> bool:
    """The subject's drawing with a soft shadow below and right of it (RGBA PNG), or False when
    the set has no drawing of it."""
    art = emoji_art.render(char, size)
    if art is None:
        return False
    shadow = Image.new("RGBA", art.size, (0, 0, 0, 0))
    shadow.putalpha(art.getchannel("A").point(lambda a: a * 0.35))
    shadow = shadow.filter(ImageFilter.GaussianBlur(size / 60))
    still = Image.new("RGBA", art.size, (0, 0, 0, 0))
    still.alpha_composite(shadow, (round(size * 0.025), round(size * 0.035)))
    still.alpha_composite(art)
    fd, tmp = tempfile.mkstemp(prefix=".subject-", suffix=".png", dir=path.parent)   # the render and the
    with os.fdopen(fd, "wb") as f:                                                    # planner may both draw it
        still.save(f, format="PNG", optimize=False, compress_level=1)
    os.replace(tmp, path)
    return True


def sprites(meta: dict, width: int, height: int, folder: Path) -> list[tuple[Path, int, int, int]]:
    """The scene's subjects as (still, left, top, size) in frame pixels, placed by the rule of
    thirds: none when the drawings are not installed or the subjects are not in the library."""
    shown = subjects.vocabulary()
    card = isinstance(meta.get("figure"), dict)
    chars = [c for c in (meta.get("subjects") or []) if isinstance(c, str) and c in shown][:1 if card else 2]
    if not chars or emoji_art.available() is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for char, (left, top, size) in zip(chars, scene_look.placements(len(chars), width, height, card), strict=False):
        path = folder / f"subject-{'-'.join(f'{ord(c):x}' for c in char)}-{size}.png"
        if path.is_file() or _subject_still(char, size, path):
            out.append((path, left, top, size))
    return out


def draw_ahead(scenes: list[tuple[int, dict]], width: int, height: int, folder: Path) -> None:
    """Draw these (index, scene metadata) into ``folder`` and prune it. Runs on a thread beside
    the narration: a failure here only means the render draws the scene itself."""
    try:
        for index, meta in scenes:
            layers(meta, index, width, height, folder)
            sprites(meta, width, height, folder)
        prune(folder)
    except Exception:   # never fatal: the render draws whatever is missing
        log.warning("drawing scenes ahead failed; the render will draw them", exc_info=True)


def prune(folder: Path, keep: int = KEEP) -> None:
    stills = sorted(folder.glob("subject-*.png"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in stills[keep:]:
        path.unlink(missing_ok=True)
    markers = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for marker in markers[keep:]:
        for path in (marker, marker.with_name(marker.stem + "_back.png"), marker.with_name(marker.stem + "_front.png")):
            path.unlink(missing_ok=True)
