"""The offline voice's front end: what a narrator should say for tricky text (issue 14).

No model is loaded here: these check the Chinese readings and the symbols the model gets.
"""

from __future__ import annotations

import pytest

from nemo_skill.media.subtitles import karaoke
from nemo_skill.media.voice import zh_frontend, zh_numbers


@pytest.mark.parametrize("text, spoken", [
    ("2025年3月5日", "二零二五年三月五日"),
    ("2025-03-05", "二零二五年三月五日"),
    ("会议在3:30开始", "会议在三点三十分开始"),
    ("15:05出发", "十五点零五分出发"),
    ("2:05", "两点零五分"),
    ("增长了3.5%", "增长了百分之三点五"),
    ("价格¥100", "价格一百元"),
    ("花了$5", "花了五美元"),
    ("100元", "一百元"),
    ("2个人", "两个人"),
    ("2000人", "两千人"),
    ("1/3的人", "三分之一的人"),
    ("3-5天", "三到五天"),
    ("第10名", "第十名"),
    ("温度-5度", "温度零下五度"),
    ("结果是-5", "结果是负五"),
    ("101", "一百零一"),
    ("10010", "一万零一十"),
    ("共有1,234,567人", "共有一百二十三万四千五百六十七人"),
    ("电话13800138000", "电话幺三八零零幺三八零零零"),
    ("0.5", "零点五"),
    ("没有数字", "没有数字"),
])
def test_numbers_are_read_out(text, spoken):
    assert zh_numbers.normalize(text) == spoken


@pytest.mark.parametrize("text, pinyin", [
    ("我在银行工作", "wo3 zai4 yin2 hang2 gong1 zuo4"),
    ("每天行走", "mei3 tian1 xing2 zou3"),
    ("这很重要", "zhe4 hen3 zhong4 yao4"),
    ("不要重复", "bu2 yao4 chong2 fu4"),
    ("一万步", "yi2 wan4 bu4"),
    ("一千人", "yi4 qian1 ren2"),
    ("一起", "yi4 qi3"),
    ("一个", "yi2 ge4"),
    ("第一名", "di4 yi1 ming2"),
    ("一月一日", "yi1 yue4 yi1 ri4"),
    ("统一", "tong3 yi1"),
    ("看一看", "kan4 yi5 kan4"),
    ("不去", "bu2 qu4"),
    ("不好", "bu4 hao3"),
    ("你好", "ni2 hao3"),
    ("女人的句子", "nv3 ren2 de5 ju4 zi5"),
    ("用iPhone看B站", "yong4 ai4 feng4 kan4 bi4 zhan4"),
    ("AI很火", "ei1 ai4 hen3 huo3"),
    ("XYZ", "ai2 ke4 si1 wai4 zei4"),
    ("3:30开始", "san1 dian3 san1 shi2 fen1 kai1 shi3"),
    # A name's letters come before its number, as written (the number was said first, issue 24).
    ("GPT-4发布了", "ji4 pi1 ti4 si4 fa1 bu4 le5"),
    ("5G网络", "wu3 ji4 wang3 luo4"),
    ("2023年", "er4 ling2 er4 san1 nian2"),
])
def test_pinyin_with_polyphones_and_sandhi(text, pinyin):
    assert zh_frontend.pinyin_of(text) == pinyin


def test_latin_words_are_never_dropped():
    for word in ("Python", "GPU", "abc", "OpenAI"):
        assert zh_frontend.pinyin_of(word), word
        units = zh_frontend.units_for(f"我用{word}。")
        assert [u.shown for u in units] == ["我", "用", word, "。"]


PINYIN_DICT = {"ni": ["n", "i"], "hao": ["h", "ao"], "shi": ["sh", "iii"], "jie": ["j", "ie"],
               "hua": ["h", "ua"], "er": ["^", "er"], "en": ["^", "en"]}


def test_symbols_pause_at_clauses_and_remember_their_characters():
    s = zh_frontend.symbols_for("你好，世界。", PINYIN_DICT)
    assert s.names == ["sil", "n", "i2", "#0", "h", "ao3", "#3", "sh", "iii4", "#0", "j", "ie4", "sil"]
    shown = [s.units[o].shown if o is not None else None for o in s.owner]
    assert shown == [None, "你", "你", "你", "好", "好", "，", "世", "世", "世", "界", "界", None]


def test_erhua_and_interjections_map_to_symbols_the_voice_has():
    assert zh_frontend.syllable_symbols("huar1", PINYIN_DICT) == ["h", "ua1", "#0", "^", "er5"]
    assert zh_frontend.syllable_symbols("n2", PINYIN_DICT) == ["^", "en2"]
    assert zh_frontend.syllable_symbols("xx9", PINYIN_DICT) == []


def test_karaoke_tags_follow_the_characters_times():
    chars = [("大", 0.2, 0.45), ("家", 0.45, 0.69), ("好", 0.69, 0.89), ("，", 0.89, 1.1),
             ("3:30", 1.1, 2.0), ("开", 2.0, 2.3)]
    # the cue's text lost its comma (Chinese convention) and broke into two lines: timing still holds
    text = karaoke.ass_karaoke("大家好\n3:30开", chars, 0.0)
    assert text == r"{\k20}{\k25}大{\k24}家{\k41}好\N{\k90}3:30{\k30}开"
    tags = [int(x) for x in __import__("re").findall(r"\\k(\d+)", text)]
    assert sum(tags) == 230            # lead-in + every character = until the last one ends
    assert karaoke.chars_in(chars, 0.89, 2.0) == [("，", 0.89, 1.1), ("3:30", 1.1, 2.0)]
