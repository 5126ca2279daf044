"""What the client keeps on disk, and that secrets stay owner-only."""

from __future__ import annotations

import stat
import time
from pathlib import Path

from nemo_skill.store import Store


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_0600_and_dir_0700(tmp_path):
    store = Store(tmp_path / "s")
    store.save_token("http://x", "secret-token-value", user_id="u", expires_at=None)
    store.client_id()
    store.save_session("http://x", "skill", {"session_id": "s1"})
    store.save_render({"id": "render_1", "status": "pending"})
    for path in [store.credentials_path, store.shared_client_id_path, store.dir / "sessions.json",
                 store.renders_dir / "render_1.json"]:
        assert mode(path) == 0o600, path
    assert mode(store.dir) == 0o700


def test_client_id_is_kept_and_renewed(tmp_path):
    store = Store(tmp_path)
    first = store.client_id()
    assert Store(tmp_path).client_id() == first
    assert store.client_id(renew=True) != first
    store.shared_client_id_path.write_text("garbage")
    assert store.client_id() != "garbage"


def test_one_client_id_shared_with_every_nemovideo_skill(tmp_path):
    """~/.config/nemovideo/client_id, as the official skills keep it (issue 11)."""
    shared = Path.home() / ".config" / "nemovideo" / "client_id"
    assert Path.home() != Path("/root")            # the test's own HOME (conftest)
    shared.parent.mkdir(parents=True, exist_ok=True)
    shared.write_text("client-1763000000-12345\n")   # the official fallback shape
    assert Store(tmp_path / "a").client_id() == Store(tmp_path / "b").client_id() == "client-1763000000-12345"
    fresh = Store(tmp_path / "c", shared_client_id_path=tmp_path / "id")
    made = fresh.client_id()
    assert (tmp_path / "id").read_text().strip() == made and mode(tmp_path / "id") == 0o600
    assert Store(tmp_path / "d", client_id="3f1e0b1e-0000-4000-8000-000000000001",
                 shared_client_id_path=tmp_path / "id").client_id() == "3f1e0b1e-0000-4000-8000-000000000001"


def test_tokens_per_url_and_expiry(tmp_path):
    store = Store(tmp_path)
    store.save_token("http://a", "token-a-123456789", user_id="u", expires_at=time.time() + 3600)
    store.save_token("http://b", "token-b-123456789", user_id="u", expires_at=time.time() - 1)
    assert store.token("http://a")["token"] == "token-a-123456789"
    assert store.token("http://b") is None
    store.forget_token("http://a")
    assert store.token("http://a") is None


def test_unfinished_renders(tmp_path):
    store = Store(tmp_path)
    store.save_render({"id": "r1", "status": "processing", "created_at": 1})
    store.save_render({"id": "r2", "status": "completed", "created_at": 2, "downloaded": "/x.mp4"})
    store.save_render({"id": "r3", "status": "completed", "created_at": 3})
    assert [j["id"] for j in store.renders(unfinished_only=True)] == ["r1", "r3"]
