"""`nemo publish` (issue 26): the upload folder, through the agent handoff or the engine's LLM,
and every limit of the upload text checked before anything is written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_nemo
from llm_replay import ReplayLLM
from PIL import Image
from review_env import EN, ZH, make_video, serve

from nemo_skill import config, publish_meta
from nemo_skill.engine import tools
from nemo_skill.engine.subtitle_tools import save_cues
from nemo_skill.media.render import videocheck
from nemo_skill.media.subtitles.cues import Cue
from nemo_skill.timeline_edit import subtitle_settings

GOOD = {"title": "压岁钱给书还是给钱？我的做法", "tags": ["压岁钱", "育儿", "读书"],
        "description": "近几年我用书给女儿压岁。\n也劝亲朋不要给压岁钱。",
        "chapters": [{"start": 0, "title": "开头"}, {"start": 5.5, "title": "攀岩徒步滑雪"}]}


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("publish-media") / "talk.mp4", seconds=10)


@pytest.fixture
def cli(tmp_path, clip, private_state, monkeypatch, request):
    """`nemo` against an engine of this test, with a subtitled project made by `nemo upload`."""
    llm = request.getfixturevalue("replay") if "replay" in request.fixturenames else None
    if llm is not None:
        monkeypatch.setenv("NEMO_LLM_BASE_URL", llm.settings.base_url)
        monkeypatch.setenv("NEMO_LLM_MODEL", llm.settings.model)
        config.forget()
    engine, url, server, thread = serve(tmp_path / "engine")
    env = {**os.environ, "NEMO_STATE_DIR": str(private_state), "NEMO_API_URL": url, "NEMO_BACKEND": "local"}
    done = run_nemo(["upload", str(clip), "--json"], env)
    assert done.returncode == 0, done.stderr
    session_id = engine.db.one("SELECT id FROM sessions ORDER BY created_at DESC LIMIT 1")["id"]
    _, draft = engine.db.latest_draft(session_id)
    draft = tools.edit(draft)
    save_cues(draft, "zh", [Cue(c.start, c.end, c.text) for c in ZH], "asr")
    save_cues(draft, "en", [Cue(c.start, c.end, c.text) for c in EN], "agent")
    subtitle_settings(draft)["order"] = ["zh", "en"]
    engine.db.save_draft(session_id, tools.normalize(draft), note="test")
    yield env
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def replay():
    llm = ReplayLLM()
    yield llm
    llm.server.shutdown()


def nemo(args, env):
    done = run_nemo([*args, "--json"], env)
    return done.returncode, json.loads(done.stdout), done.stderr


def test_the_handoff_then_the_folder(cli, tmp_path):
    folder = tmp_path / "upload"
    code, doc, _ = nemo(["publish", "--out-dir", str(folder)], cli)
    assert code == 3 and doc["needs"] == "publish_metadata" and not folder.exists()
    assert [c["text"] for c in doc["cues"]] == [c.text for c in ZH]
    assert doc["limits"]["title"].startswith("1-80") and "submit" in doc["next"]
    # a title one character over the limit: refused by name, nothing written
    long = tmp_path / "long.json"
    long.write_text(json.dumps({**GOOD, "title": "长" * 81}, ensure_ascii=False), encoding="utf-8")
    code, err, _ = nemo(["publish", "submit", str(long)], cli)
    assert code == 1 and not err["ok"] and "title" in err["message"] and "81" in err["message"] and "80" in err["message"]
    assert not folder.exists()
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    code, data, stderr = nemo(["publish", "submit", str(answer)], cli)
    assert code == 0, stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["talk.mp4", "talk.zh.srt", "talk.zh.bcc", "talk.en.srt", "talk.en.bcc", "talk.zh-en.srt",
                            "cover.jpg", "chapters.txt", "meta.json"])
    findings, summary = videocheck.check_video(folder / "talk.mp4")
    assert not findings and summary["video"]["codec_name"] == "h264"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["title"] == GOOD["title"] and meta["tags"] == GOOD["tags"]
    assert meta["subtitle_languages"] == ["zh", "en"] and meta["description"] == GOOD["description"]
    assert (folder / "chapters.txt").read_text(encoding="utf-8") == "0:00 开头\n0:05 攀岩徒步滑雪\n"
    with Image.open(folder / "cover.jpg") as img:
        assert img.size == (1920, 1200)
    assert (folder / "cover.jpg").stat().st_size < 5 * 1024 * 1024
    left, _, right, _ = data["cover"]["title_box"]
    assert left >= 160 and right <= 1760                         # inside the centre 4:3 (1600 of 1920)
    bcc = json.loads((folder / "talk.zh.bcc").read_text(encoding="utf-8"))
    assert [b["content"] for b in bcc["body"]] == [c.text for c in ZH]


def test_the_engines_llm_writes_the_text(replay, cli, tmp_path):
    # a first answer over a limit is not used (the agent would get it); a good one is
    replay.answers = [{"content": "```json\n" + json.dumps(GOOD, ensure_ascii=False) + "\n```"}]
    folder = tmp_path / "by-llm"
    code, data, stderr = nemo(["publish", "--out-dir", str(folder)], cli)
    assert code == 0, stderr
    assert data["meta"]["title"] == GOOD["title"] and (folder / "meta.json").is_file()
    prompt = replay.requests[0]["messages"]
    assert "1-80 characters" in prompt[0]["content"] and ZH[2].text in prompt[1]["content"]


def test_an_llm_answer_over_a_limit_goes_to_the_agent(replay, cli, tmp_path):
    replay.answers = [{"content": json.dumps({**GOOD, "tags": [str(i) for i in range(12)]})}]
    folder = tmp_path / "refused"
    code, doc, _ = nemo(["publish", "--out-dir", str(folder)], cli)
    assert code == 3 and doc["needs"] == "publish_metadata" and not folder.exists()


@pytest.mark.parametrize("change, words", [
    ({"title": "长" * 81}, ["title", "81", "80"]),
    ({"title": "a\nb"}, ["title", "U+000A"]),
    ({"title": "a\u202eb"}, ["title", "U+202E"]),
    ({"tags": [f"t{i}" for i in range(11)]}, ["tags", "11", "10"]),
    ({"tags": ["x" * 21]}, ["tags[0]", "21", "20"]),
    ({"tags": ["a", "a"]}, ["tags", "twice"]),
    ({"description": "字" * 2001}, ["description", "2001", "2000"]),
    ({"chapters": [{"start": 1, "title": "a"}]}, ["chapters[0]", "start at 0"]),
    ({"chapters": [{"start": 0, "title": "a"}, {"start": 3, "title": "b"}]}, ["chapters[1]", "5 s"]),
    ({"chapters": [{"start": 0, "title": "一二三四五六七八九十一二三四五六七"}]}, ["chapters[0].title", "17", "16"]),
    ({"chapters": [{"start": 5 * i, "title": "a"} for i in range(11)]}, ["chapters", "11", "10"]),
    ({"chapters": [{"start": 0, "title": "a"}, {"start": 99, "title": "b"}]}, ["chapters[1]", "outside"]),
    ({"chapters": [{"start": 0, "title": "a"}, {"start": float("nan"), "title": "b"}]}, ["chapters[1]", "number"]),
    ({"subtitle": "x"}, ["unknown field"]),
])
def test_every_limit_is_named(change, words):
    with pytest.raises(Exception) as caught:
        publish_meta.check({**GOOD, **change}, duration=60.0)
    message = caught.value.message
    assert all(w in message for w in words), message
    assert "nothing was written" in message


def test_chapter_stamps():
    assert publish_meta.chapters_text([{"start": 0, "title": "a"}, {"start": 65.4, "title": "b"},
                                       {"start": 3725, "title": "c"}]) == "0:00 a\n1:05 b\n1:02:05 c\n"
    assert publish_meta.check(GOOD, 60.0)["chapters"][1] == {"start": 5.5, "title": "攀岩徒步滑雪"}


def test_nemo_review_link_and_subs_files_write_what_the_page_saved(cli, tmp_path):
    import requests
    code, data, stderr = nemo(["review"], cli)
    assert code == 0, stderr
    assert data["url"].startswith(cli["NEMO_API_URL"] + "/review?ct=clm_") and data["cues"] == {"zh": 4, "en": 4}
    page = requests.Session()
    assert page.get(data["url"]).status_code == 200                       # the claim, traded for the cookie
    project = page.get(cli["NEMO_API_URL"] + "/review/api/project").json()
    cues = [{"start": r["start"], "end": r["end"], "origin": r["n"], "texts": {"zh": r["texts"]["zh"]}}
            for r in project["rows"]]
    cues[2]["texts"]["zh"] = "攀岩徒步和滑雪"
    saved = page.post(cli["NEMO_API_URL"] + "/review/api/save", json={"revision": project["revision"], "cues": cues})
    assert saved.ok and saved.json()["saved"] == 4
    out = tmp_path / "files"
    code, files, stderr = nemo(["subs", "files", "--no-burn", "--out-dir", str(out)], cli)
    assert code == 0, stderr
    srt = next(out.glob("*.zh.srt")).read_text(encoding="utf-8")
    assert "攀岩徒步和滑雪" in srt and "攀岩徒步滑雪" not in srt
    # the link's claim is for this project only, and a bare page is refused
    assert requests.get(cli["NEMO_API_URL"] + "/review").status_code == 401


def test_nemo_open_on_the_local_engine_opens_the_review_page(cli):
    code, data, stderr = nemo(["open"], cli)
    assert code == 0, stderr
    assert "/review?ct=clm_" in data["url"]


def test_the_cover_keeps_a_long_title_inside_the_centre(clip, tmp_path):
    from nemo_skill import publish_job
    from nemo_skill.timeline import Draft
    title = "一个很长的标题：" + "压岁钱给书还是给钱" * 8
    made = publish_job.make_cover(clip, Draft({"d": 10000}), title[:80], tmp_path / "cover.jpg")
    left, top, right, bottom = made["title_box"]
    assert made["width"] == 1920 and made["height"] == 1200 and made["bytes"] < 5 * 1024 * 1024
    assert 160 <= left and right <= 1760 and 0 <= top < bottom <= 1200


def test_a_generated_videos_cover_is_reused(tmp_path):
    from nemo_skill import publish_job
    Image.new("RGB", (1920, 1200), (30, 60, 90)).save(tmp_path / "tea.cover-16x10.png")
    made = publish_job.reuse_cover(tmp_path / "tea.cover-16x10.png", tmp_path / "cover.jpg")
    with Image.open(tmp_path / "cover.jpg") as img:
        assert img.size == (1920, 1200) and img.format == "JPEG"
    assert made["bytes"] < 5 * 1024 * 1024
