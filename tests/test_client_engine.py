"""The client against a real engine over loopback: every endpoint, and the
recoveries the engine can produce for real (1001, 1002, 2001, 4001)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
import pytest

from nemo_skill.bundle import schema
from nemo_skill.errors import (
    ExportFailed,
    FileSizeError,
    FileTypeError,
    InputError,
    OutOfCredits,
    UnsupportedFileType,
)

API = schema("api.schema.json")


def valid(obj, name):
    jsonschema.validate(obj, {**API, "$ref": f"#/$defs/{name}"},
                        registry=_registry())


def _registry():
    from referencing import Registry, Resource
    return Registry().with_resource("draft.schema.json", Resource.from_contents(schema("draft.schema.json")))


def test_token_session_credits_state(client):
    info = client.anonymous_token()
    assert "token" not in info and info["user_id"]
    session = client.session()
    valid({"task_id": session["task_id"], "session_id": session["session_id"],
           "user_id": session["user_id"]}, "session")
    valid(client.credits(), "credits")
    state = client.state()
    valid(state, "state")
    assert state["state"]["draft"] == {}


def test_upload_several_files_in_one_call_fills_files(client, media):
    answer = client.upload([media["clip"], media["music"], media["image"]])
    valid(answer, "upload_answer")
    by_type = {f["file_type"]: f for f in answer["files"]}
    assert by_type["video"]["width"] == 640 and by_type["video"]["height"] == 360
    assert by_type["video"]["fps"] == 25 and abs(by_type["video"]["duration"] - 3.0) < 0.1
    assert abs(by_type["audio"]["duration"] - 8.0) < 0.2
    assert by_type["image"]["width"] == 800 and len(by_type["image"]["hash"]) == 64
    assert answer["session_state_applied"] is True
    summary = client.draft().summary()
    assert summary == "Timeline (1 track): 1. Video: clip.mp4 +1 more (0-8s)"


def test_url_upload(client, media):
    handler = lambda *a, **k: SimpleHTTPRequestHandler(*a, directory=str(media["clip"].parent), **k)  # noqa: E731
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        answer = client.upload_urls([f"http://127.0.0.1:{httpd.server_address[1]}/music.mp3"])
    finally:
        httpd.shutdown()
    assert answer["files"][0]["file_type"] == "audio"


def test_checks_before_sending(client, media, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        client.upload([tmp_path / "missing.mp4"])
    with pytest.raises(FileTypeError, match="accepted types: mp4"):
        client.upload([media["notes"]])
    big = tmp_path / "big.mp4"
    with open(big, "wb") as f:
        f.truncate(501 * 1024 * 1024)  # sparse: 501 MB on paper, nothing on disk
    with pytest.raises(FileSizeError, match="over the 500 MB limit"):
        client.upload([big])
    with pytest.raises(InputError, match="http"):
        client.upload_urls(["file:///etc/passwd"])


def test_fake_media_is_4001_from_the_server(client, media):
    with pytest.raises(UnsupportedFileType, match="not readable video"):
        client.upload([media["fake"]])


def test_chat_edits_the_draft(client, media):
    client.upload([media["clip"], media["music"]])
    result = client.chat('add a title "Urban Dreams" and background music at 35%')
    assert result.tool_calls == ["set_title", "add_bgm"]
    assert "export" in result.actions   # the engine said "Click Export"; the client offers it
    summary = client.draft().summary()
    assert summary == ('Timeline (3 tracks): 1. Video: clip.mp4 (0-3s) 2. Title: "Urban Dreams" (0-3s) '
                       '3. BGM: music (0-3s, 35%)')


def test_chat_in_chinese(client, media):
    client.upload([media["clip"], media["music"]])
    result = client.chat("加个标题“城市之梦”，再加背景音乐，音量百分之二十")
    assert set(result.tool_calls) == {"set_title", "add_bgm"}   # "再加背景音乐": music added, at 20%
    draft = client.draft()
    assert "城市之梦" in draft.summary() and "20%" in draft.summary()
    assert "说“导出”" in result.text


def test_unknown_request_lists_what_it_can_do(client):
    result = client.chat("sing me a song about the sea")
    assert "I can:" in result.text and result.tool_calls == []


def test_expired_token_is_renewed_once(client):
    client.credits()
    client.store.save_token(client.base_url, "nmk_bogus_token_value", user_id="x", expires_at=None)
    client._token = None
    assert client.credits()["available"] >= 0   # 1001, a new token, the retry
    assert client.store.token(client.base_url)["token"] != "nmk_bogus_token_value"


def test_lost_session_is_replaced_once(client):
    client.session()
    client.store.save_session(client.base_url, client.skill, {"session_id": "s_gone", "user_id": "u"})
    state = client.state()
    assert state["state"]["draft"] == {}
    assert client.store.session(client.base_url, client.skill)["session_id"] != "s_gone"


def test_export_download_status_and_resume(client, media, tmp_path):
    client.upload([media["clip"]])
    client.chat('add a title "导出测试"')
    job = client.start_export(client.draft().raw)
    saved = client.store.render(job["id"])
    assert saved and saved["status"] in ("pending", "processing")  # on disk before the first poll
    status = client.wait_export(job["id"], interval=0.2)
    assert status.status == "completed" and status.output_url
    out = client.download(status, tmp_path / "out.mp4")
    assert out.stat().st_size > 10_000
    assert client.store.render(job["id"])["downloaded"] == str(out)


def test_cancel(client, media):
    client.upload([media["clip"]])
    draft = client.draft().raw
    draft["d"] = 60_000
    draft["t"][0]["sg"][0].update(d=60_000)
    job = client.start_export(draft)
    client.cancel_export(job["id"])
    with pytest.raises(ExportFailed, match="cancelled"):
        client.wait_export(job["id"], interval=0.2)


def test_out_of_credits_is_2001_with_the_bind_link(client, engine_state):
    client.credits()
    user_id = client.store.token(client.base_url)["user_id"]
    with sqlite3.connect(engine_state / "engine" / "engine.db") as db:
        db.execute("UPDATE accounts SET available=0 WHERE user_id=?", (user_id,))
    with pytest.raises(OutOfCredits) as info:
        client.chat("describe the project")
    assert info.value.exit_code == 3
    assert f"?bind={user_id}" in info.value.hint


def test_token_never_in_store_files_other_than_credentials(client, private_state):
    client.credits()
    token = client.store.token(client.base_url)["token"]
    for path in private_state.rglob("*"):
        if path.is_file() and path.name != "credentials.json":
            assert token not in path.read_text(errors="replace")
    assert json.loads((private_state / "credentials.json").read_text())


@pytest.mark.parametrize("name", ["视频.mp4", "ünï.mp4", "中文 字幕（第1集）.mp4"])
def test_non_latin_file_names_upload_and_show_as_they_are(client, media, tmp_path, name):
    """Issue 10: a Chinese user's file name goes up as RFC 5987 filename* and comes back whole."""
    named = tmp_path / name
    shutil.copyfile(media["clip"], named)
    answer = client.upload([named])
    assert [f["filename"] for f in answer["files"]] == [name]
