"""The subtitle skill's main job, over the API: a video in; subtitle files,
a burned-in Bilibili MP4, a soft-subtitle MP4 and a preview PNG out.

The speech work happens behind the API (the local engine or the cloud);
this module only uploads, asks, reads the draft's subtitle tracks and
writes them out, so it works the same against both backends.
"""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import choices, subtitle_gaps, workflows
from .bundle import manifest
from .client import NemoClient
from .errors import FileSizeError, FileTypeError, InputError, MediaError
from .media import ffmpeg
from .media.asr import transcribe as asr
from .media.render import compose
from .media.subtitles import (
    check as subcheck,
    conventions,
    cues,
    doubts as cue_doubts,
    formats as subfiles,
    speaker_cues,
    speech_check as speechcheck,
    translate,
)
from .subtitle_request import FORMATS, TRANSLATORS, SubtitleRequest  # noqa: F401 - the CLI's choices
from .timeline import Draft


def check_video(path: Path) -> None:
    """Everything that can be known about the file before it is sent."""
    if not path.is_file():
        raise InputError(f"{path} does not exist", hint="give the path of the video file")
    kinds = manifest().upload_types
    ext = path.suffix.lower().lstrip(".")
    if ext not in kinds.get("video", ()) + kinds.get("audio", ()):
        raise FileTypeError(f"{path.name} is not a video or audio file this tool takes",
                            hint="use one of: " + ", ".join(kinds.get("video", ()) + kinds.get("audio", ())))
    if path.stat().st_size > manifest().max_upload_bytes:
        raise FileSizeError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MB; the limit is "
                            f"{manifest().max_upload_bytes / 2**20:.0f} MB")
    asr.check_input(path)


def to_call(options: SubtitleRequest) -> dict:
    """The options as the transcribe tool call the local engine runs as it is (issue 12)."""
    args: dict = {"languages": list(options.languages), "translator": options.translator}
    if options.limits:
        args["limits"] = {lang: dict(v) for lang, v in options.limits.items()}
    if options.punctuation != conventions.DEFAULT_PUNCTUATION:
        args["punctuation"] = options.punctuation
    if options.terms:
        args["terms"] = list(options.terms)
    if options.script:
        args["script"] = options.script
    if options.speakers is not None:
        args["speakers"] = options.speakers
    return {"name": "transcribe", "args": args}


def from_call(call: dict) -> SubtitleRequest:
    """The inverse of :func:`to_call` for the options the engine needs."""
    args = call["args"]
    return SubtitleRequest(languages=tuple(args.get("languages") or choices.DEFAULT_SUBTITLE_LANGUAGES),
                           translator=args.get("translator", "auto"), limits=dict(args.get("limits") or {}),
                           punctuation=args.get("punctuation") or conventions.DEFAULT_PUNCTUATION,
                           terms=tuple(args.get("terms") or ()), script=str(args.get("script") or ""),
                           speakers=args.get("speakers"))


def attach(name: str, body: str) -> str:
    """Material sent with the words (the engine's planner reads it back, never as requests)."""
    return f"\n--- {name} ---\n{body}\n--- end of {name} ---"


def request_text(options: SubtitleRequest) -> str:
    """The same options in words, for the cloud's agent."""
    langs = " and ".join(subfiles.LANGUAGE_WORDS.get(x, x) for x in options.languages)
    text = f"generate accurate {langs} subtitles for my Bilibili video"
    if options.translator == "agent":
        text += "; I will translate them myself"
    elif options.translator == "whisper":
        text += " (a Whisper draft translation is fine)"
    elif options.translator == "llm":
        text += " (translate with the LLM)"
    for lang, limits in options.limits.items():
        if "max_chars" in limits:
            text += f"; {lang} lines at most {limits['max_chars']} characters a line"
        if "cps" in limits:
            text += f"; {lang} at most {limits['cps']:g} characters a second"
    if options.punctuation == "keep":
        text += "; keep the punctuation at the end of each cue"
    if options.speakers is not None:
        text += "; label the speakers" + (f" ({options.speakers} speakers)" if options.speakers else "")
    if options.terms:
        text += "; write the terms below exactly so" + attach("terms", "\n".join(options.terms))
    if options.script:
        text += "; take the text from my script below and time it to the speech" + \
            attach("script", options.script)
    return text


def run(client: NemoClient, video: Path, out_dir: Path, options: SubtitleRequest,
        progress: Callable[[str], None] = lambda _m: None, *, stem: str | None = None) -> dict:
    """One video in its own new project; its files are named ``stem`` (default the video's)."""
    video = Path(video)
    stem = stem or video.stem
    check_video(video)
    session = client.session(new=True)
    progress(f"Uploading {video.name}...")
    client.upload([video])
    notes = {"video": str(video.resolve()), "out_dir": str(Path(out_dir).resolve()), "stem": stem}
    client.store.note_session(client.store_key, client.skill, **notes)
    client.store.remember_video(client.store_key, client.skill, notes["video"], {**session, **notes})
    result = client.chat(request_text(options), call=to_call(options))
    errors = result.errors()
    if errors:
        raise MediaError(errors[0], hint="check that the video has speech in it")
    draft = client.draft()
    if not subfiles.from_draft(draft):
        raise MediaError("the backend made no subtitles for this video",
                         hint=f"its answer was: {result.text[:200]}")
    pending = (draft.meta.get("subtitles") or {}).get("pending")
    # A translation nobody made goes to the agent (exit 3), never out as a silent draft;
    # only an explicit --translator whisper finishes on Whisper's labelled draft.
    if pending and options.translator != "whisper":
        return {"needs": "translation", **write_pending(client, draft, out_dir, stem)}
    return finish(client, draft, Path(out_dir), stem, options, video=video, progress=progress)


def use_video_project(client: NemoClient, video: Path, *, required: bool = True) -> None:
    """Make the project ``video`` was subtitled in the current one (after a batch)."""
    saved = client.store.video_session(client.store_key, client.skill, str(Path(video).resolve()))
    if saved:
        client.store.save_session(client.store_key, client.skill, saved)
    elif required:
        raise InputError(f"no subtitle project is noted for {Path(video).name}",
                         hint=f"run `nemo subtitle {video}` first")


def batch_stems(videos: list[Path]) -> list[str]:
    """One output stem per video, unique in the batch (two talk.mp4 -> talk, talk-2)."""
    used: set[str] = set()
    stems = []
    for video in videos:
        stem, n = video.stem, 1
        while stem in used:
            n += 1
            stem = f"{video.stem}-{n}"
        used.add(stem)
        stems.append(stem)
    return stems


def pending_cues(draft: Draft) -> dict:
    """The cues still waiting for a translation, as the handoff document."""
    meta = draft.meta.get("subtitles") or {}
    pending = meta.get("pending")
    tracks = {t.lang: t for t in subfiles.from_draft(draft, as_written=True)}
    if not pending or pending.get("source") not in tracks:
        raise InputError("no subtitle translation is waiting",
                         hint='generate subtitles first (nemo subtitle VIDEO --translator agent)')
    limits = (meta.get("limits") or {}).get(pending["target"], {})
    return translate.pending_document(tracks[pending["source"]].cues, pending["source"], pending["target"],
                                      cues.rules_for(pending["target"], **limits))


def write_pending(client: NemoClient, draft: Draft, out_dir: Path, stem: str) -> dict:
    doc = pending_cues(draft)
    path = Path(out_dir) / f"{stem}.pending.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"pending_file": str(path), "pending": doc,
            "next": f"translate the cues in {path.name}, then run `nemo subs submit FILE`"}


def proofread_document(draft: Draft) -> dict:
    """The recognised cues, for the agent to correct misheard words (`nemo subs proofread`)."""
    lang, items = _recognised(draft)
    return {
        "task": "proofread_subtitles", "language": lang, "count": len(items),
        "instructions": ("Read each cue as its speaker meant it. Where speech recognition wrote a word that "
                         "sounds like the one said (压碎钱 for 压岁钱, 您好设计 for 你好世界), give the cue's "
                         "whole corrected text; change nothing else (no rewording, no punctuation). The cues "
                         "the recogniser was least sure of come first: `unsure` lists its doubtful words with "
                         "their times in seconds (listen there: ffplay -ss START -t 3 VIDEO) and, where a second "
                         "decode heard something else, its `alternatives` to choose from. Save "
                         "{\"corrections\": {\"N\": \"text\"}} with only the cues you change and run "
                         "`nemo subs submit FILE`. A correction that does not sound like what was heard is "
                         "refused, and then nothing changes. `unheard` lists stretches where speech was heard but not read "
                         "surely (with what it sounded like): no cue carries them, so tell the user to add them in "
                         "`nemo review`."),
        "unsure_cues": sum(1 for c in items if c.unsure),
        "cues": sorted((_proofread_cue(i, c) for i, c in enumerate(items, 1)), key=_least_sure_first),
        # heard, not read, and still without a cue: a correction cannot add one; the review page can
        "unheard": [{"start": round(a, 3), "end": round(b, 3), "heard": heard,
                     "fix": f"listen to {a:.1f}-{b:.1f} s; add the cue in `nemo review` (a correction cannot add one)"}
                    for a, b, heard in speechcheck.unheard_left(draft.meta.get("subtitles") or {}, items)],
    }


def _proofread_cue(n: int, cue) -> dict:
    out = {"n": n, "start": round(cue.start, 3), "end": round(cue.end, 3), "text": cue.text.replace("\n", " ")}
    if cue.confidence is not None:
        out.update(confidence=cue.confidence, unsure=[dict(u) for u in cue.unsure])
    return out


def _least_sure_first(cue: dict) -> tuple:
    """Cues with unsure words first, least confident first; then the rest in time order."""
    return (0, cue["confidence"], cue["n"]) if cue.get("unsure") else (1, 0.0, cue["n"])


def _recognised(draft: Draft) -> tuple[str, list]:
    """The recognised language's cues: the pending translation's source, else the first track."""
    tracks = {t.lang: t for t in subfiles.from_draft(draft, as_written=True)}
    source = ((draft.meta.get("subtitles") or {}).get("pending") or {}).get("source")
    lang = source if source in tracks else next(iter(tracks), None)
    if lang is None:
        raise InputError("the project has no subtitles yet", hint="run `nemo subtitle VIDEO` first")
    return lang, tracks[lang].cues


def submit(client: NemoClient, path: Path) -> dict:
    """Send an agent's corrections and translation back, each checked before anything is sent:
    the corrections by the engine (they must sound like what was heard), the translation 1:1
    (re-wrapped, and a line too long for its cue split). Returns which cues were corrected
    and a warning for every cue still over the reading speed."""
    from .media.subtitles import proofread
    draft = client.draft()
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        doc = None
    fixes = doc.get("corrections") if isinstance(doc, dict) else None
    only_fixes = fixes is not None and not ({"translations", "cues"} & set(doc))
    texts, target = None, None
    if not only_fixes:   # every check before the first change
        pending = pending_cues(draft)
        texts, target = translate.read_submission(Path(path), pending["count"]), pending["target_language"]
    out: dict = {"corrected": [], "translated": texts is not None, "warnings": []}
    if fixes is not None:
        lang, items = _recognised(draft)
        try:
            wanted = proofread.parse_corrections(fixes, len(items))
        except ValueError as exc:
            raise InputError(f"{Path(path).name}: {exc}", hint="fix the corrections and submit again; "
                             "nothing was changed") from None
        if wanted:
            body = "\n".join(f"{n}. {t}" for n, t in sorted(wanted.items()))
            call = {"name": "correct_subtitles", "args": {"lang": lang, "corrections": [
                {"cue": n, "text": t} for n, t in sorted(wanted.items())]}}
            result = client.chat(f"correct the subtitles ({lang}):\n{body}", call=call)
            if result.errors():
                raise InputError(result.errors()[0], hint="fix the corrections and submit again")
            out["corrected"] = sorted(wanted)
    if texts is not None:
        body = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, 1))
        call = {"name": "apply_translation", "args": {"lang": target, "lines": texts}}
        result = client.chat(f"apply the subtitle translation ({target}):\n{body}", call=call)
        if result.errors():
            raise InputError(result.errors()[0], hint="fix the translation file and submit it again")
        out["warnings"] = translation_warnings(client.draft(), target)
    return out


def finish_session(client: NemoClient, options: SubtitleRequest, *, out_dir: Path | None = None,
                   video: Path | None = None, progress: Callable[[str], None] = lambda _m: None) -> dict:
    """`finish` for the current project, with the video and folder `run` noted for it."""
    noted = client.store.session(client.store_key, client.skill) or {}
    out_dir = out_dir or Path(noted.get("out_dir") or ".")
    if video is None and noted.get("video"):
        video = Path(noted["video"])
    stem = noted.get("stem") or (video.stem if video else "subtitles")
    source = video if video is not None and video.is_file() else None
    draft = client.draft()
    languages = tuple(subfiles.subtitle_languages(draft))
    if not languages:       # nothing to write yet: the caller says a transcription comes first
        return {"files": {}, "languages": [], "cues": {}, "needs": ["subtitles"]}
    # the languages this project has, not the defaults: a zh-only project lacks no English;
    # soft subtitles asked for in words (say "软字幕") are written too, not only with --soft
    options = options.but(preview=source is not None, languages=languages,
                          soft=options.soft or (draft.meta.get("subtitles") or {}).get("mode") == "soft")
    return finish(client, draft, out_dir, stem, options, video=source, progress=progress)


def finish(client: NemoClient, draft: Draft, out_dir: Path, stem: str, options: SubtitleRequest, *,
           video: Path | None = None, progress: Callable[[str], None] = lambda _m: None) -> dict:
    """Write the files and render the MP4s for the draft's subtitles."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tracks = subfiles.from_draft(draft)
    width, height = compose.canvas(draft)
    files = subfiles.write_all(tracks, out_dir, stem, width, height, options.formats)
    data: dict = {"files": files, "languages": [t.lang for t in tracks],
                  "cues": {t.lang: sum(1 for c in t.cues if c.text.strip()) for t in tracks},
                  "translation": {t.lang: t.source for t in tracks}}
    _say_left_out(data, draft, options.languages)
    if (who := speaker_cues.describe(tracks)) is not None:
        data["speakers"] = who
    drafts = [t.lang for t in tracks if t.draft_quality]
    if drafts:
        data["draft_quality"] = drafts
        data["next"] = ("the English is a Whisper draft; for an accurate translation run "
                        "`nemo subs pending --json`, translate, then `nemo subs submit FILE`")
    if video is not None and not ffmpeg.probe(video).has_video:
        # a recording without a picture: the subtitle files are what it gets; an MP4 is not
        # rendered (nor said to be), and the JSON says why
        options = options.but(preview=False, burn=False, soft=False)
        data["no_picture"] = (f"{video.name} has no picture, so no preview and no MP4 were made; "
                              "the subtitle files are written. For a Bilibili MP4, give the video file")
    if options.preview and video is not None and tracks and tracks[0].cues:
        first = tracks[0].cues[0]
        png = out_dir / f"{stem}.preview.png"
        with tempfile.TemporaryDirectory() as work:
            compose.preview(video, draft.raw, (first.start + first.end) / 2, png, Path(work))
        files["preview"] = str(png)
    for mode, wanted, name in (("burn", options.burn, "bilibili"), ("soft", options.soft, "soft")):
        if not wanted:
            continue
        variant = copy.deepcopy(draft.raw)
        variant.setdefault("m", {}).setdefault("subtitles", {})["mode"] = mode
        progress(f"Rendering the {'burned-in' if mode == 'burn' else 'soft-subtitle'} MP4...")
        res = workflows.export(client, out_dir / f"{stem}.{name}.mp4", interval=options.poll_interval,
                               draft=Draft(variant),
                               on_status=lambda s: progress(f"Rendering: {s.status} {s.progress:.0f}%"))
        files[f"{name}.mp4"] = res.path
        data[f"{mode}_seconds"] = round(res.seconds, 2)
    # what a creator would be told before publishing: every file written and the Bilibili MP4
    checked = [Path(p) for label, p in files.items() if label not in ("preview", "soft.mp4")]
    data["check"] = subcheck.check_paths(checked, rules=subcheck.default_rules(options.limits or draft_limits(draft)),
                                         punctuation=subfiles.punctuation(draft))
    _add_unheard(data, draft, files)
    subtitle_gaps.name_missing_speech(data)
    return data


def _add_unheard(data: dict, draft: Draft, files: dict) -> None:
    """The stretches recognition heard but could not read, still without a cue, as findings
    beside those of the check (which hears the audio, and may have named them already)."""
    unheard = cue_doubts.unheard_from_meta(draft.meta.get("subtitles") or {})
    if unheard and files:
        lang, items = _recognised(draft)
        speechcheck.add_unheard(data["check"], unheard, [(c.start, c.end) for c in items if c.text.strip()],
                                files.get(f"{lang}.srt") or next(iter(files.values())))


def _say_left_out(data: dict, draft: Draft, requested: list[str]) -> None:
    """Every language asked for or in the draft that no writer got, and why (issue 13)."""
    pending = (draft.meta.get("subtitles") or {}).get("pending") or {}
    wanted = dict.fromkeys([*requested, *subfiles.subtitle_languages(draft),
                            *([pending["target"]] if pending.get("target") else [])])
    missing = [lang for lang in wanted if lang not in data["languages"]]
    if not missing:
        return
    data["left_out"] = {}
    for lang in missing:
        why = ("its translation waits for your agent" if lang == pending.get("target")
               else "no words were recognised or translated for it")
        data["left_out"][lang] = (f"{why}, so no {lang} SRT/VTT/ASS/BCC, no bilingual file and no {lang} "
                                  "line in the MP4s were written")
    data["next"] = ("for English, let your agent translate (`nemo subtitle VIDEO --translator agent`, or "
                    "`nemo subs pending --json` then `nemo subs submit FILE`) or set "
                    "NEMO_LLM_BASE_URL/NEMO_LLM_MODEL/NEMO_LLM_API_KEY")


def draft_limits(draft: Draft) -> dict:
    """The layout limits the user gave when transcribing, kept in the draft."""
    return dict((draft.meta.get("subtitles") or {}).get("limits") or {})


def translation_warnings(draft: Draft, lang: str) -> list[dict]:
    """Every cue of ``lang`` still over its reading speed after the translation was fitted."""
    rules = cues.rules_for(lang, **(draft_limits(draft).get(lang) or {}))
    track = next((t for t in subfiles.from_draft(draft) if t.lang == lang), None)
    found, _ = subcheck.check_cues(track.cues if track else [], f"({lang} subtitles)", {lang: rules})
    return [f.to_json() for f in found if f.code == "reading_speed"]
