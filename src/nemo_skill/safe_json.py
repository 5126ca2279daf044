"""JSON that stays standard JSON (issue 22): NaN, Infinity and -Infinity are not JSON numbers.

Python's json module reads and writes them by default, so one ``{"size": NaN}`` once went
into a saved draft and every later read of that project answered 500. Input is read with
:func:`loads_strict`; what was stored before is read with :func:`loads_repaired`, which
drops such values instead of failing on them.
"""

from __future__ import annotations

import json
import math


class NotFinite(ValueError):
    """A JSON text holds NaN, Infinity or -Infinity."""


def _refuse(name: str):
    raise NotFinite(f"{name} is not a number JSON allows; numbers must be finite")


def loads_strict(text: str | bytes):
    """json.loads that refuses NaN/Infinity with :class:`NotFinite` (a ValueError)."""
    return json.loads(text, parse_constant=_refuse)


def is_finite_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def repaired(value):
    """``value`` without non-finite numbers: dropped from objects (the default applies),
    null in arrays (positions keep their meaning)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: repaired(v) for k, v in value.items()
                if not (isinstance(v, float) and not math.isfinite(v))}
    if isinstance(value, list):
        return [repaired(v) for v in value]
    return value


def loads_repaired(text: str | bytes):
    """Stored JSON, read even when an older version let a NaN in (the NaN is dropped)."""
    return repaired(json.loads(text))


def dumps_standard(value, **kw) -> str:
    """json.dumps that raises ValueError rather than write NaN or Infinity."""
    return json.dumps(value, allow_nan=False, **kw)
