"""The LLM planner (issue 12) against an OpenAI-compatible replay server on loopback:
function-call answers become checked tool calls; a bad answer, an unknown tool, bad
arguments or a timeout leave the planning to the rules."""

from __future__ import annotations

import json
import time

import pytest
from llm_replay import ReplayLLM

from nemo_skill.engine import llm_planner, registry


@pytest.fixture
def llm():
    server = ReplayLLM()
    yield server
    server.server.shutdown()
    server.server.server_close()


def call(name: str, args: dict) -> dict:
    return {"type": "function", "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}}


def test_function_calls_become_checked_tool_calls(llm):
    llm.answers = [{"tool_calls": [call("set_title", {"text": "山间"}), call("set_aspect", {"ratio": "9:16"})]}]
    calls = llm_planner.plan("标题改成山间，再做成竖屏的", llm.settings)
    assert [(c.name, c.args) for c in calls] == [("set_title", {"text": "山间"}), ("set_aspect", {"ratio": "9:16"})]
    sent = llm.requests[0]
    assert {t["function"]["name"] for t in sent["tools"]} == set(registry.TOOLS)
    assert sent["messages"][-1]["content"] == "标题改成山间，再做成竖屏的"


@pytest.mark.parametrize("answer", [
    "garbage", "500", {"content": "I would add a title."},
    {"tool_calls": [call("delete_everything", {})]},
    {"tool_calls": [call("set_aspect", {"ratio": "2:1"})]},
    {"tool_calls": [{"type": "function", "function": {"name": "set_title", "arguments": "{not json"}}]},
], ids=["not json", "http 500", "no call", "unknown tool", "bad args", "broken arguments"])
def test_a_bad_answer_leaves_it_to_the_rules(answer, llm):
    llm.answers = [answer, answer, answer]
    assert llm_planner.plan('add a title "Hi"', llm.settings) is None


def test_a_slow_llm_leaves_it_to_the_rules(llm):
    llm.answers = ["slow", "slow"]
    t0 = time.monotonic()
    assert llm_planner.plan('add a title "Hi"', llm.settings, timeout=0.3) is None
    assert time.monotonic() - t0 < 3


def test_the_engine_uses_the_llm_and_falls_back_to_the_rules(llm, tmp_path):
    from nemo_skill.engine.service import Engine, EngineConfig
    engine = Engine(EngineConfig(state_dir=tmp_path))
    engine.llm = llm.settings
    llm.answers = [{"tool_calls": [call("set_resolution", {"short_side": 720})]}]
    assert [(c.name, c.args) for c in engine.plan("make it smaller for my phone")] == \
        [("set_resolution", {"short_side": 720})]           # the rules would not understand this
    llm.answers = ["garbage", "garbage"]
    assert [c.name for c in engine.plan('add a title "Hi"')] == ["set_title"]   # the rules' answer
