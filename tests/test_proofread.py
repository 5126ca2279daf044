"""Proofreading recognised subtitles (the brief: language work goes to the LLM or the agent,
checked): a correction may fix misheard words only, and is applied whole or not at all."""

from __future__ import annotations

import json

import pytest
from llm_replay import ReplayLLM

from nemo_skill.engine import registry
from nemo_skill.engine.proofread_tools import apply_corrections, proofread_with_llm
from nemo_skill.engine.subtitle_tools import save_cues
from nemo_skill.engine.tools import TurnContext
from nemo_skill.media.subtitles import proofread
from nemo_skill.media.subtitles.cues import Cue, wrap

HEARD = ["近几年，不但我用书给女儿压碎，", "也劝说亲朋不要给女儿压碎钱，", "而改送压碎书。"]


@pytest.mark.parametrize("heard, fixed", [
    ("也劝说亲朋不要给女儿压碎钱", "也劝说亲朋不要给女儿压岁钱"),      # a homophone
    ("您好设计", "你好世界"),                                          # near-homophones, every syllable
    ("甚至出现交易几乎停止的情况", "甚至出现交易几乎停滞的情况"),
    ("原声很好玩", "原神很好玩"),
    ("也劝说亲朋不要给女儿压碎钱", "也劝说亲朋不要给女儿压岁钱了"),    # one particle more
    ("i scream for it", "ice cream for it"),
])
def test_misheard_words_may_be_corrected(heard, fixed):
    assert proofread.refusal(heard, fixed) is None


@pytest.mark.parametrize("heard, fixed, says", [
    ("也劝说亲朋不要给女儿压碎钱", "还劝亲戚朋友别给孩子红包", "sound nothing like"),     # a rewrite
    ("近几年 不但我用书给女儿压碎", "这几年我都送书给女儿当压岁钱", "sound nothing like"),
    ("我们去吃饭吧", "我们去打球吧", "sound nothing like"),                          # two words swapped
    ("也劝说亲朋不要给女儿压碎钱", "也劝说亲朋不要给女儿压岁钱。我们都很开心", "syllables where"),  # added
    ("而改送压碎书", "。", "no words"),
])
def test_anything_else_is_refused(heard, fixed, says):
    why = proofread.refusal(heard, fixed)
    assert why is not None and says in why.en and why.zh


def draft_with(texts: list[str]) -> dict:
    draft = {"t": []}
    save_cues(draft, "zh", [Cue(i * 3.0, i * 3.0 + 2.5, wrap(t, "zh")) for i, t in enumerate(texts)], "asr")
    return draft


def texts_of(draft: dict) -> list[str]:
    return [s["txt"] for s in draft["t"][0]["sg"]]


def test_corrections_apply_whole_or_not_at_all():
    draft = draft_with(HEARD)
    changed, refused = apply_corrections(draft, "zh", {2: "也劝说亲朋不要给女儿压岁钱", 3: "还劝亲戚朋友别送书"})
    assert changed == [] and set(refused) == {3} and texts_of(draft) == HEARD
    changed, refused = apply_corrections(draft, "zh", {2: "也劝说亲朋不要给女儿压岁钱", 3: "而改送压岁书"})
    assert changed == [2, 3] and not refused
    # the heard line's closing mark stays; the first cue is untouched
    assert texts_of(draft) == [HEARD[0], "也劝说亲朋不要给女儿压岁钱，", "而改送压岁书。"]
    assert apply_corrections(draft, "zh", {3: "而改送压岁书"}) == ([], {})   # already so: nothing changed
    assert set(apply_corrections(draft, "zh", {9: "压岁"})[1]) == {9}


def test_a_long_correction_is_wrapped_as_the_cue_was():
    long_line = "今天我们来聊一聊压碎钱的来历还有它在不同地方的习俗"
    draft = draft_with([long_line])
    before = texts_of(draft)[0]
    assert "\n" in before
    changed, _ = apply_corrections(draft, "zh", {1: long_line.replace("压碎", "压岁")})
    assert changed == [1] and "\n" in texts_of(draft)[0] and texts_of(draft)[0].replace("\n", "") == \
        before.replace("\n", "").replace("压碎", "压岁")


@pytest.mark.parametrize("raw, says", [
    ({"x": "压岁"}, "does not name a cue"), ({"7": "压岁"}, "cue 7 does not exist"), ({"1": " "}, "no text"),
    ("压岁", "must be an object"),
])
def test_bad_correction_documents_say_what_is_wrong(raw, says):
    with pytest.raises(ValueError, match=says):
        proofread.parse_corrections(raw, 3)
    assert proofread.parse_corrections([{"n": 2, "text": " 压岁 钱 "}], 3) == {2: "压岁 钱"}


@pytest.mark.parametrize("content, expected, says", [
    # one homophone fixed, one "suggestion" that rewrites the line refused
    ('```json\n{"corrections": {"2": "也劝说亲朋不要给女儿压岁钱", "3": "还劝亲戚朋友别送书"}}\n```',
     [HEARD[0], "也劝说亲朋不要给女儿压岁钱，", HEARD[2]], "1 条，1 条建议与读音不符"),
    ("I think line 2 is wrong.", HEARD, "校对失败"),
    ('{"corrections": {"9": "压岁"}}', HEARD, "校对失败"),
])
def test_the_llm_proofreads_within_the_same_check(content, expected, says):
    llm = ReplayLLM()
    llm.answers = [{"content": content}]
    try:
        draft = draft_with(HEARD)
        said = proofread_with_llm(draft, "zh", llm.settings, TurnContext(session_id="s", uploads=[], language="zh"))
    finally:
        llm.server.shutdown()
        llm.server.server_close()
    assert texts_of(draft) == expected and says in said
    assert "压碎钱" in llm.requests[0]["messages"][-1]["content"]   # it was shown the cues as heard


def test_the_engine_proofreads_what_it_heard_when_an_llm_is_configured():
    """Real speech (压岁钱, heard by the base model as 压碎钱), the transcribe tool, an LLM that
    puts 压岁 back: the subtitles say what was said."""
    from types import SimpleNamespace

    from speech_video import SPEECH, YASUI

    transcribe = registry.TOOLS["transcribe"].run   # JSON arguments, as the engine runs it

    def fix(asked):
        lines = [ln.split(". ", 1) for ln in asked["messages"][-1]["content"].splitlines()]
        return {"content": json.dumps({"corrections": {n: t.replace("压碎", "压岁") for n, t in lines if "压碎" in t}})}

    llm = ReplayLLM()
    llm.answers = [fix]
    clip = SPEECH / YASUI
    engine = SimpleNamespace(llm=llm.settings, scene_cache=None, resolve_src=lambda src, session: clip)
    ctx = TurnContext(session_id="s", uploads=[{"file_type": "audio", "cdn_url": "/x/yasui.flac", "duration": 8.39,
                                                "filename": "yasui.flac", "path": str(clip)}],
                      engine=engine, language="zh")
    draft = {"t": []}
    try:
        result = transcribe(draft, {"languages": ["zh"]}, ctx)
    finally:
        llm.server.shutdown()
        llm.server.server_close()
    said = "".join(texts_of(draft))
    assert "压碎" in llm.requests[0]["messages"][-1]["content"]          # the base model did mishear it
    assert "压碎" not in said and said.count("压岁") == 3, said
    assert "已由 test-model 校对" in result["message"]
