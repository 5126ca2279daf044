"""Re-speaking a generated video: another voice ("换成男声", "女声", "a deeper voice") or
another pace ("再慢一点"), every other choice kept.

The voice is picked from the catalogue: the first installed offline voice a creator may
publish with (commercial licence) that reads back clearly, of the asked gender; or a named
voice. The script, pictures (and who chose them), music, title, rate, the target length,
every track's look and the subtitle settings stay; scenes and subtitles follow the new
voice's timing.
"""

from __future__ import annotations

from ..media.scenes import motifs, script
from ..media.voice import catalog as voice_catalog, tts
from ..timeline import Kind
from ..timeline_edit import find_track, meta_value, subtitle_settings, track_id
from . import tool_args
from .errors import ToolError
from .generate_tools import assemble
from .tools import ToolContext, tool

GENDER_ZH = {"male": "男声", "female": "女声"}


def _no_narration() -> ToolError:
    return ToolError("no_narration", "There is no generated narration to change.", "没有可调整的旁白。")


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


@tool("set_voice_speed", "make the narration slower or faster", args=tool_args.SetVoiceSpeed, zh="调整语速")
def set_voice_speed(draft: dict, args: tool_args.SetVoiceSpeed, ctx: ToolContext) -> dict:
    gen = meta_value(draft, "generator")
    if not gen:
        raise _no_narration()
    rate = max(0.6, min(2.0, float(gen.get("rate", 1.0)) * args.factor))
    made = respeak(draft, ctx, tts.parse_voice(gen["voice"]), rate)
    slower = args.factor < 1
    return {**made, "message": ctx.say(f"Narration {'slower' if slower else 'faster'} (rate {made['rate']:g}); "
                                         f"the video is now {made['seconds']:g} s.",
                                    f"语速已{'放慢' if slower else '加快'}（{made['rate']:g}），视频现在 {made['seconds']:g} 秒。")}


def _target(args: tool_args.SetVoice, current: str) -> str | None:
    if args.voice:
        return tts.parse_voice(args.voice).id
    return voice_catalog.pick(args.gender, deeper=args.deeper, current=current)


def _no_such_voice(args: tool_args.SetVoice) -> ToolError:
    wanted = "deeper" if args.deeper else args.gender or ""
    return ToolError(
        "no_such_voice",
        f"No installed offline {wanted} voice that may be used commercially reads back clearly enough; "
        "run scripts/setup.sh to install the Kokoro voices, or name one (`nemo generate --voices`).",
        f"没有已安装、可商用且足够清晰的离线{GENDER_ZH.get(wanted, '更低沉的')}声音；请运行 scripts/setup.sh "
        "安装 Kokoro 声音，或指定一个（`nemo generate --voices`）。")


@tool("set_voice", "change the narration voice (male, female, deeper, or a named voice)", args=tool_args.SetVoice,
      zh="更换配音声音")
def set_voice(draft: dict, args: tool_args.SetVoice, ctx: ToolContext) -> dict:
    gen = meta_value(draft, "generator")
    if not gen:
        raise _no_narration()
    if not (args.voice or args.gender or args.deeper):
        raise ToolError("no_voice", "Say which voice: male, female, deeper, or a voice id (`nemo generate --voices`).",
                        "请说明换成哪种声音：男声、女声、更低沉，或声音编号（`nemo generate --voices`）。")
    target = _target(args, gen["voice"])
    if target is None:
        raise _no_such_voice(args)
    voice = tts.parse_voice(target)    # once: the speaking and the terms use the same value
    made = respeak(draft, ctx, voice, float(gen.get("rate", 1.0)), keep_duration=True)
    terms = tts.terms(voice)
    use = "commercial use allowed" if terms["commercial"] else "NOT for commercial use"
    use_zh = "可商用" if terms["commercial"] else "不可商用"
    return {**made, "voice": terms, "message": ctx.say(
        f"The narration is now spoken by {target} ({terms['licence']}: {use}); the video is now "
        f"{made['seconds']:g} s, with the same pictures, music, title and subtitle style.",
        f"旁白已换成 {target}（{terms['licence']}，{use_zh}）；视频现在 {made['seconds']:g} 秒，画面、音乐、标题和字幕样式不变。")}
