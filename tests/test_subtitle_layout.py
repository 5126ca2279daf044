"""The cue layout rules and the text clean-up, as tables (no audio needed)."""

from __future__ import annotations

import pytest

from nemo_skill.media.asr.text import (
    bare,
    cer,
    is_phantom,
    is_symbols_only,
    to_simplified,
    zh_punctuation,
)
from nemo_skill.media.asr.transcribe import Word, restore_punctuation
from nemo_skill.media.subtitles import cues


def chars(text: str, start: float = 0.0, step: float = 0.25, pauses: dict[int, float] | None = None) -> list[Word]:
    """One Word a character, ``step`` s each, with extra silence after given indices."""
    words, t = [], start
    for i, ch in enumerate(text):
        words.append(Word(ch, t, t + step))
        t += step + (pauses or {}).get(i, 0.0)
    return words


def en_words(text: str, start: float = 0.0, step: float = 0.3) -> list[Word]:
    return [Word(w, start + i * step, start + (i + 1) * step) for i, w in enumerate(text.split())]


@pytest.mark.parametrize("text, expected", [
    # short sentence: one cue
    ("你好世界。", ["你好世界。"]),
    # punctuation wins over length: the comma splits
    ("近几年，不但我用书给女儿压岁，也劝说亲朋不要给女儿压岁钱。",
     ["近几年，不但我用书给女儿压岁，", "也劝说亲朋不要给女儿压岁钱。"]),
    # sentence ends always break
    ("今天天气很好。我们去公园吧。", ["今天天气很好。", "我们去公园吧。"]),
])
def test_zh_breaks_at_punctuation(text, expected):
    assert [c.text for c in cues.layout(chars(text), "zh")] == expected


def test_zh_lines_never_exceed_16_and_never_split_a_word():
    text = "中华人民共和国国务院新闻办公室今天举行新闻发布会介绍国民经济运行情况"
    out = cues.layout(chars(text, step=0.2), "zh")
    assert all(cues.display_len(c.text) <= 16 for c in out)
    assert "".join(c.text for c in out) == text
    import jieba
    word_edges = set()
    pos = 0
    for token in jieba.cut(text):
        pos += len(token)
        word_edges.add(pos)
    pos = 0
    for c in out[:-1]:   # every cue ends where a word ends
        pos += len(c.text)
        assert pos in word_edges, (c.text, sorted(word_edges))


def test_pause_is_preferred_to_a_plain_word_boundary():
    # 18 characters, a pause after 去 (the 7th, a word end): the break goes there
    text = "我们今天一起去看看那边新开的一家书店"
    out = cues.layout(chars(text, step=0.2, pauses={6: 0.6}), "zh")
    assert out[0].text == text[:7]


def test_long_pause_always_breaks():
    out = cues.layout(chars("你好世界", pauses={1: 1.5}), "zh")
    assert [c.text for c in out] == ["你好", "世界"]


def test_en_two_lines_of_at_most_42_balanced():
    text = ("and so my fellow americans ask not what your country can do for you "
            "ask what you can do for your country")
    out = cues.layout(en_words(text, step=0.12), "en")
    for c in out:
        lines = c.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
    assert " ".join(c.text.replace("\n", " ") for c in out) == text


@pytest.mark.parametrize("n_chars, step, check", [
    (2, 0.1, lambda c: c.duration >= 0.83),            # a short blip still stays readable
    (16, 0.6, lambda c: c.duration <= 7.0),            # never longer than 7 s
    (9, 0.05, lambda c: c.duration >= 9 / 9.0 - 1e-6),  # 9 chars at 9 cps need a second
])
def test_durations(n_chars, step, check):
    out = cues.layout(chars("我" * n_chars, step=step), "zh")
    assert out and all(check(c) for c in out[:1])


def test_at_least_two_frames_between_cues():
    words = chars("第一句话。", step=0.2) + chars("第二句话。", start=1.02, step=0.2)
    out = cues.layout(words, "zh")
    assert len(out) == 2
    assert out[1].start - out[0].end >= 2 / 30 - 1e-9


def test_limits_are_configurable():
    rules = cues.rules_for("zh", max_chars=8, cps=20)
    out = cues.layout(chars("我们今天一起去看看那边新开的书店。", step=0.15), "zh", rules)
    assert all(cues.display_len(c.text) <= 8 for c in out)
    en = cues.rules_for("en", max_chars=20, max_lines=1)
    out = cues.layout(en_words("one two three four five six seven eight nine ten"), "en", en)
    assert all(len(c.text) <= 20 and "\n" not in c.text for c in out)


@pytest.mark.parametrize("text, lang, lines", [
    ("short line", "en", ["short line"]),
    ("Not only do I give books to my daughter for the new year, I also ask friends", "en", 2),
    ("这是一个非常非常长的中文句子需要被折成两行显示出来", "zh", 2),
])
def test_wrap(text, lang, lines):
    out = cues.wrap(text, lang).split("\n")
    if isinstance(lines, list):
        assert out == lines
    else:
        assert len(out) == lines
        limit = 42 if lang == "en" else 16
        assert all(cues.display_len(x) <= limit for x in out)


def test_restore_punctuation_commas_at_pauses_and_a_full_stop():
    words = [Word("近几年", 0, 0.6), Word("不但我用书", 1.1, 2.0), Word("给女儿压岁", 2.05, 3.0)]
    restore_punctuation(words)
    assert "".join(w.text for w in words) == "近几年，不但我用书给女儿压岁。"
    short = [Word("甚", 0, 0.2), Word("至出现交易", 0.8, 2.0)]   # no comma after one character
    restore_punctuation(short)
    assert "".join(w.text for w in short) == "甚至出现交易。"


@pytest.mark.parametrize("text, phantom", [
    ("请不吝点赞 订阅 转发 打赏支持明镜与点点栏目", True),
    ("請不吝點贊 訂閱 轉發", True),
    ("字幕由Amara.org社区提供", True),
    ("Thanks for watching!", True),
    ("甚至出现交易几乎停滞的情况", False),
    ("ask not what your country can do for you", False),
    ("作词 作曲", True),                      # credits over music alone, as a whole line
    ("這首歌的作詞是我", False),               # ... not words that speak of them
    ("(Upbeat music playing)", True),
    ("Music playing.", True),
    ("the music playing next door", False),
    ("音乐", True),
    ("Applause", True),
])
def test_phantom_phrases(text, phantom):
    assert is_phantom(text) is phantom


@pytest.mark.parametrize("text, only", [("♪♪♪", True), ("(音乐)", True), ("[Music]", True), ("...", True),
                                        ("（掌声）", True), ("你好", False), ("OK!", False)])
def test_symbol_only_lines(text, only):
    assert is_symbols_only(text) is only


def test_simplified_and_full_width():
    assert to_simplified("近幾年，不但我用書給女兒壓歲") == "近几年，不但我用书给女儿压岁"
    assert zh_punctuation("你好,世界!") == "你好，世界！"
    assert bare("你好，World!") == "你好world"
    assert cer("甚至出现交易几乎停滞的情况", "甚至出现交易几乎停制的情况。") == pytest.approx(1 / 13)


def test_user_limits_travel_in_the_request_and_reach_the_planner():
    from nemo_skill.engine.registry import plan
    from nemo_skill.subtitle_job import SubtitleRequest, request_text
    text = request_text(SubtitleRequest(limits={"zh": {"max_chars": 12, "cps": 8.0}, "en": {"max_chars": 30}}))
    call = plan(text)[0]
    assert call.name == "transcribe"
    assert call.args["limits"] == {"zh": {"max_chars": 12, "cps": 8.0}, "en": {"max_chars": 30}}
    assert cues.rules_for("zh", **call.args["limits"]["zh"]).max_chars == 12
