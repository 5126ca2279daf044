"""What each generated scene shows, chosen by the calling agent or the configured LLM (issue 27).

The rules always choose first (media/scenes/subjects.py), so a render never waits. The agent refines
the storyboard afterwards: `nemo scenes pending --json` lists each sentence with its subjects
and the library's vocabulary, `nemo scenes submit FILE` runs ``set_scene_subjects`` here and
renders again. With an LLM configured, the engine asks it while it plans the video."""

from __future__ import annotations

import json
import logging
import re

from ..media.scenes import storyboard, subjects
from ..media.subtitles import translate
from ..timeline import Kind
from ..timeline_edit import find_track, meta_value, track_id
from . import tool_args
from .errors import ToolError
from .tools import ToolContext, tool

log = logging.getLogger(__name__)


def resolve(entries: list) -> tuple[list[str], list[str]]:
    """(emoji, entries the library has no picture for) of one scene's ``shows``."""
    chars, unknown = [], []
    for entry in entries:
        sub = subjects.parse_shows(entry)
        if sub is None:
            unknown.append(str(entry)[:40])
        elif sub.emoji not in chars:
            chars.append(sub.emoji)
    return chars[:subjects.MAX_SUBJECTS], unknown


def _scenes(draft: dict) -> list[dict]:
    return (find_track(draft, track_id(Kind.SCENE)) or {}).get("sg", [])


@tool("set_scene_subjects", "choose what each generated scene shows", args=tool_args.SetSceneSubjects,
      zh="指定每个画面展示的内容")
def set_scene_subjects(draft: dict, args: tool_args.SetSceneSubjects, ctx: ToolContext) -> dict:
    scenes = _scenes(draft)
    if not meta_value(draft, "generator") or not scenes:
        raise ToolError("no_generated_video", "There is no generated video whose scenes could change; run "
                        "`nemo generate` first.", "没有可修改画面的生成视频；请先运行 `nemo generate`。")
    chosen: dict[int, list[str]] = {}
    problems = []
    for item in args.scenes:
        n = item.sentence
        chars, unknown = resolve(list(item.shows))
        if n > len(scenes):
            problems.append(f"sentence {n}: the video has {len(scenes)}")
        elif unknown or not chars:
            problems.append(f"sentence {n}: no picture of {', '.join(unknown) or 'anything named'}")
        else:
            chosen[n] = chars
    if problems:     # all or nothing: a half-applied storyboard is no one's choice
        raise ToolError("unknown_subjects",
                        "Nothing changed: " + "; ".join(problems) + ". Pick names from `nemo scenes pending --json` "
                        "(vocabulary).",
                        "未做修改：" + "；".join(problems) + "。请从 `nemo scenes pending --json` 的 vocabulary 中选择。")
    for n, chars in chosen.items():
        meta = scenes[n - 1].setdefault("m", {})
        meta.update(subjects=chars, shows=storyboard.shows(chars), by="agent")
    return {"changed": sorted(chosen), "message": ctx.say(
        f"Scenes {', '.join(map(str, sorted(chosen)))} now show what you chose.",
        f"第 {'、'.join(map(str, sorted(chosen)))} 个画面已改为你选择的内容。")}


def ask_llm(llm, texts: list[str], board: list[dict]) -> list[list[str] | None] | None:
    """The LLM's subjects for each sentence, checked against the library; None when there is no
    LLM or its answer is unusable (the rules' choice stands). Never raises: it must not stop a render."""
    if llm is None:
        return None
    lines = "\n".join(f"{i + 1}. {t} (rules chose: {', '.join(s[1] for s in b['shows']) or 'nothing'})"
                      for i, (t, b) in enumerate(zip(texts, board, strict=True)))
    try:
        reply = translate.LLMTranslator(llm).complete([
            {"role": "system", "content": "You are the art director of a short Chinese video. Each scene shows one or "
                                          "two emoji pictures of what its sentence is about."},
            {"role": "user", "content": "For each numbered sentence, name the one or two emoji (the characters "
                                        "themselves, or their CLDR Chinese names) that best show its subject. Answer "
                                        'only JSON: [{"sentence": 1, "shows": ["🐼", "竹子"]}, ...]\n' + lines}])
        found = re.search(r"\[.*\]", reply, re.S)
        items = json.loads(found.group(0)) if found else []
    except Exception as exc:     # noqa: BLE001 - a bad or failed answer leaves the rules' choice
        log.warning("the LLM did not choose the scenes (%s); the rules' choice stands", type(exc).__name__)
        return None
    out: list[list[str] | None] = [None] * len(texts)
    for item in items if isinstance(items, list) else []:
        n = item.get("sentence") if isinstance(item, dict) else None
        if isinstance(n, int) and 1 <= n <= len(texts) and isinstance(item.get("shows"), list):
            chars, unknown = resolve(item["shows"][:4])
            out[n - 1] = chars if chars and not unknown else None
    return out if any(c is not None for c in out) else None
