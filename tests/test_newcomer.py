"""What a newcomer meets first: `say` never acts on another file than the one named,
`scripts/nemo.py` runs in the skill folder's own .venv, and `nemo doctor` names
what is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_nemo

from nemo_skill import doctor
from nemo_skill.media.render import fonts


def _state(env) -> dict:
    return json.loads(run_nemo(["state", "--json"], env).stdout)


# --- `say` and the files it names --------------------------------------------------------

def test_say_with_a_missing_file_errs_and_changes_nothing(cli_env, media, tmp_path):
    first = run_nemo(["upload", str(media["clip"]), "--json"], cli_env)
    assert first.returncode == 0, first.stderr
    before = _state(cli_env)["summary"]
    r = run_nemo(["say", "add Chinese and English subtitles to ./nope.mp4", "--json"], cli_env,
                 cwd=tmp_path)
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and "nope.mp4 does not exist" in doc["message"]
    assert "Traceback" not in r.stderr
    assert _state(cli_env)["summary"] == before


def test_say_in_chinese_with_a_missing_file_answers_in_chinese(cli_env, tmp_path):
    r = run_nemo(["say", "给 ./不存在.mp4 加中英字幕"], cli_env, cwd=tmp_path)
    assert r.returncode == 1
    assert "找不到文件：./不存在.mp4" in r.stderr and "没有被改动" in r.stderr


def test_say_subtitles_for_a_video_without_sound_uploads_nothing(cli_env, media):
    r = run_nemo(["say", f"add subtitles to {media['silent'].name}", "--json"], cli_env,
                 cwd=media["silent"].parent)
    assert r.returncode == 1, r.stdout
    assert "has no audio track" in json.loads(r.stdout)["message"]
    state = _state(cli_env)
    assert state["exportable"] is False and state["summary"].startswith("Timeline (empty)")


def test_say_upload_of_a_silent_video_without_subtitles_still_works(cli_env, media):
    r = run_nemo(["say", f"upload {media['silent'].name}", "--json"], cli_env,
                 cwd=media["silent"].parent)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["action"] == "upload"


# --- scripts/nemo.py and the skill folder's .venv ------------------------------------------

@pytest.fixture(scope="module")
def skill_folder(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("skills")
    r = subprocess.run([sys.executable, "-m", "nemo_skill.cli.main", "skill", "install",
                        "best-bilibili-ai-subtitle", "--target", str(dest), "--json"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return Path(json.loads(r.stdout)["path"])


def _bare_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env.update(NEMO_STATE_DIR=str(tmp_path / "state"), NEMO_API_URL="http://127.0.0.1:9")
    return env


def test_nemo_py_without_a_venv_gives_a_command_that_works_on_debian(skill_folder, tmp_path):
    # -S: a Python without site-packages, like a stock system Python without our packages.
    r = subprocess.run([sys.executable, "-S", str(skill_folder / "scripts" / "nemo.py"), "--version"],
                       capture_output=True, text=True, env=_bare_env(tmp_path), timeout=60)
    assert r.returncode == 1
    assert "a Python package is missing" in r.stderr
    assert f"bash {skill_folder / 'scripts' / 'setup.sh'}" in r.stderr
    assert "pip install" not in r.stderr   # refused by PEP 668 on Debian 12 / Ubuntu 24.04


def test_nemo_py_runs_in_the_skill_folders_venv(skill_folder, tmp_path):
    venv = skill_folder / ".venv"
    venv.symlink_to(Path(sys.prefix), target_is_directory=True)   # this test run's environment
    try:
        r = subprocess.run([sys.executable, "-S", str(skill_folder / "scripts" / "nemo.py"),
                            "doctor", "--quick", "--json"],
                           capture_output=True, text=True, env=_bare_env(tmp_path), timeout=120)
    finally:
        venv.unlink()
    doc = json.loads(r.stdout)
    assert Path(doc["python"]).parent.parent == venv, doc["python"]
    assert {c["name"]: c["ok"] for c in doc["checks"]}["python packages"] is True


# --- nemo doctor ---------------------------------------------------------------------------

def test_doctor_passes_on_this_machine_with_a_real_render(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env["NEMO_STATE_DIR"] = str(tmp_path / "state")
    try:
        r = run_nemo(["doctor", "--json"], env, timeout=180)
        doc = json.loads(r.stdout)
        assert r.returncode == 0, json.dumps(doc, indent=1, ensure_ascii=False)
        checks = {c["name"]: c for c in doc["checks"]}
        assert doc["ready"] is True and doc["ok"] is True
        for name in ("python packages", "ffmpeg", "ffmpeg filters", "CJK font", "offline voice", "neural voice",
                     "ASR model", "state dir", "local engine", "1-second render"):
            assert checks[name]["ok"], checks[name]
        assert "1.0 s of video" in checks["1-second render"]["detail"]
        # The test render ran under a throwaway identity: the user has no project from it.
        assert run_nemo(["state", "--json"], env).returncode == 0
        assert json.loads(run_nemo(["state", "--json"], env).stdout)["exportable"] is False
    finally:
        run_nemo(["engine", "stop"], env)


def test_doctor_names_missing_ffmpeg_and_its_fix(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("ffprobe", "espeak-ng", "fc-match", "fc-list"):
        if shutil.which(tool):
            (bin_dir / tool).symlink_to(shutil.which(tool))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env.update(PATH=str(bin_dir), NEMO_STATE_DIR=str(tmp_path / "state"),
               NEMO_API_URL="http://127.0.0.1:9")
    r = run_nemo(["doctor", "--quick", "--json"], env)
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    checks = {c["name"]: c for c in doc["checks"]}
    assert doc["ready"] is False and "ffmpeg" in doc["message"]
    assert checks["ffmpeg"]["ok"] is False and "apt-get install -y ffmpeg" in checks["ffmpeg"]["fix"]
    assert checks["ffprobe"]["ok"] is True and checks["CJK font"]["ok"] is True
    human = run_nemo(["doctor", "--quick"], env)
    assert "FAIL  ffmpeg" in human.stderr and "fix: sudo apt-get install -y ffmpeg" in human.stderr


def test_doctor_names_a_missing_cjk_font(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "_KNOWN_DIRS", ())
    monkeypatch.setenv("PATH", str(tmp_path))   # no fc-match: fontconfig cannot find it either
    check = doctor.check_font()
    fonts.cjk_font_file.cache_clear()
    assert check.ok is False and "Noto Sans CJK SC not found" in check.detail
    assert "fonts-noto-cjk" in check.fix


def test_doctor_flags_a_state_file_others_can_read(tmp_path):
    from nemo_skill.config import Settings
    state = tmp_path / "state"
    state.mkdir()
    (state / "credentials.json").write_text("{}")
    (state / "credentials.json").chmod(0o644)
    check = doctor.check_state_dir(Settings.from_env({"NEMO_STATE_DIR": str(state)}))
    assert check.ok is False and "credentials.json" in check.detail and "chmod 600" in check.fix

