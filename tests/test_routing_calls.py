"""What the local engine reads a message step into (issue 23): every clause a typed call, in
the order said, or named in not_understood (then nothing runs). Phrased as people type."""

from __future__ import annotations

import pytest

from nemo_skill.engine import understanding

NOT = "not_understood"

TABLE = [
    ("字太小了，换成男声，再慢一点", ["style_subtitles", "set_voice", "set_voice_speed"]),
    ("字太小了", ["style_subtitles"]), ("字好小", ["style_subtitles"]), ("字幕太大了", ["style_subtitles"]),
    ("the text is too small", ["style_subtitles"]), ("换成女声", ["set_voice"]),
    ("use a male voice and make the subtitles bigger", ["set_voice", "style_subtitles"]),
    ("语速慢一点，字幕大一点", ["set_voice_speed", "style_subtitles"]), ("再慢一点", ["set_voice_speed"]),
    ("字大一点，语速快一点", ["style_subtitles", "set_voice_speed"]),
    ("make subs bigger", ["style_subtitles"]), ("add subtitels", ["transcribe"]),
    ("generate chinese+english subs", ["transcribe"]), ("上传的音乐当背景音乐 音量30%", ["add_bgm"]),
    ("加标题“春天”和背景音乐", ["set_title", "add_bgm"]), ("add title 'Spring' + music", ["set_title", "add_bgm"]),
    ("已经上传了视频，加字幕", ["transcribe"]), ("I uploaded the video, add subtitles", ["transcribe"]),
    ("please 给 加 bilingual subtitles", ["transcribe"]), ("without asking, add music now", ["add_bgm"]),
    ("把字幕改成黄色", ["style_subtitles"]), ("字幕换成黄色的", ["style_subtitles"]),
    ("change the title to \"Spring\"", ["set_title"]), ("delete the music", ["remove_track"]),
    # issue 23, second round: negated parts ask for nothing (and are not "not understood"),
    # things pointed at are the ones there, a space ends a Chinese clause
    ("别加音乐了 字幕改黄", ["style_subtitles"]), ("don't add music, make the subtitles yellow", ["style_subtitles"]),
    ("no music pls just subs bigger", ["style_subtitles"]), ("别加字幕 加背景音乐", ["add_bgm"]),
    ("别加音乐，加字幕", ["transcribe"]), ("don't change the voice, just make it slower", ["set_voice_speed"]),
    ("dont touch the voice just slow it down", ["set_voice_speed"]), ("不要换声音 慢一点就行", ["set_voice_speed"]),
    ("那个字幕再大点", ["style_subtitles"]), ("上面那个标题删掉", ["remove_track"]),
    ("把刚才的字幕调小一点", ["style_subtitles"]), ("那个标题改成“夏天”", ["set_title"]),
    ("标题改成秋天 字幕放上面", ["set_title", "style_subtitles"]), ("字幕变大", ["style_subtitles"]),
    ("make subtitles yellow", ["style_subtitles"]), ("add yellow subtitles", ["transcribe", "style_subtitles"]),
    ("换成男声 别改字幕", ["set_voice"]), ("不要英文字幕", ["subtitle_languages"]),
    ("that subtitle make it bigger", ["style_subtitles"]), ("字幕改黄", ["style_subtitles"]),
    ("加个标题叫春天", ["set_title"]), ("only english subs", ["subtitle_languages"]),
    ("transcribe again", ["transcribe"]), ("字幕别放顶部 放底部", ["style_subtitles"]),
    # a part no tool does: named, and nothing runs
    ("make the title bigger", NOT), ("标题大一点", NOT), ("把标题放大", NOT), ("标题太小了", NOT),
    ("把视频变成一只蓝色的猫", NOT), ("加个标题“山间”，把视频变成一只蓝色的猫", NOT),
    ("put the status text in the top-left corner", NOT), ("status bar text should be yellow", NOT),
    ("add music and make it purple-ish dancing", NOT), ("the export looks too dark, brighten it", NOT),
    ("把上传的图片放到最后", NOT), ("字幕大一点，顺便帮我写个小说", NOT),
]


@pytest.mark.parametrize("words, expected", TABLE)
def test_every_clause_is_a_call_or_named(words, expected):
    reading = understanding.by_rules(words)
    if expected == NOT:
        assert reading.not_understood, [c.name for c in reading.calls]
    else:
        assert ([c.name for c in reading.calls], reading.not_understood) == (expected, [])


def test_the_part_not_understood_is_named_as_said():
    reading = understanding.by_rules("加个标题“山间”，把视频变成一只蓝色的猫")
    assert reading.not_understood == ["把视频变成一只蓝色的猫"]
    assert understanding.by_rules("add music and make it purple-ish dancing").not_understood == \
        ["make it purple-ish dancing"]


def test_a_title_size_is_named_not_read_as_an_empty_title():
    """No tool sets the title's size: "make the title bigger" is not understood (nothing runs),
    never a title call with no words (issue 23)."""
    reading = understanding.by_rules("make the title bigger")
    assert reading.calls == [] and reading.not_understood == ["make the title bigger"]
    assert [c.args for c in understanding.by_rules("那个标题改成“夏天”").calls] == [{"text": "夏天"}]


@pytest.mark.parametrize("words, args", [
    ("别加音乐了 字幕改黄", {"color": "#FFE600"}),
    ("字幕别放顶部 放底部", {"position": "bottom"}),          # the place not negated
    ("上面的字幕改成黄色", {"color": "#FFE600"}),             # "上面的" points, it places nothing
    ("上面那个字幕再大点", {"scale": 1.25}),
])
def test_negations_and_pointers_keep_their_arguments_out(words, args):
    calls = understanding.by_rules(words).calls
    assert [(c.name, c.args) for c in calls] == [("style_subtitles", args)]


def test_quoted_words_carry_no_control_or_bidi_characters():
    assert understanding.by_rules("把视频变成\u202e一只猫\x1b[31m").not_understood == ["把视频变成一只猫[31m"]
