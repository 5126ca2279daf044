"""POST /api/sessions/{id}/cancel: the project's running turn and renders stop, their holds
are released; another user's project is not found. (The cancel in the middle of a real
transcription, over MCP, is in test_mcp.py.)"""

from __future__ import annotations

import time

import pytest
from conftest import make_client

from nemo_skill.errors import SessionNotFound


def test_nothing_running_is_nothing_stopped(client):
    sid = client.session(new=True)["session_id"]
    assert client.cancel_work(sid) == {"turns": 0, "renders": []}


def test_another_users_project_is_not_found(client, engine_url, tmp_path):
    sid = client.session(new=True)["session_id"]
    with make_client(engine_url, tmp_path / "someone-else") as other, pytest.raises(SessionNotFound):
        other.cancel_work(sid)


def test_the_projects_renders_are_cancelled_and_their_holds_released(client, media):
    client.session(new=True)
    client.upload([media["clip"]])
    before = client.credits()
    draft = client.draft()
    renders = [client.start_export(draft.raw)["id"] for _ in range(2)]   # one runs, one waits
    assert client.credits()["frozen"] > before["frozen"]
    sid = client.store.session(client.store_key, client.skill)["session_id"]
    assert sorted(client.cancel_work(sid)["renders"]) == sorted(renders)
    end = time.monotonic() + 30
    while time.monotonic() < end and any(not client.export_status(r).done for r in renders):
        time.sleep(0.1)
    assert [client.export_status(r).status for r in renders] == ["cancelled", "cancelled"]
    assert client.credits() == before
