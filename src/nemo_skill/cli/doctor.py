"""`nemo doctor`: check this machine (packages, ffmpeg and its filters, the CJK font,
the offline voice, the ASR model, the state dir, the engine, a one-second render)."""

from __future__ import annotations

import argparse

from ..constants import EXIT_ERROR
from .context import settings
from .output import Output


def cmd_doctor(args: argparse.Namespace, out: Output) -> int:
    from .. import doctor
    checks = doctor.run_checks(settings(), out.progress, render=not args.quick)
    data = doctor.as_json(checks)
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        lines.append(f"{'ok  ' if c.ok else 'FAIL'}  {c.name:<{width}}  {c.detail}")
        if not c.ok and c.fix:
            lines.append(f"{'':<6}{'':<{width}}  fix: {c.fix}")
    failed = [c.name for c in checks if not c.ok]
    if not failed:
        out.result("\n".join(lines + ["Ready."]), data)
        return 0
    data.update(error="NotReady", message=f"{len(failed)} check(s) failed: {', '.join(failed)}")
    out.failure(data, "\n".join(lines + [f"Not ready: {', '.join(failed)}. "
                                          "Run each fix above, then `nemo doctor` again."]))
    return EXIT_ERROR


def add_parsers(sub, common) -> None:
    p = sub.add_parser("doctor", parents=[common], help="check that this machine can run the skills",
                       description="Check Python packages, ffmpeg and the filters we use, the CJK font, "
                                   "the offline voice, the ASR model, the state dir's permissions, the "
                                   "local engine and a one-second render; each failure names its fix. "
                                   "Exit 0 when ready, 1 otherwise.")
    p.add_argument("--quick", action="store_true", help="skip the one-second test render")
    p.set_defaults(func=cmd_doctor)
