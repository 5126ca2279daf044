"""Commands on the user's project: connect, say, route, chat, upload, state, credits, export."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .. import workflows
from ..constants import EXIT_ERROR
from ..errors import InputError
from . import wording
from .context import make_client, settings
from .output import Output, seconds

if TYPE_CHECKING:
    from ..intents import Route

# The word planner (skill.yaml's intent table) and the draft model are imported by the
# commands that use them: `nemo credits` is called often and should start fast.


def cmd_connect(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        session = client.session(new=args.new, language=args.language)
        balance = client.credits()
    data = {"backend": settings().backend, "api_url": client.base_url, "skill": client.skill,
            "session_id": session["session_id"], "credits": balance}
    out.result(f"Connected to the {data['backend']} backend ({client.base_url}) as "
               f"{client.skill}; session {session['session_id']}; "
               f"{balance.get('available', '?')} credits available.", data)
    return 0


def cmd_route(args: argparse.Namespace, out: Output) -> int:
    from ..intents import plan as plan_words
    steps = plan_words(" ".join(args.words), args.file or [])
    first = steps[0]
    human = " -> ".join(f"{s.action}" + (f" ({s.about})" if s.about else "")
                        + (f" [{', '.join(s.files)}]" if s.files else "")
                        + (f": {s.text}" if s.action == "message" else "") for s in steps)
    out.result(human, {**first.to_json(), "plan": [s.to_json() for s in steps]})
    return 0


def _chat(client, text: str, out: Output, args) -> tuple[str, dict]:
    human, data, _ = _chat_reply(client, text, out, args)
    return human, data


def _chat_reply(client, text: str, out: Output, args, calls: list[dict] | None = None):
    """The message (with its planned typed calls, if any): the reply, its data, the result."""
    result = client.chat(text, call=calls or None)
    data = {"reply": result.to_json()}
    from ..intents import has_cjk
    zh = has_cjk(text)   # the user's language, for the lines this command adds
    lines = [result.text]
    if "export" in result.actions:
        if args.follow:
            lines.append(_export_text(client, args, out, data, zh))
        else:
            lines.append(wording.say("hint.export_or_run", zh))
    elif {"summary", "state"} & set(result.actions):
        summary = workflows.summary(client)
        data["summary"] = summary
        lines.append(summary)
    return "\n".join(lines), data, result


def _export_text(client, args, out: Output, data: dict, zh: bool) -> str:
    res = workflows.export(client, args.out, interval=settings().poll_interval,
                           on_status=lambda s: out.progress(f"Rendering: {s.status} {s.progress:.0f}%"),
                           on_bytes=out.bytes_progress("Downloading"))
    data["export"] = res.to_json()
    return wording.say("exported", zh, path=res.path)


def _check_named_files(words: str, files: tuple[str, ...]) -> None:
    """The files the words name must exist, and a subtitle request needs speech in them:
    the same errors as `nemo subtitle`, before anything is uploaded or changed."""
    from ..intents import asks_for_subtitles, has_cjk, missing_files_in
    missing = missing_files_in(words) + [f for f in files if not Path(f).expanduser().is_file()]
    if missing:
        zh = has_cjk(words)
        raise InputError(wording.say("file_missing", zh, path=missing[0]), hint=wording.say("hint.file_missing", zh))
    if files and asks_for_subtitles(words):
        from ..subtitle_job import check_video
        kinds = _speech_extensions()
        for f in files:
            if Path(f).suffix.lower().lstrip(".") in kinds:
                check_video(Path(f).expanduser())


def _speech_extensions() -> set[str]:
    from ..bundle import manifest
    types = manifest().upload_types
    return set(types.get("video", ())) | set(types.get("audio", ()))


def _status_text(client, step: Route, data: dict, zh: bool = False) -> str:
    data["summary"] = workflows.summary(client)
    lines = [data["summary"]]
    if step.about == "export":
        renders = []
        for job in workflows.unfinished_jobs(client):
            st = client.export_status(job["id"])
            renders.append({"id": st.id, "status": st.status, "progress": st.progress})
            done = st.status == "completed"
            lines.append(wording.say("render", zh, id=st.id, status=st.status, progress=st.progress)
                         + (wording.say("render.collect", zh) if done else ""))
        data["renders"] = renders
        if not renders:
            data["code"] = "no_export_running"
            lines.append(wording.say("no_export_running", zh))
    return "\n".join(lines)


def _subtitle_files_text(client, data: dict, out: Output, zh: bool = False) -> str:
    from ..subtitle_job import SubtitleRequest, finish_session
    result = finish_session(client, SubtitleRequest(burn=False, soft=False, poll_interval=settings().poll_interval),
                            progress=out.progress)
    data["subtitle_files"] = result
    files = [str(v) for v in (result.get("files") or {}).values() if isinstance(v, str)]
    if not files:
        data["needs"] = ["subtitles"]
        return wording.say("needs.subtitles", zh)
    return wording.say("subtitle_files", zh, files=wording.join(files, zh))


def _run_step(client, step: Route, words: str, args, out: Output, data: dict) -> str:
    from ..intents import has_cjk
    zh = has_cjk(words)
    if step.action == "export":
        return _export_text(client, args, out, data, zh)
    if step.action == "credits":
        data["credits"] = client.credits()
        return _credits_text(data["credits"], zh)
    if step.action == "status":
        return _status_text(client, step, data, zh)
    if step.action == "subtitle_files":
        return _subtitle_files_text(client, data, out, zh)
    if step.action == "noop":
        data["declined"] = step.keyword
        return wording.say("declined", zh) + (wording.say("declined.cancel", zh) if step.keyword else "")
    if step.action == "upload":
        if not step.files:
            data["needs"] = "file"
            return wording.say("needs.file", zh)
        uploaded = client.upload(list(step.files), on_bytes=out.bytes_progress("Uploading"))
        data["upload"] = uploaded
        names = ", ".join(f.get("filename", "?") for f in uploaded.get("files", []))
        return wording.say("uploaded", zh, names=names)
    text, more = _chat(client, step.text, out, args)
    data.update(more)
    return text


def cmd_chat(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        human, data = _chat(client, " ".join(args.words), out, args)
    missing = data["reply"].get("not_understood")
    if missing:   # nothing ran: not ok (issue 23); the engine's answer is worded here
        from ..language import has_cjk
        zh = has_cjk(" ".join(args.words))
        human = (wording.say("not_understood", zh, missing=wording.quote_list(missing, zh)) + "\n"
                 + wording.say("hint.nemo_tools", zh))
        out.failure({**data, "not_understood": missing, "code": "not_understood", "hint": "nemo tools",
                     "message": human}, human)
        return EXIT_ERROR
    out.result(human, data)
    return 0


def cmd_upload(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        if args.url:
            data = client.upload_urls(args.url)
        else:
            if not args.files:
                out.failure({"error": "InputError", "message": "nothing to upload"},
                            "Error: nothing to upload — give file paths or --url URL")
                return 2
            data = client.upload(args.files, on_bytes=out.bytes_progress("Uploading"))
    files = data.get("files", [])
    human = "\n".join(
        f"Uploaded {f.get('filename')} ({f.get('file_type')}, {f.get('duration') or 0:.1f} s, "
        f"{f.get('width') or '-'}x{f.get('height') or '-'})" for f in files) or "Uploaded."
    out.result(human, data)
    return 0


def cmd_state(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        state = client.state()
    from ..timeline import Draft
    draft = Draft.from_state(state)
    out.result(draft.summary(), {"summary": draft.summary(), "exportable": draft.exportable,
                                 "state": state})
    return 0


def _credits_text(balance: dict, zh: bool = False) -> str:
    return wording.say("credits", zh, available=balance.get("available", "?"), frozen=balance.get("frozen", 0),
                       total=balance.get("total", "?"))


def cmd_credits(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        balance = client.credits()
    out.result(_credits_text(balance), {"credits": balance})
    return 0


def cmd_export(args: argparse.Namespace, out: Output) -> int:
    interval = args.poll_interval if args.poll_interval is not None else settings().poll_interval
    on_status = lambda s: out.progress(f"Rendering: {s.status} {s.progress:.0f}%")  # noqa: E731
    with make_client(args, out) as client:
        if args.cancel:
            client.cancel_export(args.cancel)
            out.result(f"Cancelled {args.cancel}.", {"cancelled": args.cancel})
            return 0
        if args.status:
            st = client.export_status(args.status)
            out.result(f"{st.id}: {st.status} {st.progress:.0f}%",
                       {"render": {"id": st.id, "status": st.status, "progress": st.progress,
                                   "output_url": st.output_url, "error": st.error}})
            return 0
        if args.resume:
            results = workflows.resume_exports(client, interval=interval, out=args.out,
                                               on_status=on_status,
                                               on_bytes=out.bytes_progress("Downloading"))
            out.result("\n".join(f"Exported to {r.path}" for r in results),
                       {"exports": [r.to_json() for r in results]})
            return 0
        if args.no_wait:
            job, _ = workflows.start(client, args.out)
            out.result(f"Render {job['id']} started; collect it with `nemo export --resume`.",
                       {"render": job})
            return 0
        res = workflows.export(client, args.out, interval=interval,
                               deadline=args.deadline, on_status=on_status,
                               on_bytes=out.bytes_progress("Downloading"))
    out.result(f"Exported to {res.path} ({res.seconds:.1f} s)", {"export": res.to_json()})
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("connect", parents=[common], help="get a token and a project session",
                       description="Get a token (free, automatic) and a project session; print the backend and credits.")
    p.add_argument("--new", action="store_true", help="start a new project session")
    p.add_argument("--language", default="en", help="session language (en, zh)")
    p.set_defaults(func=cmd_connect)

    for name, func, helptext in (
        ("route", cmd_route, "show which action the words go to, without doing anything"),
        ("chat", cmd_chat, "send the words to the editing agent as a message"),
    ):
        p = sub.add_parser(name, parents=[common], help=helptext, description=helptext)
        p.add_argument("words", nargs="+", help="the user's words, in English or Chinese")
        p.add_argument("--file", action="append", metavar="PATH", help="a file that comes with the words (repeatable)")
        if name != "route":
            p.add_argument("--out", type=Path, help="where to save an export (default ./nemo_<id>.mp4)")
            p.add_argument("--follow", action="store_true",
                           help="when the agent offers the export, run it")
        p.set_defaults(func=func)

    p = sub.add_parser("upload", parents=[common], help="upload files or URLs to the project",
                       description="Upload videos, images or audio (checked for type and the 500 MB limit first).")
    p.add_argument("files", nargs="*", help="files to upload in one call")
    p.add_argument("--url", action="append", help="an http(s) URL to upload instead (repeatable)")
    p.set_defaults(func=cmd_upload)

    p = sub.add_parser("state", parents=[common], help="the timeline summary and project state",
                       description="Print the timeline summary; --json adds the full state.")
    p.set_defaults(func=cmd_state)

    p = sub.add_parser("credits", parents=[common], help="the credit balance",
                       description="Print available, reserved (frozen) and total credits.")
    p.set_defaults(func=cmd_credits)

    p = sub.add_parser("export", parents=[common], help="render the timeline to an MP4 and download it",
                       description="Render the project to MP4 and download it. The render id is kept on disk, "
                                   "so an interrupted export resumes with --resume.")
    p.add_argument("--out", type=Path, help="where to save the MP4 (default ./nemo_<id>.mp4)")
    p.add_argument("--resume", action="store_true", help="finish exports that were started but not downloaded")
    p.add_argument("--no-wait", action="store_true", help="start the render and return at once")
    p.add_argument("--status", metavar="RENDER_ID", help="show one render's status")
    p.add_argument("--cancel", metavar="RENDER_ID", help="cancel a render")
    p.add_argument("--poll-interval", type=seconds, help="seconds between status polls (NEMO_POLL_INTERVAL)")
    p.add_argument("--deadline", type=seconds, help="give up waiting after this many seconds (default 1800)")
    p.set_defaults(func=cmd_export)
