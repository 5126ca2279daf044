"""The publish step over the client (issue 26), for `nemo publish` and the MCP server alike:
which project, what its files are called, who writes the upload text (the engine's LLM,
else the calling agent through a handoff), and the folder written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import publish_job, publish_meta, subtitle_job
from .errors import InputError

NOTE_KEY = "publish_out_dir"     # the folder named when the text was asked for
NEXT_UPLOAD = "upload the MP4 on Bilibili with cover.jpg, the text in meta.json, chapters.txt and the BCC files"


def project(client, video: Path | None = None) -> tuple:
    """The project to publish (the video's after a batch, else the current one) and what
    `nemo subtitle` noted of it."""
    if video is not None:
        subtitle_job.use_video_project(client, video, required=True)
    draft = client.draft()
    if not draft.exportable:
        raise InputError("this project has nothing to publish yet",
                         hint="run `nemo subtitle VIDEO` (or `nemo generate`) first")
    noted = client.store.session(client.store_key, client.skill) or {}
    return draft, noted


def stem(client, noted: dict) -> str:
    """The files' name: the one `nemo subtitle` used, else the uploaded video's."""
    if noted.get("stem"):
        return str(noted["stem"])
    infos = (client.state().get("state") or {}).get("video_infos") or []
    name = next((i.get("filename") for i in infos if i.get("file_type") == "video"), None)
    return Path(str(name)).stem[:80] or "video" if name else "video"


def llm_meta(client, draft, backend: str) -> dict | None:
    """The engine's LLM writes the upload text, when the local engine has one; else None."""
    if backend != "local":
        return None
    result = client.chat("write the Bilibili title, tags, description and chapters",
                         call={"name": "write_publish_info", "args": {}})
    if result.errors():
        return None
    meta = (client.draft().meta or {}).get("publish")
    return publish_meta.check(meta, draft.duration / 1000) if meta else None


def write(client, draft, meta: dict, out_dir: Path, noted: dict, *, poll_interval: float,
          progress: Callable[[str], None] = lambda _m: None) -> dict:
    """The folder: the MP4 (checked), subtitles, cover, chapters and meta.json."""
    data = publish_job.write_folder(client, draft, meta, out_dir, stem(client, noted), poll_interval=poll_interval,
                                    source=Path(noted["video"]) if noted.get("video") else None,
                                    made_cover=Path(noted["cover"]) if noted.get("cover") else None,
                                    progress=progress)
    return {**data, "next": NEXT_UPLOAD}


def ask(client, out_dir: Path, backend: str, *, video: Path | None = None, poll_interval: float,
        progress: Callable[[str], None] = lambda _m: None) -> tuple[str, dict]:
    """("done", the folder's data) when the engine's LLM wrote the text; else ("needs", the
    handoff: transcript, limits, answer shape) for the calling agent."""
    draft, noted = project(client, video)
    if not publish_meta.transcript(draft)[1]:
        raise InputError("the project has no subtitles to write the upload text from",
                         hint="run `nemo subtitle VIDEO` first")
    client.store.note_session(client.store_key, client.skill, **{NOTE_KEY: str(out_dir)})
    meta = llm_meta(client, draft, backend)
    if meta is not None:
        return "done", write(client, client.draft(), meta, out_dir, noted, poll_interval=poll_interval,
                             progress=progress)
    return "needs", publish_meta.handoff(draft, str(out_dir))


def submit(client, doc: object, *, out_dir: Path | None, video: Path | None = None, poll_interval: float,
           progress: Callable[[str], None] = lambda _m: None) -> dict:
    """The agent's upload text: every limit checked before any file, then the folder named
    when it was asked (or ``out_dir``)."""
    draft, noted = project(client, video)
    meta = publish_meta.check(doc, draft.duration / 1000)
    folder = out_dir or (Path(noted[NOTE_KEY]) if noted.get(NOTE_KEY) else None)
    if folder is None:
        raise InputError("no upload folder was named for this project",
                         hint="run `nemo publish --out-dir DIR` first (or give the folder)")
    return write(client, draft, meta, folder.expanduser().resolve(), noted, poll_interval=poll_interval,
                 progress=progress)
