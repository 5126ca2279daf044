"""`nemo` as an agent runs it: --help, --json, exit codes, bad input, the
user's journey through `nemo say` alone, and no token in any output."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_nemo

from nemo_skill.cli.main import build_parser, main


def _commands(parser: argparse.ArgumentParser, prefix=()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command and sub-command of the real parser, so a new one is covered at once."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(((*prefix, name), sub))
                found.extend(_commands(sub, (*prefix, name)))
    return found


COMMANDS = _commands(build_parser([]))


def test_the_command_list_is_complete():
    names = {" ".join(c) for c, _ in COMMANDS}
    assert {"subtitle", "subs pending", "generate", "script submit", "say", "export", "doctor",
            "engine logs", "skill install"} <= names


@pytest.mark.parametrize("command, parser", COMMANDS, ids=lambda c: " ".join(c) if isinstance(c, tuple) else "")
def test_every_command_has_help_and_every_option_says_what_it_does(command, parser, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    if not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
        assert "--json" in capsys.readouterr().out
    silent = [a.dest for a in parser._actions if not a.help and a.dest != "help"
              and not isinstance(a, argparse._SubParsersAction)]
    assert silent == [], f"nemo {' '.join(command)}: options without help: {silent}"


def test_usage_error_is_exit_2(cli_env):
    proc = run_nemo(["export", "--bogus"], cli_env)
    assert proc.returncode == 2 and "--help" in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("line", [["review", "--json", "--out-dir", "x"], ["--json", "subs", "proofread", "--bogus"],
                                  ["export", "--json", "--poll-interval", "x"]])
def test_a_usage_error_with_json_is_one_json_document(cli_env, line):
    proc = run_nemo(line, cli_env)
    doc = json.loads(proc.stdout)
    assert proc.returncode == 2 and doc["ok"] is False and doc["error"] == "UsageError" and "--help" in doc["hint"]


def test_route_json_does_nothing(cli_env):
    proc = run_nemo(["route", "导出视频", "--json"], cli_env)
    doc = json.loads(proc.stdout)
    assert doc["ok"] and doc["action"] == "export" and doc["via_agent_stream"] is False


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.mp4", "no such file"),
    (lambda d: (d / "notes.txt").write_text("x") and d / "notes.txt", "files are not accepted"),
    (lambda d: _sparse(d / "big.mov", 501 * 1024 * 1024), "over the 500 MB limit"),
    (lambda d: _unreadable(d / "locked.mp4"), "cannot be read"),
    (lambda d: (d / "empty.mp4").write_bytes(b"") or d / "empty.mp4", "is empty"),
])
def test_bad_files_fail_before_sending(cli_env, tmp_path, make, message):
    path = make(tmp_path)
    proc = run_nemo(["upload", str(path), "--json"], cli_env)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False and message in doc["message"] and doc["hint"]
    assert "Error:" in proc.stderr and "Next:" in proc.stderr


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def _unreadable(path: Path) -> Path:
    # root reads any file regardless of mode; /proc/self/mem refuses a read at offset 0 to anyone
    path.symlink_to("/proc/self/mem")
    return path


def test_fake_media_is_refused_by_the_engine(cli_env, media):
    proc = run_nemo(["upload", str(media["fake"]), "--json"], cli_env)
    assert proc.returncode == 1 and json.loads(proc.stdout)["code"] == 4001


def test_dead_engine_says_what_to_do(cli_env):
    env = {**cli_env, "NEMO_API_URL": "http://127.0.0.1:9"}
    proc = run_nemo(["credits", "--json"], env)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert "cannot reach" in doc["message"] and "nemo engine status" in doc["hint"]


def test_the_whole_job_through_say_alone(cli_env, media, tmp_path):
    """Upload, a title and music in Chinese, the summary, the export: a playable 1080p MP4."""
    steps = [["say", f"上传 {media['clip']}"], ["say", f"upload {media['music']}"],
             ["say", "加个标题“城市之梦”，再加背景音乐，音量30%"], ["say", "show tracks"]]
    docs = []
    for step in steps:
        proc = run_nemo([*step, "--json"], cli_env)
        assert proc.returncode == 0, proc.stderr
        docs.append(json.loads(proc.stdout))
    assert docs[0]["action"] == "upload" and docs[2]["action"] == "message"
    assert docs[3]["summary"] == ('Timeline (3 tracks): 1. Video: clip.mp4 (0-3s) '
                                  '2. Title: "城市之梦" (0-3s) 3. BGM: music (0-3s, 30%)')
    out = tmp_path / "bilibili.mp4"
    proc = run_nemo(["say", "导出", "--out", str(out), "--json"], cli_env)
    assert proc.returncode == 0, proc.stderr
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(out)],
        capture_output=True, check=True).stdout)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["profile"], video["width"], video["height"], video["pix_fmt"]) == \
        ("h264", "High", 1920, 1080, "yuv420p")
    assert audio["codec_name"] == "aac" and audio["sample_rate"] == "48000"
    assert abs(float(probe["format"]["duration"]) - 3.0) < 0.2
    # +faststart: the moov atom comes before the media data
    head = out.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_no_token_in_any_output_or_log(cli_env, media, engine_state):
    env = {**cli_env, "NEMO_DEBUG": "1"}
    outputs = []
    for args in (["connect", "--json"], ["credits"], ["upload", str(media["clip"])],
                 ["say", "describe the project", "--json"], ["state", "--json"], ["skill", "headers"],
                 ["upload", "/nope.mp4"]):
        proc = run_nemo(args, env)
        outputs += [proc.stdout, proc.stderr]
    token = json.loads((Path(env["NEMO_STATE_DIR"]) / "credentials.json").read_text())[env["NEMO_API_URL"]]["token"]
    assert len(token) > 20
    for text in outputs + [(engine_state / "engine" / "engine.log").read_text()]:
        assert token not in text
    assert "Authorization" not in "".join(outputs)


def test_out_of_credits_is_exit_3(cli_env, engine_state):
    import sqlite3
    assert run_nemo(["credits"], cli_env).returncode == 0
    creds = json.loads((Path(cli_env["NEMO_STATE_DIR"]) / "credentials.json").read_text())
    user = creds[cli_env["NEMO_API_URL"]]["user_id"]
    with sqlite3.connect(engine_state / "engine" / "engine.db") as db:
        db.execute("UPDATE accounts SET available=0 WHERE user_id=?", (user,))
    proc = run_nemo(["say", "add a title \"x\"", "--json"], cli_env)
    assert proc.returncode == 3
    assert f"?bind={user}" in json.loads(proc.stdout)["hint"]


def test_engine_starts_on_demand_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env.update(NEMO_STATE_DIR=str(tmp_path / "fresh"), NEMO_ENGINE_IDLE="120")
    procs = [subprocess.Popen([sys.executable, "-m", "nemo_skill.cli.main", "credits", "--json"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    try:
        results = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), results
        status = json.loads(run_nemo(["engine", "status", "--json"], env).stdout)
        assert status["running"] and status["engine"]["url"].startswith("http://127.0.0.1:")
        pids = {json.loads((tmp_path / "fresh" / "engine" / "engine.json").read_text())["pid"]}
        assert len(pids) == 1
        ps = subprocess.run(["pgrep", "-f", "--", f"--state-dir {tmp_path / 'fresh'}"], capture_output=True, text=True)
        assert len(ps.stdout.split()) == 1  # the lock: three commands, one engine
    finally:
        stop = json.loads(run_nemo(["engine", "stop", "--json"], env).stdout)
    assert stop["stopped"] is True
    assert json.loads(run_nemo(["engine", "status", "--json"], env).stdout)["running"] is False


def test_idle_engine_stops_by_itself(tmp_path):
    from nemo_skill.engine import daemon
    info = daemon.start(tmp_path, idle=1)
    import time
    deadline = time.monotonic() + 30
    while daemon.status(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert daemon.status(tmp_path) is None and info["pid"]


def test_skill_install_command(cli_env, tmp_path):
    proc = run_nemo(["skill", "install", "best-bilibili-ai-subtitle", "--target", str(tmp_path), "--json"], cli_env)
    assert proc.returncode == 0
    assert (Path(json.loads(proc.stdout)["path"]) / "SKILL.md").is_file()
