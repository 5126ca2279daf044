"""`nemo skill install NAME --target HOST [--mcp]`: each host's MCP entry, printed or merged
into its config file with everything else kept; the entry starts a server that answers."""

from __future__ import annotations

import json
import subprocess
import tomllib

import pytest
from conftest import run_nemo

from nemo_skill.errors import InputError
from nemo_skill.mcp_server import hosts

SKILL = "best-bilibili-ai-subtitle"


def _install(env, home, target: str, *flags: str) -> dict:
    done = run_nemo(["skill", "install", SKILL, "--target", target, "--force", "--json", *flags], {**env, "HOME": str(home)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def env(cli_env, tmp_path):
    return {**cli_env, "HOME": str(tmp_path / "home")}


def test_without_mcp_the_entry_is_printed_and_nothing_written(env, tmp_path):
    doc = _install(env, tmp_path / "home", "cursor")
    assert doc["mcp"]["written"] is False and not (tmp_path / "home/.cursor/mcp.json").exists()
    entry = json.loads(doc["mcp"]["config"])["mcpServers"]["nemo"]
    assert entry["args"] == [f"{doc['path']}/scripts/nemo.py", "mcp"]


def test_the_json_hosts_keep_what_their_files_held(env, tmp_path):
    home = tmp_path / "home"
    (home / ".cursor").mkdir(parents=True)
    (home / ".cursor/mcp.json").write_text(json.dumps({"mcpServers": {"other": {"command": "x"}}}))
    (home / ".claude.json").write_text(json.dumps({"theme": "dark", "projects": {"/a": {}}}))
    for target in ("cursor", "claude", "openclaw"):
        _install(env, home, target, "--mcp")
    cursor = json.loads((home / ".cursor/mcp.json").read_text())
    assert set(cursor["mcpServers"]) == {"other", "nemo"}
    claude = json.loads((home / ".claude.json").read_text())
    assert claude["theme"] == "dark" and claude["mcpServers"]["nemo"]["args"][-1] == "mcp"
    openclaw = json.loads((home / ".openclaw/openclaw.json").read_text())
    assert openclaw["mcp"]["servers"]["nemo"]["args"][0].endswith(f"openclaw/skills/{SKILL}/scripts/nemo.py")


def test_codex_gets_one_toml_table_however_often_it_is_installed(env, tmp_path):
    home = tmp_path / "home"
    (home / ".codex").mkdir(parents=True)
    (home / ".codex/config.toml").write_text('model = "o4"\n\n[mcp_servers.other]\ncommand = "x"\n')
    _install(env, home, "codex", "--mcp")
    _install(env, home, "codex", "--mcp")
    text = (home / ".codex/config.toml").read_text()
    config = tomllib.loads(text)
    assert text.count("[mcp_servers.nemo]") == 1 and config["model"] == "o4"
    assert set(config["mcp_servers"]) == {"other", "nemo"}


def test_a_broken_config_is_left_alone(tmp_path):
    (tmp_path / ".cursor").mkdir()
    (tmp_path / ".cursor/mcp.json").write_text("{not json")
    with pytest.raises(InputError):
        hosts.write("cursor", tmp_path / "skill", home=tmp_path)
    assert (tmp_path / ".cursor/mcp.json").read_text() == "{not json"


def test_mcp_with_a_folder_target_is_refused_before_anything_is_written(env, tmp_path):
    done = run_nemo(["skill", "install", SKILL, "--target", str(tmp_path / "skills"), "--mcp"], env)
    assert done.returncode == 1 and "--mcp needs a host target" in done.stderr
    assert not (tmp_path / "skills").exists()


def test_the_written_entry_starts_a_server_that_answers(env, tmp_path):
    home = tmp_path / "home"
    _install(env, home, "cursor", "--mcp")
    entry = json.loads((home / ".cursor/mcp.json").read_text())["mcpServers"]["nemo"]
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "cursor-like", "version": "1"}}}
    done = subprocess.run([entry["command"], *entry["args"]], input=json.dumps(init) + "\n", capture_output=True,
                          text=True, env={**env, "HOME": str(home)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["result"]["serverInfo"]["name"] == "nemo-skill"
