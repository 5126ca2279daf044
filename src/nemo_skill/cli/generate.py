"""`nemo generate` and `nemo script pending|submit`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .. import generate_job
from ..generate_request import GenerateRequest
from ..media.scenes.motifs import STYLES
from ..media.voice import catalog as voice_catalog, tts
from .context import make_client, settings
from .output import Output, seconds


def _interval(args) -> float:
    return args.poll_interval if getattr(args, "poll_interval", None) is not None else settings().poll_interval


def _voice_line(v: dict, default: str) -> str:
    clarity = v["clarity"]
    heard = (f"syllable error {clarity['syllable_error']:.3f}, tonal {clarity['tonal_syllable_error']:.3f} "
             f"(with English words {clarity['with_english']['syllable_error']:.3f}/"
             f"{clarity['with_english']['tonal_syllable_error']:.3f}), {clarity['pitch_hz']} Hz"
             if clarity else "not measured")
    use = ("commercial use OK" if v["commercial"] else "check its licence" if v["id"] == "sherpa:DIR"
           else "NON-COMMERCIAL")
    mark = " (default)" if v["id"] == default else "" if v["installed"] or not v["offline"] else " (not installed)"
    return f"{v['id']:<28} {v['gender'] or '-':<7} {use:<18} {v['licence']:<26} {heard}{mark}"


def _human(data: dict) -> str:
    voice = data["voice"]
    use = ("commercial use allowed" if voice.get("commercial")
           else "NOT for commercial use: pick a Kokoro voice (`nemo generate --voices`)")
    return (f"Made {data['path']}: {data['seconds']:.1f} s, {data['width']}x{data['height']}, "
            f"{data['sentences']} sentences narrated by {voice['id']} ({voice.get('licence', '')}; {use}).")


def cmd_generate(args: argparse.Namespace, out: Output) -> int:
    if args.voices:
        listed, default = voice_catalog.catalog(), voice_catalog.default_voice()
        out.result("\n".join(_voice_line(v, default) for v in listed),
                   {"voices": listed, "default": default,
                    "bar": {"syllable_error": voice_catalog.BAR_TONELESS,
                            "tonal_syllable_error": voice_catalog.BAR_TONAL}})
        return 0
    req = GenerateRequest.build(
        script=generate_job.read_script(args.script) if args.script is not None else None,
        prompt=args.prompt, aspect=args.aspect, duration=args.duration, voice=args.voice,
        music=Path(args.music).expanduser() if args.music else None,
        images=[Path(p).expanduser() for p in args.image or []], title=args.title, no_music=args.no_music,
        style=args.style, subtitle_style=args.subtitle_style,
        media_dir=Path(args.media_dir).expanduser() if args.media_dir else None, scenes=args.scenes,
        labels=args.labels)
    if args.plan_only:
        data = generate_job.plan(req)
        out.result(_plan_human(data), data)
        return 0
    target = Path(args.out).expanduser()
    with make_client(args, out) as client:
        data = generate_job.run(client, req, target, settings=settings(), poll_interval=_interval(args),
                                progress=out.progress)
    _say_voice_terms(data, out)
    out.result(_human(data), data)
    return 0


def _plan_human(data: dict) -> str:
    lines = [f"Plan: \"{data['title']}\", {len(data['sentences'])} sentences, about {data['seconds']:.0f} s "
             f"at rate {data['rate']:g} ({data['options']['aspect']}, voice {data['options']['voice']})."]
    for s in data["sentences"]:
        lines.append(f"{s['index']:>3}. {s['text']}")
        if s["spoken"] != s["text"]:
            lines.append(f"     said: {s['spoken']}")
    lines.append("Next: if every sentence reads right, run the same command without --plan-only.")
    return "\n".join(lines)


def _say_voice_terms(data: dict, out: Output) -> None:
    """One line on stderr with the voice's terms: the default voice's weights are non-commercial."""
    voice = data.get("voice") or {}
    out.progress(f"Voice: {voice.get('engine', voice.get('id'))}. {voice.get('terms', '')}")


def cmd_pending(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        doc = generate_job.pending(client)
    out.result(f"Prompt: {doc['prompt']}\nNext: {doc['instructions']}", doc)
    if args.out:
        Path(args.out).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def cmd_submit(args: argparse.Namespace, out: Output) -> int:
    with make_client(args, out) as client:
        data = generate_job.submit(client, Path(args.file), Path(args.out).expanduser() if args.out else None,
                                   aspect=args.aspect,
                                   voice=args.voice, poll_interval=_interval(args), progress=out.progress)
    _say_voice_terms(data, out)
    out.result(_human(data), data)
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("generate", parents=[common], help="a narrated Chinese video from a script or prompt",
                       description="Make a 1080p Chinese video: narration (one voice clip a sentence), "
                                   "subtitles timed to it, scenes (your images and clips, or generated), "
                                   "and music ducked under the voice.")
    p.add_argument("--script", help="the narration: a text file, or the text itself (used as written)")
    p.add_argument("--prompt", help="what the video is about, when there is no script yet")
    p.add_argument("--aspect", choices=generate_job.ASPECTS, default="16:9", help="16:9 (default), 9:16 or 1:1")
    p.add_argument("--duration", type=float, help="target seconds; steers the speaking rate")
    p.add_argument("--voice",
                   help="narration voice (default: the first offline voice a creator may publish with that reads "
                        "back clearly, a Kokoro voice (Apache-2.0) once scripts/setup.sh installed it; else "
                        f"{tts.DEFAULT_VOICE}, whose weights are for NON-COMMERCIAL use). See --voices: each voice's "
                        "gender, licence and measured clarity")
    p.add_argument("--subtitle-style", choices=generate_job.SUBTITLE_STYLES, default=generate_job.DEFAULT_SUBTITLE_STYLE,
                   help="box (default: white on a dark panel, legible over any picture), plain (white, black "
                        "outline) or karaoke (each character lights up as the voice says it)")
    p.add_argument("--voices", action="store_true", help="list the voices and exit")
    p.add_argument("--plan-only", action="store_true",
                   help="render nothing: print each sentence with exactly what the voice will say (numbers "
                        "as words) and its estimated seconds, and the options in force; offline, in seconds")
    p.add_argument("--music", help="background music (mp3, wav, m4a, aac); default a generated bed")
    p.add_argument("--no-music", action="store_true", help="no background music")
    p.add_argument("--image", action="append", help="an image or clip for the scenes, in order (repeatable)")
    p.add_argument("--media-dir", metavar="DIR",
                   help="your own pictures and clips: each sentence shows the file whose name (or sidecar "
                        "NAME.txt of tags) matches what it says, in script order; the rest are drawn")
    p.add_argument("--scenes", choices=generate_job.SCENE_SOURCES, default="auto",
                   help="where pictures come from when you give none: auto (default: Pexels, Pixabay or an "
                        "image model when its key is set, else drawn), drawn, pexels (NEMO_PEXELS_API_KEY), "
                        "pixabay (NEMO_PIXABAY_API_KEY) or ai (NEMO_IMAGE_BASE_URL, NEMO_IMAGE_MODEL)")
    p.add_argument("--title", help="the title shown at the start (default: the script's first short line)")
    p.add_argument("--out", default="video.mp4", help="where to save the MP4 (default video.mp4)")
    p.add_argument("--style", choices=STYLES, help="the look of generated scenes: ink (水墨, default), flat or gradient")
    p.add_argument("--labels", action="store_true",
                   help="also show each scene's key phrase large in the middle (off: the subtitle says it)")
    p.add_argument("--poll-interval", type=seconds, help="seconds between render status polls")
    p.set_defaults(func=cmd_generate)

    s = sub.add_parser("script", parents=[common], help="the script handoff for a prompt-only video",
                       description="When no LLM is configured, the agent writes the script: see what is "
                                   "needed, then submit it.")
    verbs = s.add_subparsers(dest="script_command", required=True, metavar="VERB")
    p = verbs.add_parser("pending", parents=[common], help="what the script should be (JSON with --json)")
    p.add_argument("--out", help="also save it to this file")
    p.set_defaults(func=cmd_pending)
    p = verbs.add_parser("submit", parents=[common], help="make the video from a written script")
    p.add_argument("file", help="the script: first line a short title, then one sentence a line")
    p.add_argument("--aspect", choices=generate_job.ASPECTS,
                   help="the video's shape (default: the one `nemo generate` was given, else 16:9)")
    p.add_argument("--voice", help="the narrator (see `nemo generate --help`; default: the one `nemo generate` "
                                   "was given, else the offline voice)")
    p.add_argument("--out", help="where to save the MP4 (default: the --out `nemo generate` was given, "
                                 "else ./video.mp4)")
    p.set_defaults(func=cmd_submit)
