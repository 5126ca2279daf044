"""`nemo say`: do what the user's words ask, planned whole before anything runs (issue 23).

The words become ordered steps (intents.py); on the local engine each message step is read
into typed calls first (POST /api/agent/plan). A clause no tool understands stops the whole
request: nothing runs, exit 1, ``not_understood`` names it. Then every step runs in order, the
message steps as the typed calls that were planned, and ``done`` lists each call and what it
did. A step that fails stops the rest (``not_done``). On the cloud the words go to its agent.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .. import say_flow
from ..constants import EXIT_ERROR
from ..language import has_cjk
from . import wording
from .context import make_client
from .output import Output
from .project import _chat_reply, _check_named_files, _run_step, _subtitle_files_text

if TYPE_CHECKING:
    from ..intents import Route


def _not_understood(missing: list[str], zh: bool) -> str:
    return (wording.say("not_understood", zh, missing=wording.quote_list(missing, zh)) + "\n"
            + wording.say("hint.nemo_tools", zh))


def _message(client, step: Route, reading: dict | None, project: say_flow.Project, args, out: Output,
             data: dict, zh: bool) -> tuple[str, bool]:
    """A message step: its planned calls (or its words on the cloud); the reply and whether
    every call did what it said."""
    calls = None if reading is None else reading["calls"]
    if calls == []:
        return "", True                    # only filler ("please", "谢谢"): nothing to ask
    if calls is not None and project.reused and not project.again:
        have = say_flow.existing_subtitles(client)
        calls, skipped = say_flow.keep_work(calls, have)
        if skipped:
            data["kept"] = {"languages": have, "files_from": "the project"}
            data.setdefault("done", []).append({"step": "transcribe", "effect": "kept: already in the project",
                                                "code": "kept_subtitles"})
        if not calls:
            return _kept_files(client, have, out, data, zh), True
    text, more, result = _chat_reply(client, step.text, out, args, calls=calls)
    data.update(more)
    for r in result.tool_results:
        response = r.get("response") if isinstance(r.get("response"), dict) else {}
        data.setdefault("done", []).append({"call": r["name"], "effect": str(response.get("message", "")),
                                            **({"error": response["error"]} if response.get("error") else {}),
                                            **({"code": response["code"]} if response.get("code") else {})})
    if result.not_understood:
        data["not_understood"] = result.not_understood
    return text, not result.errors() and not result.not_understood


def _kept_files(client, have: list[str], out: Output, data: dict, zh: bool) -> str:
    """The subtitles the project already has, written out: nothing heard again."""
    lines = _subtitle_files_text(client, data, out, zh)
    return (wording.say("kept_subtitles", zh, languages=wording.join(have, zh), files=lines) + "\n"
            + wording.say("hint.again", zh))


def _notes(prepared: say_flow.Prepared, data: dict, zh: bool) -> list[str]:
    """What choosing the project decided, in the JSON (with codes) and in words."""
    notes = []
    if prepared.new_project:
        data["new_project"] = prepared.new_project
        notes.append(wording.say("new_project", zh, old=prepared.old_project))
    if prepared.already_in_project:
        data["already_in_project"] = prepared.already_in_project
        names = ", ".join(Path(f).name for f in prepared.already_in_project)
        notes.append(wording.say("already_in_project", zh, names=names))
    return notes


def cmd_say(args: argparse.Namespace, out: Output) -> int:
    from ..intents import plan as plan_words
    words = " ".join(args.words)
    zh = has_cjk(words)
    steps = plan_words(words, args.file or [])
    _check_named_files(words, steps[0].files)
    data: dict = {"action": steps[0].action, "route": steps[0].to_json(), "plan": [s.to_json() for s in steps]}
    with make_client(args, out) as client:
        readings = say_flow.read_steps(client, steps)
        missing = [m for r in readings.values() for m in r.get("not_understood", [])]
        if missing:
            message = _not_understood(missing, zh)
            data.update(not_understood=missing, code="not_understood", hint="nemo tools", done=[], message=message)
            out.failure(data, message)
            return EXIT_ERROR
        project = say_flow.project_for(client, steps, words, args.again)
        prepared = say_flow.prepare(client, project, steps, readings, "zh" if zh else "en")
        notes = _notes(prepared, data, zh)
        return _run(client, prepared, project, notes, words, args, out, data, zh)


def _run(client, prepared: say_flow.Prepared, project: say_flow.Project, notes: list[str], words: str,
         args, out: Output, data: dict, zh: bool) -> int:
    steps, lines = prepared.steps, list(notes)
    data.setdefault("done", [])
    for i, step in enumerate(steps):
        if step.action == "message":
            text, worked = _message(client, step, prepared.readings.get(i), project, args, out, data, zh)
            if any(s.action == "export" for s in steps[i + 1:]):   # no "next: export" before the export
                text = "\n".join(line for line in text.splitlines() if not wording.starts_like(line, "hint.export"))
        else:
            text = _run_step(client, step, words, args, out, data)
            # a step that lacks something (no subtitles to write) is not done when it was one
            # part of a larger request; alone it is the answer ("下载字幕": none yet)
            worked = "needs" not in data or len(steps) == 1
            data["done"].append({"step": step.action, "effect": text,
                                 **({"needs": data["needs"]} if "needs" in data else {})})
        lines.append(text)
        if not worked:
            data["not_done"] = [s.to_json() for s in steps[i + 1:]]
            left = wording.join([s.action for s in steps[i + 1:]], zh)
            data["code"] = "step_not_done"
            lines.append(wording.say("step_not_done", zh, rest=left) if left else
                         wording.say("step_not_done.last", zh))
            data["message"] = "\n".join(line for line in lines if line)
            out.failure(data, data["message"])
            return EXIT_ERROR
    out.result("\n".join(line for line in lines if line), data)
    return 0


def add_parsers(sub, common) -> None:
    helptext = "do what the user's words ask (export, credits, status, upload, or edits), planned whole first"
    p = sub.add_parser("say", parents=[common], help=helptext, description=helptext + (
        ". A part no tool understands stops the request (exit 1, JSON not_understood); the JSON's done "
        "lists every call and its effect."))
    p.add_argument("words", nargs="+", help="the user's words, in English or Chinese")
    p.add_argument("--file", action="append", metavar="PATH", help="a file that comes with the words (repeatable)")
    p.add_argument("--out", type=Path, help="where to save an export (default ./nemo_<id>.mp4)")
    p.add_argument("--follow", action="store_true", help="when the agent offers the export, run it")
    p.add_argument("--again", action="store_true",
                   help="transcribe a video the project already has subtitles for again (else they are kept)")
    p.set_defaults(func=cmd_say)
