"""The drawings of subjects: Google's Noto Emoji (Apache-2.0) as SVG, rendered by resvg.

scripts/setup.sh installs the npm package ``@iconify-json/noto`` (pinned, checksummed) into
``.venv/share/nemo-skill/noto``; its ``icons.json`` holds every emoji's SVG body and
``chars.json`` maps code points to names. Nothing is downloaded at run time: without the set
(or resvg) the scenes fall back to the drawn motifs, with one warning.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from functools import lru_cache
from pathlib import Path

from PIL import Image

log = logging.getLogger(__name__)
LICENCE = "Noto Emoji by Google, Apache-2.0 (https://github.com/googlefonts/noto-emoji)"
_warned = False


def data_file(name: str) -> Path | None:
    """A file scripts/setup.sh installed under share/nemo-skill/, beside the interpreter (the venv
    it made), else beside the base interpreter (a system-wide install)."""
    for root in (Path(sys.prefix), Path(sys.base_prefix)):
        if (root / "share/nemo-skill" / name).is_file():
            return root / "share/nemo-skill" / name
    return None


def _folder() -> Path | None:
    icons, chars = data_file("noto/icons.json"), data_file("noto/chars.json")
    return icons.parent if icons is not None and chars is not None and icons.parent == chars.parent else None


def _warn_once(why: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning("scene subjects are not drawn (%s); the drawn motifs stand in. "
                    "Next: run `bash scripts/setup.sh` to install the Noto emoji set.", why)


@lru_cache(maxsize=1)
def _chars() -> dict[str, str] | None:
    """Code points -> drawing name (chars.json, 190 KB); None when the set or resvg is missing.
    The drawings themselves (icons.json, 25 MB) load only when a scene is drawn."""
    folder = _folder()
    if folder is None:
        _warn_once("the Noto emoji set is not installed")
        return None
    try:
        import resvg_py  # noqa: F401  (the renderer must be there too)
    except ImportError:
        _warn_once("resvg-py is not installed")
        return None
    return json.loads((folder / "chars.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _icons() -> tuple[dict, dict]:
    data = json.loads((_folder() / "icons.json").read_text(encoding="utf-8"))
    return data["icons"], data.get("aliases", {})


def _key(char: str) -> str:
    return "-".join(f"{ord(c):x}" for c in char)


def _name(char: str) -> str | None:
    chars = _chars()
    if chars is None:
        return None
    return chars.get(_key(char)) or chars.get(_key(char.replace("\ufe0f", "")))


@lru_cache(maxsize=1)
def _available() -> frozenset[str] | None:
    import emoji

    if _chars() is None:
        return None
    return frozenset(c for c in emoji.EMOJI_DATA if _name(c))


def available() -> frozenset[str] | None:
    """Every emoji with a drawing, or None when the set is not installed (then nothing is drawn)."""
    return _available()


def _svg(char: str) -> str | None:
    name = _name(char)
    if name is None:
        return None
    icons, aliases = _icons()
    icon = icons.get(name)
    if icon is None and name in aliases:
        icon = icons.get(aliases[name].get("parent", ""))
    if icon is None:
        return None
    w, h = icon.get("width", 128), icon.get("height", 128)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">{icon["body"]}</svg>'


def render(char: str, size: int) -> Image.Image | None:
    """The emoji's drawing as an RGBA image ``size`` pixels square, rendered from its vector
    art at that size (never a scaled bitmap), or None when there is none."""
    svg = _svg(char)
    if svg is None:
        return None
    import resvg_py

    png = resvg_py.svg_to_bytes(svg_string=svg, width=size, height=size)
    return Image.open(io.BytesIO(bytes(png))).convert("RGBA")
