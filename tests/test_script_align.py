"""Script matching: the script's text on the recognised speech's timing."""

from __future__ import annotations

from nemo_skill.media.asr.words import Word
from nemo_skill.media.subtitles import cues, script_align


def chars(text: str, start: float, step: float = 0.25) -> list[Word]:
    return [Word(ch, start + i * step, start + (i + 1) * step) for i, ch in enumerate(text)]


def bare_join(items) -> str:
    return "".join(c.text for c in items).replace("\n", "").replace(" ", "")


def test_atoms_keep_marks_with_the_character_before_them():
    assert script_align.atoms("“你好，”世界！Bilibili 上见。") == [
        "“你", "好，”", "世", "界！", "Bilibili", "上", "见。"]


def test_the_text_is_the_script_and_the_timing_the_speech():
    heard = chars("近几年不但我用书给女儿压碎", 1.0) + chars("甚至出现交易几乎停制的情况", 6.0)
    script = "近几年，不但我用书给女儿压岁。\n甚至出现交易几乎停滞的情况。"
    timed = script_align.align(heard, script)
    assert "".join(t.text for t in timed) == script.replace("\n", "")
    assert timed[0].start == 1.0 and timed[12].text == "岁。" and timed[12].start == 1.0 + 12 * 0.25
    assert timed[13].start == 6.0                         # the second sentence starts where it was said
    out = cues.layout(timed, "zh")
    assert [c.text for c in out] == ["近几年，不但我用书给女儿压岁。", "甚至出现交易几乎停滞的情况。"]
    assert out[1].start == 6.0


def test_a_stretch_heard_differently_takes_the_time_of_what_was_heard():
    heard = chars("你好", 0.0) + [Word("师姐", 0.5, 1.3)] + chars("再见", 3.0)
    timed = script_align.align(heard, "你好世界。再见。")
    assert [(t.text, t.start, t.end) for t in timed[2:4]] == [("世", 0.5, 0.9), ("界。", 0.9, 1.3)]


def test_an_unheard_sentence_goes_into_the_pause_between_its_neighbours():
    heard = chars("第一句", 0.0) + chars("第三句", 5.0)
    timed = script_align.align(heard, "第一句。第二句。第三句。")
    second = timed[3:6]
    assert [t.text for t in second] == ["第", "二", "句。"]
    assert 0.75 <= second[0].start < second[-1].end <= 5.0
    assert bare_join(cues.layout(timed, "zh")) == "第一句。第二句。第三句。"


def test_english_words_are_matched_case_blind():
    heard = [Word("hello", 0.3, 0.8), Word("speech", 0.9, 1.6)]
    timed = script_align.align(heard, "Hello, speech.")
    assert [(t.text, t.start) for t in timed] == [("Hello,", 0.3), ("speech.", 0.9)]
    assert [c.text for c in cues.layout(timed, "en")] == ["Hello, speech."]


def test_nothing_heard_or_an_empty_script_gives_nothing():
    assert script_align.align([], "你好。") == []
    assert script_align.align(chars("你好", 0), "  ") == []
