"""`nemo skill ...`: list, install, and show the attribution headers."""

from __future__ import annotations

import argparse

from ..bundle import manifest
from ..errors import InputError
from ..skill import TARGET_DIRS, identify, install
from .context import settings
from .output import Output


def cmd_list(args: argparse.Namespace, out: Output) -> int:
    skills = [{"name": s.name, "version": s.version, "description": s.description,
               "examples": list(s.examples)} for s in manifest().skills]
    out.result("\n".join(f"{s['name']} {s['version']}: {s['description']}" for s in skills),
               {"skills": skills})
    return 0


def cmd_install(args: argparse.Namespace, out: Output) -> int:
    from ..mcp_server import hosts
    if args.mcp and args.target not in hosts.HOSTS:   # before anything is written
        raise InputError(f"--mcp needs a host target, not {args.target!r}", hint="use " + ", ".join(hosts.HOSTS))
    dest = install(args.name, args.target, force=args.force)
    mcp = {"server": hosts.SERVER_NAME, "entry": hosts.server_entry(dest), "written": False}
    where = hosts.config_path(args.target)
    if args.mcp:
        mcp.update(config_path=str(hosts.write(args.target, dest)), written=True)
        said = f"MCP: added the server \"{hosts.SERVER_NAME}\" to {mcp['config_path']}; restart the host to load it."
    else:
        mcp.update(config_path=str(where) if where else None, config=hosts.snippet(args.target, dest))
        said = (f"MCP (optional): add this to {where or 'your host’s MCP config'} (or rerun with --mcp):\n"
                f"{mcp['config']}")
    out.result(f"Installed {args.name} to {dest}\nRun it with: python3 {dest}/scripts/nemo.py --help\n{said}",
               {"skill": args.name, "path": str(dest), "mcp": mcp})
    return 0


def cmd_headers(args: argparse.Namespace, out: Output) -> int:
    ident = identify(args.skill)
    headers = ident.headers(settings().platform)
    out.result("\n".join(f"{k}: {v}" for k, v in headers.items()),
               {"headers": headers, "folder": str(ident.folder)})
    return 0


def add_parsers(sub, common) -> None:
    skill = sub.add_parser("skill", help="list, install or inspect the skills",
                           description="List the skills, install one for an agent platform, or show its headers.")
    ssub = skill.add_subparsers(dest="skill_command", required=True, metavar="COMMAND")
    p = ssub.add_parser("list", parents=[common], help="the skills in this bundle")
    p.set_defaults(func=cmd_list)
    p = ssub.add_parser("install", parents=[common], help="write an installable skill folder",
                        description="Write NAME's folder (SKILL.md at its root, scripts included) for a platform.")
    p.add_argument("name", help="best-bilibili-ai-subtitle or video-generation-chinese")
    p.add_argument("--target", default="claude",
                   help=f"{' | '.join(TARGET_DIRS)} | a folder (default: claude)")
    p.add_argument("--force", action="store_true", help="replace an existing folder")
    p.add_argument("--mcp", action="store_true", help="also add `nemo mcp` to the host's MCP config (claude: "
                   "~/.claude.json, cursor: ~/.cursor/mcp.json, codex: ~/.codex/config.toml, openclaw: "
                   "~/.openclaw/openclaw.json); without it the entry is printed")
    p.set_defaults(func=cmd_install)
    p = ssub.add_parser("headers", parents=[common], help="the attribution headers this install sends")
    p.set_defaults(func=cmd_headers)
