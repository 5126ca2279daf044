"""python -m nemo_skill.engine --state-dir DIR [--port N] [--idle SECONDS]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import config
from ..config import Settings
from .db import DamagedDatabase
from .server import AlreadyServed, serve
from .service import EngineConfig


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m nemo_skill.engine",
                                     description="Run the local NemoVideo engine in the foreground on 127.0.0.1.")
    parser.add_argument("--state-dir", type=Path, help="state dir (default: NEMO_STATE_DIR or the user state dir)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--idle", type=float, help="stop after this many idle seconds (0 = never)")
    args = parser.parse_args()
    settings = config.install(Settings.from_env())   # read once, here, for the engine's whole life
    state_dir = args.state_dir or settings.state_dir
    try:
        serve(state_dir, port=args.port, idle_timeout=args.idle if args.idle is not None else settings.engine_idle,
              config=EngineConfig.from_settings(settings, state_dir))
    except (AlreadyServed, DamagedDatabase) as exc:   # said plainly, no traceback
        print(f"Error: {exc}", file=sys.stderr, flush=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
