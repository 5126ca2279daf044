"""Subtitle translation providers (ARCHITECTURE.md, "Translation providers").

- An OpenAI-compatible chat endpoint (DeepSeek, Qwen, OpenAI, a local
  Ollama): numbered lines in batches, the count checked 1:1, retried.
- The calling agent: the cues go out as JSON (:func:`pending_document`)
  and come back as a file (:func:`read_submission`), checked 1:1.
- Whisper's own speech-to-English, spread over the source cues by time
  (:func:`spread_words`); draft quality, and labelled so.

The API key goes only into the Authorization header of the configured
endpoint; it is never part of a message or an error.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import requests

from ... import text_safety
from ...errors import InputError, NemoError
from ...llm import LLMBadReply, LLMClient, LLMError, LLMSettings
from ...words.quotes import NUMBERED_LINE
from .conventions import join_words
from .cues import Cue, Rules, rules_for

LANGUAGE_NAMES = {"zh": "Simplified Chinese", "en": "English"}
BATCH = 40


class TranslationError(NemoError):
    hint = "check the LLM settings (NEMO_LLM_BASE_URL, NEMO_LLM_MODEL), or translate through your agent"


class BadReply(TranslationError):
    """The answer came, but not as one numbered line per cue: worth asking again."""


def numbered(texts: list[str]) -> str:
    return "\n".join(f"{i}. {' '.join(t.split())}" for i, t in enumerate(texts, 1))


def parse_numbered(text: str, count: int) -> list[str]:
    """"1. ..." lines -> exactly ``count`` texts, else TranslationError saying what is off."""
    found: dict[int, str] = {}
    for line in text.splitlines():
        m = NUMBERED_LINE.match(line)
        if m and m.group(2).strip():
            n = int(m.group(1))
            if n in found:
                raise BadReply(f"line {n} appears twice in the translation")
            if (why := text_safety.problem(m.group(2))) is not None:
                raise BadReply(f"line {n} of the translation is refused: {why}")
            found[n] = m.group(2).strip()
    missing = [n for n in range(1, count + 1) if n not in found]
    extra = sorted(n for n in found if n < 1 or n > count)
    if missing or extra:
        raise BadReply(f"the translation has {len(found)} numbered lines for {count} cues"
                               + (f"; missing {_ranges(missing)}" if missing else "")
                               + (f"; unexpected {_ranges(extra)}" if extra else ""))
    return [found[n] for n in range(1, count + 1)]


def _ranges(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:8])) + (" ..." if len(numbers) > 8 else "")


class LLMTranslator:
    """Translate cue texts through an OpenAI-compatible /chat/completions endpoint."""

    def __init__(self, settings: LLMSettings, *, batch: int = BATCH, tries: int = 3,
                 retry_delay: float = 1.0, timeout: float = 120.0, session: requests.Session | None = None):
        self.settings, self.batch, self.tries = settings, batch, tries
        self.retry_delay, self.timeout = retry_delay, timeout
        self.client = LLMClient(settings, tries=tries, retry_delay=retry_delay, timeout=timeout,
                                session=session)

    @property
    def name(self) -> str:
        return f"llm:{self.settings.model}"

    def translate(self, texts: list[str], source: str, target: str,
                  on_progress: Callable[[float], None] | None = None) -> list[str]:
        out: list[str] = []
        for i in range(0, len(texts), self.batch):
            out += self._batch(texts[i:i + self.batch], source, target, context=texts[max(0, i - 3):i])
            if on_progress:
                on_progress(100.0 * min(len(texts), i + self.batch) / len(texts))
        return out

    def _batch(self, texts: list[str], source: str, target: str, context: list[str]) -> list[str]:
        last: Exception | None = None
        for attempt in range(self.tries):
            try:
                reply = self.complete(self._messages(texts, source, target, context, strict=attempt > 0))
                return parse_numbered(reply, len(texts))
            except BadReply as exc:   # wrong count or an answer we cannot read: ask again
                last = exc
            time.sleep(self.retry_delay * (2 ** attempt))
        raise TranslationError(f"the LLM did not return {len(texts)} translated lines after "
                               f"{self.tries} tries ({last.message if isinstance(last, NemoError) else last})")

    def _messages(self, texts, source, target, context, strict) -> list[dict]:
        src, dst = LANGUAGE_NAMES.get(source, source), LANGUAGE_NAMES.get(target, target)
        system = (f"You translate video subtitles from {src} to {dst}. Each numbered line is one "
                  "subtitle cue. Answer with exactly the same numbered lines, one translation per line, "
                  "nothing else: no notes, no merging or splitting of lines. Keep names of people, "
                  "places, brands and products as they are written (Chinese names in pinyin). "
                  "Keep it short and natural, as subtitles are.")
        if strict:
            system += f" There are exactly {len(texts)} lines; answer with exactly {len(texts)} numbered lines."
        user = numbered(texts)
        if context:
            user = "(Earlier lines, for context only, do not translate: " + " / ".join(context) + ")\n" + user
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def complete(self, messages: list[dict]) -> str:
        """One chat completion through the shared LLM client (nemo_skill.llm)."""
        try:
            return self.client.complete(messages)
        except LLMBadReply as exc:
            raise BadReply(exc.message) from None
        except LLMError as exc:
            raise TranslationError(exc.message, hint=exc.hint) from None


# --- the agent handoff ----------------------------------------------------------------

def pending_document(cues: list[Cue], source: str, target: str, rules: Rules | None = None) -> dict:
    """The handoff: each cue with its character budget in the target language (its
    duration at the target's reading speed, capped at its lines), so the agent writes
    a translation people can read in time."""
    src, dst = LANGUAGE_NAMES.get(source, source), LANGUAGE_NAMES.get(target, target)
    rules = rules or rules_for(target)
    return {
        "task": "translate_subtitles", "source_language": source, "target_language": target,
        "count": len(cues),
        "limits": {"line_chars": rules.max_chars, "lines": rules.max_lines, "chars_per_second": rules.cps},
        "instructions": (f"Translate each cue's text from {src} to {dst}. Keep one translation per cue, "
                         f"in order ({len(cues)} in all); do not merge or split cues; keep names as "
                         "written. Keep each translation within its cue's max_chars (what a viewer can "
                         f"read in the cue's time at {rules.cps:g} characters a second; shorten, do not "
                         "summarise away meaning). Save a JSON file {\"translations\": [\"...\", ...]} "
                         "and run `nemo subs submit FILE`. If speech recognition misheard a word of a cue "
                         "(a homophone: 压碎钱 for 压岁钱), translate what was meant and add \"corrections\": "
                         "{\"N\": \"the cue's whole corrected text\"} to the same file."),
        "cues": [{"n": i, "start": round(c.start, 3), "end": round(c.end, 3), "text": c.text.replace("\n", " "),
                  "max_chars": rules.budget(c.duration)}
                 for i, c in enumerate(cues, 1)],
    }


def read_submission(path: Path, count: int) -> list[str]:
    """An agent's translation file -> exactly ``count`` texts (InputError otherwise).

    Accepted: {"translations": [...]}, {"cues": [{"n", "text"}]}, a JSON list of
    strings, or plain text with one "N. text" line per cue.
    """
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", hint="give the path of the translation file") from None
    texts: list[str] | None = None
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("translations"), list):
        texts = [str(t) for t in doc["translations"]]
    elif isinstance(doc, dict) and isinstance(doc.get("cues"), list):
        cues = sorted(doc["cues"], key=lambda c: int(c.get("n", 0)) if isinstance(c, dict) else 0)
        texts = [str(c.get("text", "")) if isinstance(c, dict) else str(c) for c in cues]
    elif isinstance(doc, list):
        texts = [str(t.get("text", "")) if isinstance(t, dict) else str(t) for t in doc]
    if texts is None:
        try:
            texts = parse_numbered(raw, count)
        except TranslationError as exc:
            raise InputError(f"{Path(path).name}: {exc.message}",
                             hint=f"give exactly {count} lines, one per cue, as `nemo subs pending` listed them") from None
    if len(texts) != count or any(not t.strip() for t in texts):
        empty = [i for i, t in enumerate(texts, 1) if not t.strip()]
        raise InputError(f"{Path(path).name} has {len(texts)} translations for {count} cues"
                         + (f" ({len(empty)} empty, e.g. line {empty[0]})" if empty else ""),
                         hint=f"give exactly {count} translations, one per cue, in the order of "
                              "`nemo subs pending --json`; nothing was changed")
    return [" ".join(t.split()) for t in texts]


# --- Whisper's English as a draft ----------------------------------------------------------

def spread_words(words: list, cues: list[Cue]) -> list[str]:
    """English words (from Whisper's translate task) shared out over the source cues by time."""
    texts: list[list[str]] = [[] for _ in cues]
    if not cues:
        return []
    for w in words:
        mid = (w.start + w.end) / 2
        index = 0
        for i, c in enumerate(cues):
            if mid >= c.start - 0.3:
                index = i
        texts[index].append(w.text.strip())
    return [join_words(t) for t in texts]
