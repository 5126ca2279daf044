#!/usr/bin/env python3
"""Run the `nemo` command from a skill folder: python3 scripts/nemo.py --help

Uses the library next to this script (src/nemo_skill) when it is there,
else the installed package. Dependencies: `python3 -m pip install <skill folder>`.
"""

import sys
from pathlib import Path

_src = Path(__file__).resolve().parent.parent / "src"
if (_src / "nemo_skill").is_dir():
    sys.path.insert(0, str(_src))

try:
    from nemo_skill.cli.main import main
except ImportError as exc:  # a dependency is missing, not the library
    folder = Path(__file__).resolve().parent.parent
    print(f"Error: a Python package is missing ({exc.name}).\n"
          f"Next: run `python3 -m pip install {folder}` once, then try again.", file=sys.stderr)
    sys.exit(1)

if __name__ == "__main__":
    sys.exit(main())
