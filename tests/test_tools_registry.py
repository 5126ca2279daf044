"""One registry of typed tools (issue 12): every tool has a valid JSON Schema, the rules'
calls fit it, and the calling agent can drive a tool directly (`nemo tools`, `nemo do`)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import run_nemo

from nemo_skill.engine import registry

PHRASES = ['add a title "My Trip"', "加个标题“城市之梦”", "add background music at 30%", "music volume 20%",
           "keep only the first 10 seconds", "make it 9:16", "改成1:1", "720p", "remove the music",
           "describe the project", "generate Chinese and English subtitles", "translate the subtitles into English",
           "make the subtitles bigger and yellow at the top", "only Chinese subtitles", "burn in the subtitles",
           "English on top", "slower voice", "语速快一点", "换成男声", "字幕放大一点",
           "apply the subtitle translation (en):\n1. Hello\n2. World",
           "correct the subtitles (zh):\n2. 也劝说亲朋不要给女儿压岁钱",
           "generate a 30-second 9:16 Chinese video, from this script:\n茶之道\n一杯清茶。",
           "write the Bilibili title, tags, description and chapters",
           'show these subjects in the scenes: [{"sentence": 1, "shows": ["panda"]}]']

# The calling agent's path reaches every tool: one valid call each.
AGENT_CALLS = {
    "describe_project": {}, "set_title": {"text": "旅行"}, "add_bgm": {"volume": 0.3}, "set_volume": {"volume": 0.2},
    "trim": {"start": 0, "end": 10}, "set_aspect": {"ratio": "9:16"}, "set_resolution": {"short_side": 720},
    "remove_track": {"kinds": ["bgm"]}, "generate_video": {"script": "茶。", "aspect": "1:1"},
    "set_voice_speed": {"factor": 0.8}, "set_voice": {"gender": "male"}, "transcribe": {"languages": ["zh", "en"], "translator": "agent"},
    "translate_subtitles": {"target": "en"}, "apply_translation": {"lang": "en", "lines": ["Hi"]},
    "style_subtitles": {"position": "top", "color": "#FFE600"}, "subtitle_languages": {"keep": ["zh"]},
    "subtitle_mode": {"mode": "soft"}, "subtitle_order": {"first": "en"},
    "correct_subtitles": {"lang": "zh", "corrections": [{"cue": 2, "text": "压岁钱"}]},
    "write_publish_info": {},
    "set_scene_subjects": {"scenes": [{"sentence": 1, "shows": ["panda", "竹子"]}]},
}


def test_every_tool_is_reached_by_the_rules_and_by_the_agent():
    by_rules = {c.name for phrase in PHRASES for c in registry.plan(phrase)}
    assert by_rules == set(registry.TOOLS), set(registry.TOOLS) - by_rules
    assert set(AGENT_CALLS) == set(registry.TOOLS)
    for name, args in AGENT_CALLS.items():
        registry.check_call(name, args)


def test_every_tool_has_a_valid_schema():
    listed = registry.describe()
    assert {t["name"] for t in listed} == set(registry.TOOLS) and len(listed) >= 17
    for t in listed:
        jsonschema.Draft202012Validator.check_schema(t["parameters"])
        assert t["description"] and t["description_zh"], t["name"]


@pytest.mark.parametrize("phrase", PHRASES)
def test_the_rules_make_calls_that_fit_the_schemas(phrase):
    calls = registry.plan(phrase)
    assert calls, phrase
    for call in calls:
        registry.check_call(call.name, call.args)


@pytest.mark.parametrize("name, args, says", [
    ("nope", {}, "unknown tool"), ("set_aspect", {"ratio": "5:4"}, "ratio"),
    ("set_title", {}, "'text' is required"), ("set_volume", {"volume": "loud"}, "volume"),
    ("subtitle_mode", {"mode": "burn", "extra": 1}, "unknown argument 'extra' \\(it takes: mode\\)"),
    ("style_subtitles", {"color": "#fff; drawtext"}, "color"), ("trim", [], "JSON object"),
])
def test_bad_calls_are_refused_with_the_field(name, args, says):
    with pytest.raises(registry.ToolError, match=says) as refused:
        registry.check_call(name, args)
    assert refused.value.code == ("unknown_tool" if name == "nope" else "bad_arguments")


def test_nemo_tools_json_lists_every_tool(cli_env):
    r = run_nemo(["tools", "--json"], cli_env)
    assert r.returncode == 0
    assert {t["name"] for t in json.loads(r.stdout)["tools"]} == set(registry.TOOLS)


def test_the_agent_runs_a_tool_without_words_being_parsed(cli_env, media):
    assert run_nemo(["upload", str(media["clip"])], cli_env).returncode == 0
    # A title the rules would read as a request to remove something: the agent's call is exact.
    r = run_nemo(["do", "set_title", "--args", '{"text": "Remove the music, 删除"}', "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["reply"]["tool_calls"] == ["set_title"]
    r = run_nemo(["do", "set_aspect", "--args", '{"ratio": "9:16"}', "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    state = json.loads(run_nemo(["state", "--json"], cli_env).stdout)
    assert 'Title: "Remove the music, 删除"' in state["summary"]
    assert state["state"]["state"]["draft"]["m"]["aspect"] == "9:16"


def test_a_bad_call_costs_nothing(cli_env):
    before = json.loads(run_nemo(["credits", "--json"], cli_env).stdout)["credits"]
    r = run_nemo(["do", "set_volume", "--args", '{"volume": 99}', "--json"], cli_env)
    assert r.returncode == 1 and "volume" in json.loads(r.stdout)["message"]
    assert json.loads(run_nemo(["credits", "--json"], cli_env).stdout)["credits"] == before


def test_the_engine_refuses_a_bad_function_call_before_charging(client):
    import requests
    sid = client.session()["session_id"]
    before = client.credits()
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": sid,
            "new_message": {"parts": [{"text": "x"}, {"functionCall": {"name": "set_aspect", "args": {"ratio": "2:1"}}}]}}
    r = requests.post(client.base_url + "/run_sse", json=body, timeout=30,
                      headers={"Authorization": f"Bearer {client.token()}"})
    assert r.status_code == 400 and "ratio" in r.json()["message"]
    assert client.credits() == before


# --- typed job requests: no option travels only in English --------------------------------

from nemo_skill import generate_job, subtitle_job  # noqa: E402
from nemo_skill.generate_request import GenerateRequest  # noqa: E402

SUBTITLE_OPTIONS = [subtitle_job.SubtitleRequest(), subtitle_job.SubtitleRequest(languages=["zh"], translator="agent"),
                    subtitle_job.SubtitleRequest(translator="whisper", limits={"zh": {"max_chars": 14, "cps": 8},
                                                                        "en": {"max_chars": 40}}),
                    subtitle_job.SubtitleRequest(punctuation="keep"),
                    # a glossary and a script whose words would be requests if read as such
                    subtitle_job.SubtitleRequest(languages=["zh"], terms=["压岁钱", "Bilibili", "B 站, 原神"],
                                         script="大家好，今天只保留前10秒？不，翻译成英文字幕，"
                                                "加背景音乐 30%，把音量调大，删除标题。\n第二段：压岁钱。")]
GENERATE_REQUESTS = [GenerateRequest.build(script="茶之道\n一杯清茶。", duration=30, aspect="9:16", title="茶",
                                          no_music=True),
                     GenerateRequest.build(prompt="山水之间的一天", aspect="1:1", voice="espeak:cmn"),
                     GenerateRequest.build(script="一杯清茶。", subtitle_style="karaoke"),
                     GenerateRequest.build(prompt="城市的夜晚", subtitle_style="plain")]


@pytest.mark.parametrize("options", SUBTITLE_OPTIONS, ids=range(len(SUBTITLE_OPTIONS)))
def test_subtitle_options_round_trip(options):
    call = subtitle_job.to_call(options)
    registry.check_call(call["name"], call["args"])
    back = subtitle_job.from_call(call)
    assert (back.languages, back.translator, back.limits, back.punctuation, back.terms, back.script) == \
        (options.languages, options.translator, options.limits, options.punctuation, options.terms, options.script)
    # the cloud's words ask for exactly the same call
    assert [(c.name, c.args) for c in registry.plan(subtitle_job.request_text(options))] == \
        [(call["name"], json.loads(json.dumps(call["args"])))]


@pytest.mark.parametrize("req", GENERATE_REQUESTS, ids=range(len(GENERATE_REQUESTS)))
def test_generate_requests_round_trip(req):
    call = generate_job.to_call(req)
    registry.check_call(call["name"], call["args"])
    back = generate_job.from_call(call)
    assert (back.script, back.prompt, back.aspect, back.duration, back.voice, back.title, back.no_music,
            back.subtitle_style) == \
        (req.script.strip() if req.script else None, req.prompt, req.aspect, req.duration, req.voice,
         req.title, req.no_music, req.subtitle_style)
    planned = registry.plan(generate_job.message(req))
    assert [c.name for c in planned] == ["generate_video"] and planned[0].args == call["args"]


def test_a_chinese_request_gets_a_chinese_answer(cli_env, media):
    assert run_nemo(["upload", str(media["clip"]), str(media["music"])], cli_env).returncode == 0
    r = run_nemo(["say", "加个标题“城市之梦”，背景音乐音量35%", "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    text = json.loads(r.stdout)["reply"]["text"]
    assert "标题已设为“城市之梦”" in text and "音量" in text
    assert not any(word in text for word in ("Title set", "added at", "volume set")), text
