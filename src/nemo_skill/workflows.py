"""What the commands do, as library functions the CLI calls.

``export`` runs a render from start to downloaded file, resumable;
``summary`` is the timeline in one line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .client import NemoClient, RenderStatus
from .errors import ExportFailed, InputError

if TYPE_CHECKING:
    from .timeline import Draft


@dataclass
class ExportResult:
    render_id: str
    path: str
    status: str
    seconds: float

    def to_json(self) -> dict:
        return {"render_id": self.render_id, "path": self.path, "status": self.status,
                "seconds": round(self.seconds, 2)}


def default_output(render_id: str) -> Path:
    return Path.cwd() / f"nemo_{render_id}.mp4"


def start(client: NemoClient, out: Path | None, draft: Draft | None = None) -> tuple[dict, Path]:
    """Start rendering the session's draft (or ``draft``); the job and where it will be saved."""
    draft = draft or client.draft()
    if not draft.exportable:
        raise ExportFailed("the timeline is empty, so there is nothing to export",
                           hint="upload a video or describe what to make first")
    job = client.start_export(draft.raw)
    target = Path(out) if out else default_output(job["id"])
    client.store.save_render({**job, "out": str(target)})
    return job, target


def export(client: NemoClient, out: Path | None, *, interval: float,
           deadline: float | None = None, on_status=None, on_bytes=None,
           draft: Draft | None = None) -> ExportResult:
    """Export the session's draft (or a variant of it), wait for it and download it."""
    t0 = time.monotonic()
    job, target = start(client, out, draft)
    return finish_export(client, job["id"], target, interval=interval, deadline=deadline,
                         on_status=on_status, on_bytes=on_bytes, t0=t0)


def finish_export(client: NemoClient, render_id: str, target: Path, *, interval: float,
                  deadline: float | None = None, on_status=None, on_bytes=None,
                  t0: float | None = None) -> ExportResult:
    t0 = time.monotonic() if t0 is None else t0
    # An explicit deadline replaces the cloud's poll limit (the user said how long to wait).
    kwargs = {"deadline": deadline, "max_polls": 0} if deadline else {}
    status: RenderStatus = client.wait_export(render_id, interval=interval, on_status=on_status,
                                              **kwargs)
    client.download(status, target, on_bytes=on_bytes)
    return ExportResult(render_id, str(target), status.status, time.monotonic() - t0)


def unfinished_jobs(client: NemoClient) -> list[dict]:
    """Renders this client started on this backend and did not download."""
    return [j for j in client.store.renders(unfinished_only=True)
            if j.get("store_key", j.get("base_url")) == client.store_key]


def resume_exports(client: NemoClient, *, interval: float, out: Path | None = None,
                   on_status=None, on_bytes=None) -> list[ExportResult]:
    """Pick up every render this client started and did not download."""
    jobs = unfinished_jobs(client)
    if not jobs:
        raise InputError("no unfinished export to resume", hint="start one with `nemo export`")
    results = []
    for job in jobs:
        target = Path(out) if out and len(jobs) == 1 else Path(job.get("out") or default_output(job["id"]))
        results.append(finish_export(client, job["id"], target, interval=interval,
                                     on_status=on_status, on_bytes=on_bytes))
    return results


def apply_tool(client: NemoClient, name: str, args: dict) -> dict:
    """One editing tool on the project with checked arguments (`nemo do`, the MCP server's
    editing tools): the local engine runs the call as it is, the cloud gets it in words.
    Raises ToolError before anything is sent, InputError when the tool refused."""
    import json

    from .engine import registry
    call = registry.check_call(name, args)
    tool = registry.TOOLS[call.name]
    words = f"{tool.description}: {json.dumps(call.args, ensure_ascii=False)}"
    result = client.chat(words, call={"name": call.name, "args": call.args})
    failed = result.errors()
    if failed:
        raise InputError(failed[0], hint="check the arguments against `nemo tools --json`")
    return {"tool": call.name, "args": call.args, "reply": result.to_json()}


def review_link(client: NemoClient, backend: str, web_url: str, noted: dict | None = None) -> dict:
    """A link that opens the project in a browser, carrying a one-project claim token, never the
    user's token: the local engine's review page once the project has subtitles (issue 26),
    else the project page (the cloud's on its web site, the local engine's own)."""
    from . import constants as C
    if backend != "cloud" and has_subtitles(client):
        claim = review_page_link(client, client.session()["session_id"], noted or {})
        return {**claim, "url": client.base_url.rstrip("/") + claim["path"]}
    claim = client.claim_token()
    web = web_url if backend == "cloud" else client.base_url
    return {"url": f"{web}{C.CLAIM_PATH}?ct={claim['claim_token']}", "expires_in": claim.get("expires_in")}


def has_subtitles(client: NemoClient) -> bool:
    from .media.subtitles import formats as subfiles
    return bool(subfiles.from_draft(client.draft()))


def review_page_link(client: NemoClient, session_id: str, noted: dict) -> dict:
    """POST /api/review/link: a one-project claim, and the folder and name of the files (the
    folder `nemo subtitle` wrote to, when it still exists)."""
    from .errors import ProtocolError
    body: dict = {"session_id": session_id}
    out_dir = Path(str(noted.get("out_dir") or ""))
    if noted.get("out_dir") and noted.get("stem") and out_dir.is_dir():
        body.update(out_dir=str(out_dir.resolve()), stem=str(noted["stem"]))
    data = client._request("POST", "/api/review/link", json=body)
    if not isinstance(data, dict) or not str(data.get("path") or "").startswith("/review?ct="):
        raise ProtocolError("the engine answered the review link without a page address")
    return {**data, **{k: body[k] for k in ("out_dir", "stem") if k in body}}


def summary(client: NemoClient) -> str:
    from .timeline import Draft  # the draft model: `nemo credits` starts without it
    return Draft.from_state(client.state()).summary()
