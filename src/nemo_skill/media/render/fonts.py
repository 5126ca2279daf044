"""Finding the Chinese font that libass draws with (fonts-noto-cjk)."""

from __future__ import annotations

import functools
from pathlib import Path

from ...errors import NemoError
from .. import programs

CJK_FAMILY = "Noto Sans CJK SC"
_KNOWN_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk",
               "/usr/share/fonts/google-noto-cjk", "/Library/Fonts", "/System/Library/Fonts")


@functools.cache
def cjk_font_file() -> Path | None:
    """The Noto Sans CJK file, via fontconfig, else a known folder."""
    try:
        out = programs.run("fc-match", ["-f", "%{file}", f"{CJK_FAMILY}:style=Regular"], timeout=10,
                           install_hint="install fontconfig").stdout.decode("utf-8", "replace").strip()
        if out and "CJK" in out and Path(out).is_file():
            return Path(out)
    except NemoError:   # no fontconfig, or it hung: the known folders below
        pass
    for folder in _KNOWN_DIRS:
        for candidate in sorted(Path(folder).glob("NotoSansCJK*.tt[cf]")) if Path(folder).is_dir() else []:
            return candidate
    return None


def fonts_dir() -> Path | None:
    font = cjk_font_file()
    return font.parent if font else None
