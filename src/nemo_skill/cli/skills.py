"""`nemo skill ...`: list, install, and show the attribution headers."""

from __future__ import annotations

import argparse

from ..bundle import manifest
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
    dest = install(args.name, args.target, force=args.force)
    out.result(f"Installed {args.name} to {dest}\nRun it with: python3 {dest}/scripts/nemo.py --help",
               {"skill": args.name, "path": str(dest)})
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
    p.set_defaults(func=cmd_install)
    p = ssub.add_parser("headers", parents=[common], help="the attribution headers this install sends")
    p.set_defaults(func=cmd_headers)
