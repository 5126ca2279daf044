"""An engine served on a loopback port in this process, with one project that has a video
and subtitles, for the review page's browser tests (issue 26); and Chromium, if installed."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import uvicorn

from nemo_skill import config
from nemo_skill.engine import tools
from nemo_skill.engine.app import create_app
from nemo_skill.engine.service import Engine, EngineConfig
from nemo_skill.engine.subtitle_tools import save_cues
from nemo_skill.engine.uploads import SavedFile, register
from nemo_skill.media.subtitles.cues import Cue
from nemo_skill.timeline_edit import subtitle_settings

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]

ZH = [Cue(0.5, 2.0, "近几年我用书给女儿压岁"), Cue(2.3, 4.0, "也劝说亲朋不要给压岁钱"),
      Cue(4.4, 6.0, "攀岩徒步滑雪"), Cue(6.3, 7.6, "谢谢大家")]
EN = [Cue(0.5, 2.0, "In recent years I gave my daughter books"), Cue(2.3, 4.0, "and asked friends not to give money"),
      Cue(4.4, 6.0, "climbing, hiking, skiing"), Cue(6.3, 7.6, "Thank you all")]


def browser_or_skip():
    """Playwright driving Debian's chromium; never a downloaded browser (no `playwright install`)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (scripts/setup.sh installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    return sync_playwright


def make_video(path: Path, size: str = "640x360", seconds: float = 8) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={seconds}",
                    "-f", "lavfi", "-i", f"sine=f=330:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)], check=True)
    return path


@dataclass
class Served:
    engine: Engine
    url: str
    token: str
    session_id: str
    out_dir: Path

    def link(self) -> str:
        answer = requests.post(f"{self.url}/api/review/link", headers={"Authorization": f"Bearer {self.token}"},
                               json={"session_id": self.session_id, "out_dir": str(self.out_dir), "stem": "talk"})
        answer.raise_for_status()
        return self.url + answer.json()["data"]["path"]

    def draft(self) -> tuple[int, dict]:
        return self.engine.db.latest_draft(self.session_id)


def serve(state: Path) -> tuple[Engine, str, uvicorn.Server, threading.Thread]:
    engine = Engine(EngineConfig.from_settings(config.current(), state))   # NEMO_LLM_* as the test set it
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine), log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    return engine, f"http://127.0.0.1:{port}", server, thread


def project(engine: Engine, video: Path, out_dir: Path, zh=ZH, en=EN, extra: dict | None = None) -> tuple[str, str]:
    """A user, a session with ``video`` on its timeline and subtitles in zh (and en)."""
    token = engine.accounts.issue_token(str(uuid.uuid4()))
    user = engine.accounts.authenticate(f"Bearer {token['token']}")
    session_id = engine.create_session(user, "zh")["session_id"]
    dest = engine.session_dir(session_id) / "uploads"
    dest.mkdir(parents=True, exist_ok=True)
    stored = dest / video.name
    shutil.copy(video, stored)
    upload = register(engine.db, session_id, SavedFile(video.name, stored))
    engine.apply_uploads(session_id, [upload])
    _, draft = engine.db.latest_draft(session_id)
    draft = tools.edit(draft)
    save_cues(draft, "zh", [Cue(c.start, c.end, c.text) for c in zh], "asr")
    if en:
        save_cues(draft, "en", [Cue(c.start, c.end, c.text) for c in en], "agent")
    subtitle_settings(draft)["order"] = ["zh", "en"]
    for n, meta in (extra or {}).items():
        draft["t"][-2 if en else -1]["sg"][n - 1].setdefault("m", {}).update(meta)
    engine.db.save_draft(session_id, tools.normalize(draft), note="test")
    out_dir.mkdir(parents=True, exist_ok=True)
    return token["token"], session_id
