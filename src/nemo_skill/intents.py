"""What a user's words route to, and what the backend's GUI words mean here.

Both tables are data in skill.yaml; this module only matches them. No I/O
beyond asking whether a word names an existing file.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .bundle import manifest

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _pattern(keyword: str) -> re.Pattern:
    """Chinese keywords match anywhere; English ones as whole words."""
    if has_cjk(keyword):
        return re.compile(re.escape(keyword))
    words = r"\s+".join(re.escape(w) for w in keyword.split())
    return re.compile(rf"(?<![\w-]){words}(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    action: str                      # export | credits | status | upload | message
    keyword: str | None = None       # what matched, if anything
    files: tuple[str, ...] = ()      # files named in the words or given
    text: str = ""                   # the words, for a message

    def to_json(self) -> dict:
        return {"action": self.action, "keyword": self.keyword, "files": list(self.files),
                "via_agent_stream": self.action == "message", "text": self.text}


# Words that ask for subtitles: such a request needs a file with speech in it.
_SUBTITLE_WORDS = re.compile(r"(?i)(?<![\w-])(subtitles?|captions?|transcribe|srt)(?![\w-])|字幕|听写")


def _media_tokens(words: str) -> list[str]:
    """Tokens of the words that are file names of an accepted media type."""
    try:
        tokens = shlex.split(words)
    except ValueError:
        tokens = words.split()
    accepted = set(manifest().accepted_extensions)
    found = []
    for token in tokens:
        token = token.strip("，。,;；\"'“”")
        if Path(token).suffix.lower().lstrip(".") in accepted:
            found.append(token)
    return found


def files_in(words: str) -> list[str]:
    """Words that name an existing file of an accepted type."""
    return [t for t in _media_tokens(words) if Path(t).expanduser().is_file()]


def missing_files_in(words: str) -> list[str]:
    """Words that name a media file (``./nope.mp4``) that is not there: the user meant a
    file, so acting on the project's other media instead would be wrong."""
    return [t for t in _media_tokens(words) if not Path(t).expanduser().is_file()]


def asks_for_subtitles(words: str) -> bool:
    return bool(_SUBTITLE_WORDS.search(words))


def route(words: str, files: list[str] | tuple[str, ...] = ()) -> Route:
    """The first matching intent (skill.yaml ``intents``), else a message."""
    named = list(files) + [f for f in files_in(words) if f not in files]
    if named:
        return Route("upload", None, tuple(named), words)
    for intent in manifest().intents:
        for keyword in intent["keywords"]:
            if _pattern(keyword).search(words):
                return Route(intent["action"], keyword, (), words)
    return Route("message", None, (), words)


def remaining_request(words: str, files: tuple[str, ...]) -> str:
    """What the words still ask for once the files and upload words are taken out
    ("add subtitles to ./a.mp4" -> "add subtitles to"); empty if nothing is left."""
    rest = words
    for f in files:
        rest = rest.replace(f, " ")
    rest = re.sub(r"(?i)\b(please|upload|this|file|video|the)\b|上传|请", " ", rest)
    rest = re.sub(r"[\s,，。.!！:：]+", " ", rest).strip()
    return rest if len(rest) >= 4 else ""


@dataclass
class GuiTranslation:
    text: str
    actions: list[str] = field(default_factory=list)


def _gui_table() -> list[tuple[re.Pattern, str, dict]]:
    rows = []
    for entry in manifest().gui_phrases:
        for phrase in entry["patterns"]:
            rows.append((phrase, entry["action"], entry["replace"]))
    # Longest phrases first, so "click export" wins over "click".
    rows.sort(key=lambda r: -len(r[0]))
    return [(_pattern(p), action, replace) for p, action, replace in rows]


def translate_gui(text: str) -> GuiTranslation:
    """Rewrite GUI instructions ("click Export", "点击导出") as things the user
    can say, and list the actions they stand for, in order, once each."""
    actions: list[str] = []
    out = text
    for pattern, action, replace in _gui_table():
        def swap(m: re.Match, action=action, replace=replace) -> str:
            if action not in actions:
                actions.append(action)
            said = replace["zh"] if has_cjk(m.group(0)) else replace["en"]
            return said[:1].upper() + said[1:] if m.group(0)[:1].isupper() else said
        out = pattern.sub(swap, out)
    return GuiTranslation(out, actions)
