"""Faults of round two (issue 22): a disk that fills up and a folder that turns read-only in
the middle of a render. Every render ends in a final status, its credits released, with a
message that names the folder; never "processing" forever with the credits frozen."""

from __future__ import annotations

import errno
import os
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from conftest import ffmpeg

from nemo_skill.engine import jobs
from nemo_skill.engine.service import Engine, EngineConfig


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs, mounted for the test (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("this machine does not let the test mount a tmpfs")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(folder: Path) -> None:
    """Take every free byte of ``folder``'s disk."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def _engine_with_a_clip(state: Path, clip_dir: Path):
    engine = Engine(EngineConfig(state_dir=state))
    user = engine.accounts.issue_token(str(uuid.uuid4()))["user_id"]
    sid = engine.create_session(user, "en")["session_id"]
    clip = clip_dir / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4", "-c:v", "libx264", "-preset", "ultrafast", str(clip))
    inside = engine.session_dir(sid) / "clip.mp4"
    inside.parent.mkdir(parents=True, exist_ok=True)
    inside.write_bytes(clip.read_bytes())
    draft = {"t": [{"id": "v", "tt": 0, "sg": [{"id": "s", "st": 0, "d": 4000, "ss": 0, "src": str(inside)}]}],
             "d": 4000}
    return engine, user, sid, draft


def _final(engine, render_id: str) -> dict:
    for _ in range(600):
        status = engine.renders.status(render_id)
        if status["status"] not in ("pending", "processing"):
            return status
        time.sleep(0.05)
    return status


def _held_until(monkeypatch, gate: threading.Event) -> None:
    real = jobs.build_for

    def held(*a, **k):
        gate.wait(30)
        return real(*a, **k)
    monkeypatch.setattr(jobs, "build_for", held)


def test_a_disk_that_fills_up_ends_the_render_failed_and_frees_its_credits(small_disk, tmp_path, monkeypatch):
    """Before: the failure handler's own database write failed on the full disk, so the render
    stayed "processing" forever with its credits frozen."""
    state = small_disk / "state"
    engine, user, sid, draft = _engine_with_a_clip(state, tmp_path)
    before = engine.accounts.balance(user)
    gate = threading.Event()
    _held_until(monkeypatch, gate)
    engine.renders.submit("render_full", user, sid, draft)
    for _ in range(100):
        if engine.renders.status("render_full")["status"] == "processing":
            break
        time.sleep(0.02)
    _fill(small_disk)
    gate.set()
    status = _final(engine, "render_full")
    engine.renders.shutdown()
    assert status["status"] == "failed", status
    assert "full" in status["error"] and str(state) in status["error"], status["error"]
    assert "trace" not in status["error"] and "logs" not in status["error"]
    assert engine.accounts.balance(user) == before


def test_a_renders_folder_turned_read_only_ends_the_render_failed(small_disk, tmp_path):
    """Before: the work folder was made outside the handler, so a read-only folder left the
    render "processing" forever with its credits frozen."""
    state = tmp_path / "state"
    engine, user, sid, draft = _engine_with_a_clip(state, tmp_path)
    renders = engine.renders.out_dir
    subprocess.run(["mount", "--bind", str(small_disk), str(renders)], check=True)
    try:
        before = engine.accounts.balance(user)
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
        engine.renders.submit("render_ro", user, sid, draft)
        status = _final(engine, "render_ro")
        engine.renders.shutdown()
    finally:
        subprocess.run(["umount", "-l", str(renders)], check=False)
    assert status["status"] == "failed", status
    assert "read-only" in status["error"] and str(renders) in status["error"], status["error"]
    assert engine.accounts.balance(user) == before
