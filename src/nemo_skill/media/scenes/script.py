"""A video script: sentences, scenes and the speaking rate a duration asks for.

Chinese sentence ends (。！？；… and line breaks) split sentences; a sentence
too long for one subtitle line-pair is split again at its commas. The
requested duration picks how many sentences a prompt-written script should
have and how fast the narration should go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import InputError

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


def split_title(text: str) -> tuple[str, str]:
    """(title, the rest): a short first line that ends without sentence punctuation is the title."""
    lines = [x.strip() for x in text.strip().splitlines() if x.strip()]
    if len(lines) > 1 and len(lines[0]) <= 14 and not re.search(r"[。！？!?]$", lines[0]):
        return lines[0].strip("#《》 "), "\n".join(lines[1:])
    return "", text


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


_NOUNS = ("n", "nr", "ns", "nz", "nt", "vn", "an", "eng")
_OPEN_ENDS = "的从在把被向和与及《「“（(于对给让到"   # a clause ending in one of these is cut off


def key_phrase(sentence: str, limit: int = 8) -> str:
    """The words to set large on the scene: a short, whole first clause, else the sentence's
    strongest nouns (jieba TF-IDF) in their order, joined by a middle dot — never a cut-off clause."""
    sentence = sentence.strip()
    clause = re.split(r"[，,。！？!?；;：:、…]", sentence)[0].strip() or sentence
    if len(clause) <= limit and clause[-1] not in _OPEN_ENDS:
        return clause
    if clause.isascii():   # English: whole words, about three of them
        words = clause.split()
        return " ".join(words[:3]).rstrip(".,;:!?") or clause[:3 * limit]
    import jieba.analyse
    tags = jieba.analyse.extract_tags(sentence, topK=3, allowPOS=_NOUNS)
    picked = sorted(tags[:2], key=sentence.find)
    phrase = "·".join(picked)
    if picked and len(phrase) > limit:
        phrase = picked[0] if len(picked[0]) <= limit else ""
    if phrase:
        return phrase
    from ..subtitles.cues import _jieba
    out = ""
    for w in _jieba().cut(clause):
        if len(out) + len(w) > limit:
            break
        out += w
    return out.rstrip(_OPEN_ENDS) or clause[:limit]


def sentences_for(duration: float) -> int:
    """How many sentences a written-for-us script should have for ``duration`` seconds."""
    return max(2, min(20, round(duration * CHARS_PER_SECOND / 18)))


def script_request(prompt: str, duration: float) -> dict:
    """What a script for ``prompt`` should be, for the agent that writes it when no LLM does."""
    n = sentences_for(duration)
    return {"prompt": prompt, "duration": duration, "sentences": n,
            "characters": round(duration * CHARS_PER_SECOND),
            "instructions": (f"Write the narration in Simplified Chinese: first line a title of at most 10 "
                             f"characters, then {n} sentences (about {round(duration * CHARS_PER_SECOND)} "
                             "characters in all), one per line. Save it to a text file and run "
                             "`nemo script submit FILE`.")}
