"""The subtitle tools of the local agent: transcribe, translate, style, burn or soft.

Subtitles live in the draft as text tracks (``tt`` 7, ``m.kind`` subtitle,
``m.lang``), one per language, so every later request ("make the subtitles
bigger", "only Chinese") is a draft edit and a re-export. Draft-wide
settings sit in ``m.subtitles``: display order, burn or soft, and a
translation still waiting for the calling agent.
"""

from __future__ import annotations

from pathlib import Path

from .. import choices
from ..language import is_cjk
from ..media.asr import transcribe as asr
from ..media.subtitles import (
    cues,
    doubts as cue_doubts,
    formats as subfiles,
    script_align,
    speaker_cues,
    translate,
)
from ..media.subtitles.cues import Cue
from ..timeline import VIDEO, Draft, Kind, to_ms, to_seconds
from ..timeline_edit import (
    find_track,
    get_or_create_track,
    kind_of,
    make_id,
    new_segment,
    remove_tracks,
    replace_segments,
    seconds_of,
    subtitle_langs,
    subtitle_settings,
    track_id,
    track_style,
    update_track,
)
from . import tool_args
from .errors import ToolError
from .long_job import recognition_progress
from .proofread_tools import proofread_with_llm
from .tools import ToolContext, tool

LANG_WORDS = subfiles.LANGUAGE_WORDS
LANG_WORDS_ZH = subfiles.LANGUAGE_WORDS_ZH


# --- reading and writing subtitle tracks ---------------------------------------------------

def subtitle_track(draft: dict, lang: str, *, create: bool = False) -> dict | None:
    tid = track_id(Kind.SUBTITLE, lang)
    t = get_or_create_track(draft, Kind.SUBTITLE, tid=tid) if create else find_track(draft, tid)
    if t is not None:
        update_track(t, name=f"Subtitles ({lang})", kind=Kind.SUBTITLE, lang=lang)
    return t


def track_cues(t: dict) -> list[Cue]:
    return [Cue(*seconds_of(s), s.get("txt", ""), **cue_doubts.from_segment(s), **speaker_cues.from_segment(s))
            for s in t.get("sg", [])]


def save_cues(draft: dict, lang: str, items: list[Cue], source: str, **meta) -> dict:
    t = subtitle_track(draft, lang, create=True)
    update_track(t, source=source, **meta)
    replace_segments(t, [
        new_segment(make_id("sub", lang, i), c.start, max(c.end - c.start, 0.001), txt=c.text,   # at least 1 ms
                    **({"m": {"k": [[ch, to_ms(s), to_ms(e)] for ch, s, e in c.chars]}} if c.chars else {}),
                    **cue_doubts.on_segment(c), **speaker_cues.on_segment(c))
        for i, c in enumerate(items, 1)])
    return t


def _rules(draft: dict, lang: str) -> cues.Rules:
    """The layout rules for ``lang``, with any limits the user set when transcribing."""
    limits = (subtitle_settings(draft).get("limits") or {}).get(lang, {})
    return cues.rules_for(lang, **limits)


# --- where the speech is -----------------------------------------------------------------

def _speech_source(draft: dict, ctx: ToolContext):
    """(file, source start s, timeline start s, length s) of the first clip on the video track."""
    for t in Draft(draft).tracks:
        if t.type != VIDEO:
            continue
        for seg in t.segments:
            if seg.raw.get("src") and (seg.raw.get("m") or {}).get("type", "video") == "video":
                return (ctx.resolve_src(seg.raw["src"]),
                        to_seconds(float(seg.raw.get("ss", 0))), to_seconds(seg.start), to_seconds(seg.duration))
    upload = ctx.latest_upload("video", "audio")
    if upload is None:
        return None
    return ctx.resolve_src(upload["cdn_url"]), 0.0, 0.0, float(upload.get("duration") or 0)


def _shown_name(path: Path, ctx: ToolContext) -> str:
    """The name the user gave the file, not the engine's stored one (``1bdc144f_tea.mp4``)."""
    return next((u["filename"] for u in ctx.uploads if Path(u.get("path", "")) == path), path.name)


def _mostly_cjk(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(map(is_cjk, letters)) > len(letters) / 2


def _timeline_span(ss: float, st: float, length: float):
    """(start, end) in source seconds -> on the timeline, clipped to the clip; None outside it."""
    def span(start: float, end: float) -> tuple[float, float] | None:
        if end <= ss or (length and start >= ss + length):
            return None
        return max(start, ss) - ss + st, min(end, ss + length if length else end) - ss + st
    return span


def _to_timeline(words: list, ss: float, st: float, length: float) -> list:
    span, kept = _timeline_span(ss, st, length), []
    for w in words:
        where = span(w.start, w.end)
        if where is not None:
            w.start, w.end = where
            kept.append(w)
    return kept


# --- translation --------------------------------------------------------------------------

def _translate(draft: dict, source_lang: str, target: str, translator: str, ctx: ToolContext,
               src=None) -> str:
    """Fill the ``target`` track by the first provider that can; say what happened."""
    source = subtitle_track(draft, source_lang)
    items = track_cues(source) if source else []
    if not items:
        return ctx.say("There are no subtitles to translate yet.", "还没有可翻译的字幕。")
    meta = subtitle_settings(draft)
    # the endpoint the engine read at its start (nemo_skill.config)
    llm = ctx.llm if translator in ("auto", "llm") else None
    # an LLM asked for by name but not configured: say so, and hand the cues to the agent
    missing = ctx.say("No LLM is configured (NEMO_LLM_BASE_URL, NEMO_LLM_MODEL, NEMO_LLM_API_KEY in the "
                      "engine's environment). ", "没有配置大模型（NEMO_LLM_BASE_URL 等）。") \
        if translator == "llm" and llm is None else ""
    if llm is not None:
        engine = translate.LLMTranslator(llm)
        texts = engine.translate([c.text for c in items], source_lang, target,
                                 on_progress=lambda p: ctx.note(f"Translating: {p:.0f}%"))
        save_cues(draft, target, cues.fit_translation(items, texts, target, _rules(draft, target)), engine.name)
        meta.pop("pending", None)
        return ctx.say(f"Translated {len(items)} cues into {LANG_WORDS.get(target, target)} with "
                         f"{llm.model}.", f"已用 {llm.model} 将 {len(items)} 条字幕译成{LANG_WORDS_ZH.get(target, target)}。")
    meta["pending"] = {"source": source_lang, "target": target}
    handoff = ctx.say("For an accurate translation, run `nemo subs pending --json`, translate the "
                        "cues, and run `nemo subs submit FILE`.",
                   "如需准确翻译：运行 `nemo subs pending --json`，翻译后运行 `nemo subs submit FILE`。")
    # Whisper's own English only when asked for by name: "auto" without an LLM hands the
    # cues to the calling agent rather than pass a machine draft off as the translation.
    if translator == "whisper" and target == "en" and src is not None:
        path, ss, st, length = src
        ctx.note("Drafting the English with Whisper...")
        english = asr.transcribe(path, language=source_lang, task="translate", cancel=ctx.cancel,
                                 on_progress=lambda p: ctx.note(f"English draft: {p:.0f}%"))
        texts = translate.spread_words(_to_timeline(english.words, ss, st, length), items)
        save_cues(draft, target, cues.fit_translation(items, texts, target, _rules(draft, target)), "whisper-draft",
                  quality="draft")
        return ctx.say("The English subtitles are a Whisper draft (draft quality). ",
                    "英文字幕是 Whisper 草稿（草稿质量）。") + handoff
    t = subtitle_track(draft, target)
    if t is not None:
        replace_segments(t, [])
    return missing + ctx.say(f"The {LANG_WORDS.get(target, target)} subtitles wait for your agent's translation. ",
                             f"{LANG_WORDS_ZH.get(target, target)}字幕等待你的助手翻译。") + handoff


def _no_subtitles() -> ToolError:
    return ToolError("no_subtitles", 'There are no subtitles yet; say "generate subtitles" first.',
                     "还没有字幕，请先说“生成字幕”。")


# --- the tools ----------------------------------------------------------------------------

@tool("transcribe", "transcribe the speech into subtitles", args=tool_args.Transcribe, zh="识别语音生成字幕")
def transcribe(draft: dict, args: tool_args.Transcribe, ctx: ToolContext) -> dict:
    src = _speech_source(draft, ctx)
    if src is None:
        raise ToolError("no_video", "Upload a video first, then ask for subtitles.", "请先上传视频，再生成字幕。")
    path, ss, st, length = src
    script_text = (args.script or "").strip()
    source = args.source or ("zh" if script_text and _mostly_cjk(script_text) else None)
    result = asr.transcribe(path, language=source, terms=list(args.terms), cancel=ctx.cancel,
                            on_progress=recognition_progress(ctx, length or asr.check_input(path).duration))
    words = _to_timeline(result.words, ss, st, length)
    if not words:
        name = _shown_name(path, ctx)
        raise ToolError("no_speech", f"No speech was found in {name} (it is silent or only music), so there are "
                        "no subtitles to make.", f"{name} 中没有找到人声（静音或只有音乐），无法生成字幕。")
    lang = result.language
    limits = args.line_limits()
    if script_text:     # the script's text on the speech's timing (文稿匹配)
        words = script_align.align(words, script_text)
    rules = cues.rules_for(lang, **limits.get(lang, {}))
    if args.speakers is not None:      # cut at each change of voice, and labelled (0: count them)
        turns = speaker_cues.detect(path, words, source_start=ss, timeline_start=st,
                                    count=args.speakers or None, cancel=ctx.cancel)
        items = speaker_cues.layout(words, turns, lang, rules)
    else:
        items = cues.layout(words, lang, rules)
    cue_doubts.add_alternatives(items, _to_timeline(result.heard_again, ss, st, length),
                                spaced=not cues.is_cjk_language(lang))
    save_cues(draft, lang, items, "script" if script_text else "asr", model=result.model)
    meta = subtitle_settings(draft)
    meta.pop("unheard", None)       # a new recognition's, or none
    if unheard := cue_doubts.unheard_to_meta(result.unheard, _timeline_span(ss, st, length)):
        meta["unheard"] = unheard
    if limits:
        meta["limits"] = limits
    meta["punctuation"] = args.punctuation
    wanted = list(args.languages or choices.DEFAULT_SUBTITLE_LANGUAGES)
    meta["order"] = wanted + [x for x in meta.get("order", []) if x not in wanted]
    meta.setdefault("mode", "burn")
    for other in subtitle_langs(draft):
        if other not in wanted and other != lang:
            remove_tracks(draft, lambda t, other=other: t.get("id") == track_id(Kind.SUBTITLE, other))
    said = ctx.say(f"Made {len(items)} {LANG_WORDS.get(lang, lang)} subtitle cues ({result.model}).",
                f"已生成 {len(items)} 条{LANG_WORDS_ZH.get(lang, lang)}字幕（{result.model}）。")
    if script_text:
        said += ctx.say(" The text is your script's, timed to the speech.", " 文字取自你的文稿，按语音对齐时间。")
    if args.speakers is not None:
        n = len({c.speaker for c in items})
        said += ctx.say(f" {n} speaker(s), each cue labelled.", f" 共 {n} 位说话人，每条字幕已标注。")
    if result.dropped:
        said += ctx.say(f" Dropped {len(result.dropped)} line(s) that were not speech.",
                     f" 去掉了 {len(result.dropped)} 行非语音内容。")
    if unheard:
        said += ctx.say(f" {len(unheard)} stretch(es) sound like speech that could not be read surely, so they "
                        "have no subtitle: see `speech_without_subtitle` in the job's JSON, or `nemo subs proofread`.",
                        f" 有 {len(unheard)} 段像是人声但没能可靠识别，没有字幕：见任务 JSON 里的 "
                        "speech_without_subtitle，或运行 `nemo subs proofread`。")
    llm = ctx.llm
    if llm is not None and not script_text:   # misheard words, before anything is translated
        said += proofread_with_llm(draft, lang, llm, ctx)
    for target in wanted:
        if target != lang:
            said += " " + _translate(draft, lang, target, args.translator, ctx, src)
    return {"message": said, "language": lang, "cues": len(items), "dropped": result.dropped,
            **({"speakers": len({c.speaker for c in items})} if args.speakers is not None else {})}


@tool("translate_subtitles", "translate the subtitles", args=tool_args.TranslateSubtitles, zh="翻译字幕")
def translate_subtitles(draft: dict, args: tool_args.TranslateSubtitles, ctx: ToolContext) -> dict:
    langs = subtitle_langs(draft)
    if not langs:
        raise _no_subtitles()
    target = args.target or ("en" if "zh" in langs else "zh")
    source = next((x for x in langs if x != target), langs[0])
    said = _translate(draft, source, target, args.translator, ctx,
                      _speech_source(draft, ctx))
    order = subtitle_settings(draft)["order"]
    if target not in order:
        order.append(target)
    return {"message": said}


@tool("apply_translation", "apply the translated subtitle lines", args=tool_args.ApplyTranslation, zh="应用字幕翻译")
def apply_translation(draft: dict, args: tool_args.ApplyTranslation, ctx: ToolContext) -> dict:
    lang = args.lang
    lines = list(args.lines)
    pending = subtitle_settings(draft).get("pending") or {}
    source_lang = pending.get("source") or next((x for x in subtitle_langs(draft) if x != lang), None)
    source = subtitle_track(draft, source_lang) if source_lang else None
    items = track_cues(source) if source else []
    if not items:
        raise ToolError("no_subtitles", "There are no source subtitles to match this translation to.",
                        "没有可对应这份翻译的原文字幕。")
    if len(lines) != len(items):
        raise ToolError("line_count", f"The translation has {len(lines)} lines for {len(items)} cues; nothing "
                        "was changed. Give one line per cue.",
                        f"翻译有 {len(lines)} 行，字幕有 {len(items)} 条；没有改动。请每条字幕给一行。")
    save_cues(draft, lang, cues.fit_translation(items, lines, lang, _rules(draft, lang)), "agent")
    meta = subtitle_settings(draft)
    meta.pop("pending", None)
    if lang not in meta["order"]:
        meta["order"].append(lang)
    return {"message": ctx.say(f"Applied {len(lines)} {LANG_WORDS.get(lang, lang)} subtitle lines.",
                            f"已应用 {len(lines)} 条{LANG_WORDS_ZH.get(lang, lang)}字幕。")}


@tool("style_subtitles", "change the subtitle size, position or colour", args=tool_args.StyleSubtitles,
      zh="调整字幕样式")
def style_subtitles(draft: dict, args: tool_args.StyleSubtitles, ctx: ToolContext) -> dict:
    langs = [x for x in subtitle_langs(draft) if not args.lang or x == args.lang]
    if not langs:
        raise _no_subtitles()
    changed = []
    for lang in langs:
        style = track_style(subtitle_track(draft, lang))
        if args.scale:
            base = float(style.get("size") or subfiles.DEFAULT_SIZE.get(lang, 54))
            style["size"] = round(min(160.0, max(16.0, base * args.scale)))
            changed.append(f"{lang} size {style['size']}")
        if args.size:
            style["size"] = float(args.size)
            changed.append(f"{lang} size {style['size']:g}")
        if args.position:
            style["position"] = args.position
        if args.color:
            style["color"] = args.color
    extra = [f"position {args.position}"] if args.position else []
    extra += [f"colour {args.color}"] if args.color else []
    return {"message": ctx.say("Subtitles restyled: " + ", ".join(changed + extra) + ".",
                            "字幕样式已更新：" + "，".join(changed + extra) + "。")}


@tool("subtitle_languages", "keep only some subtitle languages", args=tool_args.SubtitleLanguages, zh="选择字幕语言")
def subtitle_languages(draft: dict, args: tool_args.SubtitleLanguages, ctx: ToolContext) -> dict:
    keep = list(args.keep)
    present = subtitle_langs(draft)
    if not present:
        raise _no_subtitles()
    if not any(k in present for k in keep):
        raise ToolError("missing_language", f"There are no {'/'.join(keep)} subtitles; the project has "
                        f"{', '.join(present)}.", f"没有{'/'.join(LANG_WORDS_ZH.get(k, k) for k in keep)}字幕；"
                        f"项目里有：{'、'.join(LANG_WORDS_ZH.get(x, x) for x in present)}。")
    remove_tracks(draft, lambda t: kind_of(t) == Kind.SUBTITLE and (t.get("m") or {}).get("lang") not in keep)
    meta = subtitle_settings(draft)
    meta["order"] = [x for x in meta["order"] if x in keep] or keep
    meta.pop("pending", None)
    names = " + ".join(LANG_WORDS.get(k, k) for k in keep)
    return {"message": ctx.say(f"Keeping only the {names} subtitles.", f"只保留{'和'.join(LANG_WORDS_ZH.get(k, k) for k in keep)}字幕。")}


@tool("subtitle_mode", "burn the subtitles in, or add them as a soft track", args=tool_args.SubtitleModeArgs,
      zh="设置硬字幕或软字幕")
def subtitle_mode(draft: dict, args: tool_args.SubtitleModeArgs, ctx: ToolContext) -> dict:
    mode = args.mode
    subtitle_settings(draft)["mode"] = mode
    if mode == "soft":
        return {"message": ctx.say("The export will carry the subtitles as a soft track (no re-encode).",
                                "导出时字幕作为软字幕轨道（不重新编码）。")}
    return {"message": ctx.say("The export will burn the subtitles into the picture.", "导出时字幕将烧录进画面。")}


@tool("subtitle_order", "choose which language's line is on top", args=tool_args.SubtitleOrder, zh="调整双语字幕顺序")
def subtitle_order(draft: dict, args: tool_args.SubtitleOrder, ctx: ToolContext) -> dict:
    first = args.first
    meta = subtitle_settings(draft)
    meta["order"] = [first] + [x for x in meta["order"] if x != first]
    return {"message": ctx.say(f"{LANG_WORDS.get(first, first)} line on top.", f"{LANG_WORDS_ZH.get(first, first)}在上。")}
