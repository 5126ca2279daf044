"""Running the engine: bind 127.0.0.1, write engine.json, stop when idle."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import uvicorn

from ..redact import RedactingFilter
from ..store import write_private
from . import uploads
from .app import create_app
from .paths import info_path, run_lock_path
from .service import Engine, EngineConfig

log = logging.getLogger("nemo_skill.engine")


class AlreadyServed(Exception):
    """Another engine holds this state dir's database."""


def hold_run_lock(state_dir: Path):
    """The lock that decides which engine serves a database (not engine.json, which a crash
    or an editor can damage): a second engine on the same database exits at once."""
    path = run_lock_path(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held open for the engine's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise AlreadyServed(f"another engine (pid {holder}) already serves {path.parent}; stop it "
                            f"(`nemo engine stop`, or kill {holder}) before starting one") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def clean_leftovers(renders_dir: Path) -> int:
    """Work folders of renders a dead engine left (its temp files); jobs are re-run."""
    gone = 0
    for folder in renders_dir.glob("*_*") if renders_dir.is_dir() else []:
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


def serve(state_dir: Path, *, port: int = 0, idle_timeout: float | None = None,
          config: EngineConfig | None = None) -> None:
    """Serve until stopped (SIGTERM/SIGINT) or idle for ``idle_timeout`` seconds."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    config = config or EngineConfig.from_env(state_dir)
    if idle_timeout is not None:
        config.idle_timeout = idle_timeout
    lock = hold_run_lock(state_dir)  # noqa: F841 - released when the process ends
    engine = Engine(config)
    cleaned = clean_leftovers(engine.home / "renders")
    if cleaned:
        log.info("removed %d work folder(s) a stopped engine left", cleaned)
    partial = uploads.remove_unowned(engine.db, engine.home / "sessions")
    if partial:
        log.info("removed %d partial or unregistered upload(s) a stopped engine left", partial)
    released = engine.accounts.release_stale_messages()
    if released:
        log.info("released %d credit hold(s) of messages the last engine left open", released)
    rerun = engine.renders.recover()
    if rerun:
        log.info("re-running %d render(s) left by the last engine", rerun)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))  # loopback only, never another interface
    actual = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine), log_level="warning",
                                           access_log=False, timeout_keep_alive=30,
                                           timeout_graceful_shutdown=5))
    info = info_path(state_dir)
    write_private(info, json.dumps({"pid": os.getpid(), "port": actual, "instance": engine.instance,
                                    "url": f"http://127.0.0.1:{actual}", "started_at": time.time()}))
    log.info("engine listening on http://127.0.0.1:%d (pid %d)", actual, os.getpid())

    def idle_watch() -> None:
        while not server.should_exit:
            time.sleep(min(5.0, max(config.idle_timeout / 4, 0.2)))
            idle = time.monotonic() - engine.last_activity
            if config.idle_timeout and idle > config.idle_timeout and not engine.active_streams \
                    and not engine.renders.busy():
                log.info("idle for %.0f s; stopping", idle)
                server.should_exit = True

    threading.Thread(target=idle_watch, daemon=True, name="idle-watch").start()
    try:
        server.run(sockets=[sock])
    finally:
        engine.renders.shutdown()
        try:
            if json.loads(info.read_text()).get("pid") == os.getpid():
                info.unlink()
        except (OSError, ValueError):
            pass
        log.info("engine stopped")

