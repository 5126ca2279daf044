"""`nemo engine start|stop|status|logs`: the local engine daemon."""

from __future__ import annotations

import argparse

from ..engine import daemon
from .context import settings
from .output import Output


def cmd_start(args: argparse.Namespace, out: Output) -> int:
    cfg = settings()
    info = daemon.start(cfg.state_dir, idle=cfg.engine_idle, on_progress=out.progress)
    out.result(f"Engine running at {info['url']} (pid {info['pid']}).", {"engine": info})
    return 0


def cmd_stop(args: argparse.Namespace, out: Output) -> int:
    stopped = daemon.stop(settings().state_dir)
    out.result("Engine stopped." if stopped else "No engine was running.", {"stopped": stopped})
    return 0


def cmd_status(args: argparse.Namespace, out: Output) -> int:
    info = daemon.status(settings().state_dir)
    if info:
        out.result(f"Engine running at {info['url']} (pid {info['pid']}).", {"running": True, "engine": info})
    else:
        out.result("Engine not running; any command that needs it starts it.", {"running": False})
    return 0


def cmd_logs(args: argparse.Namespace, out: Output) -> int:
    path = daemon.log_path(settings().state_dir)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[-args.lines:] \
        if path.exists() else []
    out.result("\n".join(lines) or f"No log yet ({path}).", {"log": str(path), "lines": lines})
    return 0


def add_parsers(sub, common) -> None:
    engine = sub.add_parser("engine", help="start, stop or inspect the local engine",
                            description="The local engine serves the NemoVideo API on 127.0.0.1. "
                                        "Commands start it when needed; it stops after NEMO_ENGINE_IDLE idle seconds.")
    esub = engine.add_subparsers(dest="engine_command", required=True, metavar="COMMAND")
    for name, func, helptext in (("start", cmd_start, "start the engine in the background"),
                                 ("stop", cmd_stop, "stop the engine"),
                                 ("status", cmd_status, "is the engine running, and where")):
        p = esub.add_parser(name, parents=[common], help=helptext, description=helptext)
        p.set_defaults(func=func)
    p = esub.add_parser("logs", parents=[common], help="the end of the engine's log")
    p.add_argument("-n", "--lines", type=int, default=50, help="how many lines (default 50)")
    p.set_defaults(func=cmd_logs)
