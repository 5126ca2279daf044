"""What each tool of the local agent takes: one pydantic model a tool (issue 23).

Every planner's calls (the rules', an LLM's, the calling agent's `nemo do`) are validated
into these before a tool runs, and every schema shown outside (`nemo tools --json`, the LLM's
functions, the MCP server's tools) is generated from them (tool_params.schema_of). Each model
forbids unknown arguments, takes finite numbers only (a NaN passes ``minimum``/``maximum`` and
once bricked a project), refuses control and bidi characters in every string, and takes JSON
types as they are (strict: "0.3" is not a number). The choices come from nemo_skill.choices.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .. import choices, text_safety
from ..constants import MAX_SPEAKERS


def _printable(text: str) -> str:
    why = text_safety.problem(text)
    if why:
        raise ValueError(why)
    return text


def _text(max_length: int, min_length: int = 0, **kw) -> object:
    return Annotated[str, Field(min_length=min_length or None, max_length=max_length, **kw), AfterValidator(_printable)]


Language = Literal[choices.LANGUAGES]
Aspect = Literal[choices.ASPECTS]
GeneratedAspect = Literal[choices.GENERATED_ASPECTS]
Resolution = Literal[choices.RESOLUTIONS]
TrackKind = Literal[choices.TRACK_KINDS]
Translator = Literal[choices.TRANSLATORS]
Punctuation = Literal[choices.PUNCTUATION_STYLES]
Position = Literal[choices.SUBTITLE_POSITIONS]
SubtitleMode = Literal[choices.SUBTITLE_MODES]
SubtitleStyle = Literal[choices.SUBTITLE_STYLES]
SceneStyle = Literal[choices.SCENE_STYLES]
Gender = Literal[choices.GENDERS]

Seconds = Annotated[float, Field(ge=0, le=10800)]
Volume = Annotated[float, Field(ge=0, le=2, description="1 = as recorded; 0.3 = 30%")]
Colour = Annotated[str, Field(pattern=choices.COLOUR_PATTERN)]
Term = _text(40, 1)


class Args(BaseModel):
    """The base of every tool's arguments: unknown names refused, numbers finite, JSON types."""
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True, frozen=True)


class NoArgs(Args):
    pass


class SetTitle(Args):
    text: _text(200, 1)
    start: Seconds = 0.0
    duration: Annotated[float, Field(gt=0, le=600)] = 3.0


class AddBgm(Args):
    volume: Volume = 0.3


class SetVolume(Args):
    volume: Volume


class Trim(Args):
    start: Seconds = 0.0
    end: Seconds | None = None
    drop_last: Seconds | None = None


class SetAspect(Args):
    ratio: Aspect


class SetResolution(Args):
    short_side: Resolution


class RemoveTrack(Args):
    kind: TrackKind | None = None
    kinds: Annotated[list[TrackKind], Field(min_length=1, max_length=5)] | None = None


class GenerateVideo(Args):
    script: _text(10000) | None = None
    prompt: _text(2000) | None = None
    title: _text(100) | None = None
    aspect: GeneratedAspect | None = None
    duration: Annotated[float, Field(ge=5, le=600)] | None = None
    voice: _text(300) | None = None
    music: bool = True
    style: SceneStyle | None = None
    scene_files: Annotated[list[_text(255) | None], Field(
        max_length=500, description="per sentence, the uploaded file it shows (null: drawn)")] | None = None
    subtitle_style: SubtitleStyle | None = Field(None, description="karaoke: each character lights up as it is said")
    labels: bool = Field(False, description="each scene's key phrase large in the middle")


class SceneChoice(Args):
    sentence: Annotated[int, Field(ge=1, le=500)]
    shows: Annotated[list[_text(40, 1)], Field(min_length=1, max_length=2, description=(
        "emoji, or their English or Chinese CLDR names (panda, 熊猫, 🐼)"))]


class SetSceneSubjects(Args):
    scenes: Annotated[list[SceneChoice], Field(min_length=1, max_length=500)]


class SetVoiceSpeed(Args):
    factor: Annotated[float, Field(ge=0.5, le=2.0, description="below 1 slower, above 1 faster")]


class SetVoice(Args):
    voice: Annotated[str, Field(max_length=100, pattern=choices.VOICE_PATTERN,
                                description="a voice id from `nemo generate --voices`")] | None = None
    gender: Gender | None = Field(None, description="the first clear offline voice a creator may publish with")
    deeper: bool = Field(False, description="a voice lower than the current one")


class LineLimits(Args):
    max_chars: Annotated[int, Field(ge=6, le=80)] | None = None
    cps: Annotated[float, Field(ge=3, le=40)] | None = None


class Transcribe(Args):
    languages: Annotated[list[Language], Field(min_length=1, max_length=2)] | None = None
    source: Language | None = None
    translator: Translator = "auto"
    limits: dict[Language, LineLimits] | None = None
    punctuation: Punctuation = Field("conventional", description=(
        "conventional: no ，。 at Chinese cue ends, a space for a pause inside a line; keep: as transcribed"))
    terms: Annotated[list[Term], Field(max_length=200, description=(
        "glossary: written so, and their homophones corrected"))] = []
    script: _text(20000) | None = Field(None, description=(
        "the creator's script: the subtitles take its text and the speech's timing"))
    speakers: Annotated[int, Field(ge=0, le=MAX_SPEAKERS, description=(
        "start a new cue where the voice changes and label each cue's speaker: how many speakers "
        "there are, 0 = find out"))] | None = None

    def line_limits(self) -> dict[str, dict]:
        """{language: {max_chars, cps}} as the cue layout takes them (only those given)."""
        return {lang: limit.model_dump(exclude_none=True) for lang, limit in (self.limits or {}).items()}


class TranslateSubtitles(Args):
    target: Language | None = None
    translator: Translator = "auto"


class ApplyTranslation(Args):
    lang: Language
    lines: Annotated[list[_text(500)], Field(min_length=1, max_length=20000)]


class Correction(Args):
    cue: Annotated[int, Field(ge=1, le=100000)]
    text: _text(500, 1)


class CorrectSubtitles(Args):
    lang: Language | None = None
    corrections: Annotated[list[Correction], Field(min_length=1, max_length=5000, description=(
        "misheard words fixed: each cue's whole corrected text; every changed syllable must sound "
        "like the one heard"))]


class StyleSubtitles(Args):
    lang: Language | None = None
    size: Annotated[float, Field(ge=16, le=160)] | None = None
    scale: Annotated[float, Field(ge=0.3, le=3)] | None = None
    position: Position | None = None
    color: Colour | None = None


class SubtitleLanguages(Args):
    keep: Annotated[list[Language], Field(min_length=1, max_length=2)]


class SubtitleModeArgs(Args):
    mode: SubtitleMode


class SubtitleOrder(Args):
    first: Language
