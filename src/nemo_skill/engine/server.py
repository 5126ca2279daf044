"""Running the engine: bind 127.0.0.1, write engine.json, stop when idle."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from pathlib import Path

import uvicorn

from ..redact import RedactingFilter
from ..store import write_private
from .app import create_app
from .paths import info_path
from .service import Engine, EngineConfig

log = logging.getLogger("nemo_skill.engine")


def serve(state_dir: Path, *, port: int = 0, idle_timeout: float | None = None,
          config: EngineConfig | None = None) -> None:
    """Serve until stopped (SIGTERM/SIGINT) or idle for ``idle_timeout`` seconds."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    config = config or EngineConfig.from_env(state_dir)
    if idle_timeout is not None:
        config.idle_timeout = idle_timeout
    engine = Engine(config)
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

