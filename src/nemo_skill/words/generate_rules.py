"""The rule for a video made from words: "generate a 30-second video about tea", "用这段文案
生成一个竖屏视频：…" (its duration, aspect, voice, music, subtitle style, title, prompt or script)."""

from __future__ import annotations

import re

from .claims import rule

# --- the rules --------------------------------------------------------------------------------

_SCRIPT_HEAD = re.compile(r"^(.*?)(?:from this script|using this script|script)\s*[:：]\s*\n?(.*)$|"
                          r"^(.*?)(?:文案|脚本|旁白)\s*[:：]\s*\n?(.*)$", re.S | re.I)


def _generate_args(text: str, m: re.Match):
    args: dict = {}
    head, body = text, ""
    hm = _SCRIPT_HEAD.match(text)
    if hm:
        head = hm.group(1) if hm.group(1) is not None else hm.group(3)
        body = hm.group(2) if hm.group(2) is not None else hm.group(4)
        args["script"] = body.strip()
    seconds = re.search(r"(\d+(?:\.\d+)?)\s*(?:-\s*)?(?:s\b|sec|second|秒)", head, re.I)
    if seconds:
        args["duration"] = float(seconds.group(1))
    ratio = re.search(r"\b(16:9|9:16|1:1)\b|(竖屏|竖版)|(横屏|横版)|(方形|正方)", head)
    if ratio:
        args["aspect"] = ratio.group(1) or ("9:16" if ratio.group(2) else "16:9" if ratio.group(3) else "1:1")
    voice = re.search(r"voice\s*[:=]?\s*([\w:+./-]+)", head, re.I)
    if voice:
        args["voice"] = voice.group(1)
    if re.search(r"no music|without music|不要音乐|无音乐", head, re.I):
        args["music"] = False
    if re.search(r"karaoke|卡拉\s*ok|逐字高亮", head, re.I):
        args["subtitle_style"] = "karaoke"
    elif re.search(r"plain subtitles|普通字幕", head, re.I):
        args["subtitle_style"] = "plain"
    title = re.search(r"title\s*[\"“「《]([^\"”」》]+)", head, re.I)
    if title:
        args["title"] = title.group(1)
    if "script" not in args:
        about = re.search(r"(?:about|on the topic of|关于|主题是?|介绍)\s*[:：]?\s*(.+)$", text, re.I)
        if about is None:
            return None
        args["prompt"] = about.group(1).strip(" 。.")
    return args


# A video's description is the whole message (its head and its prompt or script run through
# it): what else matches there is part of the video, not another request.
rule("generate_video", r"(generat|creat|make|produce|生成|制作|做).{0,60}(video|视频|短片)", _generate_args,
     priority=90, claims_all=True)
