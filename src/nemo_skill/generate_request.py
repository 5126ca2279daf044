"""`nemo generate`'s request as one typed value (issue 23): built and checked once where it comes
in (the CLI, the MCP server, `nemo script submit`), then passed down and never written to. The
voice is parsed here, once; what the job finds later (pictures, the stored names of uploads) is
returned by the functions that find it, beside the request, not written into it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from . import choices
from .bundle import manifest
from .errors import FileTypeError, InputError
from .media import ffmpeg
from .media.render.generate import ASPECTS
from .media.scenes import script
from .media.scenes.motifs import STYLES
from .media.voice import catalog as voice_catalog, tts
from .text_safety import problem

SUBTITLE_STYLES = choices.SUBTITLE_STYLES
# Drawn scenes keep their subject low in the frame, where subtitles sit: a panel keeps them legible.
DEFAULT_SUBTITLE_STYLE = "box"
SCENE_SOURCES = ("auto", "drawn", "pexels", "pixabay", "ai")
TITLE_MAX, PROMPT_MAX, SCRIPT_MAX = 100, 2000, 10000   # the engine's generate_video limits (tool_params.py)


def default_voice() -> tts.Voice:
    return tts.parse_voice(voice_catalog.default_voice())


@dataclass(frozen=True)
class GenerateRequest:
    script: str | None = None
    prompt: str | None = None
    aspect: str = "16:9"
    duration: float | None = None
    voice: tts.Voice = field(default_factory=default_voice)
    music: Path | None = None
    images: tuple[Path, ...] = ()
    title: str | None = None
    no_music: bool = False
    style: str | None = None        # the illustrations' look: ink (水墨), flat or gradient
    subtitle_style: str = DEFAULT_SUBTITLE_STYLE   # box: on a dark panel; plain: outlined; karaoke
    media_dir: Path | None = None   # the user's library, matched to the sentences by name and tags
    scenes: str = "auto"            # auto, drawn, pexels, pixabay or ai: where pictures come from
    labels: bool = False            # each scene's key phrase large in the middle

    @classmethod
    def build(cls, *, voice: str | tts.Voice | None = None, images=(), **fields) -> GenerateRequest:
        """The request from plain values (a voice name, a list of paths): the one place they are parsed."""
        parsed = voice if isinstance(voice, tts.Voice) else tts.parse_voice(voice or voice_catalog.default_voice())
        return cls(voice=parsed, images=tuple(Path(p) for p in images), **fields)

    def __post_init__(self) -> None:
        self._check_choices()
        self._check_text()
        if self.script is not None:
            script.split(self.script)
        elif not (self.prompt or "").strip():
            raise InputError("nothing to make a video from", hint="give --script TEXT|FILE or --prompt TEXT")
        self._check_files()

    @property
    def voice_id(self) -> str:
        return self.voice.id

    def _check_choices(self) -> None:
        if self.style is not None and self.style not in STYLES:
            raise InputError(f"style {self.style} is not known", hint=f"use one of {', '.join(STYLES)}")
        if self.scenes not in SCENE_SOURCES:
            raise InputError(f"--scenes {self.scenes} is not known", hint=f"use one of {', '.join(SCENE_SOURCES)}")
        if self.subtitle_style not in SUBTITLE_STYLES:
            raise InputError(f"subtitle style {self.subtitle_style} is not known",
                             hint=f"use {' or '.join(SUBTITLE_STYLES)}")
        if self.aspect not in ASPECTS:
            raise InputError(f"aspect {self.aspect} is not supported", hint="use 16:9, 9:16 or 1:1")
        if self.duration is not None and not (isinstance(self.duration, (int, float))
                                              and math.isfinite(self.duration) and 3 <= self.duration <= 600):
            raise InputError(f"--duration {self.duration} is out of range", hint="give 3 to 600 seconds")
        if not isinstance(self.voice, tts.Voice):
            raise InputError("the voice was not parsed", hint="build the request with GenerateRequest.build")

    def _check_text(self) -> None:
        for name, value, limit in (("title", self.title, TITLE_MAX), ("prompt", self.prompt, PROMPT_MAX),
                                   ("script", self.script, SCRIPT_MAX)):
            if value is None:
                continue
            if not isinstance(value, str):
                raise InputError(f"the {name} is not text", hint=f"give the {name} as text")
            if why := problem(value):
                raise InputError(f"the {name} cannot be used: {why}", hint=f"remove those characters from the {name}")
            if limit and len(value) > limit:
                raise InputError(f"the {name} is {len(value)} characters long", hint=f"keep it under {limit}")

    def _check_files(self) -> None:
        types = manifest().upload_types
        if self.music is not None:
            _check_file(self.music, types["audio"], "an audio file")
            info = ffmpeg.probe(self.music)
            if not info.has_audio or info.has_video:   # probe() does not count cover art as video
                raise FileTypeError(f"{self.music.name} is not an audio file", hint="give mp3, wav, m4a or aac music")
        for image in self.images:
            _check_file(image, types["image"] + types["video"], "an image or video")
            ffmpeg.probe(image)
        if self.media_dir is not None:
            if self.script is None:
                raise InputError("--media-dir needs the script", hint="give --script with --media-dir")
            if self.images:
                raise InputError("--media-dir and --image both choose the scenes", hint="give one of them")


def _check_file(path: Path, exts: tuple[str, ...], what: str) -> None:
    if not path.is_file():
        raise InputError(f"{path} does not exist", hint=f"give the path of {what}")
    if path.suffix.lower().lstrip(".") not in exts:
        raise FileTypeError(f"{path.name} is not {what}", hint="use one of: " + ", ".join(exts))
