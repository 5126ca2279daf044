"""Entry point of `nemo`. One error funnel: known errors become one clear line
and a documented exit code; unknown ones re-raise when NEMO_DEBUG is set.

Exit codes: 0 ok, 1 error, 2 usage, 3 needs the user (credits, plan, handoff),
4 a quality check found problems (`nemo subs check`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys

from .. import __version__, config
from ..constants import EXIT_ERROR, EXIT_USAGE
from ..errors import NemoError
from ..redact import RedactingFilter
from .output import Output, printable

# Which module holds each command: a call imports only its own (an agent pays a process
# start for every command, and the subtitle or video modules pull in numpy and more).
COMMAND_MODULES = {
    "subtitle": "subtitles", "subs": "subtitles", "generate": "generate", "script": "generate",
    "connect": "project", "say": "say", "route": "project", "chat": "project",
    "upload": "project", "state": "project", "credits": "project", "export": "project",
    "skill": "skills", "engine": "engine", "doctor": "doctor", "open": "links",
    "tools": "tools", "do": "tools", "mcp": "mcp", "review": "review", "publish": "publish",
    "scenes": "scenes",
}

EPILOG = """exit codes: 0 ok, 1 error, 2 usage, 3 needs the user (credits, plan, a handoff),
            4 findings (`nemo subs check`)
settings: NEMO_BACKEND, NEMO_API_URL, NEMO_TOKEN, NEMO_STATE_DIR, NEMO_SKILL_PLATFORM,
          NEMO_POLL_INTERVAL, NEMO_RETRY_DELAY (see the README)"""


class _Parser(argparse.ArgumentParser):
    json_mode = False       # --json anywhere on the line: a usage error is a JSON document too

    def error(self, message: str) -> None:  # usage errors: exit 2, with the next step
        self.print_usage(sys.stderr)
        hint = f"run `{self.prog} --help`"
        if _Parser.json_mode:
            print(json.dumps({"ok": False, "error": "UsageError", "message": message, "hint": hint},
                             ensure_ascii=False, indent=2))
        print(printable(f"Error: {message} — {hint}"), file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _modules_for(argv: list[str]) -> list[str]:
    """The command modules this call needs: one for a command, all for `nemo --help`."""
    command = next((a for a in argv if not a.startswith("-")), None)
    if command in COMMAND_MODULES:
        return [COMMAND_MODULES[command]]
    return list(dict.fromkeys(COMMAND_MODULES.values()))


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true",
                        help="print one JSON document on stdout (progress stays on stderr)")
    common.add_argument("--skill", help="which skill is speaking (default: the installed one)")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser = _Parser(prog="nemo", description="Subtitles and Chinese videos through the NemoVideo "
                     "API or the local engine.", epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter, parents=[common])
    parser.add_argument("--version", action="version", version=f"nemo {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)
    for name in _modules_for(sys.argv[1:] if argv is None else argv):
        importlib.import_module(f"{__package__}.{name}").add_parsers(sub, common)
    return parser


def _setup_logging() -> None:
    level = logging.DEBUG if config.debug() else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("nemo_skill")
    root.handlers[:] = [handler]
    root.setLevel(level)


def _resume_hint() -> str:
    """After Ctrl-C: a render the engine or cloud already started goes on; say how to collect it."""
    try:
        from ..store import Store
        if Store(config.current().state_dir).renders(unfinished_only=True):
            return ("the render goes on without this command; collect it with `nemo export --resume`")
    except Exception:  # a hint must never turn an interrupt into a traceback
        return ""
    return ""


def main(argv: list[str] | None = None) -> int:
    _setup_logging()
    _Parser.json_mode = "--json" in (sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    out = Output(json_mode=args.json, quiet=args.quiet)
    try:
        return args.func(args, out)
    except NemoError as exc:
        human = f"Error: {exc.message}" + (f"\nNext: {exc.hint}" if exc.hint else "")
        out.failure(exc.to_json(), human)
        return exc.exit_code
    except KeyboardInterrupt:
        hint = _resume_hint()
        out.failure({"error": "Interrupted", "message": "interrupted", **({"hint": hint} if hint else {})},
                    "Interrupted." + (f"\nNext: {hint}" if hint else ""))
        return 130
    except BrokenPipeError:  # `nemo ... --json | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:  # the funnel: say something useful, keep the trace for debugging
        if config.debug():
            raise
        out.failure({"error": type(exc).__name__, "message": str(exc)},
                    f"Error: unexpected {type(exc).__name__}: {exc}\n"
                    "Next: run again with NEMO_DEBUG=1 and report the trace")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
