"""The MCP server on stdio (the official SDK's low-level server): tools/list from the
catalog, tools/call on a worker thread with progress notifications and cancellation.

Only JSON-RPC goes to stdout: the SDK's transport serves the wire from private copies of
fds 0 and 1 and points them at /dev/null and stderr, so a stray print or a child process
cannot corrupt it; logs go to stderr. When stdin closes, the calls in flight finish and
answer, then the server exits (a host that will not wait sends SIGTERM: the running jobs
are cancelled, their engine work stopped and their credits released).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
from io import TextIOWrapper

import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from .. import __version__, config
from ..errors import ConfigError, NemoError
from ..redact import redact
from .runner import Cancelled, Job

log = logging.getLogger("nemo_skill.mcp")

INSTRUCTIONS = (
    "Subtitles and short Chinese videos, made on this machine (the local engine: offline, free credits) or by "
    "NemoVideo's cloud (NEMO_BACKEND=cloud). Start with subtitle_video (a video file -> subtitle files and a "
    "Bilibili MP4) or generate_video (a script or prompt -> a narrated MP4). A result with ok=false and `needs` "
    "is a handoff: do what `next` says (translate, proofread, write the script) and call the tool it names. "
    "The editing tools change the current project; export_video renders it; review_link opens it for the person.")


def _result(data: dict, *, error: bool = False) -> types.CallToolResult:
    """The structured result, and the same JSON as text for hosts that read only text."""
    text = redact(json.dumps(data, ensure_ascii=False, default=str))
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=error,
                                structured_content=None if error else json.loads(text))


def _failure(message: str, *, error: str = "BadArguments", hint: str = "") -> types.CallToolResult:
    return _result({"ok": False, "error": error, "message": message, **({"hint": hint} if hint else {})}, error=True)


class NemoServer:
    """The catalog served: one job at a time touches the projects, the rest answer at once."""

    def __init__(self) -> None:
        self.jobs: set[Job] = set()
        self.in_flight = 0
        self.project_lock = anyio.Lock()   # jobs share the current project: never two at once
        self.server = Server("nemo-skill", version=__version__, instructions=INSTRUCTIONS,
                             on_list_tools=self.list_tools, on_call_tool=self.call_tool)

    @functools.cached_property
    def tools(self) -> dict:
        """Read at the first list or call: the registry pulls in the media stack (seconds), the
        handshake should not wait for it."""
        from . import catalog
        return catalog.tools()

    async def list_tools(self, ctx, params) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[
            types.Tool(name=t.name, title=t.title or None, description=t.description, input_schema=t.parameters,
                       output_schema=t.output_schema()) for t in self.tools.values()])

    async def call_tool(self, ctx, params) -> types.CallToolResult:
        self.in_flight += 1
        try:
            tool = self.tools.get(params.name)
            if tool is None:
                return _failure(f"unknown tool {str(params.name)[:60]!r}", error="UnknownTool",
                                hint="tools/list names the tools")
            from .catalog import BadArguments, check
            try:
                args = check(tool, params.arguments)
            except BadArguments as exc:
                return _failure(str(exc), hint="see the tool's inputSchema in tools/list; nothing was run")
            if not tool.exclusive:   # the balance, the machine check: never wait behind a job
                return await self._run(ctx, tool, args)
            async with self.project_lock:
                return await self._run(ctx, tool, args)
        finally:
            self.in_flight -= 1

    async def _run(self, ctx, tool, args: dict) -> types.CallToolResult:
        def report(step: int, message: str) -> None:
            anyio.from_thread.run(ctx.session.report_progress, float(step), None, redact(message)[:500])

        job = Job(report)
        self.jobs.add(job)
        try:
            data = await anyio.to_thread.run_sync(job.execute, tool.run, args, abandon_on_cancel=True)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):   # stop the engine's work before the next call runs
                await self._stop(job)
            raise
        except Cancelled:
            return _failure("cancelled", error="Cancelled")
        except NemoError as exc:
            return _result({"ok": False, **exc.to_json()}, error=True)
        except Exception as exc:  # noqa: BLE001 - a bug of ours: the host gets an error, the server lives on
            log.exception("tool %s failed", tool.name)
            return _failure(f"unexpected {type(exc).__name__}: {exc}", error=type(exc).__name__,
                            hint="run again with NEMO_DEBUG=1 and report the trace in the server's stderr")
        finally:
            self.jobs.discard(job)
        return _result(data)

    async def _stop(self, job: Job) -> None:
        stopped = await anyio.to_thread.run_sync(job.stop)
        log.info("cancelled: %s", stopped)
        await anyio.to_thread.run_sync(job.finished.wait, 60)

    async def stop_all(self) -> None:
        for job in list(self.jobs):
            await self._stop(job)

    async def drained(self) -> None:
        """Wait until every call in flight has answered (after stdin closed)."""
        await anyio.sleep(0.2)   # a request read just before EOF has had time to start
        while self.in_flight:
            await anyio.sleep(0.05)
        await anyio.sleep(0.2)   # ... and its answer to be written


class _DrainingStdin:
    """The wire's lines; at EOF, waits for the calls in flight before the transport ends."""

    def __init__(self, lines, server: NemoServer) -> None:
        self.lines, self.server = lines, server

    async def __aiter__(self):
        async for line in self.lines:
            yield line
        await self.server.drained()


def _wire_stdin():
    """A private copy of fd 0 for the wire; fd 0 itself reads /dev/null, so no child (ffmpeg
    reads its stdin for keys) can take a request."""
    wire = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return anyio.wrap_file(TextIOWrapper(os.fdopen(wire, "rb"), encoding="utf-8", errors="replace"))


async def serve() -> None:
    nemo = NemoServer()
    stdin = _DrainingStdin(_wire_stdin(), nemo)
    async with anyio.create_task_group() as tg:
        tg.start_soon(_cancel_on_sigterm, nemo)
        async with stdio_server(stdin=stdin) as (read_stream, write_stream):
            await nemo.server.run(read_stream, write_stream, nemo.server.create_initialization_options())
        tg.cancel_scope.cancel()


async def _cancel_on_sigterm(nemo: NemoServer) -> None:
    """The host gave up waiting: cancel the running jobs (the engine's work stops, holds are
    released), then end as SIGTERM ends a process (the stdin reader cannot be interrupted)."""
    with anyio.open_signal_receiver(signal.SIGTERM) as signals:
        async for _ in signals:
            log.info("SIGTERM: cancelling %d running job(s)", len(nemo.jobs))
            with anyio.move_on_after(20, shield=True):
                await nemo.stop_all()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)


def main() -> int:
    try:   # the settings, read once at the start; a wrong one is said by each job that needs it
        config.install(config.Settings.from_env())
    except ConfigError:
        pass
    anyio.run(serve)
    return 0


__all__ = ["main", "serve", "NemoServer"]
