"""Where the engine keeps its files under the state dir (no heavy imports here:
the CLI reads these on every command)."""

from __future__ import annotations

from pathlib import Path


def engine_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "engine"


def info_path(state_dir: Path) -> Path:
    """engine.json: the running engine's pid, port and url."""
    return engine_dir(state_dir) / "engine.json"


def run_lock_path(state_dir: Path) -> Path:
    """Held (flock) by the one engine serving this state dir's database, for its whole life."""
    return engine_dir(state_dir) / "engine.run.lock"
