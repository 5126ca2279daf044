"""The project's own tools: export, the review link, state, credits, and the machine check.
They run what `nemo export`, `nemo open`, `nemo state`, `nemo credits` and `nemo doctor` run."""

from __future__ import annotations

from pathlib import Path

from .. import config, workflows
from .table import job, obj, path_arg, poll_interval


@job("export_video", "Render the current project (after edits with the editing tools) to an MP4 and save it "
     "at `out`. Use it after changing a project; subtitle_video and generate_video already render their own. "
     "Progress is reported; cancelling stops the render. Costs 1 credit plus 1 a started 10 s of video.",
     obj({"out": path_arg("where to save the MP4 (default ./nemo_<render id>.mp4 in the server's folder)"),
          "deadline": {"type": "number", "minimum": 10, "maximum": 86400,
                       "description": "give up waiting after this many seconds (default 1800)"}}),
     returns={"export": {"type": "object", "description": "render_id, path, status, seconds"}}, long=True,
     title="Export the project")
def export_video(run, args: dict) -> dict:
    with run.client("export") as client:
        res = workflows.export(client, Path(args["out"]).expanduser() if args.get("out") else None,
                               interval=poll_interval(), deadline=args.get("deadline"),
                               on_status=lambda s: run.progress(f"Rendering: {s.status} {s.progress:.0f}%"))
    return {"ok": True, "export": res.to_json()}


@job("review_link", "A link that opens the current project in a browser, for the person to watch and review it: "
     "on the local engine, once the project has subtitles, the review page (the video beside one row per cue, "
     "editable; saving rewrites the subtitle files). The link carries a one-project claim token, never the "
     "account's token. Free, instant.", obj({}),
     returns={"url": {"type": "string"}, "expires_in": {"type": ["integer", "number", "null"]}},
     title="Review link")
def review_link(run, args: dict) -> dict:
    cfg = config.current()
    with run.client("open") as client:
        noted = client.store.session(client.store_key, client.skill) or {}
        link = workflows.review_link(client, cfg.backend, cfg.web_url, noted)
        return {"ok": True, "url": link["url"], "expires_in": link.get("expires_in")}


@job("get_state", "The current project: a one-line summary of its timeline (tracks, subtitles, length), whether "
     "it can be exported, and the full state. Use it to see what a project holds before editing. Free.", obj({}),
     returns={"summary": {"type": "string"}, "exportable": {"type": "boolean"}, "state": {"type": "object"}},
     title="Project state")
def get_state(run, args: dict) -> dict:
    from ..timeline import Draft
    with run.client("state") as client:
        state = client.state()
    draft = Draft.from_state(state)
    return {"ok": True, "summary": draft.summary(), "exportable": draft.exportable, "state": state}


@job("get_credits", "The credit balance: available, reserved (held by running work) and total. Free.", obj({}),
     returns={"credits": {"type": "object"}}, title="Credits", exclusive=False)
def get_credits(run, args: dict) -> dict:
    with run.client("credits") as client:
        return {"ok": True, "credits": client.credits()}


@job("doctor", "Check that this machine can run the jobs: Python packages, ffmpeg and its filters, the CJK font, "
     "the voices, the speech model, the state folder, the engine and (unless quick) a one-second render. Each "
     "failed check names its fix. Use it when a job fails for a reason outside the request. Free; a few seconds.",
     obj({"quick": {"type": "boolean", "description": "skip the test render (default true)"}}),
     returns={"ready": {"type": "boolean"}, "checks": {"type": "array"}}, long=True, title="Check this machine",
     exclusive=False)
def doctor(run, args: dict) -> dict:
    from .. import doctor as machine
    checks = machine.run_checks(config.current(), run.progress, render=not args.get("quick", True))
    data = machine.as_json(checks)
    failed = [c.name for c in checks if not c.ok]
    if failed:
        data["next"] = f"fix {', '.join(failed)} (each check's `fix` says how), then call doctor again"
    return {"ok": not failed, **data}
