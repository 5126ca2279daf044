"""`nemo generate --plan-only` (issue 24): the plan of a video without an engine and without
speaking: every sentence as written, exactly what the voice will say, its estimated seconds,
and the options in force. Agents check a script with it before a render."""

from __future__ import annotations

import json
import os
import re

from conftest import run_nemo

from nemo_skill.media.voice import catalog as voice_catalog, narration_plan, tts

NUMBER_HEAVY = ("数字里的中国\n2023年，全国GDP同比增长5.2%，达到126万亿元。\n"
                "GPT-4发布后，iOS 17也更新了。\n比分3:2，气温-5℃，电话13812345678。")


def _plan(args, tmp_path):
    env = dict(os.environ)                  # the private state dir; no engine anywhere
    r = run_nemo(["generate", "--plan-only", "--json", *args], env, timeout=120)
    assert not any(p.name.startswith("engine") for p in (tmp_path / "state").rglob("*")), "an engine started"
    return r


def test_plan_says_each_sentence_as_the_voice_will(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(NUMBER_HEAVY, encoding="utf-8")
    r = _plan(["--script", str(script), "--aspect", "9:16", "--subtitle-style", "karaoke", "--no-music"], tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] and doc["plan_only"] and doc["title"] == "数字里的中国"
    spoken = [s["spoken"] for s in doc["sentences"]]
    assert spoken == ["二零二三年，全国GDP同比增长百分之五点二，达到一百二十六万亿元。",
                      "GPT四发布后，iOS十七也更新了。",
                      "比分三比二，气温零下五摄氏度，电话幺三八幺二三四五六七八。"]
    assert [s["text"] for s in doc["sentences"]][0].startswith("2023年")     # subtitles keep the written form
    assert all(not re.search(r"\d", s) for s in spoken)
    assert all(2 < s["seconds"] < 12 for s in doc["sentences"])
    expected = {"aspect": "9:16", "subtitle_style": "karaoke", "music": None, "voice": voice_catalog.default_voice(),
                "style": "ink"}
    assert {k: doc["options"][k] for k in expected} == expected
    assert abs(doc["seconds"] - narration_plan.total_seconds([s["seconds"] for s in doc["sentences"]])) < 0.1


def test_a_duration_sets_the_rate_as_the_render_would(tmp_path):
    r = _plan(["--script", "茶是中国的国饮。喝茶讲究心境。", "--duration", "30"], tmp_path)
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["rate"] == narration_plan.MIN_RATE    # far too short for 30 s: slowest
    assert doc["options"]["duration"] == 30
    assert narration_plan.fit_rate(10.0, 10.5, 1.0) == 1.0     # within 10%: the voice's own pace


def test_a_prompt_alone_hands_the_script_over_like_a_render_does(tmp_path):
    r = _plan(["--prompt", "介绍2024年的新能源汽车", "--duration", "20"], tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["needs"] == "script" and doc["script_request"]["sentences"] >= 2
    assert "--plan-only --script" in doc["hint"]


def test_bad_input_is_refused_with_the_next_step(tmp_path):
    r = _plan(["--script", "茶。", "--voice", "robot:beep"], tmp_path)
    assert r.returncode == 1 and "unknown voice" in json.loads(r.stdout)["message"]
    r = _plan(["--script", ""], tmp_path)
    assert r.returncode == 1 and "empty" in json.loads(r.stdout)["message"]


def test_every_voice_is_given_the_spoken_text():
    assert tts.spoken_text("2023年，GPT-4的份额是12.5%。") == "二零二三年，GPT四的份额是百分之十二点五。"
