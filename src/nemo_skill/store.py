"""What the client keeps on disk: client id, tokens, sessions, render jobs.

Everything lives under one state dir (NEMO_STATE_DIR or the platform's user
state dir). Files are replaced atomically under a lock; every file is
created 0600 because the credentials file holds tokens, and the others say
what the user is working on.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path

from .constants import RENDER_ID_PATTERN
from .errors import ProtocolError
from .redact import register_secret

SECRET_MODE = 0o600


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, SECRET_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except (OSError, ValueError):
        # A damaged file is not worth failing a command for; it is rewritten.
        return default


# The official skill makes a UUID, or "client-<unix time>-<$RANDOM>" where uuidgen is missing.
_CLIENT_ID = re.compile(r"client-\d{1,12}-\d{1,6}")


def is_client_id(value: str) -> bool:
    import uuid  # 3 ms (it imports platform): only a command that checks or makes an id pays
    try:
        uuid.UUID(value)
        return True
    except (ValueError, AttributeError, TypeError):
        return bool(isinstance(value, str) and _CLIENT_ID.fullmatch(value))


class Store:
    def __init__(self, state_dir: Path, *, client_id: str | None = None,
                 shared_client_id_path: Path | None = None) -> None:
        self.fixed_client_id = client_id if client_id and is_client_id(client_id) else None
        self.shared_client_id_path = shared_client_id_path or (
            Path.home() / ".config" / "nemovideo" / "client_id")
        self.dir = Path(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._file_lock = None

    @property
    def _lock(self):
        """The store's lock, made on first use: a command that only reads (credits, state)
        does not pay for importing filelock (issue 12, the light command)."""
        if self._file_lock is None:
            from filelock import FileLock
            self._file_lock = FileLock(str(self.dir / ".store.lock"))
        return self._file_lock

    # --- paths ---------------------------------------------------------------
    @property
    def credentials_path(self) -> Path:
        return self.dir / "credentials.json"

    @property
    def renders_dir(self) -> Path:
        return self.dir / "renders"

    def _update(self, path: Path, change) -> dict:
        with self._lock:
            data = _read_json(path, {})
            change(data)
            write_private(path, json.dumps(data, indent=2, ensure_ascii=False))
            return data

    # --- client id (X-Client-Id) ---------------------------------------------
    def client_id(self, *, renew: bool = False) -> str:
        """The X-Client-Id: NEMO_CLIENT_ID if set, else the one every NemoVideo skill shares in
        ~/.config/nemovideo/client_id (nemovideo_skills SKILL.md v1.9): one id per machine, so
        the 1-token-per-client and 10-per-IP limits are not burnt by each skill separately."""
        if self.fixed_client_id and not renew:
            return self.fixed_client_id
        self.fixed_client_id = None   # renewing (the server did not take it): the shared file decides
        path = self.shared_client_id_path
        with self._lock:
            if not renew:
                try:
                    value = path.read_text(encoding="utf-8").strip()
                    if is_client_id(value):
                        return value
                except OSError:
                    pass
            import uuid
            value = str(uuid.uuid4())
            write_private(path, value + "\n")
            return value

    # --- tokens, per backend (its URL; the local engine: one key) ----------------------------------------------
    def token(self, key: str) -> dict | None:
        entry = _read_json(self.credentials_path, {}).get(key)
        if not entry or not entry.get("token"):
            return None
        if entry.get("expires_at") and entry["expires_at"] <= time.time() + 60:
            return None
        register_secret(entry["token"])
        return entry

    def save_token(self, key: str, token: str, *, user_id: str | None,
                   expires_at: float | None) -> None:
        register_secret(token)
        self._update(self.credentials_path, lambda d: d.__setitem__(
            key, {"token": token, "user_id": user_id, "expires_at": expires_at}))

    def forget_token(self, key: str) -> None:
        self._update(self.credentials_path, lambda d: d.pop(key, None))

    # --- sessions, per backend and skill ------------------------------------
    def session(self, key: str, skill: str) -> dict | None:
        return _read_json(self.dir / "sessions.json", {}).get(f"{key}|{skill}")

    def save_session(self, key: str, skill: str, session: dict) -> None:
        self._update(self.dir / "sessions.json",
                     lambda d: d.__setitem__(f"{key}|{skill}", session))

    def note_session(self, key: str, skill: str, **extra) -> None:
        """Keep local facts beside the session (the source video's path, the output folder)."""
        self._update(self.dir / "sessions.json",
                     lambda d: d.setdefault(f"{key}|{skill}", {}).update(extra))

    def remember_video(self, key: str, skill: str, video: str, session: dict) -> None:
        """The project a video was subtitled in, so a batch's handoffs can each be finished."""
        self._update(self.dir / "sessions.json",
                     lambda d: d.setdefault(f"{key}|{skill}|videos", {}).__setitem__(video, session))

    def video_session(self, key: str, skill: str, video: str) -> dict | None:
        return (_read_json(self.dir / "sessions.json", {}).get(f"{key}|{skill}|videos") or {}).get(video)

    def latest_skill(self, key: str) -> str | None:
        """The skill whose session on this backend was made last, if any."""
        entries = [(v.get("created_at") or 0, k.split("|", 1)[1])
                   for k, v in _read_json(self.dir / "sessions.json", {}).items()
                   if k.startswith(f"{key}|") and isinstance(v, dict) and v.get("session_id")]
        return max(entries)[1] if entries else None

    def forget_session(self, key: str, skill: str) -> None:
        self._update(self.dir / "sessions.json", lambda d: d.pop(f"{key}|{skill}", None))

    # --- render jobs -----------------------------------------------------------
    def _render_path(self, render_id: str) -> Path:
        if not isinstance(render_id, str) or not re.fullmatch(RENDER_ID_PATTERN, render_id):
            raise ProtocolError(f"the server gave a render id that is not safe as a file name: "
                                f"{str(render_id)[:40]!r}",
                                hint="this is not a NemoVideo server you can trust; check NEMO_API_URL")
        return self.renders_dir / f"{render_id}.json"

    def save_render(self, job: dict) -> None:
        job = {**job, "updated_at": time.time()}
        write_private(self._render_path(job["id"]), json.dumps(job, indent=2))

    def render(self, render_id: str) -> dict | None:
        return _read_json(self._render_path(render_id), None)

    def renders(self, *, unfinished_only: bool = False) -> list[dict]:
        jobs = [_read_json(p, None) for p in self.renders_dir.glob("*.json")]
        jobs = [j for j in jobs if j]
        if unfinished_only:
            jobs = [j for j in jobs if j.get("status") not in ("completed", "failed", "cancelled")
                    or (j.get("status") == "completed" and not j.get("downloaded"))]
        return sorted(jobs, key=lambda j: j.get("created_at", 0))
