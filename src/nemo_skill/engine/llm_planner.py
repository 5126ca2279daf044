"""The LLM planner (issue 12): when an OpenAI-compatible endpoint is configured
(NEMO_LLM_*), a free-form request in Chinese or English becomes tool calls through the
endpoint's function calling, with the registry's schemas as the tools. Every call it
proposes is checked like any other; if the LLM is unreachable, slow, or answers with
anything that is not a valid call, the rules plan instead (the caller falls back).
"""

from __future__ import annotations

import json
import logging

from ..llm import LLMClient, LLMError, LLMSettings
from . import registry

log = logging.getLogger("nemo_skill.engine")

SYSTEM = ("You edit a video project through tools. Turn the user's request (Chinese or English) into "
          "tool calls, in the order asked, with arguments exactly as the tool schemas define them. "
          "Call only tools that the request asks for; if nothing fits, call none. Never invent files.")


def tool_specs() -> list[dict]:
    """The LLM's functions: each tool's schema, generated from its arguments model."""
    return [{"type": "function", "function": {"name": t["name"], "description": t["description"],
                                              "parameters": t["parameters"]}} for t in registry.describe()]


def plan(text: str, settings: LLMSettings, *, timeout: float = 20.0, client: LLMClient | None = None
         ) -> list[registry.Call] | None:
    """The LLM's calls for ``text``, all valid; None means: let the rules plan it."""
    client = client or LLMClient(settings, tries=2, retry_delay=0.5, timeout=timeout)
    try:
        message = client.message([{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}],
                                 tools=tool_specs(), temperature=0.0)
    except LLMError as exc:
        log.info("LLM planner unavailable (%s); the rules plan this message", exc.message)
        return None
    calls = []
    for item in message.get("tool_calls") or []:
        function = (item or {}).get("function") or {}
        try:
            raw = function.get("arguments") or "{}"
            args = json.loads(raw) if isinstance(raw, str) else raw
            calls.append(registry.check_call(function.get("name"), args))
        except (ValueError, TypeError, registry.ToolError) as exc:
            log.info("LLM planner answered with an unusable call (%s); the rules plan this message", exc)
            return None
    return calls or None
