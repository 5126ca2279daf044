"""Every tool and every rule of the local agent, loaded in one explicit place.

Tool modules register their tools (``tools.tool``) and the rule modules of
nemo_skill/words/ their rules (``words.claims.rule``); this module imports them all, so whoever plans or runs a tool
imports the registry, and the planner imports no tool module (no import cycle).
Each tool's parameters are a JSON Schema (tool_params.py), checked before it runs,
whichever planner chose it.
"""

from __future__ import annotations

import functools

from .. import text_safety
from ..safe_json import is_finite_number
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
from .planner import Call, capabilities, plan
from .tool_params import PARAMS
from .tools import TOOLS

__all__ = ["TOOLS", "Call", "capabilities", "plan", "describe", "check_call"]


class BadCall(ValueError):
    """A tool call that names no tool, or whose arguments do not fit its schema."""


@functools.cache
def _finite_validator():
    """Draft 2020-12 where "number" and "integer" are finite: JSON Schema's own minimum and
    maximum let NaN through (neither below nor above), and a NaN once bricked a project."""
    import jsonschema
    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine_many({
        "number": lambda c, v: is_finite_number(v),
        "integer": lambda c, v: is_finite_number(v) and float(v).is_integer()})
    return jsonschema.validators.extend(base, type_checker=checker)


@functools.cache
def _validator(name: str):
    return _finite_validator()(PARAMS[name])


def check_call(name: object, args: object) -> Call:
    """The call, if ``name`` is a tool and ``args`` fit its parameters; else BadCall."""
    if not isinstance(name, str) or name not in TOOLS or name not in PARAMS:
        raise BadCall(f"unknown tool {str(name)[:40]!r}; `nemo tools` lists them")
    args = {} if args is None else args
    if not isinstance(args, dict):
        raise BadCall(f"{name}: the arguments must be a JSON object")
    unsafe = text_safety.first_problem(args)   # control and bidi characters: refused in every tool
    if unsafe:
        raise BadCall(f"{name}: {unsafe}")
    error = next(iter(sorted(_validator(name).iter_errors(args), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "arguments"
        message = error.message[:200]
        if error.validator == "type" and isinstance(error.instance, float):
            message = f"{error.instance} is not a finite number"
        raise BadCall(f"{name}: {where}: {message}")
    return Call(name, dict(args))


def describe() -> list[dict]:
    """Every tool, for an agent: name, what it does (en, zh), whether it edits, its schema."""
    return [{"name": t.name, "description": t.description, "description_zh": t.description_zh,
             "edits": t.edits, "parameters": PARAMS[t.name]} for t in TOOLS.values()]
