"""The agent's tools: each edits the draft (or reads it) and says what it did.

A tool is a function registered with :func:`tool`, together with the rule
that picks it from a message (see planner.py); adding one is local to the
module that defines it. Tools run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..timeline import AUDIO, TEXT, VIDEO, Draft

KIND_ZH = {"bgm": "背景音乐", "title": "标题", "subtitle": "字幕", "video": "视频", "narration": "旁白"}
ASPECTS = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080),
           "4:3": (1440, 1080), "3:4": (1080, 1440)}


@dataclass
class ToolContext:
    """What a tool may use besides the draft."""

    session_id: str
    uploads: list[dict]
    engine: Any = None                        # the Engine, for tools that need media work
    note: Callable[[str], None] = lambda _msg: None   # progress, sent as keep-alive events
    cancel: threading.Event = field(default_factory=threading.Event)
    language: str = "en"

    def say(self, en: str, zh: str) -> str:
        """The message in the user's language."""
        return zh if self.language == "zh" else en

    def latest_upload(self, *kinds: str) -> dict | None:
        for upload in reversed(self.uploads):
            if upload["file_type"] in kinds:
                return upload
        return None


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    run: Callable[[dict, dict, ToolContext], dict]
    edits: bool = True
    description_zh: str = ""

    def describe(self, language: str) -> str:
        return self.description_zh if language == "zh" and self.description_zh else self.description


TOOLS: dict[str, Tool] = {}


def tool(name: str, description: str, *, zh: str = "", edits: bool = True):
    """Register a tool; ``description``/``zh`` are what the plan text tells the user."""
    def register(fn: Callable[[dict, dict, ToolContext], dict]):
        TOOLS[name] = Tool(name, description, fn, edits, zh)
        return fn
    return register


# --- draft helpers -----------------------------------------------------------------

def new_draft() -> dict:
    return {"t": [], "d": 0, "m": {"width": 1920, "height": 1080, "fps": 30, "aspect": "16:9"}}


def track(draft: dict, kind: str, tt: int, *, create: bool = True, track_id: str | None = None) -> dict | None:
    track_id = track_id or kind
    for t in draft.setdefault("t", []):
        if t.get("id") == track_id:
            return t
    if not create:
        return None
    t = {"id": track_id, "tt": tt, "n": kind, "m": {"kind": kind}, "sg": []}
    draft["t"].append(t)
    return t


def content_end(draft: dict) -> int:
    """Where the timeline ends: the end of everything but looping music."""
    ends = [s.end for t in Draft(draft).tracks if t.kind != "bgm" for s in t.segments]
    return int(max(ends, default=0))


def normalize(draft: dict) -> dict:
    """Keep ``d`` and the music bed in step with the content after any edit."""
    end = content_end(draft)
    for t in draft.get("t", []):
        if (t.get("m") or {}).get("kind") == "bgm":
            for seg in t.get("sg", []):
                seg["st"], seg["d"] = 0, end or seg.get("d", 0)
    draft["d"] = end or max((Draft(draft).duration, 0))
    return draft


def add_media(draft: dict, upload: dict) -> dict:
    """Put an uploaded video or image at the end of the video track."""
    video = track(draft, "video", VIDEO)
    if not video["sg"] and upload["file_type"] == "video" and upload.get("width") and upload.get("height"):
        fit_canvas(draft, int(upload["width"]), int(upload["height"]))
    start = int(max((s["st"] + s["d"] for s in video["sg"]), default=0))
    duration = int(upload["duration"] * 1000) if upload["file_type"] == "video" else 5000
    seg = {"id": f"seg_{upload['id']}", "st": start, "d": duration, "ss": 0,
           "src": upload["cdn_url"], "n": upload["filename"], "v": 1.0,
           "m": {"upload_id": upload["id"], "type": upload["file_type"]}}
    video["sg"].append(seg)
    return seg


def fit_canvas(draft: dict, width: int, height: int, short_side: int = 1080) -> None:
    """A 1080p canvas in the first video's shape, so nothing is letterboxed."""
    scale = short_side / min(width, height)
    w, h = round(width * scale / 2) * 2, round(height * scale / 2) * 2
    aspect = next((name for name, (aw, ah) in ASPECTS.items() if abs(aw / ah - w / h) < 0.01), f"{w}:{h}")
    draft.setdefault("m", {}).update(width=w, height=h, aspect=aspect)


def edit(draft: dict) -> dict:
    return copy.deepcopy(draft) if draft else new_draft()


# --- the tools of this issue --------------------------------------------------------------

@tool("describe_project", "say what is on the timeline", zh="介绍项目", edits=False)
def describe_project(draft: dict, args: dict, ctx: ToolContext) -> dict:
    summary = Draft(draft).summary()
    files = ", ".join(u["filename"] for u in ctx.uploads) or "none"
    return {"summary": summary, "uploads": files, "message": f"{summary}. Uploaded files: {files}."}


@tool("set_title", "add or change the title text", zh="设置标题")
def set_title(draft: dict, args: dict, ctx: ToolContext) -> dict:
    text = str(args.get("text") or "").strip()
    if not text:
        return {"error": "no title text given", "message": ctx.say('Which title? Put it in quotes, e.g. add a title "My Trip".',
                                                               "标题写什么？请用引号括起来，例如：加个标题“我的旅行”。")}
    start = int(float(args.get("start", 0)) * 1000)
    duration = int(float(args.get("duration", 3)) * 1000)
    t = track(draft, "title", TEXT)
    t["sg"] = [{"id": "title_1", "st": start, "d": duration, "txt": text}]
    draft.setdefault("m", {})["title"] = text
    span = f"{start / 1000:g}-{(start + duration) / 1000:g}s"
    return {"message": ctx.say(f'Title set to "{text}" ({span}).', f"标题已设为“{text}”（{span}）。")}


@tool("add_bgm", "add background music from an uploaded audio file at a volume", zh="添加背景音乐")
def add_bgm(draft: dict, args: dict, ctx: ToolContext) -> dict:
    upload = ctx.latest_upload("audio")
    if upload is None:
        return {"error": "no audio uploaded",
                "message": ctx.say("Upload a music file first (mp3, wav, m4a or aac), then ask again.",
                                   "请先上传音乐文件（mp3、wav、m4a 或 aac），再说一次。")}
    volume = float(args.get("volume", 0.3))
    t = track(draft, "bgm", AUDIO)
    end = content_end(draft) or int(upload["duration"] * 1000)
    t["sg"] = [{"id": "bgm_1", "st": 0, "d": end, "ss": 0, "src": upload["cdn_url"],
                "n": upload["filename"].rsplit(".", 1)[0], "v": volume, "loop": True}]
    return {"message": ctx.say(f"Background music {upload['filename']} added at {round(volume * 100)}%.",
                               f"已添加背景音乐 {upload['filename']}，音量 {round(volume * 100)}%。")}


@tool("set_volume", "change the background music volume", zh="调整音乐音量")
def set_volume(draft: dict, args: dict, ctx: ToolContext) -> dict:
    t = track(draft, "bgm", AUDIO, create=False)
    if not t or not t["sg"]:
        return add_bgm(draft, args, ctx)
    volume = float(args.get("volume", 0.3))
    for seg in t["sg"]:
        seg["v"] = volume
    return {"message": ctx.say(f"Music volume set to {round(volume * 100)}%.", f"音乐音量已设为 {round(volume * 100)}%。")}


@tool("trim", "keep only a time range of the video", zh="剪辑时长")
def trim(draft: dict, args: dict, ctx: ToolContext) -> dict:
    end_all = content_end(draft)
    if not end_all:
        return {"error": "empty timeline", "message": ctx.say("There is nothing to trim yet: upload a video first.",
                                                              "还没有可剪辑的内容：请先上传视频。")}
    a = max(0, int(float(args.get("start", 0)) * 1000))
    b = int(float(args["end"]) * 1000) if args.get("end") is not None else end_all
    if args.get("drop_last") is not None:
        b = end_all - int(float(args["drop_last"]) * 1000)
    b = min(b, end_all)
    if b - a < 100:
        return {"error": "range too short", "message": ctx.say(
            f"That leaves nothing (the video is {end_all / 1000:g}s long).", f"这样就什么都不剩了（视频长 {end_all / 1000:g} 秒）。")}
    for t in draft.get("t", []):
        if (t.get("m") or {}).get("kind") == "bgm":
            continue
        kept = []
        for seg in t.get("sg", []):
            s0, s1 = seg["st"], seg["st"] + seg["d"]
            lo, hi = max(s0, a), min(s1, b)
            if hi - lo <= 0:
                continue
            seg["ss"] = seg.get("ss", 0) + (lo - s0) if "src" in seg else seg.get("ss", 0)
            seg["st"], seg["d"] = lo - a, hi - lo
            kept.append(seg)
        t["sg"] = kept
    return {"message": ctx.say(f"Trimmed to {a / 1000:g}-{b / 1000:g}s ({(b - a) / 1000:g}s long).",
                               f"已剪辑为 {a / 1000:g}-{b / 1000:g} 秒（共 {(b - a) / 1000:g} 秒）。")}


@tool("set_aspect", "set the aspect ratio (16:9, 9:16, 1:1, 4:3)", zh="调整画幅比例")
def set_aspect(draft: dict, args: dict, ctx: ToolContext) -> dict:
    ratio = str(args.get("ratio", "16:9"))
    if ratio not in ASPECTS:
        return {"error": "unsupported aspect", "message": ctx.say(
            f"Aspect {ratio} is not supported; use {', '.join(ASPECTS)}.", f"不支持 {ratio} 画幅，可用：{'、'.join(ASPECTS)}。")}
    w, h = ASPECTS[ratio]
    meta = draft.setdefault("m", {})
    short = min(int(meta.get("width", 1920)), int(meta.get("height", 1080)))
    scale = short / 1080
    meta.update(width=int(w * scale) // 2 * 2, height=int(h * scale) // 2 * 2, aspect=ratio)
    return {"message": ctx.say(f"Aspect ratio set to {ratio} ({meta['width']}x{meta['height']}).",
                               f"画幅已改为 {ratio}（{meta['width']}x{meta['height']}）。")}


@tool("set_resolution", "set the output resolution (720p, 1080p, 1440p, 4k)", zh="调整分辨率")
def set_resolution(draft: dict, args: dict, ctx: ToolContext) -> dict:
    short = int(args.get("short_side", 1080))
    meta = draft.setdefault("m", {})
    w, h = int(meta.get("width", 1920)), int(meta.get("height", 1080))
    scale = short / min(w, h)
    meta.update(width=int(w * scale) // 2 * 2, height=int(h * scale) // 2 * 2)
    return {"message": ctx.say(f"Resolution set to {meta['width']}x{meta['height']}.",
                               f"分辨率已设为 {meta['width']}x{meta['height']}。")}


@tool("remove_track", "remove a track (music, title, subtitles, video)", zh="删除轨道")
def remove_track(draft: dict, args: dict, ctx: ToolContext) -> dict:
    kinds = set(args.get("kinds") or [args.get("kind", "")])
    before = len(draft.get("t", []))
    draft["t"] = [t for t in draft.get("t", []) if (t.get("m") or {}).get("kind") not in kinds
                  and t.get("id") not in kinds]
    removed = before - len(draft["t"])
    if not removed:
        return {"message": ctx.say(f"There was no {'/'.join(sorted(kinds))} track to remove.",
                                   f"没有可删除的{'/'.join(KIND_ZH.get(k, k) for k in sorted(kinds))}轨道。")}
    if "title" in kinds:
        draft.get("m", {}).pop("title", None)
    return {"message": ctx.say(f"Removed the {'/'.join(sorted(kinds))} track.",
                               f"已删除{'/'.join(KIND_ZH.get(k, k) for k in sorted(kinds))}轨道。")}
