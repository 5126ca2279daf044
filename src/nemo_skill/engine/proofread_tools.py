"""Correcting misheard words in recognised subtitles (`correct_subtitles`), from the calling
agent or from the configured LLM; media/subtitles/proofread.py decides what counts as misheard.

A correction changes a cue's text only: its time stays, and so does every other cue. A
set of corrections is applied whole or not at all.
"""

from __future__ import annotations

import logging

from ..language import is_cjk
from ..llm import LLMClient, LLMError, LLMSettings
from ..media.subtitles import cues, proofread
from ..media.subtitles.formats import LANGUAGE_WORDS_ZH
from ..timeline import Kind
from ..timeline_edit import find_track, subtitle_langs, subtitle_settings, track_id
from . import tool_args
from .errors import ToolError
from .tools import ToolContext, tool

log = logging.getLogger(__name__)


def subtitle_track(draft: dict, lang: str) -> dict | None:
    return find_track(draft, track_id(Kind.SUBTITLE, lang))


def source_language(draft: dict) -> str | None:
    """The recognised language: the pending translation's source, else the first track."""
    pending = subtitle_settings(draft).get("pending") or {}
    langs = subtitle_langs(draft)
    return pending.get("source") if pending.get("source") in langs else (langs[0] if langs else None)


_END_MARKS = "，。！？、,.!?…"


def _relabel(segment: dict, text: str, wrap) -> bool:
    """Give the cue its corrected text, wrapped as the cue's lines are (with the heard line's
    closing mark, if the correction left it off); character times are kept when the
    characters still line up one to one. False when the text is what the cue already says."""
    heard = segment.get("txt", "")
    closing = heard.rstrip()[-1:]
    if closing and closing in _END_MARKS and text[-1:] not in _END_MARKS:
        text += closing
    text = wrap(text)
    if text == heard:
        return False
    segment["txt"] = text
    if "confidence" in segment:     # a proofreader's word is not the recogniser's doubt
        segment.update(confidence=1.0, unsure=[])
    m = segment.get("m") or {}
    chars = [ch for ch in text if not ch.isspace()]
    if m.get("k") and len(m["k"]) == len(chars):
        m["k"] = [[ch, s, e] for ch, (_old, s, e) in zip(chars, m["k"], strict=True)]
    else:
        m.pop("k", None)
    return True


def apply_corrections(draft: dict, lang: str,
                      corrections: dict[int, str]) -> tuple[list[int], dict[int, proofread.Refusal]]:
    """(the cues changed, {cue: why refused}); nothing changes when anything is refused."""
    track = subtitle_track(draft, lang)
    segments = (track or {}).get("sg") or []
    refused = {}
    for n, text in corrections.items():
        if not 1 <= n <= len(segments):
            refused[n] = proofread.Refusal(f"there is no cue {n} (there are {len(segments)})",
                                           f"没有第 {n} 条（共 {len(segments)} 条）")
        elif (why := proofread.refusal(segments[n - 1].get("txt", ""), text)) is not None:
            refused[n] = why
    if refused:
        return [], refused
    rules = cues.rules_for(lang, **((subtitle_settings(draft).get("limits") or {}).get(lang) or {}))
    return [n for n, text in sorted(corrections.items())
            if _relabel(segments[n - 1], text, lambda t: cues.wrap(t, lang, rules))], {}


@tool("correct_subtitles", "correct misheard words in the recognised subtitles", args=tool_args.CorrectSubtitles,
      zh="校对字幕中听错的词")
def correct_subtitles(draft: dict, args: tool_args.CorrectSubtitles, ctx: ToolContext) -> dict:
    lang = args.lang or source_language(draft)
    if lang is None or subtitle_track(draft, lang) is None:
        raise ToolError("no_subtitles", 'There are no subtitles to correct; say "generate subtitles" first.',
                        "还没有字幕可校对，请先说“生成字幕”。")
    corrections = {c.cue: " ".join(c.text.split()) for c in args.corrections}
    changed, refused = apply_corrections(draft, lang, corrections)
    if refused:
        n, why = next(iter(sorted(refused.items())))
        raise ToolError("not_a_proofread",
                        f"Nothing was changed: the correction of cue {n} is refused ({why.en}). A correction fixes "
                        "words that were misheard, keeping the rest of the line as it was said.",
                        f"没有改动：第 {n} 条的校对被拒绝（{why.zh}）。校对只改听错的词，其余保持原样。")
    others = [x for x in subtitle_langs(draft) if x != lang and (subtitle_track(draft, x) or {}).get("sg")]
    stale = ctx.say(f" The {', '.join(others)} lines of those cues were translated from the old text.",
                    f" 这些字幕的{'、'.join(LANGUAGE_WORDS_ZH.get(x, x) for x in others)}是按原文翻译的。") \
        if changed and others else ""
    return {"message": ctx.say(f"Corrected {len(changed)} cue(s): {', '.join(map(str, changed)) or 'none'}.",
                               f"已校对 {len(changed)} 条字幕：{'、'.join(map(str, changed)) or '无'}。") + stale,
            "corrected": changed}


def proofread_with_llm(draft: dict, lang: str, settings: LLMSettings, ctx: ToolContext) -> str:
    """Ask the LLM for corrections and keep those that pass the check; an LLM that fails or
    answers badly leaves the subtitles as heard (and says so)."""
    track = subtitle_track(draft, lang)
    texts = [s.get("txt", "") for s in (track or {}).get("sg") or []]
    if not texts or (lang == "zh") != any(is_cjk(ch) for t in texts for ch in t):
        return ""
    try:
        answer = LLMClient(settings, tries=2).complete(proofread.llm_prompt(texts, lang))
        wanted = proofread.read_llm_answer(answer, len(texts))
    except (LLMError, ValueError) as exc:
        log.warning("proofreading skipped: %s", exc)
        return ctx.say(" The LLM's proofreading failed; the subtitles are as heard.",
                       " 大模型校对失败，字幕保持识别结果。")
    kept = {n: t for n, t in wanted.items() if proofread.refusal(texts[n - 1], t) is None}
    changed, _ = apply_corrections(draft, lang, kept)
    dropped = len(wanted) - len(kept)
    return ctx.say(f" Proofread by {settings.model}: {len(changed)} cue(s) corrected"
                   + (f", {dropped} suggestion(s) refused as not sounding like the speech." if dropped else "."),
                   f" 已由 {settings.model} 校对：改正 {len(changed)} 条"
                   + (f"，{dropped} 条建议与读音不符，未采用。" if dropped else "。"))
