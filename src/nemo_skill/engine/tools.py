"""The agent's tools: each edits the draft (or reads it) and says what it did.

A tool is a function registered with :func:`tool`, together with the rule
that picks it from a message (see planner.py); adding one is local to the
module that defines it. Tools run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import choices
from ..timeline import Draft, Kind, to_ms, to_seconds
from ..timeline_edit import (
    add_segment,
    content_end,
    draft_meta,
    drop_meta,
    find_track,
    get_or_create_track,
    keep_between,
    kind_of,
    make_id,
    new_draft,
    new_segment,
    normalize as normalize,  # service.py runs it after every edit, from here
    remove_tracks,
    replace_segments,
    seconds_of,
    set_meta,
    track_end_ms,
    track_id,
    update_segments,
)
from . import tool_args
from .errors import ToolError
from .tool_args_check import validate
from .tool_context import ToolContext, TurnContext

__all__ = ["TOOLS", "Tool", "ToolContext", "ToolError", "TurnContext", "tool"]

KIND_ZH = {"bgm": "背景音乐", "title": "标题", "subtitle": "字幕", "video": "视频", "narration": "旁白"}
ASPECTS = choices.ASPECT_SIZES


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    fn: Callable[[dict, Any, ToolContext], dict]      # (draft, its model's arguments, context)
    args: type[tool_args.Args]                        # the one definition of what it takes
    edits: bool = True
    description_zh: str = ""

    def describe(self, language: str) -> str:
        return self.description_zh if language == "zh" and self.description_zh else self.description

    def arguments(self, raw: object) -> tool_args.Args:
        """``raw`` (JSON) validated into the tool's model; ToolError naming what does not fit."""
        return validate(self.name, self.args, raw)

    def run(self, draft: dict, raw: object, ctx: ToolContext) -> dict:
        """The tool on ``draft`` with JSON arguments (checked here, whoever planned the call)."""
        return self.fn(draft, self.arguments(raw), ctx)


TOOLS: dict[str, Tool] = {}


def tool(name: str, description: str, *, args: type[tool_args.Args], zh: str = "", edits: bool = True):
    """Register a tool; ``description``/``zh`` are what the plan text tells the user, ``args``
    its arguments model (the schema every planner and host sees is generated from it)."""
    def register(fn: Callable[[dict, Any, ToolContext], dict]):
        TOOLS[name] = Tool(name, description, fn, args, edits, zh)
        return fn
    return register


# --- draft helpers (the draft's shape and its edits are timeline.py's and timeline_edit.py's) ---

IMAGE_SECONDS = 5.0    # how long an uploaded still shows


def add_media(draft: dict, upload: dict) -> dict:
    """Put an uploaded video or image at the end of the video track."""
    video = get_or_create_track(draft, Kind.VIDEO)
    if not video["sg"] and upload["file_type"] == "video" and upload.get("width") and upload.get("height"):
        fit_canvas(draft, int(upload["width"]), int(upload["height"]))
    seconds = upload["duration"] if upload["file_type"] == "video" else IMAGE_SECONDS
    return add_segment(video, new_segment(
        make_id("seg", upload["id"]), to_seconds(track_end_ms(video)), seconds, ss=0, src=upload["cdn_url"],
        n=upload["filename"], v=1.0, m={"upload_id": upload["id"], "type": upload["file_type"]}))


def fit_canvas(draft: dict, width: int, height: int, short_side: int = 1080) -> None:
    """A 1080p canvas in the first video's shape, so nothing is letterboxed."""
    scale = short_side / min(width, height)
    w, h = round(width * scale / 2) * 2, round(height * scale / 2) * 2
    aspect = next((name for name, (aw, ah) in ASPECTS.items() if abs(aw / ah - w / h) < 0.01), f"{w}:{h}")
    set_meta(draft, width=w, height=h, aspect=aspect)


def edit(draft: dict) -> dict:
    return copy.deepcopy(draft) if draft else new_draft()


# --- the tools of this issue --------------------------------------------------------------

@tool("describe_project", "say what is on the timeline", args=tool_args.NoArgs, zh="介绍项目", edits=False)
def describe_project(draft: dict, args: tool_args.NoArgs, ctx: ToolContext) -> dict:
    summary = Draft(draft).summary()
    files = ", ".join(u["filename"] for u in ctx.uploads) or "none"
    return {"summary": summary, "uploads": files, "message": f"{summary}. Uploaded files: {files}."}


@tool("set_title", "add or change the title text", args=tool_args.SetTitle, zh="设置标题")
def set_title(draft: dict, args: tool_args.SetTitle, ctx: ToolContext) -> dict:
    text = args.text.strip()
    if not text:
        raise ToolError("no_title_text", 'Which title? Put it in quotes, e.g. add a title "My Trip".',
                        "标题写什么？请用引号括起来，例如：加个标题“我的旅行”。")
    seg = new_segment(make_id("title", 1), args.start, args.duration, txt=text)
    replace_segments(get_or_create_track(draft, Kind.TITLE), [seg])
    set_meta(draft, title=text)
    start, end = seconds_of(seg)
    span = f"{start:g}-{end:g}s"
    return {"message": ctx.say(f'Title set to "{text}" ({span}).', f"标题已设为“{text}”（{span}）。")}


@tool("add_bgm", "add background music from an uploaded audio file at a volume", args=tool_args.AddBgm,
      zh="添加背景音乐")
def add_bgm(draft: dict, args: tool_args.AddBgm | tool_args.SetVolume, ctx: ToolContext) -> dict:
    upload = ctx.latest_upload("audio")
    if upload is None:
        raise ToolError("no_audio", "Upload a music file first (mp3, wav, m4a or aac), then ask again.",
                        "请先上传音乐文件（mp3、wav、m4a 或 aac），再说一次。")
    volume = args.volume
    t = get_or_create_track(draft, Kind.BGM)
    seconds = to_seconds(content_end(draft)) or upload["duration"]
    replace_segments(t, [new_segment(make_id("bgm", 1), 0, seconds, ss=0, src=upload["cdn_url"],
                                     n=upload["filename"].rsplit(".", 1)[0], v=volume, loop=True)])
    return {"message": ctx.say(f"Background music {upload['filename']} added at {round(volume * 100)}%.",
                               f"已添加背景音乐 {upload['filename']}，音量 {round(volume * 100)}%。")}


@tool("set_volume", "change the background music volume", args=tool_args.SetVolume, zh="调整音乐音量")
def set_volume(draft: dict, args: tool_args.SetVolume, ctx: ToolContext) -> dict:
    t = find_track(draft, track_id(Kind.BGM))
    if not t or not t["sg"]:
        return add_bgm(draft, args, ctx)
    volume = args.volume
    update_segments(t, v=volume)
    return {"message": ctx.say(f"Music volume set to {round(volume * 100)}%.", f"音乐音量已设为 {round(volume * 100)}%。")}


@tool("trim", "keep only a time range of the video", args=tool_args.Trim, zh="剪辑时长")
def trim(draft: dict, args: tool_args.Trim, ctx: ToolContext) -> dict:
    end_all = content_end(draft)
    if not end_all:
        raise ToolError("empty_timeline", "There is nothing to trim yet: upload a video first.",
                        "还没有可剪辑的内容：请先上传视频。")
    a = max(0, to_ms(args.start))
    b = to_ms(args.end) if args.end is not None else end_all
    if args.drop_last is not None:
        b = end_all - to_ms(args.drop_last)
    b = min(b, end_all)
    if b - a < 100:
        length = to_seconds(end_all)
        raise ToolError("range_too_short", f"That leaves nothing (the video is {length:g}s long).",
                        f"这样就什么都不剩了（视频长 {length:g} 秒）。")
    for t in draft.get("t", []):
        if kind_of(t) != Kind.BGM:      # the music bed is laid again under what is left
            keep_between(t, a, b)
    start, end, length = to_seconds(a), to_seconds(b), to_seconds(b - a)
    return {"message": ctx.say(f"Trimmed to {start:g}-{end:g}s ({length:g}s long).",
                               f"已剪辑为 {start:g}-{end:g} 秒（共 {length:g} 秒）。")}


@tool("set_aspect", "set the aspect ratio (16:9, 9:16, 1:1, 4:3)", args=tool_args.SetAspect, zh="调整画幅比例")
def set_aspect(draft: dict, args: tool_args.SetAspect, ctx: ToolContext) -> dict:
    ratio = args.ratio       # one of ASPECTS: the model takes no other
    w, h = ASPECTS[ratio]
    meta = draft_meta(draft)
    short = min(int(meta.get("width", 1920)), int(meta.get("height", 1080)))
    scale = short / 1080
    set_meta(draft, width=int(w * scale) // 2 * 2, height=int(h * scale) // 2 * 2, aspect=ratio)
    return {"message": ctx.say(f"Aspect ratio set to {ratio} ({meta['width']}x{meta['height']}).",
                               f"画幅已改为 {ratio}（{meta['width']}x{meta['height']}）。")}


@tool("set_resolution", "set the output resolution (720p, 1080p, 1440p, 4k)", args=tool_args.SetResolution,
      zh="调整分辨率")
def set_resolution(draft: dict, args: tool_args.SetResolution, ctx: ToolContext) -> dict:
    short = args.short_side
    meta = draft_meta(draft)
    w, h = int(meta.get("width", 1920)), int(meta.get("height", 1080))
    scale = short / min(w, h)
    set_meta(draft, width=int(w * scale) // 2 * 2, height=int(h * scale) // 2 * 2)
    return {"message": ctx.say(f"Resolution set to {meta['width']}x{meta['height']}.",
                               f"分辨率已设为 {meta['width']}x{meta['height']}。")}


@tool("remove_track", "remove a track (music, title, subtitles, video)", args=tool_args.RemoveTrack, zh="删除轨道")
def remove_track(draft: dict, args: tool_args.RemoveTrack, ctx: ToolContext) -> dict:
    kinds = set(args.kinds or [args.kind or ""])
    removed = remove_tracks(draft, lambda t: kind_of(t) in kinds or t.get("id") in kinds)
    if not removed:
        return {"message": ctx.say(f"There was no {'/'.join(sorted(kinds))} track to remove.",
                                   f"没有可删除的{'/'.join(KIND_ZH.get(k, k) for k in sorted(kinds))}轨道。")}
    if Kind.TITLE in kinds:
        drop_meta(draft, "title")
    return {"message": ctx.say(f"Removed the {'/'.join(sorted(kinds))} track.",
                               f"已删除{'/'.join(KIND_ZH.get(k, k) for k in sorted(kinds))}轨道。")}
