"""What goes up and comes back: uploads (never added twice) and renders (started once,
polled within the official limits, downloaded resumably)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import constants as C
from ..errors import APIConnectionError, Conflict, NemoError, NotFound, ServerError
from ..redact import redact
from . import envelope
from .upload import MultipartStream, check_file, check_url


@dataclass
class RenderStatus:
    id: str
    status: str
    progress: float = 0.0
    output_url: str | None = None
    error: str | None = None
    raw: dict = field(default_factory=dict)

    @classmethod
    def parse(cls, render_id: str, body: dict) -> RenderStatus:
        """Status in data.status or top level; the URL in outputUrl, output.url (nemo-api.md)."""
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        output = data.get("output") if isinstance(data.get("output"), dict) else \
            body.get("output") if isinstance(body.get("output"), dict) else {}
        url = data.get("outputUrl") or output.get("url") or body.get("outputUrl")
        status = str(data.get("status") or body.get("status") or "pending").lower()
        try:
            progress = float(data.get("progress") or body.get("progress") or 0)
        except (TypeError, ValueError):
            progress = 0.0
        error = data.get("error") or data.get("errorMessage") or body.get("error")
        return cls(str(data.get("id") or render_id), status, progress, url,
                   redact(str(error)) if error else None, data)

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed", "cancelled")



class AssetsMixin:
    """Uploads and exports of NemoClient (needs the Transport)."""

    def upload(self, paths: list[str | Path], session_id: str | None = None,
               on_bytes: Callable[[int, int], None] | None = None) -> dict:
        """Upload one or more files in one call; checked before anything is sent."""
        files = [check_file(p) for p in paths]
        for f in files:   # accepted here, but not on the official list (api-reference.md)
            if f.path.suffix.lower().lstrip(".") in self.unofficial_types:
                self.progress(f"Note: the NemoVideo cloud's list of video types has no "
                              f"{f.path.suffix}; if it refuses {f.path.name}, convert it first: "
                              f"ffmpeg -i '{f.path.name}' -c copy '{f.path.stem}.mp4'")
        timeout = self.policy.timeout(C.UPLOAD_READ_TIMEOUT)

        def send(sid: str) -> dict:
            return self._request("POST", f"/api/upload-video/{C.APP_NAME}/me/{sid}",
                                 body_factory=lambda: MultipartStream(files, on_progress=on_bytes),
                                 timeout=timeout, idempotent=False)

        def call(sid: str) -> dict:
            try:
                return send(sid)
            except (ServerError, APIConnectionError) as exc:
                if isinstance(exc, APIConnectionError) and not exc.sent:
                    raise
                # It may have arrived: an upload sent twice is a file added twice (issue 11).
                landed = self._uploads_in_state(sid, [f.path.name for f in files])
                if landed is not None:
                    return {"files": landed, "session_state_applied": True, "recovered": True}
                self.progress(f"{exc.message}; the files are not in the project, sending them again...")
                return send(sid)
        return self._with_session(call, session_id)

    def _uploads_in_state(self, sid: str, names: list[str]) -> list[dict] | None:
        """The state's entries for ``names`` if every one of them is there, else None."""
        infos = (self._state(sid).get("state") or {}).get("video_infos") or []
        found = [next((i for i in reversed(infos) if i.get("filename") == n), None) for n in names]
        return found if all(found) else None

    def upload_urls(self, urls: list[str], session_id: str | None = None) -> dict:
        body = {"urls": [check_url(u) for u in urls], "source_type": "url"}
        return self._with_session(lambda sid: self._request(
            "POST", f"/api/upload-video/{C.APP_NAME}/me/{sid}", json=body,
            timeout=self.policy.timeout(C.UPLOAD_READ_TIMEOUT)), session_id)

    def start_export(self, draft: dict, session_id: str | None = None,
                     quality: str = "high") -> dict:
        """POST the render; its id is saved to disk before the first poll."""
        def call(sid: str) -> dict:
            render_id = f"render_{int(time.time() * 1000)}"
            body = {"id": render_id, "sessionId": sid, "draft": draft,
                    "output": {"format": "mp4", "quality": quality}}
            data = None
            for attempt in range(3):
                try:
                    data = self._request("POST", "/api/render/proxy/lambda", json=body,
                                         idempotent=False)
                    break
                except Conflict:
                    if attempt:   # our own earlier try arrived after all: that render is ours
                        data = self._request("GET", f"/api/render/proxy/lambda/{render_id}")
                        break
                    # someone else's id (the official skill: a new id, retry once)
                    render_id = body["id"] = f"render_{int(time.time() * 1000)}1"
                except (ServerError, APIConnectionError) as exc:
                    if (isinstance(exc, APIConnectionError) and not exc.sent) or attempt == 2:
                        raise
                    # It may have arrived: look before sending the same id again.
                    data = self._render_if_known(render_id)
                    if data is not None:
                        break
            status = RenderStatus.parse(render_id, data if isinstance(data, dict) else {})
            job = {"id": status.id, "session_id": sid, "base_url": self.base_url,
                   "store_key": self.store_key, "skill": self.skill, "status": status.status,
                   "created_at": time.time()}
            self.store.save_render(job)
            return job
        return self._with_session(call, session_id)

    def _render_if_known(self, render_id: str) -> dict | None:
        try:
            return self._request("GET", f"/api/render/proxy/lambda/{render_id}")
        except NotFound:
            return None

    def export_status(self, render_id: str) -> RenderStatus:
        data = self._request("GET", f"/api/render/proxy/lambda/{render_id}")
        return RenderStatus.parse(render_id, data if isinstance(data, dict) else {})

    def cancel_export(self, render_id: str) -> dict:
        data = self._request("POST", f"/api/render/proxy/lambda/{render_id}/cancel")
        job = self.store.render(render_id)
        if job:
            self.store.save_render({**job, "status": "cancelled"})
        return data

    def cancel_work(self, session_id: str) -> dict:
        """Stop the project's running turn and renders (the local engine only: the cloud has no such call)."""
        return self._request("POST", f"/api/sessions/{session_id}/cancel")

    def wait_export(self, render_id: str, *, interval: float, deadline: float = C.EXPORT_DEADLINE,
                    on_status: Callable[[RenderStatus], None] | None = None,
                    max_polls: int | None = None) -> RenderStatus:
        from ..errors import ExportFailed, ExportTimeout
        end = time.monotonic() + deadline
        max_polls = self.max_polls if max_polls is None else max_polls
        polls = 0
        while True:
            polls += 1
            status = self.export_status(render_id)
            job = self.store.render(render_id) or {"id": render_id, "base_url": self.base_url,
                                                   "store_key": self.store_key}
            self.store.save_render({**job, "status": status.status, "progress": status.progress,
                                    "output_url": status.output_url})
            if on_status:
                on_status(status)
            if status.status == "completed":
                return status
            if status.status in ("failed", "cancelled"):
                raise ExportFailed(f"the render {status.status}: {status.error or 'no reason given'}")
            if time.monotonic() + interval > end or (max_polls and polls >= max_polls):
                raise ExportTimeout(f"the render {render_id} is not finished after {polls} checks; "
                                    "it goes on without this command",
                                    hint="collect it later with `nemo export --resume`")
            time.sleep(interval)

    def download(self, status: RenderStatus, dest: Path,
                 on_bytes: Callable[[int, int], None] | None = None) -> Path:
        """Fetch the rendered file to ``dest``; the download endpoint is the fallback."""
        from ..media.files import atomic_target
        candidates = []
        if status.output_url:
            candidates.append(status.output_url)
        candidates.append(f"/api/render/proxy/{status.id}/download")
        last_error: Exception | None = None
        for url in candidates:
            absolute = self._url(url if url.startswith(("http://", "https://", "/")) else "/" + url)
            # The token goes only to the API's own origin, never to a CDN.
            same_origin = absolute.startswith(self.base_url + "/")
            try:
                response = self._send("GET", absolute, auth=same_origin, headers={},
                                      timeout=self.policy.timeout(C.UPLOAD_READ_TIMEOUT), stream=True)
                if response.status_code >= 400:
                    envelope.unwrap(response)
                total = int(response.headers.get("Content-Length") or 0)
                with atomic_target(dest) as tmp, open(tmp, "wb") as out:
                    got = 0
                    for block in response.iter_content(1024 * 1024):
                        out.write(block)
                        got += len(block)
                        if on_bytes:
                            on_bytes(got, total)
                response.close()
                job = self.store.render(status.id)
                if job:
                    self.store.save_render({**job, "downloaded": str(dest)})
                return dest
            except NemoError as exc:
                last_error = exc
                continue
        assert last_error is not None
        raise last_error
