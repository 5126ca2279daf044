"""Speech a subtitle job's files lack (issue 25): the ranges at the top of the job's JSON and who
must act on them. The CLI exits 3 and the MCP job answers needs='listening' while any is named:
the job is not done until someone listens there."""

from __future__ import annotations


def name_missing_speech(data: dict) -> None:
    """Speech the subtitles do not carry, and cues over silence, at the top of the job's JSON
    (from its check's findings)."""
    for code in ("speech_without_subtitle", "subtitle_without_speech"):
        ranges = [{"start": f["time"], "end": f["end"], "message": f["message"], "fix": f["fix"]}
                  for f in data["check"]["findings"] if f["code"] == code]
        if ranges:
            data[code] = ranges


def ask_to_listen(data: dict) -> bool:
    """Whether a job's result names speech without a subtitle; if so its ``next`` says who must
    act, after what it said already."""
    ranges = data.get("speech_without_subtitle") or []
    if ranges:
        ask = (f"{len(ranges)} stretch(es) of speech have no subtitle (speech_without_subtitle, each with the "
               "files that lack it): for the recognised language ask the user to listen there and add the cues on "
               "the review page (`nemo review`), then run `nemo subs files`; for a translation, translate again")
        data["next"] = f"{data['next']}; {ask}" if data.get("next") else ask
    return bool(ranges)
