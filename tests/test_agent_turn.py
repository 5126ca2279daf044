"""The agent's turn without HTTP (issue 23): a message planned whole, typed calls run in
order, every event yielded, and the credit hold closed on every path."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from nemo_skill.engine import registry
from nemo_skill.engine.agent import Turn
from nemo_skill.engine.service import MESSAGE_COST, Engine, EngineConfig


@pytest.fixture
def engine(tmp_path):
    return Engine(EngineConfig(state_dir=tmp_path))


@pytest.fixture
def session(engine):
    token = engine.accounts.issue_token(str(uuid.uuid4()))["token"]
    user = engine.accounts.authenticate(f"Bearer {token}")
    return user, engine.create_session(user, "en")["session_id"]


def _turn(engine, session, text, calls=None) -> tuple[list[dict], dict]:
    user, sid = session
    ref = f"msg:{uuid.uuid4().hex}"
    engine.accounts.reserve(user, MESSAGE_COST, ref)
    turn = Turn(engine, user, sid, text, "zh" if any(ord(c) > 0x3000 for c in text) else "en", ref, calls)

    async def collect():
        return [e async for e in turn.events()]
    return asyncio.run(collect()), engine.accounts.balance(user)


def _parts(events, key):
    return [p[key] for e in events for p in e.get("content", {}).get("parts", []) if key in p]


def test_a_turn_runs_every_clause_in_order(engine, session):
    start = engine.accounts.balance(session[0])["available"]
    events, balance = _turn(engine, session, '加个标题“山间”，改成9:16')
    assert [c["name"] for c in _parts(events, "functionCall")] == ["set_title", "set_aspect"]
    assert all("error" not in r["response"] for r in _parts(events, "functionResponse"))
    assert events[-1]["turnComplete"] and balance == {"available": start - MESSAGE_COST, "frozen": 0, "total": start - 1}
    draft = engine.state(session[1])["state"]["draft"]
    assert draft["m"]["aspect"] == "9:16" and draft["m"]["title"] == "山间"


def test_a_clause_no_tool_understands_runs_nothing(engine, session):
    start = engine.accounts.balance(session[0])["available"]
    events, balance = _turn(engine, session, '加个标题“山间”，把视频变成一只蓝色的猫')
    assert _parts(events, "functionCall") == []
    assert events[-1]["notUnderstood"] == ["把视频变成一只蓝色的猫"] and "nemo tools" in _parts(events, "text")[-1]
    assert balance["available"] == start and balance["frozen"] == 0   # nothing done, nothing charged
    assert engine.state(session[1])["state"]["draft"] == {}


def test_the_calling_agents_typed_calls_run_as_given(engine, session):
    call = registry.check_call("set_aspect", {"ratio": "1:1"})
    events, _ = _turn(engine, session, "whatever the words say", [call])
    assert [c["args"] for c in _parts(events, "functionCall")] == [{"ratio": "1:1"}]
    assert engine.state(session[1])["state"]["draft"]["m"]["aspect"] == "1:1"


def test_a_failing_turn_releases_its_hold(engine, session, monkeypatch):
    start = engine.accounts.balance(session[0])["available"]
    monkeypatch.setattr(engine, "understand", lambda text: (_ for _ in ()).throw(RuntimeError("boom")))
    events, balance = _turn(engine, session, "make it 9:16")
    assert events == [{"error": "boom"}] and balance["available"] == start and balance["frozen"] == 0
