"""`nemo tools` and `nemo do`: the calling agent drives the local engine's tools itself,
with JSON arguments checked against each tool's schema; no words are parsed in between."""

from __future__ import annotations

import argparse
import json

from ..errors import InputError
from ..safe_json import NotFinite, loads_strict
from .context import make_client
from .output import Output


def cmd_tools(args: argparse.Namespace, out: Output) -> int:
    from ..engine import registry
    tools = registry.describe()
    human = "\n".join(f"{t['name']:<20} {t['description']}  args: "
                      f"{', '.join(t['parameters']['properties']) or '-'}" for t in tools)
    out.result(human + "\nRun one: nemo do TOOL --args '{...}' (see --json for the schemas)", {"tools": tools})
    return 0


def cmd_do(args: argparse.Namespace, out: Output) -> int:
    from .. import workflows
    from ..engine import registry
    try:
        values = loads_strict(args.args or "{}")
        registry.check_call(args.tool, values)   # before any engine is started
        with make_client(args, out) as client:
            data = workflows.apply_tool(client, args.tool, values)
    except NotFinite as exc:
        raise InputError(f"--args is not valid JSON: {exc}", hint="give a number such as 48") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"--args is not JSON ({exc.msg})", hint="e.g. --args '{\"text\": \"My Trip\"}'") from None
    except registry.ToolError as exc:
        raise InputError(exc.en, hint="`nemo tools --json` lists each tool's parameters") from None
    out.result(data["reply"]["text"], data)
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("tools", parents=[common], help="the editing tools, with their parameters (JSON Schema)",
                       description="List the local engine's editing tools: name, what each does, and its "
                                   "parameters as JSON Schema (with --json).")
    p.set_defaults(func=cmd_tools)
    p = sub.add_parser("do", parents=[common], help="run one editing tool with JSON arguments",
                       description="Run one tool on the project with JSON arguments, checked against its "
                                   "schema first. The local engine runs it as given; the cloud receives it "
                                   "as words.")
    p.add_argument("tool", help="the tool's name (see `nemo tools`)")
    p.add_argument("--args", default="{}", help="the arguments as a JSON object, e.g. '{\"ratio\": \"9:16\"}'")
    p.set_defaults(func=cmd_do)
