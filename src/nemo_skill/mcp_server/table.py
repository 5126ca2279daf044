"""What a job tool declares, and the checks every tool call's arguments pass.

A new job tool is one function with ``@job(...)`` in the ``jobs_*`` module of its area
(a handoff pair for a new area is two such functions); ``catalog`` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import text_safety
from ..safe_json import is_finite_number

# A path's schema refuses control and bidi characters outright (SAFE_PATTERN: not even line
# breaks); every other string goes through the engine's one text check (check_values).
SAFE_PATTERN = "^[^\\u0000-\\u001f\\u007f\\u202a-\\u202e\\u2066-\\u2069]*$"


def path_arg(description: str) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": 4096, "pattern": SAFE_PATTERN,
            "description": description + "; absolute, or relative to the folder the server was started in"}


def text_arg(description: str, max_length: int, min_length: int = 1) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "description": description}


def obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False}


# What every tool's structured result may carry, besides its own fields.
COMMON_OUTPUT = {
    "ok": {"type": "boolean", "description": "true: done; false: a handoff waits (see needs and next)"},
    "needs": {"type": "string", "description": "what the calling agent must provide next (a handoff)"},
    "next": {"type": "string", "description": "what to do next, in words, naming the tool to call"},
}


@dataclass(frozen=True)
class JobTool:
    name: str
    description: str          # for a model: what it does, when to use it, what it costs
    parameters: dict          # JSON Schema of the arguments, with bounds
    run: Callable[[Any, dict], dict]    # (runner.Job, checked arguments) -> the structured result
    returns: dict = field(default_factory=dict)   # its result's own fields, as JSON Schema properties
    long: bool = False        # reports progress and can be cancelled
    title: str = ""
    exclusive: bool = True    # changes or follows the current project: one such call at a time

    def output_schema(self) -> dict:
        return {"type": "object", "properties": {**COMMON_OUTPUT, **self.returns}, "required": ["ok"]}


JOBS: dict[str, JobTool] = {}


def job(name: str, description: str, parameters: dict, *, returns: dict | None = None, long: bool = False,
        title: str = "", exclusive: bool = True):
    """Register a job tool (a multi-step workflow of the CLI) under ``name``."""
    def register(fn: Callable[[Any, dict], dict]):
        JOBS[name] = JobTool(name, description, parameters, fn, returns or {}, long, title, exclusive)
        return fn
    return register


class BadArguments(ValueError):
    """A call's arguments do not fit the tool; the message names the field."""


def check_values(value: object, where: str = "arguments") -> None:
    """What JSON Schema does not catch: NaN and infinities pass ``minimum``/``maximum``, and
    control or bidi characters a pattern-less string would let through."""
    if isinstance(value, bool):
        return
    if isinstance(value, float) and not is_finite_number(value):
        raise BadArguments(f"{where}: {value} is not a finite number")
    if isinstance(value, str):
        found = text_safety.unsafe_characters(value)
        if found:
            raise BadArguments(f"{where}: contains the control character U+{ord(found[0]):04X}")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_values(item, f"{where}.{key}" if where != "arguments" else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_values(item, f"{where}[{i}]")


def check_schema(schema: dict, args: object, tool: str) -> dict:
    """``args`` if they fit ``schema``; else BadArguments naming the first field that does not."""
    import jsonschema
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise BadArguments(f"{tool}: the arguments must be a JSON object")
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(args), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "arguments"
        raise BadArguments(f"{tool}: {where}: {error.message[:200]}")
    return args


def registry_tools() -> list[dict]:
    """The engine's editing tools as `nemo tools --json` lists them (one definition of each)."""
    from ..engine import registry
    return registry.describe()


def registry_params(name: str) -> dict:
    """One editing tool's parameters (JSON Schema), for a job that passes them on to it."""
    return next(t["parameters"] for t in registry_tools() if t["name"] == name)


def poll_interval() -> float:
    from .. import config
    return config.current().poll_interval
