#!/usr/bin/env python3
"""Run the `nemo` command from a skill folder: python3 scripts/nemo.py --help

Uses the library next to this script (src/nemo_skill) when it is there, else
the installed package. When the skill folder has its own virtual environment
(.venv, made by `bash scripts/setup.sh`), the command runs in it, so it works
on systems whose Python refuses `pip install` (PEP 668: Debian 12, Ubuntu 24.04).
"""

import os
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent


def _venv_python(folder: Path) -> Path | None:
    """The folder's own .venv interpreter, unless it is the one already running."""
    for candidate in (folder / ".venv" / "bin" / "python", folder / ".venv" / "Scripts" / "python.exe"):
        if candidate.is_file():
            here = Path(sys.prefix).resolve()
            return None if here == candidate.parent.parent.resolve() else candidate
    return None


if os.environ.get("NEMO_VENV_REEXEC") != "1":
    venv = _venv_python(FOLDER)
    if venv is not None:
        os.environ["NEMO_VENV_REEXEC"] = "1"   # never loop, whatever the venv holds
        os.execv(str(venv), [str(venv), str(Path(__file__).resolve()), *sys.argv[1:]])

_src = FOLDER / "src"
if (_src / "nemo_skill").is_dir():
    sys.path.insert(0, str(_src))



def _missing(exc: ImportError) -> int:
    print(f"Error: a Python package is missing ({exc.name}).\n"
          f"Next: run `bash {FOLDER / 'scripts' / 'setup.sh'}` once (it makes {FOLDER / '.venv'} "
          "and installs ffmpeg, the CJK fonts and espeak-ng if they are missing), then try again.",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    try:
        from nemo_skill.cli.main import main
        code = main()
    except ImportError as exc:  # a dependency is missing (commands import theirs when run)
        if (exc.name or "").startswith("nemo_skill"):
            raise
        code = _missing(exc)
    sys.exit(code)
