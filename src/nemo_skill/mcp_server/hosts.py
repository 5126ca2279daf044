"""Each agent host's MCP configuration for `nemo mcp` (`nemo skill install --target HOST`):
where the host reads it, the entry, and writing it into the file without touching the rest.

claude: ~/.claude.json ``mcpServers`` (Claude Code's user scope; `claude mcp add` writes the same);
cursor: ~/.cursor/mcp.json ``mcpServers``; codex: ~/.codex/config.toml ``[mcp_servers.NAME]``;
openclaw: ~/.openclaw/openclaw.json ``mcp.servers``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

SERVER_NAME = "nemo"


@dataclass(frozen=True)
class Host:
    file: str                 # under the home folder
    keys: tuple[str, ...]     # where the servers are kept in it (JSON), or the TOML table


HOSTS = {
    "claude": Host(".claude.json", ("mcpServers",)),
    "cursor": Host(".cursor/mcp.json", ("mcpServers",)),
    "codex": Host(".codex/config.toml", ("mcp_servers",)),
    "openclaw": Host(".openclaw/openclaw.json", ("mcp", "servers")),
}


def server_entry(skill_folder: Path) -> dict:
    """The host starts the installed folder's own script with this Python (it has the packages)."""
    return {"command": sys.executable, "args": [str(Path(skill_folder) / "scripts" / "nemo.py"), "mcp"]}


def _toml_section(entry: dict) -> str:
    args = ", ".join(json.dumps(a, ensure_ascii=False) for a in entry["args"])
    return (f"[mcp_servers.{SERVER_NAME}]\ncommand = {json.dumps(entry['command'], ensure_ascii=False)}\n"
            f"args = [{args}]\n")


def snippet(target: str, skill_folder: Path) -> str:
    """The configuration text to add (for a folder target: the common ``mcpServers`` JSON)."""
    entry = server_entry(skill_folder)
    host = HOSTS.get(target)
    if host is not None and host.file.endswith(".toml"):
        return _toml_section(entry)
    doc: dict = {SERVER_NAME: entry}
    for key in reversed(host.keys if host else ("mcpServers",)):
        doc = {key: doc}
    return json.dumps(doc, ensure_ascii=False, indent=2)


def config_path(target: str, home: Path | None = None) -> Path | None:
    host = HOSTS.get(target)
    return None if host is None else Path(home or Path.home()) / host.file


def write(target: str, skill_folder: Path, *, home: Path | None = None) -> Path:
    """Add (or replace) the server in the host's file; everything else in it is kept."""
    path = config_path(target, home)
    if path is None:
        raise InputError(f"--mcp needs a host target, not {target!r}", hint="use " + ", ".join(HOSTS))
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}", hint="fix or move the file; nothing was changed") from None
    new = _toml_with(text, skill_folder) if path.suffix == ".toml" else _json_with(text, path, target, skill_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".nemo-tmp")
    tmp.write_text(new, encoding="utf-8")
    os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o600)
    os.replace(tmp, path)
    return path


def _json_with(text: str, path: Path, target: str, skill_folder: Path) -> str:
    try:
        doc = json.loads(text) if text.strip() else {}
    except ValueError:
        raise InputError(f"{path} is not valid JSON", hint="fix it, or add the entry by hand; nothing was changed") from None
    node = doc if isinstance(doc, dict) else None
    for key in HOSTS[target].keys:
        if node is None:
            break
        node = node.setdefault(key, {}) if isinstance(node.get(key, {}), dict) else None
    if node is None:
        raise InputError(f"{path}: {'.'.join(HOSTS[target].keys)} is not an object",
                         hint="fix it, or add the entry by hand; nothing was changed")
    node[SERVER_NAME] = server_entry(skill_folder)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _toml_with(text: str, skill_folder: Path) -> str:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the Codex config is not valid TOML ({exc})", hint="fix it; nothing was changed") from None
    # our own section, from its header to the next table header, replaced by the new one
    kept = re.sub(rf"(?ms)^\[mcp_servers\.{SERVER_NAME}\]\n.*?(?=^\[|\Z)", "", text).rstrip("\n")
    new = (kept + "\n\n" if kept else "") + _toml_section(server_entry(skill_folder))
    tomllib.loads(new)   # never write a file the host could not read
    return new
