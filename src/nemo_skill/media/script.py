"""A video script: sentences, scenes and the speaking rate a duration asks for.

Chinese sentence ends (。！？；… and line breaks) split sentences; a sentence
too long for one subtitle line-pair is split again at its commas. The
requested duration picks how many sentences a prompt-written script should
have and how fast the narration should go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError

MAX_CHARS = 3000          # about ten minutes of narration; longer scripts are refused
MAX_SENTENCE = 32         # characters (two subtitle lines of 16); longer sentences split at commas
CHARS_PER_SECOND = 4.0    # Mandarin narration at an easy pace, for planning only
_END = re.compile(r"(?<=[。！？!?；;…])|\n+")
_COMMA = re.compile(r"(?<=[，,、：:])")


@dataclass
class Sentence:
    text: str
    phrase: str        # the scene's key phrase, shown large


def check(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InputError("the script is empty", hint="give the narration text, or a prompt with --prompt")
    if len(text) > MAX_CHARS:
        raise InputError(f"the script has {len(text):,} characters; a short video takes at most {MAX_CHARS:,} "
                         f"(about {MAX_CHARS / CHARS_PER_SECOND / 60:.0f} minutes of narration)",
                         hint="shorten it, or split it into several videos")
    return text


def split(text: str) -> list[Sentence]:
    """The script as sentences, each with a key phrase for its scene."""
    text = check(text)
    out: list[Sentence] = []
    for raw in _END.split(text):
        raw = raw.strip()
        if not raw or not re.search(r"\w", raw):
            continue
        pieces = [raw] if len(raw) <= MAX_SENTENCE else _split_long(raw)
        out += [Sentence(p, key_phrase(p)) for p in pieces if p.strip()]
    if not out:
        raise InputError("the script has no words to narrate", hint="give sentences of text")
    return out


def _split_long(sentence: str) -> list[str]:
    parts, current = [], ""
    for piece in _COMMA.split(sentence):
        if current and len(current) + len(piece) > MAX_SENTENCE:
            parts.append(current)
            current = ""
        current += piece
    if current:
        parts.append(current)
    return parts


def key_phrase(sentence: str, limit: int = 8) -> str:
    """The words to set large on the scene: the sentence's first clause, shortened at a word edge."""
    clause = re.split(r"[，,。！？!?；;：:、…]", sentence.strip())[0].strip() or sentence.strip()
    if len(clause) <= limit:
        return clause
    from .cues import _jieba
    words, out = list(_jieba().cut(clause)), ""
    for w in words:
        if len(out) + len(w) > limit:
            break
        out += w
    return out or clause[:limit]


def sentences_for(duration: float) -> int:
    """How many sentences a written-for-us script should have for ``duration`` seconds."""
    return max(2, min(20, round(duration * CHARS_PER_SECOND / 18)))
