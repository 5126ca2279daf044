"""The engine as a server: isolation between tokens, safe upload names, the
size cap while streaming, fake media, the URL guard, concurrency, restarts."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from conftest import make_client, run_nemo
from fastapi.testclient import TestClient

from nemo_skill.engine import daemon
from nemo_skill.engine.app import create_app
from nemo_skill.engine.service import Engine, EngineConfig
from nemo_skill.engine.uploads import check_public, safe_filename
from nemo_skill.errors import NotFound, SessionNotFound

MB = 1024 * 1024


def test_token_b_gets_nothing_of_token_a(engine_url, tmp_path, media):
    a = make_client(engine_url, tmp_path / "a")
    b = make_client(engine_url, tmp_path / "b")
    a.upload([media["clip"]])
    a.chat('add a title "secret of A"')
    sid_a = a.session()["session_id"]
    job = a.start_export(a.draft().raw)
    upload_url = a.state()["state"]["video_infos"][0]["cdn_url"]
    for call in (lambda: b._request("GET", f"/api/state/nemo_agent/me/{sid_a}/latest"),
                 lambda: b.stream("remove the title", sid_a).__next__(),
                 lambda: b._request("POST", f"/api/upload-video/nemo_agent/me/{sid_a}",
                                    json={"urls": ["http://127.0.0.1:1/x.mp4"]})):
        with pytest.raises(SessionNotFound):
            call()
    for call in (lambda: b.export_status(job["id"]), lambda: b.cancel_export(job["id"]),
                 lambda: b._request("GET", upload_url)):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NotFound):
        b._request("GET", f"/api/render/proxy/{job['id']}/download")
    assert "secret of A" in a.draft().summary()  # untouched
    a.wait_export(job["id"], interval=0.2)


@pytest.mark.parametrize("name, stored", [
    ("../../../../etc/passwd.mp4", "passwd.mp4"),
    ("..\\..\\windows\\evil.mp4", "evil.mp4"),
    ("/abs/path/clip.mp4", "clip.mp4"),
    ("..mp4", "mp4"),
    ("旅行 vlog (1).mp4", "旅行 vlog (1).mp4"),
    ("a\x00b:c*?.mp4", "a_b_c__.mp4"),
    ("%2e%2e%2fup.mp4", "up.mp4"),
])
def test_safe_filename(name, stored):
    assert safe_filename(name) == stored


def test_traversal_names_stay_in_the_session_folder(engine_url, engine_state, tmp_path, media):
    client = make_client(engine_url, tmp_path / "s")
    sid = client.session()["session_id"]
    token = client.token()
    data = media["clip"].read_bytes()
    files = [("files", ("../../../escape.mp4", data, "video/mp4")),
             ("files", ("..\\..\\win.mp4", data, "video/mp4"))]
    r = requests.post(f"{engine_url}/api/upload-video/nemo_agent/me/{sid}", files=files,
                      headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert r.status_code == 200, r.text
    names = [f["filename"] for f in r.json()["data"]["files"]]
    assert names == ["escape.mp4", "win.mp4"]
    uploads_dir = engine_state / "engine" / "sessions" / sid / "uploads"
    assert sorted(p.name.split("_", 1)[1] for p in uploads_dir.iterdir()) == ["escape.mp4", "win.mp4"]
    assert not list((engine_state / "engine").glob("escape*"))


def test_size_cap_enforced_while_streaming(engine_url, engine_state, tmp_path):
    client = make_client(engine_url, tmp_path / "s")
    sid = client.session()["session_id"]
    boundary = "capboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"huge.mp4\"\r\n"
            "Content-Type: video/mp4\r\n\r\n").encode()

    def body():  # 501 MB, made on the fly: nothing of it exists on the client's disk
        yield head
        block = b"\0" * MB
        for _ in range(501):
            yield block
        yield f"\r\n--{boundary}--\r\n".encode()

    r = requests.post(f"{engine_url}/api/upload-video/nemo_agent/me/{sid}", data=body(), timeout=300,
                      headers={"Authorization": f"Bearer {client.token()}",
                               "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413 and r.json()["code"] == 4002
    uploads_dir = engine_state / "engine" / "sessions" / sid / "uploads"
    assert not uploads_dir.exists() or not list(uploads_dir.iterdir())  # the partial file is gone


def test_fake_media_rejected_and_removed(engine_url, engine_state, tmp_path, media):
    client = make_client(engine_url, tmp_path / "s")
    sid = client.session()["session_id"]
    r = requests.post(f"{engine_url}/api/upload-video/nemo_agent/me/{sid}",
                      files=[("files", ("movie.mp4", media["fake"].read_bytes(), "video/mp4"))],
                      headers={"Authorization": f"Bearer {client.token()}"}, timeout=60)
    assert r.status_code == 400 and r.json()["code"] == 4001
    r = requests.post(f"{engine_url}/api/upload-video/nemo_agent/me/{sid}",
                      files=[("files", ("tone.mp3", media["image"].read_bytes(), "audio/mpeg"))],
                      headers={"Authorization": f"Bearer {client.token()}"}, timeout=60)
    assert r.status_code == 400 and "no audio stream" in r.json()["message"]
    uploads_dir = engine_state / "engine" / "sessions" / sid / "uploads"
    assert not list(uploads_dir.iterdir())


@pytest.mark.parametrize("url", ["http://127.0.0.1/x.mp4", "http://localhost:8080/x.mp4",
                                 "http://10.1.2.3/x.mp4", "http://192.168.0.9/x.mp4",
                                 "http://169.254.169.254/latest", "http://[::1]/x.mp4",
                                 "ftp://93.184.216.34/x.mp4", "file:///etc/passwd"])
def test_url_guard_refuses_private_addresses(url):
    from nemo_skill.engine.errors import EngineError
    with pytest.raises(EngineError):
        check_public(url, allow_private=False)


def test_url_guard_in_the_app(tmp_path):
    engine = Engine(EngineConfig(state_dir=tmp_path, allow_private_urls=False))
    with TestClient(create_app(engine, extra_hosts=("testserver",))) as http:
        token = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())}).json()["data"]["token"]
        auth = {"Authorization": f"Bearer {token}"}
        sid = http.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "project", "language": "en"},
                        headers=auth).json()["data"]["session_id"]
        r = http.post(f"/api/upload-video/nemo_agent/me/{sid}", headers=auth,
                      json={"urls": ["http://127.0.0.1:9/x.mp4"], "source_type": "url"})
        assert r.status_code == 400 and "private" in r.json()["message"]
        assert http.post("/api/auth/anonymous-token").json()["code"] == 400
        assert http.get("/api/credits/balance/simple").json()["code"] == 1001
    check_public("http://93.184.216.34/x.mp4", allow_private=False)  # a public literal passes


def test_tokens_are_stored_hashed(engine_url, engine_state, tmp_path):
    client = make_client(engine_url, tmp_path / "s")
    client.credits()
    token = client.token()
    assert token.encode() not in (engine_state / "engine" / "engine.db").read_bytes()
    wal = engine_state / "engine" / "engine.db-wal"
    assert not wal.exists() or token.encode() not in wal.read_bytes()
    assert token not in (engine_state / "engine" / "engine.log").read_text()


def test_twenty_concurrent_sessions(engine_url, tmp_path, media):
    errors, titles = [], {}

    def user(i: int) -> None:
        try:
            c = make_client(engine_url, tmp_path / f"u{i}")
            c.upload([media["clip"]])
            c.chat(f'add a title "user {i}"')
            c.chat("background music at 30%" if i % 2 else "make it 9:16")
            titles[i] = c.draft()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    for i, draft in titles.items():
        assert f'"user {i}"' in draft.summary()
        assert draft.meta["aspect"] == ("16:9" if i % 2 else "9:16")


def _long_draft(client, media, seconds: int) -> dict:
    client.upload([media["clip"]])
    draft = client.draft().raw
    draft["t"][0]["sg"][0]["d"] = seconds * 1000  # hold the clip's last frame: a longer render
    draft["d"] = seconds * 1000
    return draft


def test_engine_restart_in_the_middle_of_a_render(tmp_path, media):
    state = tmp_path / "engine"
    info = daemon.start(state, idle=0)
    try:
        client = make_client(info["url"], tmp_path / "c")
        job = client.start_export(_long_draft(client, media, 25))
        deadline = time.monotonic() + 60
        while client.export_status(job["id"]).status != "processing" and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(info["pid"], signal.SIGKILL)  # no goodbye: the job is left "processing"
        time.sleep(0.5)
        info2 = daemon.start(state, idle=0)
        assert info2["port"] != info["port"] or info2["pid"] != info["pid"]
        client2 = make_client(info2["url"], tmp_path / "c")
        status = client2.wait_export(job["id"], interval=0.3, deadline=240)
        assert status.status == "completed"
        assert client2.download(status, tmp_path / "out.mp4").stat().st_size > 10_000
    finally:
        daemon.stop(state)


def test_client_killed_during_export_resumes(cli_env, tmp_path, media):
    assert run_nemo(["upload", str(media["clip"]), "--json"], cli_env).returncode == 0
    import subprocess
    import sys
    cli_env = {**cli_env, "NEMO_POLL_INTERVAL": "0.2"}
    out = tmp_path / "final.mp4"
    proc = subprocess.Popen([sys.executable, "-m", "nemo_skill.cli.main", "export", "--out", str(out)],
                            env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    renders = Path(cli_env["NEMO_STATE_DIR"]) / "renders"
    deadline = time.monotonic() + 60
    while not (renders.exists() and list(renders.glob("*.json"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert not out.exists()
    done = run_nemo(["export", "--resume", "--json"], cli_env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["exports"][0]
    assert result["path"] == str(out) and out.stat().st_size > 1000


def test_openapi_document_is_kept_in_schemas(tmp_path):
    served = create_app(Engine(EngineConfig(state_dir=tmp_path))).openapi()
    kept = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "openapi.json").read_text())
    assert served == kept, "regenerate schemas/openapi.json from create_app(...).openapi()"
    paths = set(served["paths"])
    assert {"/api/auth/anonymous-token", "/api/tasks/me/with-session/{app_name}", "/run_sse",
            "/api/upload-video/{app_name}/me/{session_id}", "/api/credits/balance/simple",
            "/api/state/{app_name}/me/{session_id}/latest", "/api/render/proxy/lambda",
            "/api/render/proxy/lambda/{render_id}", "/api/render/proxy/lambda/{render_id}/cancel",
            "/api/render/proxy/{render_id}/download"} <= paths
