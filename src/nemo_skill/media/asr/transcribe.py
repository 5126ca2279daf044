"""Speech -> timed words, with faster-whisper (int8 on CPU) and Silero VAD.

The audio is decoded by ffmpeg into 16 kHz mono PCM and read in chunks of
about ten minutes, each cut at its quietest moment, so memory stays flat
however long the file is. In each chunk the VAD finds the speech regions;
Whisper decodes them packed into windows (``speech_regions``, ``asr_decode``),
never conditioning on its previous text, with a token budget from the
speech's length (a window longer than one pass is read with timestamps, seeking
on), and every region gets its words or a second decode (so do the ones whose
words Whisper was unsure of, packed together). The words are cleaned (``asr_words``), corrected to the creator's
glossary (``glossary``), and their edges moved to where the sound actually
starts and stops.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ... import config
from ...errors import InputError, MediaError
from .. import ffmpeg
from . import (
    decode as asr_decode,
    glossary,
    level as asr_level,
    regions as speech_regions,
    resume as asr_resume,
)
from .model import model_source
from .words import Unheard, Word, restore_punctuation

__all__ = ["Word", "Transcript", "restore_punctuation", "transcribe", "check_input", "load_model"]

log = logging.getLogger("nemo_skill.media.asr.transcribe")
RATE = speech_regions.RATE
FRAME = 160                     # 10 ms energy frames
CHUNK_SECONDS = 600             # decode and transcribe this much at a time
MAX_SECONDS = 3 * 3600          # longer files are refused (NEMO_ASR_MAX_SECONDS)
# At most this share of a chunk's speech is decoded a second time for the alternatives of its
# unsure words, least sure regions first, in one packed pass a chunk (asr_decode.Decoder.revise):
# one pass each, at 0.25, they took 17% of a 30 s talk's recognition; the whole job is to stay
# within 1.10x of plain faster-whisper.
SECOND_OPINION_SHARE = 0.08


@dataclass
class Transcript:
    language: str
    words: list[Word]
    duration: float
    model: str
    task: str = "transcribe"
    language_probability: float = 1.0
    dropped: list[str] = field(default_factory=list)   # lines removed as phantoms or noise
    heard_again: list[Word] = field(default_factory=list)   # a second decode where Whisper was unsure
    # stretches where Whisper heard speech it could not read surely: no cue, but named (issue 25)
    unheard: list[Unheard] = field(default_factory=list)

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
                                            cpu_threads=usable_cores()), name)
        return _models[source]


def usable_cores() -> int:
    """The cores this process may run on: a container or `taskset` often allows fewer than
    the machine has, and one thread per core it cannot use only contends."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):      # not Linux
        return os.cpu_count() or 2


def max_seconds() -> float:
    return config.media().asr_max_seconds or MAX_SECONDS


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
    # The blocks are joined once per chunk, not on every block: joining each 30 s block onto
    # the growing buffer copied the buffer 20 times a chunk and held two copies at once.
    blocks: list[np.ndarray] = []
    held, offset = 0, 0
    for block in ffmpeg.read_pcm(path, RATE, block_seconds=30, cancel=cancel):
        blocks.append(block.astype(np.float32) / 32768.0)
        held += len(blocks[-1])
        if held < target + slack:
            continue
        buf = np.concatenate(blocks)
        blocks = []
        while len(buf) >= target + slack:
            cut = _quietest(buf, target - slack, target)
            yield offset / RATE, buf[:cut]
            offset += cut
            buf = buf[cut:]
        blocks, held = [buf], len(buf)
    if held:
        yield offset / RATE, np.concatenate(blocks)


def _quietest(samples: np.ndarray, lo: int, hi: int) -> int:
    window = RATE // 5
    span = samples[lo:hi]
    n = len(span) // window
    energy = (span[: n * window].reshape(n, window) ** 2).mean(axis=1)
    return lo + int(np.argmin(energy)) * window + window // 2


def frame_db(samples: np.ndarray, *, block: int = 6000) -> np.ndarray:
    """Each 10 ms frame's level in dB, a minute of frames at a time (a ten-minute chunk at once
    held 74 MB of float64 copies, part of the peak an hour's recognition must stay under)."""
    n = len(samples) // FRAME
    out = np.empty(n)
    for a in range(0, n, block):
        b = min(n, a + block)
        frames = samples[a * FRAME: b * FRAME].reshape(b - a, FRAME).astype(np.float64)
        out[a:b] = 20 * np.log10(np.sqrt((frames ** 2).mean(axis=1) + 1e-12))
    return out


def transcribe(path: str | Path, *, language: str | None = None, task: str = "transcribe",
               terms: list[str] | None = None,
               on_progress: Callable[[float], None] | None = None,
               cancel: threading.Event | None = None, resume: bool = True) -> Transcript:
    """Transcribe (or, with task="translate", render in English) the speech in ``path``.

    ``terms``: the creator's glossary, used to fix near-misses (its Latin terms go to Whisper).
    ``resume``: keep each recognised window (``asr_resume``), and skip those kept by a run of
    the same file and settings that was stopped.
    """
    path = Path(path)
    info = check_input(path)
    model, model_name = load_model()
    started = time.monotonic()
    terms = list(terms or [])
    run = _Run(model, task, terms if task == "transcribe" else [], cancel, on_progress, max(info.duration, 0.001))
    if resume:
        run.checkpoint = asr_resume.Checkpoint(path, {"model": model_name, "language": language, "task": task,
                                                      "terms": terms, "version": asr_resume.VERSION})
        run.lang, run.lang_prob = run.checkpoint.language() or (language, 1.0)
    else:
        run.lang = language
    levels: list[np.ndarray] = []
    for offset, audio in _chunks(path, cancel):
        levels.append(frame_db(audio))
        run.chunk(offset, audio)
    if run.lang == "zh" and task == "transcribe" and terms:
        glossary.correct(run.words, terms)
    if levels:
        refine_edges(run.words, np.concatenate(levels))
    if run.checkpoint is not None:
        run.checkpoint.finish()
    asr_resume.record_speed(info.duration - run.resumed, time.monotonic() - started)
    return Transcript(run.lang or "unknown", run.words, info.duration, model_name, task, run.lang_prob,
                      run.dropped, run.again, run.unheard)


@dataclass
class _Run:
    """One recognition: its settings, what it has heard so far, and its checkpoint."""

    model: object
    task: str
    terms: list[str]
    cancel: threading.Event | None
    on_progress: Callable[[float], None] | None
    total: float
    lang: str | None = None
    lang_prob: float = 1.0
    checkpoint: asr_resume.Checkpoint | None = None
    resumed: float = 0.0
    words: list[Word] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    again: list[Word] = field(default_factory=list)
    unheard: list[Unheard] = field(default_factory=list)

    def chunk(self, offset: float, audio: np.ndarray) -> None:
        """Recognise one chunk: its windows (those kept by a stopped run are skipped), its thin and
        unsure regions again (``Decoder.revise``), then the stretches the detector left empty.
        A chunk finished by a stopped run is taken whole from its checkpoint."""
        # The detector hears a levelled copy; Whisper hears the chunk as it is (levelling the
        # whole chunk for Whisper took tight-music's CER from 0.082 to 0.143: 你好世界 -> 您好设计)
        # and each empty stretch levelled on its own (asr_level, asr_decode.Decoder.stretch).
        found = speech_regions.find_regions(asr_level.level(audio))
        stretches = asr_level.empty_stretches(found, audio)
        end = offset + len(audio) / RATE
        if not found and not stretches:
            return _progress(self.on_progress, end, self.total)
        if self.lang is None:
            self.lang, self.lang_prob = _detect(self.model, audio, found or stretches)
        decoder = asr_decode.Decoder(self.model, self.lang, self.task, self.terms, self.cancel)
        rec = self.checkpoint.chunk(offset, len(audio)) if self.checkpoint else {"windows": 0}
        regions = found + stretches
        mine = self.checkpoint.words(rec, regions) if self.checkpoint else []
        self.resumed += float(rec.get("seconds", 0.0))
        if rec.get("done"):
            self.again.extend(_shift([(w, None) for w in self.checkpoint.alternatives(rec)], offset))
            self.unheard.extend(_shifted(self.checkpoint.unheard(rec), offset))
            self.words.extend(_shift(mine, offset))
            return _progress(self.on_progress, end, self.total)
        windows = speech_regions.pack(found, speech_regions.SEEK_WINDOW_SECONDS)
        for k, window in enumerate(windows):
            if k < rec["windows"]:
                continue
            mine += decoder.window(audio, window, self.dropped)
            if self.checkpoint:
                self.checkpoint.save(rec, k + 1, window.regions[-1].end, mine, regions, (self.lang, self.lang_prob))
            _progress(self.on_progress, offset + window.regions[-1].end, self.total)
        budget = SECOND_OPINION_SHARE * sum(r.length for r in found) if self.task == "transcribe" else 0.0
        mine = decoder.revise(audio, mine, windows, self.dropped, budget)
        for stretch in stretches:
            heard = decoder.stretch(audio, stretch, self.dropped)
            if heard and not asr_decode.already_said(heard, mine):
                mine += heard
        mine.sort(key=lambda p: p[0].start)
        again = decoder.alternatives(mine) if self.task == "transcribe" else []
        if self.checkpoint:
            self.checkpoint.save(rec, len(windows), end - offset, mine, regions, (self.lang, self.lang_prob),
                                 alternatives=again, unheard=decoder.unheard)
        self.again.extend(_shift([(w, None) for w in again], offset))
        self.unheard.extend(_shifted(decoder.unheard, offset))
        self.words.extend(_shift(mine, offset))
        _progress(self.on_progress, end, self.total)


def _shift(placed: list[tuple[Word, object]], offset: float) -> list[Word]:
    for w, _region in placed:
        w.start += offset
        w.end += offset
    return [w for w, _region in placed]


def _shifted(stretches: list[Unheard], offset: float) -> list[Unheard]:
    return [Unheard(u.start + offset, u.end + offset, u.heard) for u in stretches]


def _progress(cb, done: float, total: float) -> None:
    if cb:
        cb(min(100.0, 100.0 * done / total))


def _detect(model, audio: np.ndarray, regions: list) -> tuple[str, float]:
    voiced = np.concatenate([audio[int(r.start * RATE):int(r.end * RATE)] for r in regions])[: 30 * RATE]
    lang, prob, _ = model.detect_language(voiced)
    return lang, float(prob)


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
