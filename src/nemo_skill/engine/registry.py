"""Every tool and every rule of the local agent, loaded in one explicit place.

Tool modules register their tools (``tools.tool``) and rule modules their rules
(``planner.rule``); this module imports them all, so whoever plans or runs a tool
imports the registry, and the planner imports no tool module (no import cycle).
Each tool's parameters are a JSON Schema (tool_params.py), checked before it runs,
whichever planner chose it.
"""

from __future__ import annotations

import functools

from . import generate_tools, proofread_tools, subtitle_rules, subtitle_tools, tools, voice_tools  # noqa: F401 - they register
from .planner import Call, capabilities, plan
from .tool_params import PARAMS
from .tools import TOOLS

__all__ = ["TOOLS", "Call", "capabilities", "plan", "describe", "check_call"]


class BadCall(ValueError):
    """A tool call that names no tool, or whose arguments do not fit its schema."""


@functools.cache
def _validator(name: str):
    import jsonschema
    return jsonschema.Draft202012Validator(PARAMS[name])


def check_call(name: object, args: object) -> Call:
    """The call, if ``name`` is a tool and ``args`` fit its parameters; else BadCall."""
    if not isinstance(name, str) or name not in TOOLS or name not in PARAMS:
        raise BadCall(f"unknown tool {str(name)[:40]!r}; `nemo tools` lists them")
    args = {} if args is None else args
    if not isinstance(args, dict):
        raise BadCall(f"{name}: the arguments must be a JSON object")
    error = next(iter(sorted(_validator(name).iter_errors(args), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "arguments"
        raise BadCall(f"{name}: {where}: {error.message[:200]}")
    return Call(name, dict(args))


def describe() -> list[dict]:
    """Every tool, for an agent: name, what it does (en, zh), whether it edits, its schema."""
    return [{"name": t.name, "description": t.description, "description_zh": t.description_zh,
             "edits": t.edits, "parameters": PARAMS[t.name]} for t in TOOLS.values()]
