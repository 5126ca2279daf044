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

from .. import choices
from ..constants import EXIT_ERROR
from .context import make_client
from .output import Output
from .project import _chat_reply, _check_named_files, _run_step

if TYPE_CHECKING:
    from ..intents import Route

# Words that ask to do the recognition again rather than keep what the project has.
_AGAIN = ("重新识别", "重新生成字幕", "重新转写", "重做字幕", "redo the subtitles", "transcribe again",
          "again from scratch")


_NEXT_EXPORT = ("Next: say \"export\"", "下一步：说“导出”")




def _videos_in(state: dict) -> dict[str, str]:
    """The project's videos: hash -> file name."""
    infos = (state.get("state") or {}).get("video_infos") or []
    return {i["hash"]: i.get("filename", "") for i in infos if i.get("file_type") == "video" and i.get("hash")}


class Project:
    """What the named files are to the current project: already in it, new to it, or a
    different video for a subtitle request (then a project of its own, as batch does)."""

    def __init__(self, client, steps: list[Route], words: str, again: bool) -> None:
        from ..intents import asks_for_subtitles
        self.files = list(steps[0].files) if steps and steps[0].action == "upload" else []
        self.subtitles = asks_for_subtitles(words)
        self.again = again or any(w in words.lower() for w in _AGAIN)
        self.known, self.reused, self.fresh = {}, [], False
        if self.files:
            self.known = _videos_in(client.state())
            self.reused = [f for f in self.files if _file_sha256(f) in self.known]
        new_videos = [f for f in self.files if f not in self.reused and _is_video(f)]
        self.fresh = bool(new_videos and self.known and self.subtitles)

    def uploads(self) -> list[str]:
        return [f for f in self.files if f not in self.reused]


def _is_video(path: str) -> bool:
    from ..bundle import manifest
    return Path(path).suffix.lower().lstrip(".") in set(manifest().upload_types.get("video", ()))


def _existing_subtitles(client) -> list[str]:
    from ..media import subfiles
    return subfiles.subtitle_languages(client.draft())


def _keep_work(calls: list[dict], have: list[str]) -> tuple[list[dict], list[str]]:
    """The calls without a transcription of what the project already has (its corrections,
    translations and script stay); a language it lacks is translated, not heard again."""
    kept, skipped = [], []
    for call in calls:
        if call["name"] != "transcribe" or not have:
            kept.append(call)
            continue
        wanted = call["args"].get("languages") or list(choices.DEFAULT_SUBTITLE_LANGUAGES)
        skipped.append("transcribe")
        for lang in (lang for lang in wanted if lang not in have):
            kept.append({"name": "translate_subtitles", "args": {"target": lang}})
    return kept, skipped


def _read_steps(client, steps: list[Route]) -> dict[int, dict]:
    """Each message step read into typed calls by the local engine (nothing runs)."""
    readings = {}
    for i, step in enumerate(steps):
        if step.action == "message":
            reading = client.understand(step.text)
            if reading is not None:
                readings[i] = reading
    return readings


def _not_understood(missing: list[str], zh: bool) -> str:
    if zh:
        return ("没有听懂：" + "；".join(f"“{m}”" for m in missing) + "。什么都没有做。\n"
                "下一步：运行 `nemo tools` 查看能做的事，或用 `nemo do 工具名 --args '{...}'` 直接调用。")
    return ("Not understood: " + "; ".join(f'"{m}"' for m in missing) + ". Nothing was done.\n"
            "Next: `nemo tools` lists what can be done; `nemo do TOOL --args '{...}'` runs one directly.")


def _message(client, step: Route, reading: dict | None, project: Project, args, out: Output,
             data: dict, zh: bool) -> tuple[str, bool]:
    """A message step: its planned calls (or its words on the cloud); the reply and whether
    every call did what it said."""
    calls = None if reading is None else reading["calls"]
    if calls == []:
        return "", True                    # only filler ("please", "谢谢"): nothing to ask
    if calls is not None and project.reused and not project.again:
        have = _existing_subtitles(client)
        calls, skipped = _keep_work(calls, have)
        if skipped:
            data["kept"] = {"languages": have, "files_from": "the project"}
            data.setdefault("done", []).append({"step": "transcribe", "effect": "kept: already in the project"})
        if not calls:
            return _kept_files(client, have, args, out, data, zh), True
    text, more, result = _chat_reply(client, step.text, out, args, calls=calls)
    data.update(more)
    for r in result.tool_results:
        response = r.get("response") if isinstance(r.get("response"), dict) else {}
        data.setdefault("done", []).append({"call": r["name"], "effect": str(response.get("message", "")),
                                            **({"error": response["error"]} if response.get("error") else {})})
    if result.not_understood:
        data["not_understood"] = result.not_understood
    return text, not result.errors() and not result.not_understood


def _kept_files(client, have: list[str], args, out: Output, data: dict, zh: bool) -> str:
    """The subtitles the project already has, written out: nothing heard again."""
    from .project import _subtitle_files_text
    lines = _subtitle_files_text(client, data, out, zh)
    langs = "、".join(have) if zh else ", ".join(have)
    if zh:
        return (f"这个视频已经在项目里，字幕（{langs}）也已做好，没有重新识别，校对和翻译都保留了。{lines}\n"
                "要重新识别，请说“重新识别”或加 --again。")
    return (f"This video is already in the project with subtitles ({langs}); nothing was transcribed again "
            f"and the corrections and translations are kept. {lines}\n"
            "To transcribe it again, say \"transcribe again\" or add --again.")


def _prepare(client, project: Project, steps: list[Route], data: dict, zh: bool) -> list[Route]:
    """A new project for a different video; no second upload of a video already there."""
    from ..intents import Route
    lines = data.setdefault("notes", [])
    if project.fresh:
        old = client.session()["session_id"]
        data["new_project"] = client.create_session("zh" if zh else "en")["session_id"]
        lines.append(f"这是另一个视频，已为它新建项目（原项目 {old} 保留不变）。" if zh else
                     f"A different video: it has a project of its own now (the project {old} is kept as it was).")
    if project.reused:
        names = ", ".join(Path(f).name for f in project.reused)
        data["already_in_project"] = project.reused
        lines.append(f"{names} 已经在项目里，没有再次上传。" if zh else
                     f"{names} is already in the project; not uploaded again.")
        first = steps[0]
        steps = ([Route("upload", None, tuple(project.uploads()), first.text)] if project.uploads() else []) + steps[1:]
    return steps


def cmd_say(args: argparse.Namespace, out: Output) -> int:
    from ..intents import has_cjk
    from ..intents import plan as plan_words
    words = " ".join(args.words)
    zh = has_cjk(words)
    steps = plan_words(words, args.file or [])
    _check_named_files(words, steps[0].files)
    data: dict = {"action": steps[0].action, "route": steps[0].to_json(), "plan": [s.to_json() for s in steps]}
    with make_client(args, out) as client:
        readings = _read_steps(client, steps)
        missing = [m for r in readings.values() for m in r.get("not_understood", [])]
        if missing:
            data.update(not_understood=missing, hint="nemo tools", done=[])
            out.failure(data, _not_understood(missing, zh))
            return EXIT_ERROR
        project = Project(client, steps, words, args.again)
        shifted = len(steps)
        steps = _prepare(client, project, steps, data, zh)
        shifted -= len(steps)              # an upload step dropped: readings move up by one
        return _run(client, steps, {i - shifted: r for i, r in readings.items()}, project, words,
                    args, out, data, zh)


def _run(client, steps: list[Route], readings: dict[int, dict], project: Project, words: str, args,
         out: Output, data: dict, zh: bool) -> int:
    lines = list(data.get("notes", []))
    data.setdefault("done", [])
    for i, step in enumerate(steps):
        if step.action == "message":
            text, worked = _message(client, step, readings.get(i), project, args, out, data, zh)
            if any(s.action == "export" for s in steps[i + 1:]):   # no "next: export" before the export
                text = "\n".join(line for line in text.splitlines() if not line.startswith(_NEXT_EXPORT))
        else:
            text, worked = _run_step(client, step, words, args, out, data), True
            data["done"].append({"step": step.action, "effect": text})
        lines.append(text)
        if not worked:
            data["not_done"] = [s.to_json() for s in steps[i + 1:]]
            left = "、".join(s.action for s in steps[i + 1:]) if zh else ", ".join(s.action for s in steps[i + 1:])
            lines.append((f"这一步没有完成，后面的步骤（{left}）没有执行。" if zh else
                          f"This step was not done; the steps after it ({left}) did not run.")
                         if left else ("这一步没有完成。" if zh else "This step was not done."))
            out.failure(data, "\n".join(line for line in lines if line))
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


def _file_sha256(path: str) -> str:
    from ..media.files import sha256_of
    return sha256_of(Path(path).expanduser())
