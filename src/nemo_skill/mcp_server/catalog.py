"""Every tool the server offers, in one list: the engine's editing tools, generated from its
registry (what `nemo tools --json` prints), and the job tools of the ``jobs_*`` tables. A
job tool of the same name as an editing tool (``generate_video``) replaces it: the job runs
that tool and renders the result."""

from __future__ import annotations

import functools

from . import jobs_generate, jobs_project, jobs_publish, jobs_subtitle  # noqa: F401 - they register their tools
from .table import JOBS, BadArguments, JobTool, check_schema, check_values, registry_tools

EDIT_RETURNS = {"tool": {"type": "string"}, "args": {"type": "object"},
                "reply": {"type": "object", "description": "the engine's reply: text, tool calls, changes"}}


def _edit(name: str, run, args: dict) -> dict:
    from .. import workflows
    with run.client("do") as client:
        return {"ok": True, **workflows.apply_tool(client, name, args)}


def _editing_tool(entry: dict) -> JobTool:
    description = (f"Edit the current project (the one subtitle_video or generate_video made last; see get_state): "
                   f"{entry['description']}. Changes the draft only; call export_video for the MP4"
                   f"{' (or subtitle files: submit_subtitles writes them again)' if 'subtitle' in entry['name'] else ''}. "
                   "Costs 1 credit (free on the local engine).")
    if not entry.get("edits", True):
        description = f"Read the current project: {entry['description']}. Costs 1 credit (free on the local engine)."
    return JobTool(entry["name"], description, entry["parameters"], functools.partial(_edit, entry["name"]),
                   EDIT_RETURNS, long=entry["name"] == "transcribe")


def tools() -> dict[str, JobTool]:
    """Name -> tool, editing tools first, then the jobs."""
    editing = {e["name"]: _editing_tool(e) for e in registry_tools() if e["name"] not in JOBS}
    return {**editing, **JOBS}


def check(tool: JobTool, args: object) -> dict:
    """The call's arguments, if they fit the tool; else BadArguments naming the field. An
    editing tool's are validated by its model, as the engine will (one check, one wording)."""
    if tool.name not in JOBS:
        from ..engine import registry
        try:
            return registry.check_call(tool.name, args).args
        except registry.ToolError as exc:
            raise BadArguments(exc.en) from None
    checked = check_schema(tool.parameters, args, tool.name)
    try:
        check_values(checked)
    except BadArguments as exc:
        raise BadArguments(f"{tool.name}: {exc}") from None
    return checked


__all__ = ["tools", "check", "BadArguments", "JobTool"]
