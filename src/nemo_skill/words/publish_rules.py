"""The rules whose words are the data of one call: the upload text for Bilibili and the
storyboard given with `nemo scenes submit`."""

from __future__ import annotations

import json
import re

from .claims import rule


def _storyboard_args(text: str, m: re.Match):
    """`nemo scenes submit` as words: "show these subjects in the scenes: [{"sentence": 2, ...}]"."""
    try:
        scenes = json.loads(text[m.end():])
    except ValueError:
        return None
    return {"scenes": scenes} if isinstance(scenes, list) and scenes else None


# The storyboard is the whole message (its JSON may hold any words): nothing else in it is a request.
rule("set_scene_subjects", r"^\s*(show these subjects in the scenes|画面展示这些内容)\s*[:：]\s*",
     _storyboard_args, priority=100, claims_all=True)


# Whole English words: "uploaded the video, add subtitles" names no title.
rule("write_publish_info", r"(upload|publish|bilibili|投稿|发布|b站).{0,30}(\b(?:title|tags|description|"
     r"chapters)\b|标题|标签|简介|章节)", priority=85, claims_all=True)
