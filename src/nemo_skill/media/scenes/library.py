"""The user's own media library (`nemo generate --media-dir DIR`), matched to the script.

Each picture or clip is described by its file name (``mountain_sunrise.jpg``,
``西湖-雨.mp4``) and, if present, a sidecar text file of tags beside it
(``mountain_sunrise.txt``: ``山, 日出, morning``). Each sentence is described by
its words (jieba) and by the motif it names with that motif's keywords in
Chinese and English (media/scenes/motifs.yaml), so ``清晨的山谷里`` matches
``mountain.jpg`` as well as ``山谷.png``. Sentences take files in script order,
each file once; a sentence nothing matches gets a drawn illustration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ...errors import InputError

MAX_FILES = 2000                  # a library bigger than this is not scanned whole
_SPLIT = re.compile(r"[\W_]+")    # any punctuation or space: mountain?.png is "mountain"
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass
class Entry:
    path: Path
    words: frozenset[str]


def _words(text: str) -> set[str]:
    from ..subtitles.cues import _jieba
    jieba = _jieba()
    out: set[str] = set()
    for part in _SPLIT.split(_CAMEL.sub(" ", text)):
        part = part.strip().lower()
        if not part:
            continue
        if part.isascii():
            out.add(part)
            if part.endswith("s") and len(part) > 3:
                out.add(part[:-1])          # mountains -> mountain
        else:
            out.add(part)
            out.update(w for w in jieba.lcut(part) if w.strip())
    return out


def scan(folder: Path, kinds: tuple[str, ...]) -> list[Entry]:
    """Every picture or clip in ``folder`` (and its subfolders) with the words that describe it."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder", hint="give --media-dir the folder of your pictures and clips")
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower().lstrip(".") not in kinds or not path.is_file() or path.name.startswith("."):
            continue
        words = _words(unquote(path.stem))    # tea%20cup.jpg is "tea cup"
        sidecar = path.with_suffix(".txt")
        if sidecar.is_file() and sidecar.stat().st_size < 10_000:
            words |= _words(sidecar.read_text(encoding="utf-8", errors="replace"))
        entries.append(Entry(path, frozenset(words)))
        if len(entries) >= MAX_FILES:
            break
    if not entries:
        raise InputError(f"{folder} holds no picture or clip this tool takes",
                         hint="use one of: " + ", ".join(kinds))
    return entries


def sentence_words(sentence: str) -> tuple[set[str], set[str]]:
    """(the sentence's own words, the keywords of the motif it names)."""
    from .motifs import keyword_table
    own = _words(sentence)
    text = sentence.lower()
    related: set[str] = set()
    for motif, keys in keyword_table().items():
        if any((k in own) if k.isascii() else (k in text) for k in keys):
            related |= {motif, *keys}
    return own, related


def named_motif(sentence: str) -> str | None:
    """The motif a sentence names (mountain, tea, ...), or None: unlike motifs.pick, no fallback."""
    from .motifs import keyword_table
    own = _words(sentence)
    text = sentence.lower()
    # A one-character keyword must be a word of its own: 天 is the sky, 今天 is not.
    return next((m for m, keys in keyword_table().items()
                 if any((k in own) if k.isascii() or len(k) == 1 else (k in text) for k in keys)), None)


def score(entry: Entry, own: set[str], related: set[str]) -> float:
    """Words the file shares with the sentence count 1, with its motif's keywords 0.5."""
    return len(entry.words & own) + 0.5 * len((entry.words - own) & related)


def match(sentences: list[str], entries: list[Entry]) -> list[Path | None]:
    """For each sentence, in order, the best-matching file not used yet (None: nothing matches)."""
    used: set[Path] = set()
    out: list[Path | None] = []
    for sentence in sentences:
        own, related = sentence_words(sentence)
        best = max(((score(e, own, related), e.path) for e in entries if e.path not in used),
                   key=lambda pair: pair[0], default=(0.0, None))
        if best[0] > 0:
            used.add(best[1])
            out.append(best[1])
        else:
            out.append(None)
    return out
