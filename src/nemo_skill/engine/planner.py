"""A rule-based planner: a message (Chinese or English) -> tool calls.

Each rule is a pattern and a function that reads the tool's arguments out
of the message; the rules run in order and every match becomes one call.
Adding a tool is one :func:`rule` call next to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .tools import TOOLS

Args = dict


@dataclass(frozen=True)
class Rule:
    tool: str
    pattern: re.Pattern
    args: Callable[[str, re.Match], Args | None]   # None: the rule does not apply after all
    reads_attached: bool = False                   # its args come from attached blocks too


RULES: list[Rule] = []


def rule(tool: str, pattern: str, args: Callable[[str, re.Match], Args | None] = lambda t, m: {},
         *, reads_attached: bool = False) -> None:
    RULES.append(Rule(tool, re.compile(pattern, re.IGNORECASE), args, reads_attached))


@dataclass
class Call:
    name: str
    args: Args


# --- reading numbers and quotes -------------------------------------------------------

_QUOTED = re.compile(r"[\"“”「『《'‘]([^\"“”」』》'’]{1,80})[\"“”」』》'’]")
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}


def quoted(text: str) -> str | None:
    m = _QUOTED.search(text)
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


def percent(text: str) -> float | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*%|百分之" + _NUM, text)
    if m:
        return min(2.0, number(m.group(1) or m.group(2)) / 100)
    if re.search(r"quiet|soft|low|小声|轻|低", text, re.I):
        return 0.15
    if re.search(r"loud|high|大声|响", text, re.I):
        return 0.7
    return None


# --- the rules of this issue --------------------------------------------------------------

def _title_args(text: str, m: re.Match) -> Args | None:
    title = quoted(text)
    if not title:
        after = re.search(r"(?:title|标题)\s*(?:to|as|:|：|为|是|改成|改为|换成)\s*(.+)$", text, re.I)
        title = after.group(1).strip(" 。.!！\"“”") if after else None
    if not title:
        return {"text": ""}
    return {"text": title}


rule("set_title", r"(?<!sub)title|标题|片头文字", _title_args)


def _bgm_args(text: str, m: re.Match) -> Args:
    volume = percent(text)
    return {"volume": volume} if volume is not None else {}


rule("add_bgm", r"(background\s+music|\bbgm\b|\bmusic\b|背景音乐|配乐|音乐)(?!.*(remove|delete|删除|去掉))",
     lambda t, m: None if re.search(r"volume|音量|quieter|louder|小一点|大一点", t, re.I) else _bgm_args(t, m))
rule("set_volume", r"(volume|音量|quieter|louder|小一点|大一点)",
     lambda t, m: {"volume": percent(t) if percent(t) is not None else
                   (0.15 if re.search(r"quiet|小", t, re.I) else 0.6)})


def _trim_args(text: str, m: re.Match) -> Args | None:
    rng = re.search(_NUM + r"\s*(?:s|秒|sec\w*)?\s*(?:to|-|–|到|至)\s*" + _NUM, text)
    if rng:
        return {"start": number(rng.group(1)), "end": number(rng.group(2))}
    first = re.search(r"(?:first|前)\s*" + _NUM, text, re.I)
    drop = re.search(r"(cut|remove|drop|delete|剪掉|去掉|删掉|删除)", text, re.I)
    if first:
        return {"start": number(first.group(1))} if drop else {"start": 0, "end": number(first.group(1))}
    last = re.search(r"(?:last|后|最后)\s*" + _NUM, text, re.I)
    if last:
        return {"drop_last": number(last.group(1))} if drop else None
    return None


rule("trim", r"trim|cut|剪|裁|截取|只保留|keep only", _trim_args)


def _aspect_args(text: str, m: re.Match) -> Args | None:
    ratio = re.search(r"(\d+)\s*[:：x×比]\s*(\d+)", text)
    if ratio:
        return {"ratio": f"{ratio.group(1)}:{ratio.group(2)}"}
    if re.search(r"vertical|portrait|竖屏|竖版|抖音", text, re.I):
        return {"ratio": "9:16"}
    if re.search(r"horizontal|landscape|横屏|横版", text, re.I):
        return {"ratio": "16:9"}
    if re.search(r"square|方形|正方", text, re.I):
        return {"ratio": "1:1"}
    return None


rule("set_aspect", r"aspect|ratio|\d+\s*[:：比]\s*\d+|vertical|portrait|landscape|horizontal|square|"
     r"竖屏|竖版|横屏|横版|正方|方形|画幅|比例", _aspect_args)


def _resolution_args(text: str, m: re.Match) -> Args:
    if re.search(r"4k", text, re.I):
        return {"short_side": 2160}
    return {"short_side": int(m.group(1))}


rule("set_resolution", r"\b(720|1080|1440|2160)p\b|\b4k\b|分辨率", lambda t, m: (
    _resolution_args(t, m) if re.search(r"\d{3,4}p|4k", t, re.I) else None))

_KIND_WORDS = {"bgm": r"music|bgm|音乐|配乐", "title": r"(?<!sub)title|标题", "subtitle": r"subtitle|caption|字幕",
               "video": r"\bvideo\b|视频"}


def _remove_args(text: str, m: re.Match) -> Args | None:
    kinds = [k for k, words in _KIND_WORDS.items() if re.search(words, text, re.I)]
    kinds = [k for k in kinds if k != "video"] or kinds
    return {"kinds": kinds} if kinds else None


rule("remove_track", r"remove|delete|drop|get rid of|删除|去掉|删掉|不要", _remove_args)
rule("describe_project", r"describe|what('s| is) (in|on)|summar|what do i have|介绍|描述|有什么|概况")


# Rules that, when they match, make some others moot (checked in the order declared;
# a rule made moot by an earlier one does not make others moot).
_EXCLUSIVE: dict[str, set[str]] = {"remove_track": {"add_bgm", "set_title", "set_volume"},
                                   "trim": {"set_title"}}
_SOLE: dict[str, Callable[[Args], bool]] = {}


def exclusive(tool: str, moot: set[str]) -> None:
    _EXCLUSIVE.setdefault(tool, set()).update(moot)


def sole(tool: str, when: Callable[[Args], bool] = lambda args: True) -> None:
    """When this rule matches (and ``when`` its args), it is the only call: the rest of
    the message is data (a translation, a script), not more requests."""
    _SOLE[tool] = when


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


def plan(text: str) -> list[Call]:
    """The tool calls a message asks for, in rule order (empty: not understood). Rules match
    the words outside quotes; their arguments (a title's text) come from the words as given."""
    calls: list[Call] = []
    masked = _mask_quotes(text)
    plain = without_attached(text)
    for r in RULES:
        if r.tool not in TOOLS:
            continue
        m = r.pattern.search(masked)
        if not m:
            continue
        args = r.args(text if r.reads_attached else plain, m)
        if args is None:
            continue
        if r.tool in _SOLE and _SOLE[r.tool](args):
            return [Call(r.tool, args)]
        calls.append(Call(r.tool, args))
    names = {c.name for c in calls}
    moot: set[str] = set()
    for name, others in _EXCLUSIVE.items():
        if name in names and name not in moot:
            moot |= others
    seen: set[str] = set()
    unique = []
    for c in calls:
        if c.name not in seen and c.name not in moot:
            seen.add(c.name)
            unique.append(c)
    return unique


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

