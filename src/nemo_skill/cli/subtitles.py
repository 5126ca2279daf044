"""`nemo subtitle VIDEO` and `nemo subs pending|submit|files|check`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .. import choices, subtitle_gaps, subtitle_job, text_safety
from ..constants import EXIT_ERROR, EXIT_FINDINGS, EXIT_NEEDS_USER, MAX_SPEAKERS
from ..errors import InputError, NemoError
from ..media.asr import glossary
from ..media.subtitles import conventions, script_align
from .context import make_client, settings
from .output import Output, seconds


def _options(args: argparse.Namespace) -> subtitle_job.SubtitleRequest:
    langs = [x.strip() for x in args.lang.replace("+", ",").split(",") if x.strip()]
    bad = [x for x in langs if x not in choices.LANGUAGES]
    if bad or not langs:
        raise InputError(f"--lang {args.lang}: languages are zh and en", hint="e.g. --lang zh+en or --lang zh")
    formats = tuple(x.strip() for x in args.formats.split(",") if x.strip())
    unknown = [f for f in formats if f not in subtitle_job.FORMATS]
    if unknown:
        raise InputError(f"--formats: unknown {', '.join(unknown)}", hint="choose from srt,vtt,ass,bcc")
    interval = args.poll_interval if args.poll_interval is not None else settings().poll_interval
    limits = _limits(args)
    return subtitle_job.SubtitleRequest(languages=langs, translator=args.translator, formats=formats,
                                burn=not args.no_burn, soft=args.soft, preview=not args.no_preview,
                                poll_interval=interval, limits=limits, punctuation=args.punctuation,
                                terms=_terms(args), script=_script(args), speakers=args.speakers)


SPEAKERS_HELP = ("interviews, podcasts: a new cue at each change of speaker, each cue labelled (说话人1：/ "
                 "Speaker 1: in SRT and BCC, <v Speaker 1> in VTT, the ASS Name field, `speakers` in --json); "
                 "N: how many speakers (1-8), without it they are counted")


def speaker_count(value: str) -> int:
    """--speakers N: 1-8 speakers; the flag alone ("auto") finds out how many (0 to the engine)."""
    if value == "auto":
        return 0
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_SPEAKERS:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a number of speakers from 1 to {MAX_SPEAKERS}; give the count "
            "(--speakers 2) or the flag alone to find out, after the video (nemo subtitle VIDEO --speakers)")
    return int(value)


def _limits(args: argparse.Namespace) -> dict:
    """--line-chars zh=14,en=40 --cps zh=8 -> {"zh": {"max_chars": 14, "cps": 8.0}, "en": {...}}."""
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
    return limits


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
    raw = (args.terms or "").replace("，", ",").replace("\n", ",").split(",")
    if args.terms_file:
        raw += _read_text(args.terms_file, "--terms-file").splitlines()
    # The count first, before any other work on them (100 000 terms once took minutes).
    terms = glossary.parse_terms(raw, limit=glossary.MAX_TERMS)
    if len(terms) > glossary.MAX_TERMS:
        raise InputError(f"more than {glossary.MAX_TERMS} terms; at most {glossary.MAX_TERMS} are taken",
                         hint="keep the names and words this video gets wrong")
    unsafe = next((why for t in terms if (why := text_safety.problem(t))), None)
    if unsafe:
        raise InputError(f"a term is refused: {unsafe}", hint="a term is a word or name, as it is written")
    long = [t for t in terms if len(t) > glossary.MAX_TERM_CHARS]
    if long:
        raise InputError(f"the term {long[0][:50]!r} is longer than {glossary.MAX_TERM_CHARS} characters",
                         hint="a term is a word or name (压岁钱, Bilibili), one per line")
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
    lines += [f"No MP4: {data['no_picture']}"] if data.get("no_picture") else []
    lines += [f"Warning: cue {w.get('cue')} ({w.get('lang')}): {w['message']}" for w in data.get("warnings", [])]
    lines += [f"Speech without subtitles {r['start']:.1f}-{r['end']:.1f} s: {r['message']}. Fix: {r['fix']}"
              for r in data.get("speech_without_subtitle", [])]
    if "check" in data:
        lines.append(_check_summary(data["check"]))
    if data.get("next"):
        lines.append(f"Next: {data['next']}")
    return "\n".join(lines)


def cmd_subtitle(args: argparse.Namespace, out: Output) -> int:
    options = _options(args)
    videos = [Path(v).expanduser() for v in args.video]
    if len(videos) > 1:
        return _batch(args, out, options, videos)
    video = videos[0]
    out_dir = Path(args.out_dir or video.parent).expanduser()
    with make_client(args, out) as client:
        data = subtitle_job.run(client, video, out_dir, options, progress=out.progress)
    if data.get("needs") == "translation":
        out.result(f"Transcribed. {data['pending']['count']} cues wait for translation in "
                   f"{data['pending_file']}.\nNext: {data['next']}", data)
        return EXIT_NEEDS_USER
    return _done(data, out)


def _done(data: dict, out: Output, said: tuple[str, ...] = ()) -> int:
    """The job's result: 0 when the subtitles carry all the speech that was heard; 3 (the user is
    needed) when the JSON names speech without a subtitle, which someone must listen to."""
    missing = subtitle_gaps.ask_to_listen(data)
    out.result("\n".join([*filter(None, said), _human(data)]), data)
    return EXIT_NEEDS_USER if missing else 0


def _batch(args: argparse.Namespace, out: Output, options, videos: list[Path]) -> int:
    """Each video in its own project with its own stem; one failure does not stop the rest."""
    results, lines, listen = [], [], 0
    with make_client(args, out) as client:
        for video, stem in zip(videos, subtitle_job.batch_stems(videos), strict=True):
            out.progress(f"== {video.name} ==")
            out_dir = Path(args.out_dir or video.parent).expanduser()
            try:
                data = subtitle_job.run(client, video, out_dir, options, progress=out.progress, stem=stem)
            except NemoError as exc:
                results.append({"video": str(video), "ok": False, **exc.to_json()})
                lines.append(f"{video.name}: Error: {exc.message}" + (f" (next: {exc.hint})" if exc.hint else ""))
                continue
            if data.get("needs") == "translation":
                data["next"] = (f"translate the cues in {Path(data['pending_file']).name}, then "
                                f"`nemo subs submit FILE --video {video}`")
            listen += subtitle_gaps.ask_to_listen(data)
            results.append({"video": str(video), "ok": True, "stem": stem, **data})
            lines.append(f"{video.name}: " + (data["next"] if data.get("needs") else _human(data)))
    failed = sum(not r["ok"] for r in results)
    waiting = sum(r.get("needs") == "translation" for r in results)
    out.result("\n".join(lines), {"videos": results, "count": len(results), "failed": failed,
                                  "waiting_for_translation": waiting, "speech_without_subtitle": listen})
    return EXIT_ERROR if failed else EXIT_NEEDS_USER if waiting or listen else 0


def _project_of(client, args: argparse.Namespace, *, required: bool = False) -> None:
    """--video picks that video's project (a batch makes one each); for submit and files a
    video never subtitled is only the preview's source, as before."""
    if getattr(args, "video", None):
        subtitle_job.use_video_project(client, Path(args.video).expanduser(), required=required)


def cmd_pending(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        _project_of(client, args, required=True)
        doc = subtitle_job.pending_cues(client.draft())
    return _hand_over(doc, f"{doc['count']} cues to translate from {doc['source_language']} to "
                           f"{doc['target_language']}:", args, out)


def _hand_over(doc: dict, heading: str, args: argparse.Namespace, out: Output) -> int:
    """A handoff document (cues for the agent): saved with --out, listed, and what to do next."""
    if args.out:
        Path(args.out).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [heading, *(f"{c['n']}. {c['text']}" + _doubts(c) for c in doc["cues"]),
             *(f"No cue, heard but not read: {u['start']:.1f}-{u['end']:.1f} s, it sounded like \u201c{u['heard']}\u201d"
               for u in doc.get("unheard") or ()), "Next: " + doc["instructions"]]
    out.result("\n".join(lines), doc)
    return 0


def _doubts(cue: dict) -> str:
    """Where to listen: the unsure words of a recognised cue, with what a second decode heard."""
    words = [f"{u['text']} at {u['start']:.1f}s" + (f" (or {'/'.join(u['alternatives'])})" if u.get("alternatives")
                                                    else "") for u in cue.get("unsure") or ()]
    return f"   [unsure, {cue['confidence']:.0%} sure: {'; '.join(words)}]" if words else ""


def _finish_from_session(client, args, out: Output) -> dict:
    options = subtitle_job.SubtitleRequest(burn=not args.no_burn, soft=args.soft, poll_interval=settings().poll_interval)
    return subtitle_job.finish_session(client, options, out_dir=Path(args.out_dir).expanduser() if args.out_dir else None,
                                       video=Path(args.video).expanduser() if args.video else None,
                                       progress=out.progress)


def cmd_submit(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        _project_of(client, args)
        sent = subtitle_job.submit(client, Path(args.file))
        data = _finish_from_session(client, args, out)
    data.update(sent)
    said = (f"Corrected cue(s) {', '.join(map(str, sent['corrected']))}." if sent["corrected"] else "",
            "Translation applied." if sent["translated"] else "")
    return _done(data, out, said)


def cmd_proofread(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        _project_of(client, args, required=bool(args.video))
        doc = subtitle_job.proofread_document(client.draft())
    return _hand_over(doc, f"{doc['count']} {doc['language']} cues as recognised:", args, out)


def _check_summary(report: dict) -> str:
    if report["clean"]:
        return f"Check: no findings in {len(report['files'])} file(s)"
    counts = ", ".join(f"{code} {n}" for code, n in report["by_code"].items())
    return f"Check: {report['count']} finding(s): {counts}"


def cmd_check(args: argparse.Namespace, out: Output) -> int:
    from ..media.subtitles import check as subcheck
    report = subcheck.check_paths([Path(f).expanduser() for f in args.files],
                                  rules=subcheck.default_rules(_limits(args)), punctuation=args.punctuation)
    lines = [f"{f['file']}: {f['message']}\n  fix: {f['fix']}" for f in report["findings"]]
    out.result("\n".join([*lines, _check_summary(report)]), report)
    return 0 if report["clean"] else EXIT_FINDINGS


def cmd_files(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        _project_of(client, args)
        data = _finish_from_session(client, args, out)
    return _done(data, out)


def _outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out-dir", help="where to write the files (default: beside the video)")
    p.add_argument("--no-burn", action="store_true", help="skip the burned-in MP4")
    p.add_argument("--soft", action="store_true", help="also make a soft-subtitle MP4 (mov_text, no re-encode)")


def _limit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--line-chars", metavar="zh=16,en=42", help="characters a line (default zh=16,en=42)")
    p.add_argument("--cps", metavar="zh=9,en=20", help="reading speed, characters a second (default zh=9,en=20)")


def add_parsers(sub, common) -> None:
    p = sub.add_parser(
        "subtitle", parents=[common], help="Chinese/English subtitles for a video: files and a Bilibili MP4",
        description="Transcribe the speech (Chinese or English), translate, and write SRT, VTT, ASS, "
                    "Bilibili BCC, a preview PNG and a 1080p H.264 MP4 with the subtitles burned in.",
        epilog="translators: auto (an LLM if NEMO_LLM_BASE_URL is set, else the agent: exit 3 with the cues "
               "to translate, then `nemo subs submit FILE`), llm, agent, whisper (Whisper's own English, "
               "labelled a draft). Every run ends with the `nemo subs check` report in its JSON (`check`).")
    p.add_argument("video", nargs="+", help="the video(s) (mp4, mov, mkv, webm, ...; at most 500 MB each); "
                                            "several: each gets its own project and output name")
    p.add_argument("--lang", default="zh+en", help="subtitle languages, zh+en (default), zh or en")
    p.add_argument("--translator", choices=subtitle_job.TRANSLATORS, default="auto",
                   help="who translates (default auto)")
    p.add_argument("--formats", default="srt,vtt,ass,bcc", help="subtitle files to write (default all)")
    p.add_argument("--no-preview", action="store_true", help="skip the preview PNG")
    _limit_options(p)
    p.add_argument("--punctuation", choices=conventions.PUNCTUATION_STYLES, default=conventions.DEFAULT_PUNCTUATION,
                   help="conventional (default): Chinese cues end without ，。 and a pause inside a line "
                        "is a space, as published Chinese subtitles do; keep: the punctuation as transcribed")
    p.add_argument("--terms", metavar="压岁钱,Bilibili",
                   help="glossary, comma-separated: written so, and their homophones corrected")
    p.add_argument("--terms-file", metavar="FILE", help="glossary file, one term a line")
    p.add_argument("--script", metavar="FILE",
                   help="the video's script (UTF-8 text): the subtitles take its text, timed to the speech")
    p.add_argument("--speakers", nargs="?", const="auto", type=speaker_count, metavar="N", help=SPEAKERS_HELP)
    p.add_argument("--poll-interval", type=seconds, help="seconds between render status polls")
    _outputs(p)
    p.set_defaults(func=cmd_subtitle)

    subs = sub.add_parser("subs", parents=[common], help="the subtitle translation handoff, proofreading, files and check",
                          description="Work on the current project's subtitles: hand the cues to the "
                                      "agent for translation or proofreading, take them back, write the files; "
                                      "check subtitle files and MP4s before publishing.")
    verbs = subs.add_subparsers(dest="subs_command", required=True, metavar="VERB")
    p = verbs.add_parser("pending", parents=[common], help="the cues waiting for translation (JSON with --json)")
    p.add_argument("--out", help="also save the handoff document to this file")
    p.add_argument("--video", help="the project of this video (after a batch); default the last one")
    p.set_defaults(func=cmd_pending)
    p = verbs.add_parser("submit", parents=[common], help="apply a translation file and/or corrections",
                         description="Apply a translation: JSON {\"translations\": [...]}, a JSON list, "
                                     "or numbered lines; the count must match the cues exactly. A JSON file "
                                     "may also (or only) hold \"corrections\": {\"N\": \"text\"}, misheard "
                                     "words fixed in the recognised cues (see `nemo subs proofread`).")
    p.add_argument("file", help="the translation or corrections file")
    p.add_argument("--video", help="the video whose project this is (after a batch) and the source of "
                                         "the preview PNG (default: the one subtitled last)")
    _outputs(p)
    p.set_defaults(func=cmd_submit)
    p = verbs.add_parser("proofread", parents=[common], help="the recognised cues, for correcting misheard words",
                         description="List the recognised cues so the agent can correct words the speech "
                                     "recognition misheard (homophones); send them back with `nemo subs submit "
                                     "FILE` as {\"corrections\": {\"N\": \"text\"}}. A correction must sound "
                                     "like what was heard.")
    p.add_argument("--out", help="also save the document to this file")
    p.add_argument("--video", help="the project of this video (after a batch); default the last one")
    p.set_defaults(func=cmd_proofread)
    p = verbs.add_parser("files", parents=[common], help="write the subtitle files and MP4s again (after edits)")
    p.add_argument("--video", help="the video whose project this is (after a batch) and the source of "
                                         "the preview PNG (default: the one subtitled last)")
    _outputs(p)
    p.set_defaults(func=cmd_files)
    p = verbs.add_parser(
        "check", parents=[common], help="a quality report on subtitle files and MP4s (exit 4 on findings)",
        description="Check subtitle files (SRT, VTT, ASS, BCC) against the subtitle rules - line length, "
                    "lines a cue, reading speed, cue length 0.83-7 s, two frames between cues, overlaps, "
                    "Chinese end punctuation, empty cues, the BCC schema - and MP4s against Bilibili's "
                    "upload rules (H.264 8-bit yuv420p, a keyframe every 10 s or less, AAC 48 kHz stereo "
                    "at most 320 kbit/s, under 4 GB and 5 h). Given subtitle files and their video, it also "
                    "hears the video's speech: speech_without_subtitle (speech no cue carries) and "
                    "subtitle_without_speech (4 s or more of cues over silence), each with its time range. "
                    "Each finding has a code, the file, the cue or range, a message and a fix.",
        epilog="exit codes: 0 no findings, 4 findings (the report is still printed), 1 a file could not be read")
    p.add_argument("files", nargs="+", metavar="FILE", help=".srt, .vtt, .ass, .bcc or .mp4 files")
    _limit_options(p)
    p.add_argument("--punctuation", choices=conventions.PUNCTUATION_STYLES, default=conventions.DEFAULT_PUNCTUATION,
                   help="keep: do not report ，。 at Chinese cue ends")
    p.set_defaults(func=cmd_check)
