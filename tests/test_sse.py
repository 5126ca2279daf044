"""The agent stream: both shapes, keep-alives, partial text, errors, silent
completions, dropped connections and awkward byte splits — decoded directly
and through NemoClient.chat against a real loopback server replaying them."""

from __future__ import annotations

import pytest
from conftest import make_client
from replay_server import ReplayServer, Scenario, adk_call, adk_response, adk_text, sse

from nemo_skill.client.sse import StreamEvent, TextAssembler, parse_payload, read_events
from nemo_skill.errors import ProtocolError, StreamError

ADK_STREAM = sse(adk_text("Adding a title."), adk_call("set_title", {"text": "你好"}),
                 adk_response("set_title", {"ok": True}), adk_text("Title added. Click Export to download."))
FLAT_STREAM = sse({"type": "text", "content": "Working on it"}, {"type": "tool_call", "name": "add_bgm", "args": {}},
                  {"type": "heartbeat"}, {"type": "tool_result", "name": "add_bgm", "result": {}},
                  {"type": "text", "content": "Music added."})
DRAFT_AFTER = {"state": {"draft": {"t": [{"id": "title", "tt": 7, "m": {"kind": "title"},
                                          "sg": [{"st": 0, "d": 3000, "txt": "Hi"}]}]}}}


def events_of(data: bytes, split: int | None = None) -> list[StreamEvent]:
    chunks = [data] if split is None else [data[i:i + split] for i in range(0, len(data), split)]
    return list(read_events(chunks))


def test_adk_stream_with_tool_calls_and_text():
    kinds = [(e.kind, e.name or e.text) for e in events_of(ADK_STREAM)]
    assert kinds == [("text", "Adding a title."), ("tool_call", "set_title"),
                     ("tool_result", "set_title"), ("text", "Title added. Click Export to download.")]


def test_flat_stream():
    kinds = [e.kind for e in events_of(FLAT_STREAM)]
    assert kinds == ["text", "tool_call", "heartbeat", "tool_result", "text"]


@pytest.mark.parametrize("split", [1, 2, 3, 7, 13])
def test_bytes_split_anywhere_give_the_same_events(split):
    data = ADK_STREAM.replace(b"\n\n", b"\r\n\r\n") + sse(adk_text("中文字幕已生成"))
    whole = [(e.kind, e.text, e.name) for e in events_of(data)]
    assert [(e.kind, e.text, e.name) for e in events_of(data, split)] == whole
    assert whole[-1] == ("text", "中文字幕已生成", "")


def test_keepalives_are_not_events_but_are_seen():
    seen = []
    data = b": ping\n\ndata:\n\n\n: keep-alive\n\n" + sse({"type": "heartbeat"})
    events = list(read_events([data[:5], data[5:]], on_bytes=lambda: seen.append(1)))
    assert [e.kind for e in events] == ["heartbeat"]
    assert len(seen) == 2


def test_multiline_data_is_joined():
    data = b'data: {"type": "text",\ndata:  "content": "two lines"}\n\n'
    assert events_of(data)[0].text == "two lines"


def test_error_shapes():
    for payload in ({"error": "boom"}, {"errorCode": "X", "errorMessage": "boom"},
                    {"type": "error", "content": "boom"}):
        (event,) = parse_payload(payload)
        assert event.kind == "error" and event.text == "boom"


def test_malformed_json_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="not JSON"):
        events_of(b"data: {not json\n\n")


def test_partial_chunks_are_joined_not_printed_twice():
    asm = TextAssembler()
    for e in events_of(sse(adk_text("Hel", True), adk_text("lo ", True), adk_text("world", True),
                           adk_text("Hello world"), adk_text("Next."))):
        asm.add(e)
    assert asm.text == "Hello world\nNext."
    asm2 = TextAssembler()
    for e in events_of(sse(adk_text("only ", True), adk_text("partials", True))):
        asm2.add(e)
    assert asm2.text == "only partials"


# --- through the client, over a real socket ------------------------------------------

def chat(scenario: Scenario, tmp_path, text="add a title"):
    with ReplayServer(scenario) as server, make_client(server.url, tmp_path / "st") as client:
        notes = []
        client.progress = notes.append
        return client.chat(text), notes, scenario


def test_chat_adk_hides_tools_and_translates_gui(tmp_path):
    result, notes, _ = chat(Scenario([ADK_STREAM]), tmp_path)
    assert "functionCall" not in result.text and "set_title" not in result.text
    assert result.text == 'Adding a title.\nTitle added. Say "export" to download.'
    assert result.actions == ["export"] and result.tool_calls == ["set_title"]
    assert "Working: set_title..." in notes


def test_chat_flat(tmp_path):
    result, _, _ = chat(Scenario([FLAT_STREAM]), tmp_path)
    assert result.text == "Working on it\nMusic added."


def test_chat_split_stream(tmp_path):
    chunks = [ADK_STREAM[i:i + 5] for i in range(0, len(ADK_STREAM), 5)]
    result, _, _ = chat(Scenario(chunks), tmp_path)
    assert result.text.endswith("to download.")


def test_heartbeats_only_is_a_silent_completion_answered_with_the_diff(tmp_path):
    stream = b": ping\n\n" + sse({"type": "heartbeat"}, {"type": "heartbeat"})
    result, _, _ = chat(Scenario([stream], state_after=DRAFT_AFTER), tmp_path)
    assert result.changes == ['added Title: "Hi" (0-3s)']
    assert result.text == 'Done: added Title: "Hi" (0-3s)'


def test_silent_completion_with_tools_only(tmp_path):
    stream = sse(adk_call("set_title", {}), adk_response("set_title", {}))
    result, _, _ = chat(Scenario([stream], state_after=DRAFT_AFTER), tmp_path)
    assert result.changes and result.text.startswith("Done:")


def test_silent_completion_without_change(tmp_path):
    result, _, _ = chat(Scenario([sse({"type": "heartbeat"})]), tmp_path)
    assert result.text == "Done (no visible change)."


def test_error_event_raises_with_server_message(tmp_path):
    with pytest.raises(StreamError, match="render backend exploded"):
        chat(Scenario([sse(adk_text("Working"), {"error": "render backend exploded"})]), tmp_path)


def test_dropped_stream_recovers_by_polling_state_and_never_resends(tmp_path):
    result, notes, scenario = chat(Scenario([sse(adk_text("Adding"), adk_call("set_title", {}))],
                                            drop=True, state_after=DRAFT_AFTER), tmp_path)
    assert result.recovered
    assert result.changes == ['added Title: "Hi" (0-3s)']
    assert scenario.messages == 1
    assert any("dropped" in n for n in notes)


def test_still_working_is_said_at_most_every_two_minutes(tmp_path, monkeypatch):
    import nemo_skill.client.chat as core
    clock = iter(range(0, 10_000, 50))  # each look at the clock: 50 s later
    monkeypatch.setattr(core.time, "monotonic", lambda: next(clock))
    stream = b"".join(b": ping\n\n" for _ in range(12)) + sse(adk_text("done"))
    result, notes, _ = chat(Scenario([stream[i:i + 8] for i in range(0, len(stream), 8)]), tmp_path)
    said = notes.count("Still working...")
    assert 1 <= said <= 1 + (len(stream) // 8) * 50 // 120
