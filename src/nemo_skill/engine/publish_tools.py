"""The upload text by the configured LLM (`write_publish_info`, issue 26): title, tags,
description and chapters from the transcript, checked against the same limits as the
calling agent's file (publish_meta.py). Without an LLM the tool says so, and `nemo publish`
hands the transcript to the calling agent instead.
"""

from __future__ import annotations

import json
import logging
import re

from .. import publish_meta
from ..errors import InputError
from ..llm import LLMClient, LLMError
from ..timeline import Draft
from ..timeline_edit import set_meta
from . import tool_args
from .errors import ToolError
from .tools import ToolContext, tool

log = logging.getLogger(__name__)
NO_LLM = "no_llm"


def llm_messages(doc: dict) -> list[dict]:
    lines = "\n".join(f"[{c['start']:.1f}s] {c['text']}" for c in doc["cues"])
    limits = "\n".join(f"- {field}: {limit}" for field, limit in doc["limits"].items())
    return [{"role": "system", "content": doc["instructions"].rsplit(" Save ", 1)[0] + " Answer with the JSON "
             "object only: " + json.dumps(doc["answer_shape"], ensure_ascii=False) + "\nLimits:\n" + limits},
            {"role": "user", "content": f"The video lasts {doc['duration']:.1f} s. Transcript:\n{lines}"}]


def read_answer(text: str) -> dict:
    """The JSON object in the LLM's answer (a fenced block or the bare object)."""
    found = re.search(r"\{.*\}", text or "", re.S)
    if not found:
        raise ValueError("the answer holds no JSON object")
    return json.loads(found.group(0))


@tool("write_publish_info", "write the Bilibili title, tags, description and chapters", args=tool_args.NoArgs,
      zh="撰写投稿标题、标签、简介和章节")
def write_publish_info(draft: dict, args: tool_args.NoArgs, ctx: ToolContext) -> dict:
    settings = ctx.llm
    d = Draft(draft)
    doc = publish_meta.handoff(d, "")
    if not doc["cues"]:
        raise ToolError("no_subtitles", "There is no transcript to write the upload text from; make subtitles first.",
                        "还没有字幕，无法撰写投稿信息。")
    if settings is None:
        raise ToolError(NO_LLM, "No LLM is configured, so the upload text is for your agent (`nemo publish` hands "
                        "it the transcript).", "没有配置大模型，投稿文字交给你的助手撰写。")
    try:
        answer = LLMClient(settings, tries=2).complete(llm_messages(doc))
        meta = publish_meta.check(read_answer(answer), d.duration / 1000)
    except (LLMError, ValueError, InputError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        log.warning("upload text not written: %s", message)
        raise ToolError(NO_LLM, f"The LLM's upload text was not usable ({message[:200]}); it goes to your agent.",
                        "大模型的投稿文字不可用，交给你的助手撰写。") from None
    set_meta(draft, publish=meta)
    return {"message": ctx.say(f"Upload text written by {settings.model}: {meta['title']}",
                               f"已由 {settings.model} 撰写投稿信息：{meta['title']}"), "publish": meta}
