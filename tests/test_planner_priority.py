"""Conflicts between rule matches are settled by declared priority over the words each call
claims (issue 12), not by lists of tool pairs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nemo_skill.engine import planner, registry
from nemo_skill.engine.planner import Call, Candidate, resolve

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def calls(text: str) -> list[tuple[str, dict]]:
    return [(c.name, c.args) for c in registry.plan(text)]


@pytest.mark.parametrize("text, expected", [
    # the music is the removal's object, not a request for music
    ("remove the music", [("remove_track", {"kinds": ["bgm"]})]),
    ("去掉背景音乐", [("remove_track", {"kinds": ["bgm"]})]),
    ("把背景音乐去掉", [("remove_track", {"kinds": ["bgm"]})]),
    # "bilingual" is the transcription's language, not a separate languages request
    ("generate bilingual subtitles", [("transcribe", {"languages": ["zh", "en"], "translator": "auto"})]),
    ("生成中英双语字幕", [("transcribe", {"languages": ["zh", "en"], "translator": "auto"})]),
    # two requests sharing no words: both calls
    ("make the subtitles bigger and add background music at 30%",
     [("style_subtitles", {"scale": 1.25}), ("add_bgm", {"volume": 0.3})]),
    ("去掉音乐，字幕小一点", [("remove_track", {"kinds": ["bgm"]}), ("style_subtitles", {"scale": 0.8})]),
    ("delete the background music and make the subtitles smaller",
     [("remove_track", {"kinds": ["bgm"]}), ("style_subtitles", {"scale": 0.8})]),
    # the translator's words ("translate ... myself") are the transcription's
    ("generate Chinese and English subtitles, I'll translate myself",
     [("transcribe", {"languages": ["zh", "en"], "translator": "agent"})]),
    # a video's description claims the whole message: its ratio, title and music are the video's
    ('generate a 9:16 video titled "Tea" about tea with music',
     [("generate_video", {"aspect": "9:16", "prompt": "tea with music"})]),
    ("标题改成山间，再做成竖屏的", [("set_title", {"text": "山间"}), ("set_aspect", {"ratio": "9:16"})]),
    # the upload's title is the publish text, not a title on the video
    ("写好B站投稿的标题和简介", [("write_publish_info", {})]),
])
def test_overlapping_words_go_to_the_higher_priority(text, expected):
    """Calls come in the order said (issue 23), what makes the material first."""
    assert calls(text) == expected


@pytest.mark.parametrize("text, expected", [
    # "大一点" next to the subtitles is their size, next to the music its loudness
    ("字幕大一点，加背景音乐 30%", [("style_subtitles", {"scale": 1.25}), ("add_bgm", {"volume": 0.3})]),
    ("加背景音乐，字幕大一点", [("add_bgm", {}), ("style_subtitles", {"scale": 1.25})]),
    ("字幕小一点，音乐大一点", [("style_subtitles", {"scale": 0.8}), ("set_volume", {"volume": 0.6})]),
    ("字幕大一点，音乐小一点", [("style_subtitles", {"scale": 1.25}), ("set_volume", {"volume": 0.15})]),
    ("make the subtitles smaller and the music louder",
     [("style_subtitles", {"scale": 0.8}), ("set_volume", {"volume": 0.6})]),
    # a percentage belongs to its clause: the subtitles' 120% is not the music's volume
    ("字幕放大到120%，加背景音乐", [("style_subtitles", {"scale": 1.2}), ("add_bgm", {})]),
    # adding music, and how loud, said in the next clause: one call
    ("把上传的音乐作为背景音乐，音量35%", [("add_bgm", {"volume": 0.35})]),
    ("add music, volume 30%", [("add_bgm", {"volume": 0.3})]),
    # about the music already there
    ("背景音乐音量调到30%", [("set_volume", {"volume": 0.3})]),
    ("背景音乐大一点", [("set_volume", {"volume": 0.6})]),
    ("turn the music down", [("set_volume", {"volume": 0.15})]),
    # a quoted title is not a loudness word
    ('add a title "Louder" and music', [("set_title", {"text": "Louder"}), ("add_bgm", {})]),
    ("add background music and make it quieter", [("add_bgm", {}), ("set_volume", {"volume": 0.15})]),
])
def test_size_and_loudness_words_belong_to_their_clause(text, expected):
    assert calls(text) == expected


def test_a_priority_tie_goes_to_the_earlier_match():
    # set_title and add_bgm share a priority; the title's text claims "Music", and the title
    # comes first in the message
    assert planner.PRIORITY["set_title"] == planner.PRIORITY["add_bgm"]
    assert calls("change the title to Music Festival") == [("set_title", {"text": "Music Festival"})]
    assert calls("标题改为音乐节") == [("set_title", {"text": "音乐节"})]
    a, b = Call("a", {}), Call("b", {})
    assert resolve([Candidate(a, 20, [(5, 9)], 5), Candidate(b, 20, [(0, 6)], 0)]) == [b]
    assert resolve([Candidate(a, 20, [(0, 6)], 0), Candidate(b, 20, [(5, 9)], 5)]) == [a]


def test_resolution_follows_priority_not_declaration_order():
    high, mid, low = Call("high", {}), Call("mid", {}), Call("low", {})
    given = [Candidate(low, 10, [(10, 14)], 10), Candidate(mid, 40, [(0, 3), (12, 13)], 0),
             Candidate(high, 90, [(2, 5)], 2)]
    # high takes mid's words; mid, dropped, takes nothing from low
    assert resolve(given) == [low, high]
    assert resolve(list(reversed(given))) == [high, low]
    # words that touch without overlapping are no conflict
    assert resolve([Candidate(high, 90, [(0, 4)], 0), Candidate(low, 10, [(4, 8)], 4)]) == [high, low]


def test_every_tool_reached_by_words_declares_one_priority():
    assert {r.tool for r in planner.RULES} <= set(planner.PRIORITY)
    assert all(r.priority == planner.PRIORITY[r.tool] for r in planner.RULES)
    with pytest.raises(ValueError, match="one priority"):
        planner.rule("set_title", r"never", priority=planner.PRIORITY["set_title"] + 1)


def test_no_pairwise_exclusion_lists_are_left():
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if re.search(r"\bexclusive\s*\(|_EXCLUSIVE", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_architecture_doc_lists_the_priorities_in_use():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = {tool: int(level) for level, tools in re.findall(r"^\| (\d+) \| ([^|]+) \|", doc, re.M)
              for tool in re.findall(r"`(\w+)`", tools)}
    assert listed == {r.tool: r.priority for r in planner.RULES}
