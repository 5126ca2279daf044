"""The client against a stand-in of the NemoVideo cloud on loopback (issue 11): it calls the
service as the official skills do (docs/cloud-contract.md) and never charges twice."""

from __future__ import annotations

import json
import os

import pytest
from cloud_standin import Answer, Cloud, CloudServer, sse, text_event
from conftest import make_client, run_nemo

from nemo_skill.errors import OutOfCredits, TokenInvalid

STATE_BEFORE = {"state": {"draft": {}, "video_infos": []}}
STATE_AFTER = {"state": {"draft": {"t": [{"id": "title", "tt": 7, "m": {"kind": "title"},
                                          "sg": [{"st": 0, "d": 3000, "txt": "Hi"}]}], "d": 3000},
                         "video_infos": []}}


@pytest.fixture
def cloud():
    c = Cloud()
    with CloudServer(c) as server:
        yield c, server.url


def _client(url, tmp_path, **kw):
    kw.setdefault("state_poll_interval", 0.02)
    return make_client(url, tmp_path / "client", **kw)


def _cli_env(url, tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env.update(NEMO_BACKEND="cloud", NEMO_API_URL=url, NEMO_STATE_DIR=str(tmp_path / "state"),
               NEMO_RETRY_DELAY="0.01", NEMO_POLL_INTERVAL="0.05", **extra)
    return env


@pytest.mark.parametrize("failure", [Answer(502, {"message": "bad gateway"}), Answer(504, {"message": "timeout"}),
                                     Answer(503, {"message": "unavailable"})], ids=["502", "504", "503"])
def test_a_message_is_sent_once_after_a_5xx_and_the_state_read(failure, cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/run_sse", failure)
    c.state = STATE_AFTER          # the message did arrive and ran
    with _client(url, tmp_path) as client:
        client.session()
        c.state = STATE_BEFORE
        result = _chat_with_change(c, client)
    assert len(c.sent("/run_sse")) == 1
    assert result.recovered and any("Title" in ch for ch in result.changes)


def _chat_with_change(c, client):
    import threading
    timer = threading.Timer(0.05, lambda: setattr(c, "state", STATE_AFTER))
    timer.start()
    try:
        return client.chat('add a title "Hi"')
    finally:
        timer.cancel()


def test_a_read_timeout_on_a_message_is_not_sent_again(cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/run_sse", Answer(sse=sse(text_event("late")), delay=1.5))
    import nemo_skill.constants as C
    old = C.STREAM_READ_TIMEOUT
    C.STREAM_READ_TIMEOUT = 0.3
    try:
        with _client(url, tmp_path) as client:
            result = client.chat("add a title")
    finally:
        C.STREAM_READ_TIMEOUT = old
    assert len(c.sent("/run_sse")) == 1 and result.recovered


def test_the_run_sse_body_is_exactly_the_official_one(cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/run_sse", Answer(sse=sse(text_event("Done."))))
    with _client(url, tmp_path) as client:
        sid = client.session()["session_id"]
        client.chat("make it 9:16")
    body = c.sent("/run_sse")[0]["body"]
    assert body == {"app_name": "nemo_agent", "user_id": "me", "session_id": sid,
                    "new_message": {"parts": [{"text": "make it 9:16"}]}}
    assert c.sent("/run_sse")[0]["headers"]["Accept"] == "text/event-stream"


def test_credits_error_inside_a_200_ends_with_the_bind_link(cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/run_sse", Answer(200, {"code": 2001, "message": "insufficient credits", "data": None}))
    r = run_nemo(["say", "add a title", "--json"], _cli_env(url, tmp_path))
    assert r.returncode == 3, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["error"] == "OutOfCredits"
    assert "https://nemovideo.com/register?bind=anon_standin" in doc["hint"]
    assert "pricing" not in r.stdout + r.stderr


def test_credits_error_inside_the_stream_ends_with_the_bind_link(cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/run_sse", Answer(sse=sse({"code": 2001, "message": "insufficient credits"})))
    with _client(url, tmp_path) as client, pytest.raises(OutOfCredits) as err:
        client.chat("generate a video")
    assert err.value.exit_code == 3 and "register?bind=anon_standin" in err.value.hint


def test_a_stale_token_inside_the_stream_gets_a_new_token_once(cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/run_sse", Answer(sse=sse({"code": 1001, "message": "token expired"})),
         Answer(sse=sse(text_event("Done."))))
    with _client(url, tmp_path) as client:
        result = client.chat("add a title")
    assert result.text == "Done." and len(c.sent("/api/auth/anonymous-token")) == 2
    c.on("POST", "/run_sse", Answer(sse=sse({"code": 1001, "message": "token expired"})))
    with _client(url, tmp_path) as client, pytest.raises(TokenInvalid):
        client.chat("add a title")


def test_an_error_code_in_a_200_envelope_is_never_success(cloud, tmp_path):
    c, url = cloud
    c.on("GET", "/api/credits/balance/simple", Answer(200, {"code": 4002, "message": "file too large"}))
    r = run_nemo(["credits", "--json"], _cli_env(url, tmp_path))
    assert r.returncode == 1 and json.loads(r.stdout)["ok"] is False


def test_the_trailing_temporary_issue_is_hidden(cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/run_sse", Answer(sse=sse(text_event("Title added: Hi. "),
                                          text_event("I encountered a temporary issue. Please try again."))))
    with _client(url, tmp_path) as client:
        result = client.chat('add a title "Hi"')
    assert result.text.strip() == "Title added: Hi." and "temporary" not in result.text


def test_an_upload_that_arrived_is_not_sent_again(cloud, tmp_path, media):
    c, url = cloud
    c.on("POST", "/api/upload-video", Answer(502, {"message": "bad gateway"}))
    c.state = {"state": {"draft": {}, "video_infos": [{"filename": "clip.mp4", "cdn_url": "https://cdn/x.mp4",
                                                       "file_type": "video"}]}}
    with _client(url, tmp_path) as client:
        data = client.upload([media["clip"]])
    assert len(c.sent("/api/upload-video")) == 1 and data["recovered"] is True
    assert data["files"][0]["filename"] == "clip.mp4"


def test_an_upload_that_did_not_arrive_is_sent_once_more(cloud, tmp_path, media):
    c, url = cloud
    c.on("POST", "/api/upload-video", Answer(502, {"message": "bad gateway"}),
         Answer(body={"code": 0, "data": {"files": [{"filename": "clip.mp4"}], "session_state_applied": True}}))
    with _client(url, tmp_path) as client:
        data = client.upload([media["clip"]])
    assert len(c.sent("/api/upload-video")) == 2 and data["files"][0]["filename"] == "clip.mp4"


@pytest.mark.parametrize("shape", ["official", "older"])
def test_both_render_status_shapes(shape, cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/api/render/proxy/lambda", Answer(body={"success": True, "data": {"id": "x", "status": "pending"}}))
    done = ({"status": "completed", "output": {"url": url + "/out.mp4"}} if shape == "official" else
            {"success": True, "data": {"status": "completed", "outputUrl": url + "/out.mp4"}})
    c.on("GET", "/api/render/proxy/lambda/", Answer(body=done))
    c.on("GET", "/out.mp4", Answer(body={"fake": "mp4"}))
    with _client(url, tmp_path) as client:
        job = client.start_export({"t": [{"tt": 0, "sg": [{"st": 0, "d": 1000}]}], "d": 1000})
        status = client.wait_export(job["id"], interval=0.01)
        assert status.status == "completed" and status.output_url == url + "/out.mp4"
        client.download(status, tmp_path / "out.mp4")
    assert (tmp_path / "out.mp4").read_bytes() == b'{"fake": "mp4"}'


def test_a_render_whose_answer_was_lost_is_not_started_twice(cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/api/render/proxy/lambda", Answer(504, {"message": "gateway timeout"}))
    c.on("GET", "/api/render/proxy/lambda/", Answer(body={"status": "processing", "progress": 10}))
    with _client(url, tmp_path) as client:
        job = client.start_export({"t": [{"tt": 0, "sg": [{"st": 0, "d": 1000}]}], "d": 1000})
    assert len(c.sent("/api/render/proxy/lambda")) == 2   # the POST once, then a status read
    assert c.sent("/api/render/proxy/lambda")[1]["method"] == "GET" and job["status"] == "processing"


def test_the_cloud_poll_limit(cloud, tmp_path):
    c, url = cloud
    c.on("GET", "/api/render/proxy/lambda/", Answer(body={"status": "processing", "progress": 10}))
    from nemo_skill.errors import ExportTimeout
    with _client(url, tmp_path, max_polls=10) as client, pytest.raises(ExportTimeout) as err:
        client.wait_export("render_1", interval=0.001)
    assert len(c.sent("/api/render/proxy/lambda/")) == 10 and "--resume" in err.value.hint


def test_the_claim_link_never_carries_the_token(cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/api/auth/claim-token", Answer(body={"code": 0, "data": {"claim_token": "clm_abc", "expires_in": 604800}}))
    r = run_nemo(["open", "--json"], _cli_env(url, tmp_path))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["url"] == "https://nemovideo.com/workspace/claim?ct=clm_abc"
    assert "nmv_usr" not in r.stdout + r.stderr
    assert c.sent("/api/auth/claim-token")[0]["body"] == {"task_id": "task_1", "session_id": "5529798706024415232"}


@pytest.mark.parametrize("command, skill", [(["generate", "--script", "茶。", "--out", "x.mp4"], "video-generation-chinese"),
                                            (["subtitle", "SPEECH"], "best-bilibili-ai-subtitle"),
                                            (["say", "hello"], "best-bilibili-ai-subtitle")])
def test_each_command_speaks_as_its_skill(command, skill, cloud, tmp_path, media):
    c, url = cloud
    c.on("POST", "/run_sse", Answer(500, {"message": "stop here"}))
    command = [str(media["clip"]) if a == "SPEECH" else a for a in command]
    run_nemo([*command, "--json"], _cli_env(url, tmp_path), cwd=tmp_path, timeout=120)
    sources = {r["headers"].get("X-Skill-Source") for r in c.requests}
    assert sources == {skill}, sources


def test_the_client_id_is_shared_and_the_variable_wins(cloud, tmp_path):
    c, url = cloud
    shared = tmp_path / "home" / ".config" / "nemovideo" / "client_id"
    env = _cli_env(url, tmp_path, HOME=str(tmp_path / "home"))
    assert run_nemo(["credits"], env).returncode == 0
    made = shared.read_text().strip()
    assert c.sent("/api/auth/anonymous-token")[-1]["headers"]["X-Client-Id"] == made
    assert oct(shared.stat().st_mode & 0o777) == "0o600"
    env2 = _cli_env(url, tmp_path / "other", HOME=str(tmp_path / "home"), NEMO_CLIENT_ID="client-1763000000-4242")
    assert run_nemo(["credits"], env2).returncode == 0
    assert c.sent("/api/auth/anonymous-token")[-1]["headers"]["X-Client-Id"] == "client-1763000000-4242"
    assert shared.read_text().strip() == made


def test_flv_is_noted_for_cloud_users(cloud, tmp_path, media):
    c, url = cloud
    flv = tmp_path / "old.flv"
    flv.write_bytes(media["clip"].read_bytes())
    c.on("POST", "/api/upload-video", Answer(body={"code": 0, "data": {"files": [{"filename": "old.flv"}]}}))
    r = run_nemo(["upload", str(flv)], _cli_env(url, tmp_path))
    assert r.returncode == 0 and "cloud's list of video types has no .flv" in r.stderr


# --- the same contract on the local engine -----------------------------------------------

def test_the_local_engine_serves_the_claim_link(cli_env, media):
    import requests
    assert run_nemo(["upload", str(media["clip"])], cli_env).returncode == 0
    assert run_nemo(["say", 'add a title "<b>Trip</b>"'], cli_env).returncode == 0
    r = run_nemo(["open", "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    url = json.loads(r.stdout)["url"]
    assert url.startswith(cli_env["NEMO_API_URL"] + "/workspace/claim?ct=clm_")
    token = json.loads((__import__("pathlib").Path(cli_env["NEMO_STATE_DIR"]) / "credentials.json").read_text())
    assert not any(v["token"] in url for v in token.values())
    page = requests.get(url, timeout=30)
    assert page.status_code == 200 and "&lt;b&gt;Trip&lt;/b&gt;" in page.text and "<b>Trip" not in page.text
    assert "clip.mp4" in page.text and page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert requests.get(url[:-4] + "xxxx", timeout=30).status_code == 404


def test_the_local_engine_answers_render_status_in_the_official_shape(client, media):
    client.upload([media["clip"]])
    job = client.start_export(client.draft().raw)
    status = client.wait_export(job["id"], interval=0.2)
    raw = client._request("GET", f"/api/render/proxy/lambda/{job['id']}")   # the data part
    assert status.status == "completed" and raw["status"] == "completed"
    import requests
    body = requests.get(f"{client.base_url}/api/render/proxy/lambda/{job['id']}", timeout=30,
                        headers={"Authorization": f"Bearer {client.token()}"}).json()
    assert body["status"] == "completed" and body["output"]["url"].endswith(f"/api/render/proxy/{job['id']}/download")


def test_a_lost_session_inside_the_stream_gets_a_new_session_once(cloud, tmp_path):
    c, url = cloud
    c.on("POST", "/run_sse", Answer(sse=sse({"code": 1002, "message": "session not found"})),
         Answer(sse=sse(text_event("Done."))))
    with _client(url, tmp_path) as client:
        client.session()
        result = client.chat("add a title")
    assert result.text == "Done." and len(c.sent("/api/tasks/me/with-session")) == 2
    assert len(c.sent("/run_sse")) == 2   # the first was refused before it ran: safe to send again
