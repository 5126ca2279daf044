"""Every tool and every rule of the local agent, loaded in one explicit place.

Tool modules register their tools (``tools.tool``) and the rule modules of
nemo_skill/words/ their rules (``words.claims.rule``); this module imports them all, so
whoever plans or runs a tool imports the registry, and the planner imports no tool module (no import cycle).
Each tool's arguments are one pydantic model (tool_args.py): every planner's call is
validated into it before the tool runs, and the schemas shown outside are generated from
it (tool_params.py).
"""

from __future__ import annotations

from ..words import (  # noqa: F401 - they register the rules that read words
    edit_rules,
    generate_rules,
    publish_rules,
    subtitle_rules,
    voice_rules,
)
from . import (  # noqa: F401 - they register the tools
    generate_tools,
    proofread_tools,
    publish_tools,
    scene_tools,
    subtitle_tools,
    tools,
    voice_tools,
)
from .errors import ToolError
from .planner import Call, capabilities, plan
from .tool_params import schema_of
from .tools import TOOLS

__all__ = ["TOOLS", "Call", "ToolError", "capabilities", "plan", "describe", "check_call", "parameters"]

UNKNOWN_TOOL = "unknown_tool"


def check_call(name: object, args: object) -> Call:
    """The call, if ``name`` is a tool and ``args`` fit its model; else ToolError (code
    ``unknown_tool`` or ``bad_arguments``) naming what does not fit."""
    if not isinstance(name, str) or name not in TOOLS:
        shown = str(name)[:40]       # repr escapes what is not printable
        raise ToolError(UNKNOWN_TOOL, f"unknown tool {shown!r}; `nemo tools` lists them",
                        f"没有名为 {shown!r} 的工具；`nemo tools` 列出全部工具")
    TOOLS[name].arguments(args)
    return Call(name, dict(args or {}))


def parameters(name: str) -> dict:
    """One tool's parameters as JSON Schema, generated from its model."""
    return schema_of(TOOLS[name].args)


def describe() -> list[dict]:
    """Every tool, for an agent: name, what it does (en, zh), whether it edits, its schema."""
    return [{"name": t.name, "description": t.description, "description_zh": t.description_zh,
             "edits": t.edits, "parameters": parameters(t.name)} for t in TOOLS.values()]

