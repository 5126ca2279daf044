"""`nemo say` on the words of issue 23's second round, against the local engine: a title
size no tool sets is named and nothing runs; the video and its subtitle files asked in one
breath are both attempted, and a missing part is reported, not passed over."""

from __future__ import annotations

import json

from conftest import run_nemo

from nemo_skill.cli import wording


def test_a_title_size_is_not_understood_and_nothing_runs(cli_env, media):
    assert run_nemo(["upload", str(media["clip"])], cli_env).returncode == 0
    assert run_nemo(["say", 'add a title "Trip"'], cli_env).returncode == 0
    before = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["summary"]
    r = run_nemo(["say", "make the title bigger", "--json"], cli_env)
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["not_understood"] == ["make the title bigger"]
    assert doc["code"] == "not_understood" and doc["done"] == []
    assert json.loads(run_nemo(["state", "--json"], cli_env).stdout)["summary"] == before
    zh = run_nemo(["say", "标题大一点"], cli_env)
    assert zh.returncode == 1 and "没有听懂：“标题大一点”" in zh.stdout + zh.stderr


def test_the_video_and_its_subtitles_in_one_breath(cli_env, media, tmp_path):
    assert run_nemo(["upload", str(media["clip"])], cli_env).returncode == 0
    out = tmp_path / "v.mp4"
    r = run_nemo(["say", "把视频导出 还有字幕", "--out", str(out), "--json"], cli_env)
    doc = json.loads(r.stdout)
    assert [s["action"] for s in doc["plan"]] == ["export", "subtitle_files"]
    assert out.stat().st_size > 1000 and doc["export"]["path"] == str(out)
    # the project has no subtitles: that part is not done, and the answer says so
    assert r.returncode == 1 and doc["done"][-1]["needs"] == ["subtitles"]
    assert wording.say("needs.subtitles", True) in doc["message"]


def test_every_code_has_both_languages():
    for code, (en, zh) in wording.SENTENCES.items():
        assert en and zh and en != zh, code
