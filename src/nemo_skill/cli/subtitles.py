"""`nemo subtitle VIDEO` and `nemo subs pending|submit|files`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .. import subtitle_job
from ..constants import EXIT_NEEDS_USER
from ..errors import InputError
from ..media import glossary, script_align
from .context import make_client, settings
from .output import Output, seconds


def _options(args: argparse.Namespace) -> subtitle_job.Options:
    langs = [x.strip() for x in args.lang.replace("+", ",").split(",") if x.strip()]
    bad = [x for x in langs if x not in ("zh", "en")]
    if bad or not langs:
        raise InputError(f"--lang {args.lang}: languages are zh and en", hint="e.g. --lang zh+en or --lang zh")
    formats = tuple(x.strip() for x in args.formats.split(",") if x.strip())
    unknown = [f for f in formats if f not in subtitle_job.FORMATS]
    if unknown:
        raise InputError(f"--formats: unknown {', '.join(unknown)}", hint="choose from srt,vtt,ass,bcc")
    interval = args.poll_interval if args.poll_interval is not None else settings().poll_interval
    limits: dict = {}
    for value, key in ((args.line_chars, "max_chars"), (args.cps, "cps")):
        for item in (value or "").split(","):
            if not item.strip():
                continue
            lang, _, number = item.partition("=")
            try:
                limits.setdefault(lang.strip(), {})[key] = int(number) if key == "max_chars" else float(number)
            except ValueError:
                raise InputError(f"--{key.replace('max_chars', 'line-chars')} {value}: expected zh=N,en=N",
                                 hint="e.g. --line-chars zh=14,en=40 --cps zh=8") from None
    return subtitle_job.Options(languages=langs, translator=args.translator, formats=formats,
                                burn=not args.no_burn, soft=args.soft, preview=not args.no_preview,
                                poll_interval=interval, limits=limits, terms=_terms(args),
                                script=_script(args))


def _read_text(path: str, flag: str) -> str:
    """A text file the user named; the engine never reads user paths, so the CLI sends its content."""
    file = Path(path).expanduser()
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{flag} {path}: no such file", hint="give the path of a UTF-8 text file") from None
    except UnicodeDecodeError:
        raise InputError(f"{flag} {path} is not UTF-8 text",
                         hint="save it as UTF-8 (e.g. iconv -f GBK -t UTF-8 IN > OUT)") from None


def _terms(args: argparse.Namespace) -> list[str]:
    terms = glossary.parse_terms(args.terms or "")
    if args.terms_file:
        terms += [t for t in glossary.parse_terms(_read_text(args.terms_file, "--terms-file").splitlines())
                  if t not in terms]
    long = [t for t in terms if len(t) > glossary.MAX_TERM_CHARS]
    if long:
        raise InputError(f"the term {long[0][:50]!r} is longer than {glossary.MAX_TERM_CHARS} characters",
                         hint="a term is a word or name (压岁钱, Bilibili), one per line")
    if len(terms) > glossary.MAX_TERMS:
        raise InputError(f"{len(terms)} terms; at most {glossary.MAX_TERMS} are taken",
                         hint="keep the names and words this video gets wrong")
    return terms


def _script(args: argparse.Namespace) -> str:
    if not args.script:
        return ""
    text = _read_text(args.script, "--script").strip()
    if not text:
        raise InputError(f"--script {args.script} is empty", hint="give the file with the video's script")
    if len(text) > script_align.MAX_SCRIPT_CHARS:
        raise InputError(f"--script {args.script} has {len(text)} characters; at most "
                         f"{script_align.MAX_SCRIPT_CHARS} are taken",
                         hint="split the video and its script into parts")
    return text


def _human(data: dict) -> str:
    lines = [f"Subtitles: {', '.join(f'{k} {v} cues' for k, v in data.get('cues', {}).items())}"
             + (f" (translation: {', '.join(f'{k} by {v}' for k, v in data.get('translation', {}).items())})"
                if data.get("translation") else "")]
    lines += [f"  {label}: {path}" for label, path in data.get("files", {}).items()]
    lines += [f"Left out {lang}: {why}" for lang, why in data.get("left_out", {}).items()]
    if data.get("next"):
        lines.append(f"Next: {data['next']}")
    return "\n".join(lines)


def cmd_subtitle(args: argparse.Namespace, out: Output) -> int:
    options = _options(args)
    video = Path(args.video).expanduser()
    out_dir = Path(args.out_dir or video.parent).expanduser()
    with make_client(args, out) as client:
        data = subtitle_job.run(client, video, out_dir, options, progress=out.progress)
    if data.get("needs") == "translation":
        out.result(f"Transcribed. {data['pending']['count']} cues wait for translation in "
                   f"{data['pending_file']}.\nNext: {data['next']}", data)
        return EXIT_NEEDS_USER
    out.result(_human(data), data)
    return 0


def cmd_pending(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        doc = subtitle_job.pending_cues(client.draft())
    if args.out:
        Path(args.out).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [f"{doc['count']} cues to translate from {doc['source_language']} to {doc['target_language']}:"]
    lines += [f"{c['n']}. {c['text']}" for c in doc["cues"]]
    lines.append("Next: " + doc["instructions"])
    out.result("\n".join(lines), doc)
    return 0


def _finish_from_session(client, args, out: Output) -> dict:
    options = subtitle_job.Options(burn=not args.no_burn, soft=args.soft, poll_interval=settings().poll_interval)
    return subtitle_job.finish_session(client, options, out_dir=Path(args.out_dir).expanduser() if args.out_dir else None,
                                       video=Path(args.video).expanduser() if args.video else None,
                                       progress=out.progress)


def cmd_submit(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        subtitle_job.submit(client, Path(args.file))
        data = _finish_from_session(client, args, out)
    out.result("Translation applied.\n" + _human(data), data)
    return 0


def cmd_files(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        data = _finish_from_session(client, args, out)
    out.result(_human(data), data)
    return 0


def _outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out-dir", help="where to write the files (default: beside the video)")
    p.add_argument("--no-burn", action="store_true", help="skip the burned-in MP4")
    p.add_argument("--soft", action="store_true", help="also make a soft-subtitle MP4 (mov_text, no re-encode)")


def add_parsers(sub, common) -> None:
    p = sub.add_parser(
        "subtitle", parents=[common], help="Chinese/English subtitles for a video: files and a Bilibili MP4",
        description="Transcribe the speech (Chinese or English), translate, and write SRT, VTT, ASS, "
                    "Bilibili BCC, a preview PNG and a 1080p H.264 MP4 with the subtitles burned in.",
        epilog="translators: auto (an LLM if NEMO_LLM_BASE_URL is set, else a Whisper draft for English), "
               "llm, agent (exit 3 with the cues to translate; then `nemo subs submit FILE`), whisper")
    p.add_argument("video", help="the video (mp4, mov, mkv, webm, ...; at most 500 MB)")
    p.add_argument("--lang", default="zh+en", help="subtitle languages, zh+en (default), zh or en")
    p.add_argument("--translator", choices=subtitle_job.TRANSLATORS, default="auto",
                   help="who translates (default auto)")
    p.add_argument("--formats", default="srt,vtt,ass,bcc", help="subtitle files to write (default all)")
    p.add_argument("--no-preview", action="store_true", help="skip the preview PNG")
    p.add_argument("--line-chars", metavar="zh=16,en=42", help="characters a line (default zh=16,en=42)")
    p.add_argument("--cps", metavar="zh=9,en=20", help="reading speed, characters a second (default zh=9,en=20)")
    p.add_argument("--terms", metavar="压岁钱,Bilibili",
                   help="glossary, comma-separated: written so, and their homophones corrected")
    p.add_argument("--terms-file", metavar="FILE", help="glossary file, one term a line")
    p.add_argument("--script", metavar="FILE",
                   help="the video's script (UTF-8 text): the subtitles take its text, timed to the speech")
    p.add_argument("--poll-interval", type=seconds, help="seconds between render status polls")
    _outputs(p)
    p.set_defaults(func=cmd_subtitle)

    subs = sub.add_parser("subs", parents=[common], help="the subtitle translation handoff and files",
                          description="Work on the current project's subtitles: hand the cues to the "
                                      "agent for translation, take the translation back, write the files.")
    verbs = subs.add_subparsers(dest="subs_command", required=True, metavar="VERB")
    p = verbs.add_parser("pending", parents=[common], help="the cues waiting for translation (JSON with --json)")
    p.add_argument("--out", help="also save the handoff document to this file")
    p.set_defaults(func=cmd_pending)
    p = verbs.add_parser("submit", parents=[common], help="apply a translation file (one line per cue)",
                         description="Apply a translation: JSON {\"translations\": [...]}, a JSON list, "
                                     "or numbered lines. The count must match the cues exactly.")
    p.add_argument("file", help="the translation file")
    p.add_argument("--video", help="the source video, for the preview PNG (default: the one subtitled)")
    _outputs(p)
    p.set_defaults(func=cmd_submit)
    p = verbs.add_parser("files", parents=[common], help="write the subtitle files and MP4s again (after edits)")
    p.add_argument("--video", help="the source video, for the preview PNG (default: the one subtitled)")
    _outputs(p)
    p.set_defaults(func=cmd_files)
