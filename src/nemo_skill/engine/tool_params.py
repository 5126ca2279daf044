"""Each tool's parameters as JSON Schema, generated from its arguments model (tool_args.py).

What `nemo tools --json` prints, what the LLM planner offers as functions and what the MCP
server lists all come from :func:`schema_of`: nothing here is written by hand. The schema is
made plain for the hosts that read it: every nested model inlined (no ``$ref``), no titles,
an optional field shown as its type (it is simply not ``required``).
"""

from __future__ import annotations

import copy
import functools

from pydantic import BaseModel


def schema_of(model: type[BaseModel]) -> dict:
    """The model's JSON Schema, plain (a copy: whoever reads it may change it)."""
    return copy.deepcopy(_schema(model))


@functools.cache
def _schema(model: type[BaseModel]) -> dict:
    raw = model.model_json_schema(mode="validation")
    return _plain(raw, raw.pop("$defs", {}))


def _plain(node: object, defs: dict) -> object:
    if isinstance(node, list):
        return [_plain(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _plain({**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}},
                      defs)
    out = {}
    for key, value in node.items():
        if key == "title":
            continue
        out[key] = {name: _plain(s, defs) for name, s in value.items()} if key == "properties" \
            else _plain(value, defs)
    _optional_as_its_type(out)
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("required", [])
    return out


def _optional_as_its_type(schema: dict) -> None:
    """``anyOf: [X, null]`` with ``default: null`` -> X: leaving the field out is the null."""
    branches = schema.get("anyOf")
    if "default" not in schema or schema["default"] is not None or not branches:
        return
    kept = [b for b in branches if b != {"type": "null"}]
    if len(kept) == 1:
        del schema["anyOf"], schema["default"]
        schema.update({k: v for k, v in kept[0].items() if k not in schema})
