"""Typed tools (issue 23, item 2): one arguments model a tool, from which `nemo tools --json`,
the LLM planner's functions and the MCP server's tools are all generated; hostile arguments
refused with a ToolError code (never a 500) over HTTP against the real local engine; a tool
that cannot do what it was asked answers with a code and the user's language."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Literal

import pytest
from test_hostile import Api

from nemo_skill import choices
from nemo_skill.engine import daemon, llm_planner, registry, tool_args
from nemo_skill.engine.tool_params import schema_of
from nemo_skill.mcp_server import catalog

SRC = Path(__file__).resolve().parents[1] / "src" / "nemo_skill"


class _Captured:
    """An Output that keeps what `nemo tools --json` would print."""

    def result(self, human: str, data: dict) -> None:
        self.data = json.loads(json.dumps(data))


def _nemo_tools_json() -> dict[str, dict]:
    from nemo_skill.cli.tools import cmd_tools
    out = _Captured()
    assert cmd_tools(None, out) == 0
    return {t["name"]: t["parameters"] for t in out.data["tools"]}


def _shown_everywhere() -> tuple[dict, dict, dict]:
    """(nemo tools --json, the LLM's functions, the MCP server's tools): name -> parameters."""
    llm = {f["function"]["name"]: f["function"]["parameters"] for f in llm_planner.tool_specs()}
    mcp = {name: t.parameters for name, t in catalog.tools().items() if name not in catalog.JOBS}
    return _nemo_tools_json(), llm, mcp


def test_every_tool_has_one_model_and_every_schema_is_generated_from_it():
    cli, llm, mcp = _shown_everywhere()
    assert set(cli) == set(llm) == set(registry.TOOLS) and set(mcp) <= set(registry.TOOLS)
    for name, t in registry.TOOLS.items():
        assert issubclass(t.args, tool_args.Args), name
        assert t.args.model_config["extra"] == "forbid" and t.args.model_config["allow_inf_nan"] is False
        generated = schema_of(t.args)
        assert cli[name] == llm[name] == generated, name
        if name in mcp:
            assert mcp[name] == generated, name
        assert "$ref" not in json.dumps(generated) and "$defs" not in generated


def test_changing_a_model_changes_every_schema_shown(monkeypatch):
    class Changed(tool_args.SetTitle):
        font: Literal["serif", "sans"] | None = None

    changed = dataclasses.replace(registry.TOOLS["set_title"], args=Changed)
    monkeypatch.setitem(registry.TOOLS, "set_title", changed)
    for shown in _shown_everywhere():
        assert shown["set_title"]["properties"]["font"] == {"enum": ["serif", "sans"], "type": "string"}
    registry.check_call("set_title", {"text": "x", "font": "serif"})
    with pytest.raises(registry.ToolError, match="font"):
        registry.check_call("set_title", {"text": "x", "font": "comic"})


def test_no_schema_is_written_by_hand():
    from nemo_skill.engine import tool_params
    text = Path(tool_params.__file__).read_text(encoding="utf-8")
    assert not hasattr(tool_params, "PARAMS") and not re.search(r'"(enum|minimum|maximum|properties)":', text)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 1e999])
def test_every_tool_model_refuses_non_finite_numbers(value):
    """Every number of every model: found by walking the generated schemas, so a new field is
    covered without being listed here."""
    for name in registry.TOOLS:
        for field, spec in registry.parameters(name)["properties"].items():
            if spec.get("type") in ("number", "integer"):
                with pytest.raises(registry.ToolError, match="finite") as refused:
                    registry.check_call(name, {"text": "x", **{field: value}} if name == "set_title" else
                                        {"ratio": "1:1", **{field: value}} if name == "set_aspect" else {field: value})
                assert refused.value.code == "bad_arguments" and refused.value.details["field"] == field


# Each closed set of choices is written once, in choices.py (before: three or four places each).
REPEATED = ['"16:9", "9:16"', '"auto", "llm", "agent", "whisper"', '"plain", "box", "karaoke"',
            '"ink", "flat", "gradient"', '"conventional", "keep"', '"top", "middle", "bottom"',
            '"burn", "soft"', '"male", "female"', '720, 1080, 1440', '"bgm", "title", "subtitle"',
            '["zh", "en"]', '("zh", "en")']


@pytest.mark.parametrize("literal", REPEATED)
def test_each_set_of_choices_is_defined_once(literal):
    found = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if literal in p.read_text(encoding="utf-8")]
    assert found in ([], ["choices.py"]), found


# --- hostile arguments over HTTP -------------------------------------------------------------

@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    state = tmp_path_factory.mktemp("typed") / "state"
    info = daemon.start(state, idle=0)
    yield {"url": info["url"], "state": state}
    daemon.stop(state)


def _call(api: Api, name: str, args_json: str, text: str = "x"):
    # the arguments as raw text: what is tested is how the engine reads them
    call = '{"functionCall":{"name":' + json.dumps(name) + ',"args":' + args_json + '}}'
    body = ('{"app_name":"nemo_agent","user_id":"me","session_id":' + json.dumps(api.sid)
            + ',"new_message":{"parts":[{"text":' + json.dumps(text) + '},' + call + ']}}')
    return api.post("/run_sse", data=body.encode(), headers={"Content-Type": "application/json"})


# NaN and ±Infinity literals are not JSON: the engine's guard refuses the body before any tool is
# looked at (400, "finite"; tests/test_hostile_round2.py); in a call that did get through (an LLM's
# answer, `nemo do`) the model refuses them (test_every_tool_model_refuses_non_finite_numbers).
# 1e999 is JSON, and a float too large: the model's refusal, over HTTP.
HOSTILE = [
    ("set_volume", '{"volume": 1e999}', "volume", "finite"),
    ("style_subtitles", '{"size": -1e999}', "size", "finite"),
    ("set_volume", '{"volume": "1e999"}', "volume", "number"),
    ("set_title", '{"text": 5}', "text", "string"),
    ("set_title", '{"text": "a\\u202eb"}', "text", "bidirectional"),
    ("apply_translation", '{"lang": "en", "lines": ["ok", "a\\u001b[2J"]}', "lines.1", "control"),
    ("subtitle_mode", '{"mode": "burn", "extra": 1}', "extra", "unknown argument 'extra'"),
    ("set_title", '{"text": "x", "\\u202e": 1}', "", "unknown argument"),
    ("correct_subtitles", '{"corrections": [{"cue": 1, "text": "x", "bogus": true}]}', "corrections.0.bogus",
     "unknown argument"),
    ("trim", '{"start": -1}', "start", "greater than or equal"),
    ("set_resolution", '{"short_side": 721}', "short_side", "720"),
    ("style_subtitles", '{"size": 1000}', "size", "less than or equal"),
    ("transcribe", '{"limits": {"fr": {"cps": 10}}}', "limits.fr", "zh"),
    ("set_aspect", '{}', "arguments", "'ratio' is required"),
    ("set_aspect", '[]', "", "JSON object"),
]


@pytest.mark.parametrize("tool, args, field, says", HOSTILE, ids=[f"{t}-{i}" for i, (t, *_r) in enumerate(HOSTILE)])
def test_hostile_arguments_are_a_tool_error_never_a_500(tool, args, field, says, engine):
    api = Api(engine["url"])
    r = _call(api, tool, args)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    body = r.json()
    assert body["data"]["error"] == "bad_arguments" and says in body["message"], body
    assert body["data"].get("field", "").startswith(field), body
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x00-\x1f]", r.text), r.text   # nothing refused is echoed
    state = api.get(f"/api/state/nemo_agent/me/{api.sid}/latest")
    assert state.status_code == 200 and state.json()["data"]["state"]["draft"] == {}


def _responses(r) -> list[dict]:
    events = [json.loads(line[5:]) for line in r.text.splitlines() if line.startswith("data:")]
    return [p["functionResponse"]["response"] for e in events for p in e.get("content", {}).get("parts", [])
            if "functionResponse" in p]


@pytest.mark.parametrize("text, says", [("trim it", "nothing to trim"), ("剪辑一下", "没有可剪辑的内容")])
def test_a_tool_that_cannot_do_it_answers_with_a_code_in_the_users_language(text, says, engine):
    api = Api(engine["url"])
    r = _call(api, "trim", '{"end": 5}', text)
    assert r.status_code == 200
    assert [(x["error"], says in x["message"]) for x in _responses(r)] == [("empty_timeline", True)]
    assert api.get(f"/api/state/nemo_agent/me/{api.sid}/latest").json()["data"]["state"]["draft"] == {}


def test_a_media_failure_is_a_tool_error_named_by_its_class(engine):
    api = Api(engine["url"])
    r = _call(api, "generate_video", '{"script": "茶。", "voice": "nosuchengine:x"}')
    assert r.status_code == 200, r.text[:300]
    (response,) = _responses(r)
    assert response["error"] == "InputError" and "nosuchengine" in response["message"], response


def test_choices_in_models_are_the_ones_in_choices():
    assert tool_args.SetAspect.model_fields["ratio"].annotation.__args__ == choices.ASPECTS
    assert schema_of(tool_args.GenerateVideo)["properties"]["aspect"]["enum"] == list(choices.GENERATED_ASPECTS)


@pytest.mark.parametrize("args, says", [({"ratio": "5:4"}, "ratio"), ({"ratio": "1:1", "x": 1}, "unknown argument 'x'"),
                                        ({"ratio": float("nan")}, "finite")])
def test_the_mcp_server_checks_an_editing_tool_with_its_model(args, says):
    with pytest.raises(catalog.BadArguments, match=says):
        catalog.check(catalog.tools()["set_aspect"], args)
    assert catalog.check(catalog.tools()["set_aspect"], {"ratio": "1:1"}) == {"ratio": "1:1"}
