"""Every closed set of choices a tool, a job or a command takes, defined once (issue 23: the
aspects, styles and translators were written out in three or four places each).

Tuples keep their order: the first is what a user sees first in `--help` and `nemo tools`.
The tools' argument models (engine/tool_args.py) build their ``Literal`` types from these;
media/, the CLI and the MCP jobs import them from here.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")                    # subtitle and reply languages
DEFAULT_SUBTITLE_LANGUAGES = ("zh", "en")   # what "subtitles" means when no language is named

# Every canvas aspect and its 1080p size; a generated video takes the first three only.
ASPECT_SIZES = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080),
                "4:3": (1440, 1080), "3:4": (1080, 1440)}
ASPECTS = tuple(ASPECT_SIZES)
GENERATED_ASPECTS = ("16:9", "9:16", "1:1")
RESOLUTIONS = (720, 1080, 1440, 2160)       # the short side, in pixels

TRACK_KINDS = ("bgm", "title", "subtitle", "video", "narration")   # what remove_track removes
TRANSLATORS = ("auto", "llm", "agent", "whisper")
PUNCTUATION_STYLES = ("conventional", "keep")
SUBTITLE_POSITIONS = ("top", "middle", "bottom")
SUBTITLE_MODES = ("burn", "soft")
SUBTITLE_STYLES = ("plain", "box", "karaoke")      # a generated video's subtitle preset
SCENE_STYLES = ("ink", "flat", "gradient")         # a generated video's drawing style
DEFAULT_SCENE_STYLE = "ink"
GENDERS = ("male", "female")

# Patterns, for strings whose set is open but whose shape is not.
COLOUR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
VOICE_PATTERN = r"^[A-Za-z]+:[A-Za-z0-9+._-]+$"    # engine:name, as `nemo generate --voices` lists
