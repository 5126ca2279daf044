"""Cloud-only answers the engine never gives, mocked with `responses`:
402, 429 with Retry-After, 5xx backoff, 400 client id, unknown codes,
both envelopes and the render-status tolerances."""

from __future__ import annotations

import pytest
import requests
import responses
from conftest import make_client

from nemo_skill.client.core import RenderStatus
from nemo_skill.errors import (
    APIConnectionError,
    PlanRequired,
    ProtocolError,
    ServerError,
    TokenInvalid,
    UnknownAPIError,
)

URL = "https://api.example.test"


@pytest.fixture
def cloud(private_state):
    with responses.RequestsMock() as mock, make_client(URL, private_state, token="user-token-abcdefgh") as c:
        yield mock, c


def ok(data):
    return {"code": 0, "message": "ok", "data": data}


def test_402_is_a_plan_matter_not_credits(cloud):
    mock, client = cloud
    mock.post(f"{URL}/api/tasks/me/with-session/nemo_agent", json=ok({"session_id": "s1"}))
    mock.post(f"{URL}/api/render/proxy/lambda", status=402, json={"success": False, "error": "upgrade"})
    with pytest.raises(PlanRequired) as info:
        client.start_export({"t": [{"tt": 0, "sg": [{"d": 1}]}]})
    assert info.value.exit_code == 3 and "plan" in info.value.hint and "credit" not in info.value.hint


def test_429_waits_retry_after_then_retries_once(cloud, monkeypatch):
    mock, client = cloud
    waits = []
    monkeypatch.setattr("nemo_skill.client.transport.time.sleep", waits.append)
    mock.get(f"{URL}/api/credits/balance/simple", status=429, headers={"Retry-After": "7"}, json={})
    mock.get(f"{URL}/api/credits/balance/simple", json=ok({"available": 5, "frozen": 0, "total": 5}))
    assert client.credits()["available"] == 5
    assert waits == [7.0]


def test_429_twice_gives_up(cloud, monkeypatch):
    mock, client = cloud
    monkeypatch.setattr("nemo_skill.client.transport.time.sleep", lambda s: None)
    for _ in range(2):
        mock.get(f"{URL}/api/credits/balance/simple", status=429, json={})
    with pytest.raises(Exception, match="429|rate|Too Many"):
        client.credits()


def test_5xx_backs_off_at_most_three_tries(cloud, monkeypatch):
    mock, client = cloud
    waits = []
    monkeypatch.setattr("nemo_skill.client.transport.time.sleep", waits.append)
    for _ in range(3):
        mock.get(f"{URL}/api/credits/balance/simple", status=503, json={"code": 5000, "message": "busy"})
    with pytest.raises(ServerError):
        client.credits()
    assert len(waits) == 2 and len(mock.calls) == 3


def test_connection_error_retried_then_reported(cloud, monkeypatch):
    mock, client = cloud
    monkeypatch.setattr("nemo_skill.client.transport.time.sleep", lambda s: None)
    for _ in range(3):
        mock.get(f"{URL}/api/credits/balance/simple", body=requests.ConnectionError("refused"))
    with pytest.raises(APIConnectionError, match="cannot reach"):
        client.credits()
    assert len(mock.calls) == 3


def test_5xx_then_success(cloud, monkeypatch):
    mock, client = cloud
    monkeypatch.setattr("nemo_skill.client.transport.time.sleep", lambda s: None)
    mock.get(f"{URL}/api/credits/balance/simple", status=502, body="bad gateway")
    mock.get(f"{URL}/api/credits/balance/simple", json=ok({"available": 1, "frozen": 0, "total": 1}))
    assert client.credits()["total"] == 1


def test_a_users_bad_token_is_not_replaced(cloud):
    mock, client = cloud
    mock.get(f"{URL}/api/credits/balance/simple", status=401, json={"code": 1001, "message": "expired"})
    with pytest.raises(TokenInvalid) as info:
        client.credits()
    assert "NEMO_TOKEN" in info.value.hint and len(mock.calls) == 1


def test_missing_client_id_gets_a_new_one(private_state):
    with responses.RequestsMock() as mock, make_client(URL, private_state) as client:
        first = client.store.client_id()
        mock.post(f"{URL}/api/auth/anonymous-token", status=400,
                  json={"code": 400, "message": "missing X-Client-Id"})
        mock.post(f"{URL}/api/auth/anonymous-token",
                  json=ok({"token": "anon-token-0123456789", "user_id": "u9", "expires_at": 4102444800}))
        client.anonymous_token()
        assert client.store.client_id() != first
        assert mock.calls[1].request.headers["X-Client-Id"] == client.store.client_id()


def test_unknown_code_is_an_error_with_its_message(cloud):
    mock, client = cloud
    mock.get(f"{URL}/api/credits/balance/simple", json={"code": 7777, "message": "quota shard offline"})
    with pytest.raises(UnknownAPIError, match="error 7777: quota shard offline"):
        client.credits()


def test_malformed_json_is_a_protocol_error(cloud):
    mock, client = cloud
    mock.get(f"{URL}/api/credits/balance/simple", body="<html>oops</html>")
    with pytest.raises(ProtocolError, match="not JSON"):
        client.credits()


def test_success_envelope_and_status_tolerances(cloud):
    mock, client = cloud
    mock.get(f"{URL}/api/render/proxy/lambda/render_1",
             json={"success": True, "status": "completed", "output": {"url": "https://cdn.test/a.mp4"}})
    st = client.export_status("render_1")
    assert st.status == "completed" and st.output_url == "https://cdn.test/a.mp4"
    assert RenderStatus.parse("r", {"data": {"status": "processing", "progress": 40,
                                             "outputUrl": None}}).progress == 40
    assert RenderStatus.parse("r", {"data": {"output": {"url": "u"}}}).output_url == "u"


def test_duplicate_render_id_retried_with_a_new_id(cloud):
    mock, client = cloud
    mock.post(f"{URL}/api/tasks/me/with-session/nemo_agent", json=ok({"session_id": "s1"}))
    mock.post(f"{URL}/api/render/proxy/lambda", status=409, json={"success": False, "error": "duplicate id"})
    mock.post(f"{URL}/api/render/proxy/lambda", json={"success": True, "data": {"id": "render_x", "status": "pending"}})
    job = client.start_export({"t": [{"tt": 0, "sg": [{"d": 1}]}]})
    import json as _json
    ids = [_json.loads(c.request.body)["id"] for c in mock.calls[1:]]
    assert ids[0] != ids[1] and job["id"] == "render_x"
    assert _json.loads(mock.calls[1].request.body)["sessionId"] == "s1"


def test_cdn_download_gets_no_token(cloud, tmp_path):
    mock, client = cloud
    mock.get("https://cdn.test/a.mp4", body=b"x" * 1000)
    client.download(RenderStatus("render_1", "completed", 100, "https://cdn.test/a.mp4"), tmp_path / "a.mp4")
    assert "Authorization" not in mock.calls[0].request.headers
    assert (tmp_path / "a.mp4").stat().st_size == 1000


def test_download_falls_back_to_the_download_endpoint(cloud, tmp_path):
    mock, client = cloud
    mock.get("https://cdn.test/gone.mp4", status=404, json={})
    mock.get(f"{URL}/api/render/proxy/render_1/download", body=b"y" * 10)
    client.download(RenderStatus("render_1", "completed", 100, "https://cdn.test/gone.mp4"), tmp_path / "b.mp4")
    assert mock.calls[1].request.headers["Authorization"] == "Bearer user-token-abcdefgh"


def test_attribution_headers_on_every_request(cloud):
    mock, client = cloud
    mock.get(f"{URL}/api/credits/balance/simple", json=ok({"available": 1, "frozen": 0, "total": 1}))
    client.credits()
    headers = mock.calls[0].request.headers
    assert headers["X-Skill-Source"] == "best-bilibili-ai-subtitle"
    assert headers["X-Skill-Version"] and headers["X-Skill-Platform"]
    assert "user-token" not in mock.calls[0].request.url
