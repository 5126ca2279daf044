"""Speech -> timed words, with faster-whisper (int8 on CPU) and Silero VAD.

The audio is decoded by ffmpeg into 16 kHz mono PCM and read in chunks of
about ten minutes, each cut at its quietest moment, so memory stays flat
however long the file is. Whisper never conditions on its previous text
(the main source of runaway repetition); segments that are phantoms,
symbols only, or that the model itself doubts are dropped; Chinese comes
out in Simplified characters with punctuation; word edges are then moved
to where the sound actually starts and stops.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import config
from ..errors import InputError, MediaError
from . import ffmpeg
from .asr_model import model_source
from .speech_text import (
    SIMPLIFIED_PROMPT,
    ends_clause,
    ends_sentence,
    has_punctuation,
    is_phantom,
    is_symbols_only,
    to_simplified,
    zh_punctuation,
)

log = logging.getLogger("nemo_skill.media.asr")
RATE = 16000
FRAME = 160                     # 10 ms energy frames
CHUNK_SECONDS = 600             # decode and transcribe this much at a time
MAX_SECONDS = 3 * 3600          # longer files are refused (NEMO_ASR_MAX_SECONDS)
PAUSE_FOR_COMMA = 0.35          # a pause this long inside an unpunctuated line is a comma


@dataclass
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass
class Transcript:
    language: str
    words: list[Word]
    duration: float
    model: str
    task: str = "transcribe"
    language_probability: float = 1.0
    dropped: list[str] = field(default_factory=list)   # lines removed as phantoms or noise

    @property
    def text(self) -> str:
        sep = "" if self.language in ("zh", "ja", "yue") else " "
        return sep.join(w.text for w in self.words).strip()


_models: dict[str, object] = {}
_models_lock = threading.Lock()


def load_model():
    """The Whisper model, loaded once per process (the engine keeps it warm)."""
    source, name = model_source()
    with _models_lock:
        if source not in _models:
            from faster_whisper import WhisperModel
            log.info("loading Whisper model %s", name)
            _models[source] = (WhisperModel(source, device="cpu", compute_type="int8",
                                            cpu_threads=os.cpu_count() or 2), name)
        return _models[source]


def max_seconds() -> float:
    return config.asr_max_seconds(MAX_SECONDS)


def check_input(path: Path) -> ffmpeg.MediaInfo:
    """Refuse what cannot be transcribed, before any work starts."""
    info = ffmpeg.probe(path)
    if not info.has_audio:
        raise MediaError(f"{path.name} has no audio track, so there is no speech to subtitle",
                         hint="use the version of the video that has sound")
    limit = max_seconds()
    if info.duration > limit:
        raise InputError(f"{path.name} is {info.duration / 3600:.1f} hours long; subtitles are made for up "
                         f"to {limit / 3600:g} hours at a time",
                         hint="split it into parts (e.g. ffmpeg -i IN -c copy -f segment -segment_time "
                              "3600 part%02d.mp4) and subtitle each part")
    return info


def _chunks(path: Path, cancel: threading.Event | None):
    """(offset seconds, float32 samples) pieces of the audio, cut where it is quietest."""
    target, slack = CHUNK_SECONDS * RATE, 30 * RATE
    buf = np.zeros(0, dtype=np.float32)
    offset = 0
    for block in ffmpeg.read_pcm(path, RATE, block_seconds=30, cancel=cancel):
        buf = np.concatenate([buf, block.astype(np.float32) / 32768.0])
        while len(buf) >= target + slack:
            cut = _quietest(buf, target - slack, target)
            yield offset / RATE, buf[:cut]
            offset += cut
            buf = buf[cut:]
    if len(buf):
        yield offset / RATE, buf


def _quietest(samples: np.ndarray, lo: int, hi: int) -> int:
    window = RATE // 5
    span = samples[lo:hi]
    n = len(span) // window
    energy = (span[: n * window].reshape(n, window) ** 2).mean(axis=1)
    return lo + int(np.argmin(energy)) * window + window // 2


def frame_db(samples: np.ndarray) -> np.ndarray:
    n = len(samples) // FRAME
    rms = np.sqrt((samples[: n * FRAME].reshape(n, FRAME).astype(np.float64) ** 2).mean(axis=1) + 1e-12)
    return 20 * np.log10(rms)


def transcribe(path: str | Path, *, language: str | None = None, task: str = "transcribe",
               on_progress: Callable[[float], None] | None = None,
               cancel: threading.Event | None = None) -> Transcript:
    """Transcribe (or, with task="translate", render in English) the speech in ``path``."""
    path = Path(path)
    info = check_input(path)
    model, model_name = load_model()
    total = max(info.duration, 0.001)
    words: list[Word] = []
    dropped: list[str] = []
    levels: list[np.ndarray] = []
    lang, lang_prob = language, 1.0
    for offset, audio in _chunks(path, cancel):
        levels.append(frame_db(audio))
        if lang is None:
            detected = _detect(model, audio)
            if detected is None:   # no speech in this chunk to tell the language by
                _progress(on_progress, offset + len(audio) / RATE, total)
                continue
            lang, lang_prob = detected
        # The English draft runs greedy at temperature 0: no fallback re-decoding, which on
        # repetitive speech made it six times slower than the transcription it drafts from.
        draft = task == "translate"
        segments, _ = model.transcribe(
            audio, language=lang, task=task, beam_size=1 if draft else 5, vad_filter=True,
            temperature=0.0 if draft else (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
            vad_parameters={"min_silence_duration_ms": 500},
            word_timestamps=True, condition_on_previous_text=False,
            initial_prompt=SIMPLIFIED_PROMPT if lang == "zh" and task == "transcribe" else None,
            compression_ratio_threshold=2.4, log_prob_threshold=-1.0, no_speech_threshold=0.6,
            hallucination_silence_threshold=2.0)
        for seg in segments:
            if cancel is not None and cancel.is_set():
                raise ffmpeg.Cancelled("cancelled")
            kept = _clean_segment(seg, lang if task == "transcribe" else "en", offset)
            if kept is None:
                dropped.append(seg.text.strip())
            else:
                words.extend(kept)
            _progress(on_progress, offset + seg.end, total)
        _progress(on_progress, offset + len(audio) / RATE, total)
    if levels:
        refine_edges(words, np.concatenate(levels))
    return Transcript(lang or "unknown", words, info.duration, model_name, task, lang_prob, dropped)


def _progress(cb, done: float, total: float) -> None:
    if cb:
        cb(min(100.0, 100.0 * done / total))


def _detect(model, audio: np.ndarray) -> tuple[str, float] | None:
    from faster_whisper.vad import VadOptions, get_speech_timestamps
    speech = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=500))
    if not speech:
        return None
    voiced = np.concatenate([audio[s["start"]:s["end"]] for s in speech])[: 30 * RATE]
    lang, prob, _ = model.detect_language(voiced)
    return lang, float(prob)


def _clean_segment(seg, lang: str, offset: float) -> list[Word] | None:
    """The segment's words, cleaned; None if the whole segment is not speech."""
    text = seg.text.strip()
    if not text or is_phantom(text) or is_symbols_only(text):
        return None
    if seg.no_speech_prob > 0.6 and seg.avg_logprob < -0.7:
        return None
    if seg.avg_logprob < -1.2 or seg.compression_ratio > 2.4:
        return None
    words = [Word(w.word, float(w.start) + offset, float(w.end) + offset, float(w.probability))
             for w in (seg.words or []) if w.word.strip()]
    if not words:
        return None
    if lang == "zh":
        for w in words:
            w.text = zh_punctuation(to_simplified(w.text.strip()))
        if not has_punctuation(text):
            restore_punctuation(words)
        if not (ends_sentence(words[-1].text) or ends_clause(words[-1].text)):
            words[-1].text += "。"
    else:
        for w in words:
            w.text = w.text.strip()
    return words


def restore_punctuation(words: list[Word], pause: float = PAUSE_FOR_COMMA) -> None:
    """Chinese without punctuation: a comma at each pause, a full stop at the end.

    No comma leaves a clause shorter than three characters on either side:
    a pause inside a short phrase is hesitation, not grammar.
    """
    since = 0
    total = sum(len(w.text) for w in words)
    seen = 0
    for cur, nxt in zip(words, words[1:], strict=False):
        since += len(cur.text)
        seen += len(cur.text)
        if (nxt.start - cur.end >= pause and since >= 3 and total - seen >= 3
                and not (ends_sentence(cur.text) or ends_clause(cur.text))):
            cur.text += "，"
            since = 0
    if words and not ends_sentence(words[-1].text):
        words[-1].text = words[-1].text.rstrip("，,") + "。"


def refine_edges(words: list[Word], db: np.ndarray, *, gap: float = 0.3) -> None:
    """Move the first start and last end of each run of speech to where sound begins and ends.

    Whisper's word times come from attention and drift by a few hundred ms
    at the edges of speech; the energy of the signal does not.
    """
    if not words or not len(db):
        return
    signal = db[db > -90.0]          # digital silence (padding, gaps in an edit) is not the noise floor
    if not len(signal):
        return
    floor, peak = np.percentile(signal, 10), np.percentile(signal, 99)
    threshold = max(floor + 12.0, peak - 30.0)
    loud = db > threshold
    runs: list[list[Word]] = [[words[0]]]
    for w in words[1:]:
        (runs[-1].append(w) if w.start - runs[-1][-1].end < gap else runs.append([w]))
    for i, run in enumerate(runs):
        first, last = run[0], run[-1]
        prev_end = runs[i - 1][-1].end if i else 0.0
        next_start = runs[i + 1][0].start if i + 1 < len(runs) else len(db) * FRAME / RATE
        lo = max(prev_end, first.start - 0.4)
        hi = first.end      # a first word Whisper stretched over silence starts where the sound does
        onset = _first_loud(loud, lo, hi)
        if onset is not None:
            first.start = min(onset, first.end - 0.05)
        lo2 = last.start
        hi2 = min(next_start, last.end + 0.6)
        offset = _last_loud(loud, lo2, hi2)
        if offset is not None:
            last.end = max(offset, last.start + 0.05)


def _first_loud(loud: np.ndarray, lo: float, hi: float) -> float | None:
    a, b = int(lo * 100), int(hi * 100)
    hits = np.flatnonzero(loud[a:b])
    return float(a + hits[0]) / 100 if len(hits) else None


def _last_loud(loud: np.ndarray, lo: float, hi: float) -> float | None:
    a, b = int(lo * 100), int(hi * 100)
    hits = np.flatnonzero(loud[a:b])
    return float(a + hits[-1] + 1) / 100 if len(hits) else None
