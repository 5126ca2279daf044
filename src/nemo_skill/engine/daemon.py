"""The embedded engine as a background daemon, one per state dir.

The first command that needs it starts it (under a file lock, so two
commands never start two), waits for its health check, and uses the port
it wrote to engine.json. `nemo engine start|stop|status|logs` manage it.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

from .. import http_policy
from ..config import Settings
from ..errors import APIConnectionError, ConfigError
from .paths import engine_dir, info_path, run_lock_path

START_TIMEOUT = 30.0


def _dir(state_dir: Path) -> Path:
    path = engine_dir(state_dir)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def log_path(state_dir: Path) -> Path:
    return _dir(state_dir) / "engine.log"


def _alive(pid: int) -> bool:
    try:  # reap it first if it is our own child that already exited
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status(state_dir: Path) -> dict | None:
    """The running engine's pid, port and url, if it answers its health check."""
    try:
        info = json.loads(info_path(state_dir).read_text())
    except (OSError, ValueError):
        return None
    if not _alive(int(info.get("pid", 0))):
        return None
    try:
        quick = http_policy.DEFAULT.with_(connect_timeout=2.0, read_timeout=2.0)
        with quick.session(info["url"], trust_env=False) as http:
            r = http.get(f"{info['url']}/healthz", timeout=quick.timeout())
        if r.status_code == 200 and r.json().get("data", {}).get("instance") == info.get("instance"):
            return info
    except (requests.RequestException, ValueError):
        pass
    return None


def _last_error(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
    except OSError:
        return ""
    return next((line[len("Error: "):] for line in reversed(lines) if line.startswith("Error: ")), "")


def start(state_dir: Path, *, idle: float = 1800.0,
          on_progress: Callable[[str], None] = lambda _m: None) -> dict:
    """Start the engine if it is not running; its info either way."""
    import subprocess

    from filelock import FileLock  # only a start needs it; a running engine is found without
    with FileLock(str(_dir(state_dir) / "engine.lock"), timeout=START_TIMEOUT + 10):
        running = status(state_dir)
        if running:
            return running
        on_progress("Starting the local engine...")
        info_path(state_dir).unlink(missing_ok=True)
        log = open(log_path(state_dir), "ab")  # noqa: SIM115 - handed to the child
        env = {**os.environ, "NEMO_STATE_DIR": str(state_dir)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "nemo_skill.engine", "--state-dir", str(state_dir),
             "--idle", str(idle)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, env=env,
            cwd=str(state_dir))
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                said = _last_error(log_path(state_dir))
                if said:   # a damaged database, another engine on it: the engine said why
                    raise ConfigError(f"the local engine did not start: {said}",
                                      hint=f"details in `nemo engine logs` ({log_path(state_dir)})")
                raise APIConnectionError(
                    f"the local engine exited at start (code {proc.returncode})",
                    hint=f"see `nemo engine logs` ({log_path(state_dir)})")
            running = status(state_dir)
            if running:
                return running
            time.sleep(0.1)
        proc.kill()
        raise APIConnectionError("the local engine did not start within 30 s",
                                 hint=f"see `nemo engine logs` ({log_path(state_dir)})")


def ensure_running(settings: Settings, on_progress: Callable[[str], None] = lambda _m: None) -> str:
    """The base URL of a running engine for this state dir, started if need be."""
    running = status(settings.state_dir)
    if running is None:
        running = start(settings.state_dir, idle=settings.engine_idle, on_progress=on_progress)
    return running["url"]


def lock_holder(state_dir: Path) -> int | None:
    """The pid of the engine holding this state dir's run lock, if one does."""
    path = run_lock_path(state_dir)
    if not path.exists():
        return None
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            text = handle.read().strip()
            return int(text) if text.isdigit() else None
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


def stop(state_dir: Path, timeout: float = 15.0) -> bool:
    """Stop the engine; False if none was running. The run lock names it even when
    engine.json is gone or damaged."""
    try:
        info = json.loads(info_path(state_dir).read_text())
        pid = int(info.get("pid", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        pid = lock_holder(state_dir) or 0
    if not pid or not _alive(pid):
        info_path(state_dir).unlink(missing_ok=True)
        return False
    import signal
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    info_path(state_dir).unlink(missing_ok=True)
    return True
