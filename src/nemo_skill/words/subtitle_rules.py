"""The rules that read a subtitle request (English or Chinese) into tool calls; the tools
themselves are in engine/subtitle_tools.py. Loaded by the registry."""

from __future__ import annotations

import re

from .. import choices
from ..constants import MAX_SPEAKERS
from .claims import claim, read, rule
from .clauses import clause
from .lexicon import colours
from .negation import negated
from .numbers import percent
from .quotes import NUMBERED_LINE, attached, without_attached

_COLOURS = colours()   # skill.yaml words.colours


# As people type it: "subs", "subtitels", "captions", "字幕".
_SUBS = r"(subtitle|subtit[a-z]*|\bsubs?\b|caption|字幕)"
_ZH = r"chinese|mandarin|中文|汉语|普通话|简体"
_EN = r"english|英文|英语"


def _languages(text: str) -> list[str]:
    if read(r"bilingual|双语|中英", text):
        return list(choices.DEFAULT_SUBTITLE_LANGUAGES)
    found = [(m.start(), lang) for lang, pat in (("zh", _ZH), ("en", _EN)) for m in [read(pat, text)] if m]
    return [lang for _, lang in sorted(found)] or list(choices.DEFAULT_SUBTITLE_LANGUAGES)


def _translator(text: str) -> str:
    if read(r"i('ll| will) translate|translate (them |it )?myself|agent (will )?translat|我来翻译|我自己翻译|由我翻译", text):
        return "agent"
    # the words around the translator are the transcription's too, not a request to translate
    if read(r"whisper(\s+draft)?(\s+translation)?|draft translation|草稿", text):
        return "whisper"
    if read(r"(translate\s+(it\s+|them\s+)?with\s+(the\s+|an?\s+)?)?\b(llm|deepseek|qwen|gpt)\b|大模型", text):
        return "llm"
    return "auto"


_LIMIT = re.compile(r"\b(zh|en) (lines at most|at most) (\d{1,3}) (characters|chars) a (line|second)", re.I)


def _limits(text: str) -> dict:
    """ "zh lines at most 14 characters a line", "en at most 18 characters a second" -> layout limits."""
    out: dict = {}
    for m in _LIMIT.finditer(text):
        claim(m)
        lang, _, n, _, unit = m.groups()
        key = "max_chars" if unit.lower() == "line" else "cps"
        out.setdefault(lang.lower(), {})[key] = int(n) if key == "max_chars" else float(n)
    return out


def _transcribe_args(full: str, m: re.Match):
    text = without_attached(full)
    restyle = re.search(r"加大|放大|调大|大一点|bigger|larger|smaller|缩小|颜色|colou?r|位置|position", text, re.I) or \
        (re.match(r"make", m.group(0), re.I) and re.search("|".join(_COLOURS) + r"|\b(?:top|bottom)\b", text, re.I))
    if restyle and not re.search(r"generat|creat|transcrib|生成|制作|识别", text, re.I):
        return None
    args = {"languages": _languages(text), "translator": _translator(text)}
    limits = _limits(text)
    if limits:
        args["limits"] = limits
    if read(_PUNCTUATION_KEPT, text):
        args["punctuation"] = "keep"
    terms = attached(full, "terms")
    if terms:
        args["terms"] = [t for t in terms.split("\n") if t.strip()]
    script = attached(full, "script")
    if script:
        args["script"] = script
    speakers = read(_SPEAKERS, text)
    if speakers:
        count = next((g for g in speakers.groups() if g), None)
        args["speakers"] = min(int(count), MAX_SPEAKERS) if count else 0
    return args


# "区分说话人", "label the speakers", and what `nemo subtitle --speakers 2` says to the cloud.
_SPEAKERS = re.compile(r"(?:(?:区分|标注|标出)说话人|label (?:the |each cue's )?speakers?|speaker labels)"
                       r"(?:[^。.!?;；]{0,12}?\(?([1-8]) ?(?:speakers|位说话人))?", re.I)

_PUNCTUATION_KEPT = re.compile(r"keep (the )?punctuation|保留(句末)?标点", re.I)


# A translation message holds arbitrary subtitle text: nothing else in it is a request.
rule("apply_translation", r"^\s*(apply|应用).{0,40}(subtitle translation|字幕翻译)",
             lambda t, m: _translation_lines(t), priority=100, claims_all=True)


# `nemo subs submit` with corrections, as words: "correct the subtitles (zh):\n3. 也劝说…".
rule("correct_subtitles", r"^\s*(correct|proofread|校对|改正).{0,30}(subtitles?|字幕)\s*(\((zh|en)\))?\s*[:：]\s*\n",
             lambda t, m: _correction_lines(t, m), priority=100, claims_all=True)


def _correction_lines(text: str, m: re.Match):
    found = [NUMBERED_LINE.match(x) for x in text[m.end():].splitlines() if x.strip()]
    fixes = [{"cue": int(f.group(1)), "text": f.group(2).strip()} for f in found if f and f.group(2).strip()]
    return ({"corrections": fixes, **({"lang": m.group(4)} if m.group(4) else {})}) if fixes else None


def _translation_lines(text: str):
    head, _, body = text.partition("\n")
    lang = "zh" if re.search(r"\(zh\)|中文|chinese", head, re.I) else "en"
    lines = [NUMBERED_LINE.match(x) for x in body.splitlines() if x.strip()]
    return {"lang": lang, "lines": [m.group(2).strip() for m in lines if m]}


# The verb, not the words up to "subtitles": those ("soft", "at the top") may be other calls'.
rule("transcribe", r"(generat|creat|transcrib|produce|\badd\b|\bmake\s+(?!the\b|them\b|it\b|they\b)|"
             r"生成|制作|添加|加上|识别|配上|做|加)(?=[^。.!?]{0,60}" + _SUBS + r")|" + _SUBS + r"(?=.{0,6}(生成|制作))|"
             r"\b(?:transcribe|recogni[sz]e)\s+(?:it\s+|the\s+video\s+)?again\b|重新识别|重新转写",
             _transcribe_args, reads_attached=True, priority=60)
rule("translate_subtitles", r"translat|翻译",
             lambda t, m: {"target": _target(t), "translator": _translator(t)}, priority=20)


def _target(text: str) -> str:
    if read(r"(in|into|to)\s+chinese|译成中文|翻译成中文|成中文", text):
        return "zh"
    read(r"(in|into|to)\s+english|译成英文|翻译成英文|成英文", text)   # claimed: "English" may be a transcription's
    return "en"


def _style_args(text: str, m: re.Match):
    if not re.search(_SUBS, text, re.I):
        return None
    args: dict = {}
    scale = _scale(text, m)
    if scale is not None:
        args["scale"] = scale
    size = read(r"(?:size|字号)\s*(?:to|=|:|：|为)?\s*(\d{2,3})", text)
    if size:
        args["size"] = float(size.group(1))
    position = _position(text)
    if position:
        args["position"] = position
    colour = re.search(r"(" + "|".join(_COLOURS) + r")(?:色)?", text, re.I)
    said = r"colou?r|颜色|色|[改换变成调]\s*(?:" + "|".join(k for k in _COLOURS if not k.isascii()) + r")|\b(" + \
        "|".join(k for k in _COLOURS if k.isascii()) + r")\b"
    if colour and re.search(said, text, re.I):   # "字幕改黄" says the colour too
        args["color"] = _COLOURS[colour.group(1).lower()]
        claim(colour)
    lang = "zh" if re.search(r"(chinese|中文)\s*(subtitle|字幕)", text, re.I) else \
        "en" if re.search(r"(english|英文)\s*(subtitle|字幕)", text, re.I) else None
    if lang and not re.search(r"only|只", text, re.I):   # which subtitles: shared, not claimed
        args["lang"] = lang
    return args if set(args) - {"lang"} else None


_POSITIONS = (("top", r"\btop\b|顶部|上方|上面|顶端"), ("middle", r"\bmiddle\b|\bcent(?:er|re)\b|中间|居中"),
              ("bottom", r"\bbottom\b|底部|下方|下面|底端"))
# "上面那个字幕", "上面的字幕": a pointer at the subtitles there, not a place to put them
_POINTING = re.compile(r"\s*(?:那个|那条|那行|这个|的(?!位置))")


def _position(text: str) -> str | None:
    """Where the words put the subtitles: the first place said that is neither negated
    ("别放顶部，放底部") nor a pointer ("上面那个字幕")."""
    for found in sorted((m.start(), name, m) for name, pat in _POSITIONS for m in re.finditer(pat, text, re.I)):
        m = found[2]
        if not negated(text, m.start()) and not _POINTING.match(text, m.end()):
            claim(m)
            return found[1]
    return None


_BIGGER = r"bigger|larger|increase|大一点|大一些|放大|调大|加大|大点|变大|大些"
_SMALLER = r"smaller|decrease|小一点|小一些|缩小|调小|小点|变小|小些"
_ABOUT_SOUND = re.compile(r"music|bgm|volume|voice|音乐|配乐|音量|声音|语速", re.I)


def _scale(text: str, m: re.Match) -> float | None:
    """How much bigger: said in the subtitles' own clause ("字幕放大到120%" is 1.2), else anywhere
    but in a clause about the sound ("字幕小一点，音乐大一点": the music is louder)."""
    own = clause(m.string, m.start())
    for pattern, scale in ((_BIGGER, 1.25), (_SMALLER, 0.8)):
        if read(pattern, text, own):
            pct = percent(text, own)
            return pct if pct is not None and 0.3 <= pct <= 3 else scale
    for pattern, scale in ((_BIGGER, 1.25), (_SMALLER, 0.8)):
        for found in re.finditer(pattern, text, re.I):
            if not _ABOUT_SOUND.search(text, *clause(m.string, found.start())):
                claim(found)
                return scale
    return None


rule("style_subtitles", _SUBS, _style_args, priority=50)


def _complaint_args(text: str, m: re.Match):
    """"字太小了", "字大一点", "the text is too small": the subtitles' size, said as people say it."""
    how = m.group("how") or m.group("how2") or ""
    small = re.search(r"小|small|tiny", how, re.I)
    too = re.search(r"太|好|了|too|so", m.group(0), re.I)
    return {"scale": 1.25 if bool(small) == bool(too) else 0.8}


rule("style_subtitles", r"字(?:体|号|幕)?(?:也|还|有点|有些|都)?(?P<how>太小|太大|好小|好大|小了|大了|大一点|小一点|大点|小点|"
             r"大一些|小一些|再大|再小)|(?:text|words?|font|letters|subtitles?|captions?)\s+(?:is\s+|are\s+)?"
             r"(?:way\s+)?(?:too|so)\s+(?P<how2>small|tiny|big|large)", _complaint_args, priority=50)


def _only_args(text: str, m: re.Match):
    only = re.search(r"(only|just)\s+(keep\s+)?(the\s+)?(" + _ZH + "|" + _EN + r")|(只要|只保留|只留|仅保留|只显示)(" + _ZH + "|" + _EN + ")", text, re.I)
    if only:
        claim(only)
        return {"keep": _languages(only.group(0))[:1]}
    drop = re.search(r"(remove|delete|drop|去掉|删除|删掉|不要)\s*(the\s+)?(" + _ZH + "|" + _EN + r")\s*" + _SUBS, text, re.I)
    if drop:
        claim(drop, 1, 3)   # not the word "subtitles": "...and make them bigger" may share it
        gone = _languages(drop.group(0))[0]
        return {"keep": ["en" if gone == "zh" else "zh"]}
    return None


rule("subtitle_languages", r"only|just|只|仅|remove|delete|drop|去掉|删除|删掉|不要", _only_args,
             priority=50)
rule("subtitle_mode", r"burn|hard[- ]?sub|soft[- ]?sub|soft (subtitle|caption)|硬字幕|软字幕|烧录|内嵌|压制|外挂",
             lambda t, m: {"mode": "soft" if read(r"soft|软字幕|外挂", t) else "burn"}, priority=50)
rule("subtitle_order", r"(english|chinese|英文|中文)\s*(line\s*)?(on top|first|above|在上|在前)",
             lambda t, m: {"first": _languages(m.group(0))[0]}, priority=70)
