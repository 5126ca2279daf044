"""Re-speaking a generated video: another voice ("换成男声", "女声", "a deeper voice") or
another pace ("再慢一点"), every other choice kept.

The voice is picked from the catalogue: the first installed offline voice a creator may
publish with (commercial licence) that reads back clearly, of the asked gender; or a named
voice. The script, pictures (and who chose them), music, title, rate, the target length,
every track's look and the subtitle settings stay; scenes and subtitles follow the new
voice's timing.
"""

from __future__ import annotations

import re

from ..errors import NemoError
from ..media import motifs, script, tts, voice_catalog
from ..timeline import Kind
from ..timeline_edit import find_track, meta_value, subtitle_settings, track_id
from . import planner
from .generate_tools import assemble
from .tools import ToolContext, tool

GENDER_ZH = {"male": "男声", "female": "女声"}


def _no_narration(ctx: ToolContext) -> dict:
    return {"error": "no narration", "message": ctx.say("There is no generated narration to change.",
                                                     "没有可调整的旁白。")}


def _failed(exc: NemoError) -> dict:
    return {"error": type(exc).__name__, "message": exc.message + (f" — {exc.hint}" if exc.hint else "")}


def respeak(draft: dict, ctx: ToolContext, voice: tts.Voice, rate: float, *, keep_duration: bool = False) -> dict:
    """The generated video spoken again (another voice or rate). ``keep_duration``: a length
    the video was asked for is fitted again (the voice changed, not it)."""
    gen = meta_value(draft, "generator")
    sentences = [script.Sentence(s["text"], s["phrase"]) for s in gen["sentences"]]
    scenes = (find_track(draft, track_id(Kind.SCENE)) or {}).get("sg", [])
    visuals = [{"cdn_url": s["src"], "filename": s.get("n", ""), "file_type": s["m"].get("type", "image"),
                "id": s["m"].get("upload_id")} if s.get("src") else None for s in scenes]
    bgm = find_track(draft, track_id(Kind.BGM))
    music = dict(bgm["sg"][0]) if bgm and bgm.get("sg") else None
    style = next((s["m"].get("style") for s in scenes if s["m"].get("style") in motifs.STYLES), motifs.DEFAULT_STYLE)
    chosen = [s["m"].get("subjects") if s["m"].get("by", "rules") != "rules" else None for s in scenes]
    settings = dict(subtitle_settings(draft))
    made = assemble(draft, sentences, voice, rate, gen.get("duration") if keep_duration else None, ctx,
                    visuals=visuals, music=music, title=meta_value(draft, "title", ""), style=style,
                    subtitle_style=gen.get("subtitle_style", "box"), labels=gen.get("labels") is True,
                    chosen=chosen if any(c is not None for c in chosen) else None,
                    chooser=next((s["m"]["by"] for s in scenes if s["m"].get("by", "rules") != "rules"), "agent"),
                    keep_styles=True)
    subtitle_settings(draft).update(settings)
    return made


@tool("set_voice_speed", "make the narration slower or faster", zh="调整语速")
def set_voice_speed(draft: dict, args: dict, ctx: ToolContext) -> dict:
    gen = meta_value(draft, "generator")
    if not gen:
        return _no_narration(ctx)
    rate = max(0.6, min(2.0, float(gen.get("rate", 1.0)) * float(args.get("factor", 1.0))))
    try:
        made = respeak(draft, ctx, tts.parse_voice(gen["voice"]), rate)
    except NemoError as exc:
        return _failed(exc)
    slower = float(args.get("factor", 1.0)) < 1
    return {**made, "message": ctx.say(f"Narration {'slower' if slower else 'faster'} (rate {made['rate']:g}); "
                                         f"the video is now {made['seconds']:g} s.",
                                    f"语速已{'放慢' if slower else '加快'}（{made['rate']:g}），视频现在 {made['seconds']:g} 秒。")}


def _target(args: dict, current: str) -> str | None:
    if args.get("voice"):
        return tts.parse_voice(str(args["voice"])).id
    return voice_catalog.pick(args.get("gender"), deeper=bool(args.get("deeper")), current=current)


def _no_such_voice(args: dict, ctx: ToolContext) -> dict:
    wanted = "deeper" if args.get("deeper") else args.get("gender", "")
    return {"error": "no such voice", "message": ctx.say(
        f"No installed offline {wanted} voice that may be used commercially reads back clearly enough; "
        "run scripts/setup.sh to install the Kokoro voices, or name one (`nemo generate --voices`).",
        f"没有已安装、可商用且足够清晰的离线{GENDER_ZH.get(wanted, '更低沉的')}声音；请运行 scripts/setup.sh "
        "安装 Kokoro 声音，或指定一个（`nemo generate --voices`）。")}


@tool("set_voice", "change the narration voice (male, female, deeper, or a named voice)", zh="更换配音声音")
def set_voice(draft: dict, args: dict, ctx: ToolContext) -> dict:
    gen = meta_value(draft, "generator")
    if not gen:
        return _no_narration(ctx)
    if not (args.get("voice") or args.get("gender") or args.get("deeper")):
        return {"error": "no voice", "message": ctx.say("Say which voice: male, female, deeper, or a voice id "
                                                        "(`nemo generate --voices`).",
                                                        "请说明换成哪种声音：男声、女声、更低沉，或声音编号（`nemo generate --voices`）。")}
    try:
        target = _target(args, gen["voice"])
        if target is None:
            return _no_such_voice(args, ctx)
        voice = tts.parse_voice(target)    # once: the speaking and the terms use the same value
        made = respeak(draft, ctx, voice, float(gen.get("rate", 1.0)), keep_duration=True)
    except NemoError as exc:
        return _failed(exc)
    terms = tts.terms(voice)
    use = "commercial use allowed" if terms["commercial"] else "NOT for commercial use"
    use_zh = "可商用" if terms["commercial"] else "不可商用"
    return {**made, "voice": terms, "message": ctx.say(
        f"The narration is now spoken by {target} ({terms['licence']}: {use}); the video is now "
        f"{made['seconds']:g} s, with the same pictures, music, title and subtitle style.",
        f"旁白已换成 {target}（{terms['licence']}，{use_zh}）；视频现在 {made['seconds']:g} 秒，画面、音乐、标题和字幕样式不变。")}


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


def _voice_args(text: str, m: re.Match) -> dict | None:
    said = m.group(0)
    if re.search(r"deeper|lower voice|低沉|浑厚|声音低一点", said, re.I):
        return {"deeper": True}
    if re.search(r"男|\bmale\b|\bman'?s?\b", said, re.I):
        return {"gender": "male"}
    if re.search(r"女|female|woman'?s?", said, re.I):
        return {"gender": "female"}
    return None


planner.rule("set_voice_speed", r"(slower|faster|slow down|speed up|语速|说慢|说快|读慢|读快|慢一点|快一点|慢点|快点|"
             r"慢一些|快一些)|(voice|narration|旁白|配音).{0,20}(slower|faster|慢|快)", _speed_args, priority=40)
planner.rule("set_voice", r"(男声|女声|男生|女生|男的声音|女的声音|男配音|女配音|\b(?:a\s+)?(?:male|female|man's|woman's)\s+"
             r"(?:voice|narrator)|\bvoice\s+(?:to\s+)?(?:a\s+)?(?:male|female|man|woman)\b|"
             r"(?:change|switch|use|make).{0,12}\b(?:male|female)\b|(?:deeper|低沉|浑厚).{0,10}(?:voice|声音|配音)|"
             r"(?:声音|配音|旁白).{0,6}(?:低沉|浑厚|低一点)|\ba deeper voice\b)", _voice_args, priority=40)
