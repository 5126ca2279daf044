"""The rules for edits of the timeline: title, music and its volume, trim, aspect,
resolution, removing a track, describing the project."""

from __future__ import annotations

import re

from ..language import CJK_RANGES
from .claims import Args, claim, read, rule
from .clauses import clause
from .numbers import NUM as _NUM, number, percent
from .quotes import quoted

# A change of the title's look, not its words: no tool sets the title's size or colour, so
# "make the title bigger" is named as not understood rather than read as an empty title.
_TITLE_LOOK = re.compile(r"bigger|larger|smaller|tiny|size|colou?r|bold|font|大一点|大点|放大|调大|变大|太小|"
                         r"小一点|小点|缩小|调小|变小|太大|字号|颜色|加粗|字体", re.I)


def _title_args(text: str, m: re.Match) -> Args | None:
    title = quoted(text)
    if not title:
        # to the end of its clause: "标题改成山间，再做成竖屏的" asks for a title and an aspect;
        # a space before Chinese ends it too ("标题改成秋天 字幕放上面")
        after = read(r"(?:title|标题)\s*(?:to|as|called|named|:|：|为|是|改成|改为|换成|叫做|叫)\s*"
                     rf"([^，,。;；！!？?\n]+?)(?=\s+[{CJK_RANGES}]|[，,。;；！!？?\n]|$)", text)
        title = after.group(1).strip(" 。.!！\"“”") if after else None
    if not title:
        return None if _TITLE_LOOK.search(text, *clause(text, m.start())) else {"text": ""}
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

