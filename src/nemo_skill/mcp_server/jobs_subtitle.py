"""The subtitle skill's jobs as tools: subtitle a video, the translation and proofreading
handoffs, and their submit. They run `nemo subtitle` / `nemo subs ...`'s own functions."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from .. import choices, subtitle_gaps, subtitle_job
from ..errors import InputError
from ..media.subtitles import conventions
from .table import job, obj, path_arg, poll_interval, registry_params

# The transcribe tool's own options (languages, translator, terms, script, limits,
# punctuation), with their bounds, as the engine declares them.
_TRANSCRIBE = ("languages", "translator", "limits", "punctuation", "terms", "script", "speakers")
_OUTPUTS = {
    "out_dir": path_arg("folder for the subtitle files and MP4s (default: beside the video)"),
    "burn": {"type": "boolean", "description": "render the 1080p MP4 with the subtitles burned in (default true)"},
    "soft": {"type": "boolean", "description": "also render an MP4 with switchable subtitles (default false)"},
}
FILES_OUT = {"files": {"type": "object", "description": "what was written: srt/vtt/ass/bcc per language, "
                       "preview PNG, bilibili.mp4"},
             "cues": {"type": "object"}, "languages": {"type": "array"}, "check": {"type": "object"},
             "left_out": {"type": "object"}, "warnings": {"type": "array"},
             "speech_without_subtitle": {"type": "array", "description": "speech no cue carries: start, end (s), "
                                         "message (with what it sounded like, when heard but not read), fix"}}
PENDING_OUT = {"pending": {"type": "object", "description": "the handoff document: cues and instructions"}}
_SUBMIT_NEXT = ("translate every cue of `pending.cues` from {src} to {dst} as `pending.instructions` says, then "
                "call submit_subtitles with `translations`: the {n} translated line(s) in cue order (no file: the "
                "lines are the argument; misheard words go in its `corrections` as [{{cue, text}}])")


def _subtitle_params() -> dict:
    engine = registry_params("transcribe")["properties"]
    return obj({"video": path_arg("the video or audio file on this machine (mp4, mov, mkv, webm, mp3, wav, "
                                  "...; at most 500 MB)"),
                **{k: engine[k] for k in _TRANSCRIBE if k in engine}, **_OUTPUTS}, ("video",))


def _translation_handoff(data: dict) -> dict:
    doc = data["pending"]
    return {**data, "ok": False, "needs": "translation",
            "next": _SUBMIT_NEXT.format(src=doc["source_language"], dst=doc["target_language"], n=doc["count"])}


@job("subtitle_video", "Make accurate Chinese and/or English subtitles for a video file: transcribes the speech "
     "(Whisper, with the glossary `terms` and the creator's `script` if given), translates, writes SRT, VTT, ASS "
     "and Bilibili BCC files, a preview PNG and a 1080p H.264 MP4 with the subtitles burned in, and checks them "
     "(`check`). Use it first for any subtitle request; each call starts a new project. Takes about the video's "
     "length again on this machine (progress is reported; it can be cancelled). When no LLM is configured, the "
     "English waits for you: the result has ok=false, needs='translation' and the cues; translate them and call "
     "submit_subtitles. When speech is left without a subtitle (a voice too quiet under music to read surely), "
     "ok=false, needs='listening' and `speech_without_subtitle` names each stretch: ask the user to listen and "
     "add the cues on the review page. Costs 1 credit plus 1 a started 10 s of rendered video (the local engine's credits are "
     "free; the cloud charges its own).", _subtitle_params(),
     returns={**FILES_OUT, **PENDING_OUT}, long=True, title="Subtitle a video")
def subtitle_video(run, args: dict) -> dict:
    video = Path(args["video"]).expanduser()
    options = subtitle_job.SubtitleRequest(
        languages=list(args.get("languages") or choices.DEFAULT_SUBTITLE_LANGUAGES), translator=args.get("translator", "auto"),
        burn=args.get("burn", True), soft=args.get("soft", False), poll_interval=poll_interval(),
        limits=dict(args.get("limits") or {}), terms=list(args.get("terms") or []),
        script=str(args.get("script") or "").strip(),
        punctuation=args.get("punctuation") or conventions.DEFAULT_PUNCTUATION, speakers=args.get("speakers"))
    out_dir = Path(args.get("out_dir") or video.parent).expanduser()
    with run.client("subtitle") as client:
        data = subtitle_job.run(client, video, out_dir, options, progress=run.progress)
    if data.get("needs") == "translation":
        return _translation_handoff(data)
    return _done(data)


def _done(data: dict) -> dict:
    """Done, or (speech left without a subtitle) waiting for someone to listen there."""
    if subtitle_gaps.ask_to_listen(data):
        return {**data, "ok": False, "needs": "listening"}
    return {"ok": True, **data}


@job("pending_translation", "The subtitle cues still waiting for your translation in the current project (after "
     "subtitle_video answered needs='translation'), with instructions: translate each cue, then call "
     "submit_subtitles. Free, instant.", obj({}), returns=PENDING_OUT, title="Cues to translate")
def pending_translation(run, args: dict) -> dict:
    with run.client("subs") as client:
        doc = subtitle_job.pending_cues(client.draft())
    return {"ok": True, "pending": doc, "next": _SUBMIT_NEXT.format(
        src=doc["source_language"], dst=doc["target_language"], n=doc["count"])}


@job("proofread_subtitles", "The recognised cues of the current project, for you to correct words the speech "
     "recognition misheard (homophones such as 压碎钱 for 压岁钱). Use it when the subtitles read wrong or before "
     "publishing; send fixes with submit_subtitles `corrections`. Free, instant.", obj({}),
     returns=PENDING_OUT, title="Cues to proofread")
def proofread_subtitles(run, args: dict) -> dict:
    with run.client("subs") as client:
        doc = subtitle_job.proofread_document(client.draft())
    return {"ok": True, "pending": doc, "next": "call submit_subtitles with `corrections`: [{cue, text}] for the "
            "cues you change only (each the cue's whole corrected text; it must sound like what was heard)"}


def _submit_params() -> dict:
    lines = registry_params("apply_translation")["properties"]["lines"]
    corrections = registry_params("correct_subtitles")["properties"]["corrections"]
    return obj({"translations": {**lines, "description": "the translated cues, one string per cue, in the order "
                                 "pending_translation listed them (the count must match)"},
                "corrections": corrections,
                "video": path_arg("the video whose project this is, when several were subtitled (default: the "
                                  "last one); also the preview's source"), **_OUTPUTS})


@job("submit_subtitles", "Apply your translation and/or corrections to the current project's subtitles, then write "
     "the files and MP4s again, as subtitle_video does. Give `translations` after needs='translation' or "
     "pending_translation, `corrections` after proofread_subtitles, or both. Every line is checked first (count "
     "1:1; a correction must sound like what was heard); a refused submit changes nothing. Costs 1 credit per "
     "change plus the render (1 + 1 a started 10 s).", _submit_params(), returns=FILES_OUT, long=True,
     title="Submit translation or corrections")
def submit_subtitles(run, args: dict) -> dict:
    if not args.get("translations") and not args.get("corrections"):
        raise InputError("give `translations`, `corrections` or both", hint="pending_translation and "
                         "proofread_subtitles say what is waiting")
    doc: dict = {}
    if args.get("translations"):
        doc["translations"] = list(args["translations"])
    if args.get("corrections"):
        doc["corrections"] = {str(c["cue"]): c["text"] for c in args["corrections"]}
    video = Path(args["video"]).expanduser() if args.get("video") else None
    with run.client("subs") as client, tempfile.TemporaryDirectory(prefix="nemo-mcp-") as work:
        if video is not None:
            subtitle_job.use_video_project(client, video, required=False)
        path = Path(work) / "submission.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        sent = subtitle_job.submit(client, path)
        options = subtitle_job.SubtitleRequest(burn=args.get("burn", True), soft=args.get("soft", False),
                                       poll_interval=poll_interval())
        data = subtitle_job.finish_session(client, options, video=video, progress=run.progress,
                                           out_dir=Path(args["out_dir"]).expanduser() if args.get("out_dir") else None)
    return _done({**data, **sent})
