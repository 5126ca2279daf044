"""Shared fixtures: a private state dir per test, a real engine per session,
clients pointed at it, and small real media made with ffmpeg."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import platformdirs
import pytest

from nemo_skill import config
from nemo_skill.client import NemoClient
from nemo_skill.engine import daemon
from nemo_skill.skill import identify
from nemo_skill.store import Store

ROOT = Path(__file__).resolve().parent.parent

# Tests never reach the cloud: every setting that could point there is cleared.
_CLEARED = ("NEMO_TOKEN", "NEMO_BACKEND", "NEMO_API_URL", "NEMO_SKILL_PLATFORM", "NEMO_DEBUG", "NEMO_CLIENT_ID",
            "NEMO_POLL_INTERVAL", "NEMO_RETRY_DELAY", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
            "https_proxy")


# The packaged Whisper model is joined once into the real cache, before HOME moves.
_MODEL_CACHE = os.environ.get("NEMO_MODEL_CACHE") or platformdirs.user_cache_dir("nemo-skill")


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch):
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    # A private HOME: the shared ~/.config/nemovideo/client_id of a test stays in the test.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEMO_MODEL_CACHE", _MODEL_CACHE)
    state = tmp_path / "state"
    monkeypatch.setenv("NEMO_STATE_DIR", str(state))
    monkeypatch.setenv("NEMO_RETRY_DELAY", "0.01")
    monkeypatch.setenv("NEMO_POLL_INTERVAL", "0.2")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    config.forget()   # the settings are read once a process: this test's environment, read anew
    yield state
    config.forget()


@pytest.fixture(scope="session")
def engine_state(tmp_path_factory):
    return tmp_path_factory.mktemp("engine-state")


@pytest.fixture(scope="session")
def engine_url(engine_state):
    """A real engine, started the way `nemo` starts it, for the whole run."""
    os.environ["NEMO_ENGINE_ALLOW_PRIVATE_URLS"] = "1"  # URL uploads from the test's own server
    info = daemon.start(engine_state, idle=0)
    os.environ.pop("NEMO_ENGINE_ALLOW_PRIVATE_URLS")
    yield info["url"]
    daemon.stop(engine_state)


def _external_backends() -> list[str]:
    # The same client tests can run against another server of the contract
    # (NEMO_TEST_API_URL), e.g. an engine on another machine; never the cloud by default.
    return ["external"] if os.environ.get("NEMO_TEST_API_URL") else []


@pytest.fixture(params=["local", *_external_backends()])
def api_url(request, engine_url):
    return engine_url if request.param == "local" else os.environ["NEMO_TEST_API_URL"]


def make_client(url: str, state: Path, **kw) -> NemoClient:
    ident = identify()
    kw.setdefault("retry_delay", 0.01)
    kw.setdefault("rate_limit_wait", 0.01)
    kw.setdefault("state_poll_interval", 0.05)
    # One client id per state dir: clients of different dirs are different users, as on two
    # machines (on one machine every NemoVideo skill shares ~/.config/nemovideo/client_id).
    client_id = str(uuid.uuid5(uuid.NAMESPACE_URL, str(state)))
    return NemoClient(url, store=Store(state, client_id=client_id), headers=ident.headers(),
                      skill=ident.name, **kw)


@pytest.fixture
def client(api_url, private_state):
    with make_client(api_url, private_state) as c:
        yield c


@pytest.fixture
def cli_env(engine_url, private_state):
    """Environment for running `nemo` as a user would, against the test engine."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(NEMO_STATE_DIR=str(private_state), NEMO_API_URL=engine_url, NEMO_BACKEND="local",
               NEMO_RETRY_DELAY="0.01", NEMO_POLL_INTERVAL="0.2")
    return env


def run_nemo(args: list[str], env: dict, *, cwd: Path | None = None, timeout: float = 300,
             input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nemo_skill.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=cwd, input=input)


# --- media -----------------------------------------------------------------------------

def frame_mean(path, at: float):
    """The mean RGB colour of the video's frame at ``at`` seconds."""
    import numpy as np
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1", "-vf",
                          "scale=64:64", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(64, 64, 3).mean(axis=(0, 1))


def solid_png(path: Path, colour: str, size: str = "1280x720") -> Path:
    """A still of one colour, made by ffmpeg."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c={colour}:s={size}",
                    "-frames:v", "1", str(path)], check=True)
    return path


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """A short clip with sound, a music file, an image, a silent clip and fakes."""
    d = tmp_path_factory.mktemp("media")
    out = {"clip": d / "clip.mp4", "music": d / "music.mp3", "image": d / "picture.png",
           "silent": d / "silent.mp4", "fake": d / "fake.mp4", "notes": d / "notes.txt"}
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=3", "-f", "lavfi", "-i",
           "sine=f=440:d=3", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
           str(out["clip"]))
    ffmpeg("-f", "lavfi", "-i", "sine=f=220:d=8", str(out["music"]))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=800x600:d=1", "-frames:v", "1", str(out["image"]))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2", "-c:v", "libx264", "-preset",
           "ultrafast", str(out["silent"]))
    out["fake"].write_text("this is not a video\n" * 100)
    out["notes"].write_text("notes")
    return out


def quiet_gaps(db, min_len: float = 0.08) -> list[tuple[float, float]]:
    """From a voice's loudness per 10 ms (dB): its start, the stretches 35 dB under the peak at
    least ``min_len`` long inside the speech, and its end, in seconds."""
    import numpy as np
    loud = db > db.max() - 35
    first, last = int(np.argmax(loud)), len(loud) - int(np.argmax(loud[::-1]))
    gaps, start = [], None
    for i in range(first, last):
        if not loud[i] and start is None:
            start = i
        elif loud[i] and start is not None:
            if (i - start) / 100 >= min_len:
                gaps.append((start / 100, i / 100))
            start = None
    return [(first / 100, first / 100)] + gaps + [(last / 100, last / 100)]
