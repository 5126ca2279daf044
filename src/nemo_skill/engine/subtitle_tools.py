"""The subtitle tools of the local agent: transcribe, translate, style, burn or soft.

Subtitles live in the draft as text tracks (``tt`` 7, ``m.kind`` subtitle,
``m.lang``), one per language, so every later request ("make the subtitles
bigger", "only Chinese") is a draft edit and a re-export. Draft-wide
settings sit in ``m.subtitles``: display order, burn or soft, and a
translation still waiting for the calling agent.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import NemoError
from ..media import asr, cues, subfiles, translate
from ..media.cues import Cue
from ..timeline import TEXT, VIDEO, Draft
from . import planner
from .tools import ToolContext, tool, track

LANG_WORDS = subfiles.LANGUAGE_WORDS
LANG_WORDS_ZH = {"zh": "中文", "en": "英文"}


# --- reading and writing subtitle tracks ---------------------------------------------------

def subtitle_track(draft: dict, lang: str, *, create: bool = False) -> dict | None:
    t = track(draft, "subtitle", TEXT, create=create, track_id=f"subtitle_{lang}")
    if t is not None:
        t["n"] = f"Subtitles ({lang})"
        t.setdefault("m", {}).update(kind="subtitle", lang=lang)
    return t


def subtitle_langs(draft: dict) -> list[str]:
    return [str((t.get("m") or {}).get("lang")) for t in draft.get("t", [])
            if (t.get("m") or {}).get("kind") == "subtitle"]


def track_cues(t: dict) -> list[Cue]:
    return [Cue(s["st"] / 1000, (s["st"] + s["d"]) / 1000, s.get("txt", "")) for s in t.get("sg", [])]


def save_cues(draft: dict, lang: str, items: list[Cue], source: str, **meta) -> dict:
    t = subtitle_track(draft, lang, create=True)
    t["m"].update(source=source, **meta)
    t["sg"] = [{"id": f"sub_{lang}_{i}", "st": int(round(c.start * 1000)),
                "d": max(1, int(round((c.end - c.start) * 1000))), "txt": c.text}
               for i, c in enumerate(items, 1)]
    return t


def settings(draft: dict) -> dict:
    return draft.setdefault("m", {}).setdefault("subtitles", {"order": ["zh", "en"], "mode": "burn"})


def _rules(draft: dict, lang: str) -> cues.Rules:
    """The layout rules for ``lang``, with any limits the user set when transcribing."""
    limits = (settings(draft).get("limits") or {}).get(lang, {})
    return cues.rules_for(lang, **limits)


# --- where the speech is -----------------------------------------------------------------

def _speech_source(draft: dict, ctx: ToolContext):
    """(file, source start s, timeline start s, length s) of the first clip on the video track."""
    for t in Draft(draft).tracks:
        if t.type != VIDEO:
            continue
        for seg in t.segments:
            if seg.raw.get("src") and (seg.raw.get("m") or {}).get("type", "video") == "video":
                return (ctx.engine.resolve_src(seg.raw["src"], ctx.session_id), float(seg.raw.get("ss", 0)) / 1000,
                        seg.start / 1000, seg.duration / 1000)
    upload = ctx.latest_upload("video", "audio")
    if upload is None:
        return None
    return ctx.engine.resolve_src(upload["cdn_url"], ctx.session_id), 0.0, 0.0, float(upload.get("duration") or 0)


def _shown_name(path: Path, ctx: ToolContext) -> str:
    """The name the user gave the file, not the engine's stored one (``1bdc144f_tea.mp4``)."""
    return next((u["filename"] for u in ctx.uploads if Path(u.get("path", "")) == path), path.name)


def _to_timeline(words: list, ss: float, st: float, length: float) -> list:
    kept = []
    for w in words:
        if w.end <= ss or (length and w.start >= ss + length):
            continue
        w.start, w.end = max(w.start, ss) - ss + st, min(w.end, ss + length if length else w.end) - ss + st
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
    meta = settings(draft)
    llm = translate.LLMSettings.from_env() if translator in ("auto", "llm") else None
    if translator == "llm" and llm is None:
        return ctx.say("No LLM is configured (NEMO_LLM_BASE_URL, NEMO_LLM_MODEL, NEMO_LLM_API_KEY "
                         "in the engine's environment).", "没有配置大模型（NEMO_LLM_BASE_URL 等）。")
    if llm is not None:
        engine = translate.LLMTranslator(llm)
        texts = engine.translate([c.text for c in items], source_lang, target,
                                 on_progress=lambda p: ctx.note(f"Translating: {p:.0f}%"))
        save_cues(draft, target, cues.retime_translation(items, texts, target, _rules(draft, target)), engine.name)
        meta.pop("pending", None)
        return ctx.say(f"Translated {len(items)} cues into {LANG_WORDS.get(target, target)} with "
                         f"{llm.model}.", f"已用 {llm.model} 将 {len(items)} 条字幕译成{LANG_WORDS_ZH.get(target, target)}。")
    meta["pending"] = {"source": source_lang, "target": target}
    handoff = ctx.say("For an accurate translation, run `nemo subs pending --json`, translate the "
                        "cues, and run `nemo subs submit FILE`.",
                   "如需准确翻译：运行 `nemo subs pending --json`，翻译后运行 `nemo subs submit FILE`。")
    if translator in ("auto", "whisper") and target == "en" and src is not None:
        path, ss, st, length = src
        ctx.note("Drafting the English with Whisper...")
        english = asr.transcribe(path, language=source_lang, task="translate", cancel=ctx.cancel,
                                 on_progress=lambda p: ctx.note(f"English draft: {p:.0f}%"))
        texts = translate.spread_words(_to_timeline(english.words, ss, st, length), items)
        save_cues(draft, target, cues.retime_translation(items, texts, target, _rules(draft, target)), "whisper-draft",
                  quality="draft")
        return ctx.say("The English subtitles are a Whisper draft (draft quality). ",
                    "英文字幕是 Whisper 草稿（草稿质量）。") + handoff
    t = subtitle_track(draft, target)
    if t is not None:
        t["sg"] = []
    return ctx.say(f"The {LANG_WORDS.get(target, target)} subtitles wait for your agent's translation. ",
                f"{LANG_WORDS_ZH.get(target, target)}字幕等待你的助手翻译。") + handoff


def _no_subtitles(ctx: ToolContext) -> dict:
    return {"error": "no subtitles", "message": ctx.say('There are no subtitles yet; say "generate subtitles" first.',
                                                        "还没有字幕，请先说“生成字幕”。")}


# --- the tools ----------------------------------------------------------------------------

@tool("transcribe", "transcribe the speech into subtitles", zh="识别语音生成字幕")
def transcribe(draft: dict, args: dict, ctx: ToolContext) -> dict:
    src = _speech_source(draft, ctx)
    if src is None:
        return {"error": "no video", "message": ctx.say("Upload a video first, then ask for subtitles.",
                                                     "请先上传视频，再生成字幕。")}
    path, ss, st, length = src
    try:
        result = asr.transcribe(path, language=args.get("source"), cancel=ctx.cancel,
                                on_progress=lambda p: ctx.note(f"Transcribing: {p:.0f}%"))
    except NemoError as exc:
        return {"error": type(exc).__name__, "message": exc.message + (f" — {exc.hint}" if exc.hint else "")}
    words = _to_timeline(result.words, ss, st, length)
    if not words:
        name = _shown_name(path, ctx)
        return {"error": "no speech", "message": ctx.say(
            f"No speech was found in {name} (it is silent or only music), so there are no "
                 "subtitles to make.", f"{name} 中没有找到人声（静音或只有音乐），无法生成字幕。")}
    lang = result.language
    limits = args.get("limits") or {}
    items = cues.layout(words, lang, cues.rules_for(lang, **limits.get(lang, {})))
    save_cues(draft, lang, items, "asr", model=result.model)
    meta = settings(draft)
    if limits:
        meta["limits"] = limits
    wanted = [w for w in (args.get("languages") or ["zh", "en"]) if w]
    meta["order"] = wanted + [x for x in meta.get("order", []) if x not in wanted]
    meta.setdefault("mode", "burn")
    for other in subtitle_langs(draft):
        if other not in wanted and other != lang:
            draft["t"] = [t for t in draft["t"] if t.get("id") != f"subtitle_{other}"]
    said = ctx.say(f"Made {len(items)} {LANG_WORDS.get(lang, lang)} subtitle cues ({result.model}).",
                f"已生成 {len(items)} 条{LANG_WORDS_ZH.get(lang, lang)}字幕（{result.model}）。")
    if result.dropped:
        said += ctx.say(f" Dropped {len(result.dropped)} line(s) that were not speech.",
                     f" 去掉了 {len(result.dropped)} 行非语音内容。")
    for target in wanted:
        if target != lang:
            said += " " + _translate(draft, lang, target, str(args.get("translator") or "auto"), ctx, src)
    return {"message": said, "language": lang, "cues": len(items), "dropped": result.dropped}


@tool("translate_subtitles", "translate the subtitles", zh="翻译字幕")
def translate_subtitles(draft: dict, args: dict, ctx: ToolContext) -> dict:
    langs = subtitle_langs(draft)
    if not langs:
        return _no_subtitles(ctx)
    target = args.get("target") or ("en" if "zh" in langs else "zh")
    source = next((x for x in langs if x != target), langs[0])
    said = _translate(draft, source, target, str(args.get("translator") or "auto"), ctx,
                      _speech_source(draft, ctx))
    order = settings(draft)["order"]
    if target not in order:
        order.append(target)
    return {"message": said}


@tool("apply_translation", "apply the translated subtitle lines", zh="应用字幕翻译")
def apply_translation(draft: dict, args: dict, ctx: ToolContext) -> dict:
    lang = args.get("lang") or "en"
    lines = list(args.get("lines") or [])
    pending = settings(draft).get("pending") or {}
    source_lang = pending.get("source") or next((x for x in subtitle_langs(draft) if x != lang), None)
    source = subtitle_track(draft, source_lang) if source_lang else None
    items = track_cues(source) if source else []
    if not items:
        return {"error": "no subtitles", "message": "There are no source subtitles to match this translation to."}
    if len(lines) != len(items):
        return {"error": "line count", "message": f"The translation has {len(lines)} lines for {len(items)} "
                                                  "cues; nothing was changed. Give one line per cue."}
    save_cues(draft, lang, cues.retime_translation(items, lines, lang, _rules(draft, lang)), "agent")
    meta = settings(draft)
    meta.pop("pending", None)
    if lang not in meta["order"]:
        meta["order"].append(lang)
    return {"message": ctx.say(f"Applied {len(lines)} {LANG_WORDS.get(lang, lang)} subtitle lines.",
                            f"已应用 {len(lines)} 条{LANG_WORDS_ZH.get(lang, lang)}字幕。")}


_COLOURS = {"white": "#FFFFFF", "yellow": "#FFE600", "red": "#FF3B30", "blue": "#3DA5FF", "green": "#34C759",
            "black": "#000000", "orange": "#FF9500", "pink": "#FF6FAE", "白": "#FFFFFF", "黄": "#FFE600",
            "红": "#FF3B30", "蓝": "#3DA5FF", "绿": "#34C759", "黑": "#000000", "橙": "#FF9500", "粉": "#FF6FAE"}


@tool("style_subtitles", "change the subtitle size, position or colour", zh="调整字幕样式")
def style_subtitles(draft: dict, args: dict, ctx: ToolContext) -> dict:
    langs = [x for x in subtitle_langs(draft) if not args.get("lang") or x == args["lang"]]
    if not langs:
        return _no_subtitles(ctx)
    changed = []
    for lang in langs:
        style = subtitle_track(draft, lang)["m"].setdefault("style", {})
        if args.get("scale"):
            base = float(style.get("size") or subfiles.DEFAULT_SIZE.get(lang, 54))
            style["size"] = round(min(160.0, max(16.0, base * float(args["scale"]))))
            changed.append(f"{lang} size {style['size']}")
        if args.get("size"):
            style["size"] = float(args["size"])
            changed.append(f"{lang} size {style['size']:g}")
        if args.get("position"):
            style["position"] = args["position"]
        if args.get("color"):
            style["color"] = args["color"]
    extra = [f"position {args['position']}"] if args.get("position") else []
    extra += [f"colour {args['color']}"] if args.get("color") else []
    return {"message": ctx.say("Subtitles restyled: " + ", ".join(changed + extra) + ".",
                            "字幕样式已更新：" + "，".join(changed + extra) + "。")}


@tool("subtitle_languages", "keep only some subtitle languages", zh="选择字幕语言")
def subtitle_languages(draft: dict, args: dict, ctx: ToolContext) -> dict:
    keep = list(args.get("keep") or [])
    present = subtitle_langs(draft)
    if not present:
        return _no_subtitles(ctx)
    if not any(k in present for k in keep):
        return {"error": "missing language", "message": f"There are no {'/'.join(keep)} subtitles; "
                                                        f"the project has {', '.join(present)}."}
    draft["t"] = [t for t in draft["t"] if (t.get("m") or {}).get("kind") != "subtitle"
                  or (t.get("m") or {}).get("lang") in keep]
    meta = settings(draft)
    meta["order"] = [x for x in meta["order"] if x in keep] or keep
    meta.pop("pending", None)
    names = " + ".join(LANG_WORDS.get(k, k) for k in keep)
    return {"message": ctx.say(f"Keeping only the {names} subtitles.", f"只保留{'和'.join(LANG_WORDS_ZH.get(k, k) for k in keep)}字幕。")}


@tool("subtitle_mode", "burn the subtitles in, or add them as a soft track", zh="设置硬字幕或软字幕")
def subtitle_mode(draft: dict, args: dict, ctx: ToolContext) -> dict:
    mode = "soft" if args.get("mode") == "soft" else "burn"
    settings(draft)["mode"] = mode
    if mode == "soft":
        return {"message": ctx.say("The export will carry the subtitles as a soft track (no re-encode).",
                                "导出时字幕作为软字幕轨道（不重新编码）。")}
    return {"message": ctx.say("The export will burn the subtitles into the picture.", "导出时字幕将烧录进画面。")}


@tool("subtitle_order", "choose which language's line is on top", zh="调整双语字幕顺序")
def subtitle_order(draft: dict, args: dict, ctx: ToolContext) -> dict:
    first = args.get("first") or "zh"
    meta = settings(draft)
    meta["order"] = [first] + [x for x in meta["order"] if x != first]
    return {"message": ctx.say(f"{LANG_WORDS.get(first, first)} line on top.", f"{LANG_WORDS_ZH.get(first, first)}在上。")}


# --- the rules -------------------------------------------------------------------------------

_SUBS = r"(subtitle|caption|字幕)"
_ZH = r"chinese|mandarin|中文|汉语|普通话|简体"
_EN = r"english|英文|英语"


def _languages(text: str) -> list[str]:
    if re.search(r"bilingual|双语|中英", text, re.I):
        return ["zh", "en"]
    found = [(m.start(), lang) for lang, pat in (("zh", _ZH), ("en", _EN)) for m in [re.search(pat, text, re.I)] if m]
    return [lang for _, lang in sorted(found)] or ["zh", "en"]


def _translator(text: str) -> str:
    if re.search(r"i('ll| will) translate|translate (them |it )?myself|agent (will )?translat|我来翻译|我自己翻译|由我翻译", text, re.I):
        return "agent"
    if re.search(r"whisper|draft translation|草稿", text, re.I):
        return "whisper"
    if re.search(r"\b(llm|deepseek|qwen|gpt)\b|大模型", text, re.I):
        return "llm"
    return "auto"


_LIMIT = re.compile(r"\b(zh|en) (lines at most|at most) (\d{1,3}) (characters|chars) a (line|second)", re.I)


def _limits(text: str) -> dict:
    """ "zh lines at most 14 characters a line", "en at most 18 characters a second" -> layout limits."""
    out: dict = {}
    for lang, _, n, _, unit in _LIMIT.findall(text):
        key = "max_chars" if unit.lower() == "line" else "cps"
        out.setdefault(lang.lower(), {})[key] = int(n) if key == "max_chars" else float(n)
    return out


def _transcribe_args(text: str, m: re.Match):
    restyle = re.search(r"加大|放大|调大|大一点|bigger|larger|smaller|缩小|颜色|colou?r|位置|position", text, re.I)
    if restyle and not re.search(r"generat|creat|transcrib|生成|制作|识别", text, re.I):
        return None
    args = {"languages": _languages(text), "translator": _translator(text)}
    limits = _limits(text)
    if limits:
        args["limits"] = limits
    return args


planner.rule("apply_translation", r"^\s*(apply|应用).{0,40}(subtitle translation|字幕翻译)",
             lambda t, m: _translation_lines(t))


def _translation_lines(text: str):
    head, _, body = text.partition("\n")
    lang = "zh" if re.search(r"\(zh\)|中文|chinese", head, re.I) else "en"
    lines = [translate.NUMBERED_LINE.match(x) for x in body.splitlines() if x.strip()]
    return {"lang": lang, "lines": [m.group(2).strip() for m in lines if m]}


planner.rule("transcribe", r"(generat|creat|transcrib|produce|\badd\b|\bmake\s+(?!the\b|them\b|it\b|they\b)|"
             r"生成|制作|添加|加上|识别|配上|做|加)[^。.!?]{0,60}" + _SUBS + r"|" + _SUBS + r".{0,6}(生成|制作)",
             _transcribe_args)
planner.rule("translate_subtitles", r"translat|翻译",
             lambda t, m: {"target": "zh" if re.search(r"(in|into|to)\s+chinese|译成中文|翻译成中文|成中文", t, re.I)
                           else "en", "translator": _translator(t)})


def _style_args(text: str, m: re.Match):
    if not re.search(_SUBS, text, re.I):
        return None
    args: dict = {}
    if re.search(r"bigger|larger|increase|大一点|大一些|放大|调大|加大|大点", text, re.I):
        args["scale"] = 1.25
    elif re.search(r"smaller|decrease|小一点|小一些|缩小|调小|小点", text, re.I):
        args["scale"] = 0.8
    size = re.search(r"(?:size|字号)\s*(?:to|=|:|：|为)?\s*(\d{2,3})", text, re.I)
    if size:
        args["size"] = float(size.group(1))
    if re.search(r"\btop\b|顶部|上方|上面|顶端", text, re.I):
        args["position"] = "top"
    elif re.search(r"\bmiddle\b|\bcent(er|re)\b|中间|居中", text, re.I):
        args["position"] = "middle"
    elif re.search(r"\bbottom\b|底部|下方|下面|底端", text, re.I):
        args["position"] = "bottom"
    colour = re.search(r"(" + "|".join(_COLOURS) + r")(?:色)?", text, re.I)
    if colour and re.search(r"colou?r|颜色|色|\b(" + "|".join(k for k in _COLOURS if k.isascii()) + r")\b", text, re.I):
        args["color"] = _COLOURS[colour.group(1).lower()]
    lang = "zh" if re.search(r"(chinese|中文)\s*(subtitle|字幕)", text, re.I) else \
        "en" if re.search(r"(english|英文)\s*(subtitle|字幕)", text, re.I) else None
    if lang and not re.search(r"only|只", text, re.I):
        args["lang"] = lang
    return args if set(args) - {"lang"} else None


planner.rule("style_subtitles", _SUBS, _style_args)


def _only_args(text: str, m: re.Match):
    only = re.search(r"(only|just)\s+(keep\s+)?(the\s+)?(" + _ZH + "|" + _EN + r")|(只要|只保留|只留|仅保留|只显示)(" + _ZH + "|" + _EN + ")", text, re.I)
    if only:
        return {"keep": _languages(only.group(0))[:1]}
    drop = re.search(r"(remove|delete|drop|去掉|删除|删掉|不要)\s*(the\s+)?(" + _ZH + "|" + _EN + r")\s*" + _SUBS, text, re.I)
    if drop:
        gone = _languages(drop.group(0))[0]
        return {"keep": ["en" if gone == "zh" else "zh"]}
    return None


planner.rule("subtitle_languages", r"only|just|只|仅|remove|delete|drop|去掉|删除|删掉|不要", _only_args)
planner.rule("subtitle_mode", r"burn|hard[- ]?sub|soft[- ]?sub|soft (subtitle|caption)|硬字幕|软字幕|烧录|内嵌|压制|外挂",
             lambda t, m: {"mode": "soft" if re.search(r"soft|软字幕|外挂", t, re.I) else "burn"})
planner.rule("subtitle_order", r"(english|chinese|英文|中文)\s*(line\s*)?(on top|first|above|在上|在前)",
             lambda t, m: {"first": _languages(m.group(0))[0]})

# A translation message holds arbitrary subtitle text: nothing else in it is a request.
planner.sole("apply_translation")
planner.exclusive("transcribe", {"translate_subtitles", "subtitle_languages", "set_title", "add_bgm",
                                 "generate_video"})
planner.exclusive("style_subtitles", {"set_volume", "add_bgm", "set_title", "remove_track", "translate_subtitles"})
planner.exclusive("subtitle_languages", {"remove_track", "transcribe", "translate_subtitles", "set_title"})
planner.exclusive("subtitle_mode", {"set_title", "translate_subtitles"})
planner.exclusive("subtitle_order", {"transcribe", "set_title", "translate_subtitles"})
