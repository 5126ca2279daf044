"""A tool's JSON arguments validated into its model, or a ToolError that names the field.

The words never echo a refused character (a U+202E in an argument's name would turn the
rest of the user's terminal line around): names are shown through text_safety.shown.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ValidationError

from .. import text_safety
from .errors import ToolError

BAD_ARGUMENTS = "bad_arguments"


def validate(tool: str, model: type[BaseModel], raw: object) -> BaseModel:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ToolError(BAD_ARGUMENTS, f"{tool}: the arguments must be a JSON object",
                        f"{tool}：参数必须是一个 JSON 对象", tool=tool)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where, why = _words(first, model)
        raise ToolError(BAD_ARGUMENTS, f"{tool}: {where}: {why}", f"{tool}：参数 {where} 不可用：{why}",
                        tool=tool, field=where) from None


def _words(error: dict, model: type[BaseModel]) -> tuple[str, str]:
    """(where, why) of one pydantic error, in words that name the argument."""
    loc = [text_safety.shown(str(part), 40) for part in error["loc"]]
    kind = error["type"]
    if kind == "extra_forbidden":
        takes = f" (it takes: {', '.join(model.model_fields) or 'none'})" if len(loc) == 1 else ""
        return ".".join(loc), f"unknown argument '{loc[-1]}'{takes}"
    where = ".".join(loc[:-1] if kind == "missing" else loc) or "arguments"
    if kind == "missing":
        return where, f"'{loc[-1]}' is required"
    if kind == "finite_number" or (isinstance(error.get("input"), float) and not math.isfinite(error["input"])):
        return where, f"{error['input']} is not a finite number"
    return where, error["msg"][:200]
