"""A rule-based planner: a message (Chinese or English) -> tool calls.

Each rule is a pattern and a function that reads the tool's arguments out
of the message; every match becomes one call. Adding a tool is one :func:`rule`
call next to it, with the tool's priority.

Conflicts are settled by the message, not by lists of tool pairs: a call claims
the words it was read from (its pattern's match and every word its arguments
came from, found with :func:`read`). Two calls whose words overlap ask for one
thing in two ways; the higher priority keeps it, a tie goes to the call whose
match comes first in the message, and the other call is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from .tools import TOOLS

Args = dict


@dataclass(frozen=True)
class Rule:
    tool: str
    pattern: re.Pattern
    args: Callable[[str, re.Match], Args | None]   # None: the rule does not apply after all
    priority: int                                  # who keeps words two calls both claim
    reads_attached: bool = False                   # its args come from attached blocks too
    claims_all: bool = False                       # the whole message is its data


RULES: list[Rule] = []
PRIORITY: dict[str, int] = {}


def rule(tool: str, pattern: str, args: Callable[[str, re.Match], Args | None] = lambda t, m: {},
         *, priority: int, reads_attached: bool = False, claims_all: bool = False) -> None:
    """``priority``: the higher keeps the words it shares with another call (docs/architecture.md
    lists the levels). ``claims_all``: the rest of the message is data (a translation, a
    script), so the call claims all of it."""
    if PRIORITY.setdefault(tool, priority) != priority:
        raise ValueError(f"{tool}: a tool has one priority, {PRIORITY[tool]}")
    RULES.append(Rule(tool, re.compile(pattern, re.IGNORECASE), args, priority, reads_attached, claims_all))


@dataclass
class Call:
    name: str
    args: Args


# --- claiming the words a call is read from ----------------------------------------------

# While a rule reads its arguments: the message (as given and without attached blocks, which
# come last, so both share offsets up to them) and the spans claimed so far. A ContextVar, so
# messages planned on two threads at once keep their claims apart.
_READING: ContextVar[tuple[tuple[str, ...], list[tuple[int, int]]] | None] = ContextVar("reading", default=None)


def claim(m: re.Match | None, *groups: int) -> None:
    """Claim the words of ``m`` (or of its ``groups``) for the call being read. Matches in
    other strings (a piece of the message) claim nothing: their offsets are not the message's."""
    reading = _READING.get()
    if m is None or reading is None or m.string not in reading[0]:
        return
    reading[1].extend(m.span(g) for g in groups or (0,) if m.end(g) > m.start(g) >= 0)


def read(pattern: str | re.Pattern, text: str, within: tuple[int, int] | None = None) -> re.Match | None:
    """``re.search`` (ignoring case), also claiming what it found: for the words an argument
    is read from. ``within``: only between these offsets (a clause). A test that only decides
    whether the rule applies uses ``re.search``."""
    compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.IGNORECASE)
    m = compiled.search(text, *within) if within else compiled.search(text)
    claim(m)
    return m


# --- reading numbers and quotes -------------------------------------------------------

_QUOTED = re.compile(r"[\"“”「『《'‘]([^\"“”」』》'’]{1,80})[\"“”」』》'’]")
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}


def quoted(text: str) -> str | None:
    m = read(_QUOTED, text)
    return m.group(1).strip() if m else None


def number(value: str) -> float:
    """Arabic or simple Chinese numerals (三十, 十五, 五)."""
    try:
        return float(value)
    except ValueError:
        pass
    total, digit = 0, 0
    for ch in value:
        n = _CN_DIGITS.get(ch)
        if n is None:
            raise ValueError(value)
        if n == 10:
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = n
    return float(total + digit)


_NUM = r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十]+)"


def percent(text: str, within: tuple[int, int] | None = None) -> float | None:
    """"30%", "百分之三十" as 0.3 (at most 2.0)."""
    m = read(r"(\d+(?:\.\d+)?)\s*%|百分之" + _NUM, text, within)
    return min(2.0, number(m.group(1) or m.group(2)) / 100) if m else None


# --- the rules of this issue --------------------------------------------------------------

def _title_args(text: str, m: re.Match) -> Args | None:
    title = quoted(text)
    if not title:
        # to the end of its clause: "标题改成山间，再做成竖屏的" asks for a title and an aspect
        after = read(r"(?:title|标题)\s*(?:to|as|:|：|为|是|改成|改为|换成)\s*([^，,。;；！!？?\n]+)", text)
        title = after.group(1).strip(" 。.!！\"“”") if after else None
    if not title:
        return {"text": ""}
    return {"text": title}


rule("set_title", r"(?<!sub)title|标题|片头文字", _title_args, priority=20)


_MUSIC = r"background\s+music|\bbgm\b|\bmusic\b|背景音乐|配乐|音乐"
_LOUDER = r"louder|调大|大一点|大点|大声|响一点|调高|提高"
_QUIETER = r"quieter|softer|调小|小一点|小点|小声|轻一点|调低|降低"
_TURN = r"turn\s+(?:the\s+)?(?:music\s+|it\s+)?(?:up|down)|turn\s+(?:up|down)"
# The music's loudness: "volume"/"音量" anywhere; a louder or quieter word after the music in
# its clause ("把音乐调小一点", "make the music quieter"); an English comparative alone ("make it
# quieter"). "字幕大一点" is the subtitles' size, not the music's.
_VOLUME = (rf"volume|音量|(?:{_MUSIC})[^。;；！!？?\n，,]{{0,12}}?(?:{_LOUDER}|{_QUIETER})|"
           rf"\b(?:quieter|louder|softer)\b|{_TURN}")
# A request for music, not about the music already there: "add music", "把上传的音乐作为背景音乐".
_ADD_MUSIC = r"\b(?:add|use|put|with|include)\b|加|配上|配|用|作为|当作|当做|当|换成|来点|放"


def _bgm_args(text: str, m: re.Match) -> Args | None:
    start, end = clause(m.string, m.start())
    if not re.search(_ADD_MUSIC, m.string[start:end], re.I) and re.search(_VOLUME, m.string, re.I):
        return None   # "背景音乐大一点", "music volume 20%": set_volume's
    volume = percent(text, (start, end))
    if volume is None and end < len(text):   # "加背景音乐，音量35%": the next clause says how loud
        after = clause(m.string, end + 1)
        if re.search(r"volume|音量", m.string[after[0]:after[1]], re.I):
            volume = percent(text, after)
    return {"volume": volume} if volume is not None else {}


def _volume_args(text: str, m: re.Match) -> Args:
    volume = percent(text, clause(m.string, m.start()))
    if volume is None:
        quiet = re.search(rf"{_QUIETER}|down", m.group(0), re.I)
        volume = 0.15 if quiet else 0.6
    return {"volume": volume}


rule("add_bgm", _MUSIC, _bgm_args, priority=20)
rule("set_volume", _VOLUME, _volume_args, priority=20)


def _trim_args(text: str, m: re.Match) -> Args | None:
    rng = read(_NUM + r"\s*(?:s|秒|sec\w*)?\s*(?:to|-|–|到|至)\s*" + _NUM, text)
    if rng:
        return {"start": number(rng.group(1)), "end": number(rng.group(2))}
    first = read(r"(?:first|前)\s*" + _NUM, text)
    drop = read(r"(cut|remove|drop|delete|剪掉|去掉|删掉|删除)", text)
    if first:
        return {"start": number(first.group(1))} if drop else {"start": 0, "end": number(first.group(1))}
    last = read(r"(?:last|后|最后)\s*" + _NUM, text)
    if last:
        return {"drop_last": number(last.group(1))} if drop else None
    return None


rule("trim", r"trim|cut|剪|裁|截取|只保留|keep only", _trim_args, priority=40)


def _aspect_args(text: str, m: re.Match) -> Args | None:
    ratio = read(r"(\d+)\s*[:：x×比]\s*(\d+)", text)
    if ratio:
        return {"ratio": f"{ratio.group(1)}:{ratio.group(2)}"}
    if read(r"vertical|portrait|竖屏|竖版|抖音", text):
        return {"ratio": "9:16"}
    if read(r"horizontal|landscape|横屏|横版", text):
        return {"ratio": "16:9"}
    if read(r"square|方形|正方", text):
        return {"ratio": "1:1"}
    return None


rule("set_aspect", r"aspect|ratio|\d+\s*[:：比]\s*\d+|vertical|portrait|landscape|horizontal|square|"
     r"竖屏|竖版|横屏|横版|正方|方形|画幅|比例", _aspect_args, priority=20)


def _resolution_args(text: str, m: re.Match) -> Args:
    if read(r"4k", text):
        return {"short_side": 2160}
    return {"short_side": int(m.group(1))}


rule("set_resolution", r"\b(720|1080|1440|2160)p\b|\b4k\b|分辨率", lambda t, m: (
    _resolution_args(t, m) if re.search(r"\d{3,4}p|4k", t, re.I) else None), priority=20)

_KIND_WORDS = {"bgm": r"music|bgm|音乐|配乐", "title": r"(?<!sub)title|标题", "subtitle": r"subtitle|caption|字幕",
               "video": r"\bvideo\b|视频"}


# Where a clause ends: at a full stop or "，", or at ",", "and" or "then" before the next request's
# verb (before a noun they list things: "remove the music, the title and the subtitles"; Chinese
# lists with "、").
_CLAUSE_END = re.compile(r"[。;；！!？?\n，]|,?\s*(?:\band\b|\bthen\b|然后|再|并且?|同时|,)\s*"
                         r"(?=(?:add|make|put|set|change|generate|trim|cut|keep|translate|burn|move|remove|delete|"
                         r"drop)\b|把|加|给|改|调|生成|做|剪|翻译|放|去掉|删)", re.I)


def clause(text: str, at: int) -> tuple[int, int]:
    """The start and end of the clause of ``text`` holding offset ``at``."""
    ends = list(_CLAUSE_END.finditer(text))   # the whole text: the lookahead reads past ``at``
    start = max((e.end() for e in ends if e.end() <= at), default=0)
    end = min((e.start() for e in ends if e.start() >= at), default=len(text))
    return start, end


def _remove_args(text: str, m: re.Match) -> Args | None:
    # What its own clause names ("delete the music and make the subtitles smaller": the music),
    # else what the message names ("背景音乐，去掉吧").
    start, end = clause(text, m.start())
    found = {k: f for k, words in _KIND_WORDS.items() if (f := re.compile(words, re.I).search(text, start, end))} or \
        {k: f for k, words in _KIND_WORDS.items() if (f := re.search(words, text, re.I))}
    kinds = [k for k in found if k != "video"] or list(found)
    for k in kinds:
        claim(found[k])   # "remove the music": the music is the removal's, not a new bgm
    return {"kinds": kinds} if kinds else None


rule("remove_track", r"remove|delete|drop|get rid of|删除|去掉|删掉|不要", _remove_args, priority=40)
rule("describe_project", r"describe|what('s| is) (in|on)|summar|what do i have|介绍|描述|有什么|概况",
     priority=20)


# Material attached to a request (a subtitle script, a glossary), one block each:
# "\n--- script ---\n...\n--- end of script ---" (subtitle_job.attach). Its words are
# never requests.
_ATTACHED = re.compile(r"\n--- ([a-z]+) ---\n(.*?)\n--- end of \1 ---", re.S)


def attached(text: str, name: str) -> str | None:
    """The body of the block ``name`` attached to ``text``, if any."""
    return next((m.group(2) for m in _ATTACHED.finditer(text) if m.group(1) == name), None)


def without_attached(text: str) -> str:
    return _ATTACHED.sub("", text)


def _mask_quotes(text: str) -> str:
    """The words with quoted text and attached blocks blanked (same length): a title
    "Remove me" is a title, not a request to remove something (issue 10)."""
    text = _ATTACHED.sub(lambda m: "_" * len(m.group(0)), text)
    return _QUOTED.sub(lambda m: m.group(0)[0] + "_" * (len(m.group(0)) - 2) + m.group(0)[-1], text)


@dataclass
class Candidate:
    """A call a rule read, and the words of the message it claims."""
    call: Call
    priority: int
    spans: list[tuple[int, int]]
    start: int                    # where its pattern matched: the earlier wins a tie


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def resolve(candidates: list[Candidate]) -> list[Call]:
    """The calls of the candidates that keep their words (:func:`kept`)."""
    return [c.call for c in kept(candidates)]


def kept(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates that keep their words, in the order given. By priority, then by place in
    the message, each candidate is kept unless a kept one shares a word with it (or is the same
    tool). A dropped candidate takes no words from anyone, so no order of declaration matters."""
    chosen: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: (-c.priority, c.start)):
        if not any(_overlap(c.spans, k.spans) or c.call.name == k.call.name for k in chosen):
            chosen.append(c)
    return [c for c in candidates if any(c is k for k in chosen)]


def plan(text: str) -> list[Call]:
    """The tool calls a message asks for, in rule order (empty: not understood)."""
    return [c.call for c in read_calls(text)]


def read_calls(text: str) -> list[Candidate]:
    """The calls a message asks for with the words each claims, in rule order. Rules match
    the words outside quotes; their arguments (a title's text) come from the words as given."""
    masked = _mask_quotes(text)
    plain = without_attached(text)
    candidates: list[Candidate] = []
    for r in RULES:
        if r.tool not in TOOLS:
            continue
        m = r.pattern.search(masked)
        if not m:
            continue
        spans = [m.span()] if m.end() > m.start() else []
        token = _READING.set(((text, plain), spans))
        try:
            args = r.args(text if r.reads_attached else plain, m)
        finally:
            _READING.reset(token)
        if args is None:
            continue
        spans = [(0, len(text))] if r.claims_all else spans
        candidates.append(Candidate(Call(r.tool, args), r.priority, spans, m.start()))
    # In the order said, but what makes the material (a transcription, a generated video, the
    # lines given) comes before the edits of it.
    return sorted(kept(candidates), key=lambda c: (c.priority < MAKES, c.start))


MAKES = 60   # the priority of the tools that make what the others edit (docs/architecture.md)


def capabilities(language: str = "en") -> str:
    """What to say when a message is not understood."""
    if language == "zh":
        return ("我可以：生成中英双语字幕（如 给视频生成中英双语字幕）、调整字幕（如 字幕大一点、放到顶部、只要中文字幕、软字幕）、"
                "加标题（如 加标题“城市之梦”）、加背景音乐并设音量（如 加背景音乐 30%）、"
                "剪辑（如 只保留前10秒）、改画幅（如 改成9:16）、改分辨率（如 720p）、删除轨道（如 去掉音乐）、介绍项目。")
    return ("I can: generate Chinese and English subtitles (generate bilingual subtitles), restyle them "
            "(make the subtitles bigger, put them at the top, yellow), keep one language (only Chinese), "
            "soft or burned-in subtitles; "
            'add or change a title (add a title "Urban Dreams"), add background music from an '
            "uploaded audio file at a volume (add background music at 30%), trim (keep the first 10 "
            "seconds), set the aspect ratio (make it 9:16), set the resolution (720p), remove a track "
            "(remove the music), and describe the project.")

