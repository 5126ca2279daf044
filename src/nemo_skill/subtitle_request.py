"""`nemo subtitle`'s request as one typed value (issue 23): built and checked once where it comes
in (the CLI, the MCP server), then passed down and never written to; what a step learns later
(the languages a project has, whether there is a video to preview) makes a new value
(:meth:`SubtitleRequest.but`). The bounds are those of the engine's transcribe tool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from . import choices
from .constants import MAX_SPEAKERS
from .errors import InputError
from .media.subtitles import conventions
from .text_safety import problem

TRANSLATORS = choices.TRANSLATORS
FORMATS = ("srt", "vtt", "ass", "bcc")
LANGUAGES = choices.LANGUAGES
MAX_CHARS = (6, 80)        # characters a line
CPS = (3.0, 40.0)          # characters a second
TERMS_MAX, TERM_LENGTH, SCRIPT_MAX = 200, 40, 20000


@dataclass(frozen=True)
class SubtitleRequest:
    languages: tuple[str, ...] = tuple(choices.DEFAULT_SUBTITLE_LANGUAGES)
    translator: str = "auto"
    formats: tuple[str, ...] = FORMATS
    burn: bool = True
    soft: bool = False
    preview: bool = True
    poll_interval: float = 1.0
    limits: dict = field(default_factory=dict)    # {"zh": {"max_chars": 14, "cps": 8}, ...}
    punctuation: str = conventions.DEFAULT_PUNCTUATION   # or "keep": no Chinese cue-end clean-up
    terms: tuple[str, ...] = ()                   # the creator's glossary (压岁钱, Bilibili, ...)
    script: str = ""                              # the creator's script: its text, the speech's timing
    speakers: int | None = None     # label cues by speaker (cut at each change): how many, 0 = find out

    def __post_init__(self) -> None:
        # Lists given by a caller are kept as tuples: the value cannot change after the check.
        for name in ("languages", "formats", "terms"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "limits", {lang: dict(v) for lang, v in dict(self.limits).items()})
        self._check_choices()
        self._check_limits()
        self._check_text()

    def but(self, **changes) -> SubtitleRequest:
        """The same request with ``changes``, checked again."""
        return replace(self, **changes)

    def _check_choices(self) -> None:
        if not self.languages or len(self.languages) > 2 or set(self.languages) - set(LANGUAGES):
            raise InputError(f"languages {', '.join(map(str, self.languages)) or '(none)'}: they are zh and en",
                             hint="e.g. --lang zh+en or --lang zh")
        if self.speakers is not None and (isinstance(self.speakers, bool) or not isinstance(self.speakers, int)
                                          or not 0 <= self.speakers <= MAX_SPEAKERS):
            raise InputError(f"speakers {self.speakers!r} is not a number of speakers from 1 to {MAX_SPEAKERS}",
                             hint="--speakers 2, or --speakers alone to count them")
        if self.translator not in TRANSLATORS:
            raise InputError(f"translator {self.translator} is not known", hint=f"use one of {', '.join(TRANSLATORS)}")
        if unknown := [f for f in self.formats if f not in FORMATS]:
            raise InputError(f"formats: unknown {', '.join(map(str, unknown))}", hint="choose from srt,vtt,ass,bcc")
        if self.punctuation not in conventions.PUNCTUATION_STYLES:
            raise InputError(f"punctuation {self.punctuation} is not known",
                             hint=f"use {' or '.join(conventions.PUNCTUATION_STYLES)}")
        if not _finite(self.poll_interval) or self.poll_interval <= 0:
            raise InputError("the poll interval must be a positive number of seconds", hint="e.g. 1")

    def _check_limits(self) -> None:
        for lang, limit in self.limits.items():
            if lang not in LANGUAGES or not isinstance(limit, dict) or set(limit) - {"max_chars", "cps"}:
                raise InputError(f"limits for {lang}: only zh and en, with max_chars and cps",
                                 hint="e.g. --line-chars zh=14 --cps zh=8")
            chars, cps = limit.get("max_chars"), limit.get("cps")
            if chars is not None and not (isinstance(chars, int) and not isinstance(chars, bool)
                                          and MAX_CHARS[0] <= chars <= MAX_CHARS[1]):
                raise InputError(f"{lang}: {chars} characters a line is out of range",
                                 hint=f"give {MAX_CHARS[0]} to {MAX_CHARS[1]}")
            if cps is not None and not (_finite(cps) and CPS[0] <= cps <= CPS[1]):
                raise InputError(f"{lang}: {cps} characters a second is out of range",
                                 hint=f"give {CPS[0]:g} to {CPS[1]:g}")

    def _check_text(self) -> None:
        if len(self.terms) > TERMS_MAX:
            raise InputError(f"{len(self.terms)} terms; the glossary takes {TERMS_MAX}", hint="keep the important ones")
        for term in self.terms:
            if not isinstance(term, str) or not 1 <= len(term) <= TERM_LENGTH or problem(term):
                raise InputError(f"the term {str(term)[:TERM_LENGTH]!r} cannot be used",
                                 hint=f"a term is 1 to {TERM_LENGTH} characters of plain text")
        if not isinstance(self.script, str) or len(self.script) > SCRIPT_MAX:
            raise InputError("the script is too long", hint=f"keep it under {SCRIPT_MAX} characters")
        if why := problem(self.script):
            raise InputError(f"the script cannot be used: {why}", hint="remove those characters from the script")


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
