"""Changing the narration's voice on a generated video: "换成男声", "女声", "a deeper voice".

The voice is picked from the catalogue: the first installed offline voice a creator may
publish with (commercial licence) that reads back clearly, of the asked gender; or a
named voice. The script, pictures, music, title, rate and every style stay; the scenes
and subtitles follow the new voice's timing (generate_tools.respeak).
"""

from __future__ import annotations

import re

from ..errors import NemoError
from ..media import tts, voice_catalog
from ..timeline_edit import meta_value
from . import planner
from .generate_tools import respeak
from .tools import ToolContext, tool

GENDER_ZH = {"male": "男声", "female": "女声"}


def _target(args: dict, current: str) -> str | None:
    if args.get("voice"):
        return tts.parse_voice(str(args["voice"])).id
    return voice_catalog.pick(args.get("gender"), deeper=bool(args.get("deeper")), current=current)


@tool("set_voice", "change the narration voice (male, female, deeper, or a named voice)", zh="更换配音声音")
def set_voice(draft: dict, args: dict, ctx: ToolContext) -> dict:
    gen = meta_value(draft, "generator")
    if not gen:
        return {"error": "no narration", "message": ctx.say("There is no generated narration to change.",
                                                         "没有可更换的旁白。")}
    if not (args.get("voice") or args.get("gender") or args.get("deeper")):
        return {"error": "no voice", "message": ctx.say("Say which voice: male, female, deeper, or a voice id "
                                                        "(`nemo generate --voices`).",
                                                        "请说明换成哪种声音：男声、女声、更低沉，或声音编号（`nemo generate --voices`）。")}
    try:
        target = _target(args, gen["voice"])
    except NemoError as exc:
        return {"error": type(exc).__name__, "message": exc.message + (f" — {exc.hint}" if exc.hint else "")}
    if target is None:
        wanted = "deeper" if args.get("deeper") else args.get("gender", "")
        return {"error": "no such voice", "message": ctx.say(
            f"No installed offline {wanted} voice that may be used commercially reads back clearly enough; "
            "run scripts/setup.sh to install the Kokoro voices, or name one (`nemo generate --voices`).",
            f"没有已安装、可商用且足够清晰的离线{GENDER_ZH.get(wanted, '更低沉的')}声音；请运行 scripts/setup.sh "
            "安装 Kokoro 声音，或指定一个（`nemo generate --voices`）。")}
    try:
        made = respeak(draft, ctx, tts.parse_voice(target), float(gen.get("rate", 1.0)), keep_duration=True)
    except NemoError as exc:
        return {"error": type(exc).__name__, "message": exc.message + (f" — {exc.hint}" if exc.hint else "")}
    terms = tts.terms(tts.parse_voice(target))
    use = "commercial use allowed" if terms["commercial"] else "NOT for commercial use"
    use_zh = "可商用" if terms["commercial"] else "不可商用"
    return {**made, "voice": terms, "message": ctx.say(
        f"The narration is now spoken by {target} ({terms['licence']}: {use}); the video is now "
        f"{made['seconds']:g} s, with the same pictures, music, title and subtitle style.",
        f"旁白已换成 {target}（{terms['licence']}，{use_zh}）；视频现在 {made['seconds']:g} 秒，画面、音乐、标题和字幕样式不变。")}


def _voice_args(text: str, _m: re.Match) -> dict | None:
    if re.search(r"deeper|lower voice|低沉|浑厚|声音低一点", text, re.I):
        return {"deeper": True}
    if re.search(r"男声|男生|男的|男配音|\bmale\b|\bman'?s?\b", text, re.I):
        return {"gender": "male"}
    if re.search(r"女声|女生|女的|女配音|female|woman'?s?", text, re.I):
        return {"gender": "female"}
    return None


planner.rule("set_voice", r"(换|改|用|change|switch|use|make).{0,12}(男声|女声|男生|女生|male|female|deeper|低沉|浑厚)|"
             r"(deeper|低沉|浑厚).{0,10}(voice|声音|配音)|(声音|配音|旁白).{0,6}(低沉|浑厚|低一点)|"
             r"(男声|女声)(配音|旁白)?$", _voice_args, priority=40)
