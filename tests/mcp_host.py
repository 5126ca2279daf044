"""Starting `nemo mcp` as a host does: the SDK's own stdio client, or raw JSON-RPC lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path

SERVER = [sys.executable, "-m", "nemo_skill.cli.main", "mcp"]


@asynccontextmanager
async def session(env: dict, errlog: Path):
    """An initialised ClientSession on a fresh `nemo mcp` subprocess."""
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client
    params = StdioServerParameters(command=SERVER[0], args=SERVER[1:], env=env)
    with open(errlog, "a", encoding="utf-8") as err:
        async with stdio_client(params, errlog=err) as (read, write):
            async with ClientSession(read, write) as client:
                await client.initialize()
                yield client


class RawHost:
    """JSON-RPC over the subprocess's stdin and stdout, one line each way, as a host speaks it."""

    def __init__(self, env: dict, errlog: Path) -> None:
        self.err = open(errlog, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(SERVER, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, encoding="utf-8", bufsize=1)
        self.lines: list[str] = []   # every line the server wrote, in order

    def send(self, message: dict | str) -> None:
        line = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def request(self, id_: int, method: str, params: dict | None = None, raw: str | None = None) -> dict:
        """Send a request (or ``raw``, its exact text) and read until its answer; notifications kept."""
        self.send(raw if raw is not None else
                  {"jsonrpc": "2.0", "id": id_, "method": method, **({"params": params} if params else {})})
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"the server closed stdout before answering {id_}")
            self.lines.append(line)
            message = json.loads(line)
            if message.get("id") == id_:
                return message

    def close(self, timeout: float = 30) -> int:
        self.proc.stdin.close()
        rest = self.proc.stdout.read()
        self.lines += rest.splitlines(keepends=True)
        code = self.proc.wait(timeout=timeout)
        self.err.close()
        return code


def engine_children(pid: int) -> list[str]:
    """The processes the engine ``pid`` started (name per child), from /proc."""
    names = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if int(rest[1]) == pid and rest[0] != "Z":
            names.append(name)
    return names


def host_env(base: dict) -> dict:
    env = dict(base)
    env.setdefault("PATH", os.environ.get("PATH", ""))
    return env
