"""`nemo mcp`: serve the tools and jobs to an agent host over MCP (stdio)."""

from __future__ import annotations

import argparse

from .output import Output


def cmd_mcp(args: argparse.Namespace, out: Output) -> int:
    from ..mcp_server import server
    return server.main()


def add_parsers(sub, common) -> None:
    p = sub.add_parser("mcp", parents=[common], help="serve the tools to an agent host over MCP (stdio)",
                       description="Run the MCP server on stdin/stdout, for Claude Code, Cursor, Codex or "
                                   "OpenClaw to start as a subprocess: every editing tool and the jobs "
                                   "(subtitle_video, generate_video, the handoffs, export, review link, state, "
                                   "credits, doctor), with JSON Schemas, progress and cancellation. Only "
                                   "JSON-RPC goes to stdout; logs go to stderr; it exits when stdin closes. "
                                   "`nemo skill install NAME --target HOST --mcp` writes the host's config.")
    p.set_defaults(func=cmd_mcp)
