"""The creator's glossary: terms parsed, sent to Whisper, and near-misses fixed by pinyin."""

from __future__ import annotations

import pytest

from nemo_skill.media.asr import glossary
from nemo_skill.media.asr.words import Word


def chars(text: str) -> list[Word]:
    return [Word(ch, i * 0.2, i * 0.2 + 0.2) for i, ch in enumerate(text)]


def text(words: list[Word]) -> str:
    return "".join(w.text for w in words)


@pytest.mark.parametrize("raw, terms", [
    ("压岁钱,Bilibili,原神", ["压岁钱", "Bilibili", "原神"]),
    ("压岁钱\n# a comment\n\n  原神 \n压岁钱\n", ["压岁钱", "原神"]),
    (["停滞", " 停滞", "B 站"], ["停滞", "B 站"]),
    ("甲，乙", ["甲", "乙"]),
])
def test_terms_are_parsed_trimmed_and_deduplicated(raw, terms):
    assert glossary.parse_terms(raw) == terms


def test_homophones_become_the_term_and_keep_their_timing():
    words = [Word("不要给女儿压碎钱，", 1.0, 3.0), Word("而改送压碎书。", 3.0, 4.5)]
    assert glossary.correct(words, ["压岁钱"]) == 2       # 压碎钱 whole, 压碎 by the term's start
    assert text(words) == "不要给女儿压岁钱，而改送压岁书。"
    assert (words[0].start, words[1].end) == (1.0, 4.5)


def test_a_run_across_words_is_corrected_character_for_character():
    words = chars("交易几乎停制的情况")
    assert glossary.correct(words, ["停滞"]) == 1
    assert text(words) == "交易几乎停滞的情况"
    assert [w.start for w in words] == [w.start for w in chars("交易几乎停制的情况")]


@pytest.mark.parametrize("said, terms", [
    ("他把饼干压扁了", ["压岁钱"]),          # different sounds: untouched
    ("压，碎", ["压岁"]),                     # punctuation between: not one run
    ("原神", ["原神"]),                        # already right
])
def test_what_does_not_sound_like_a_term_is_left_alone(said, terms):
    words = chars(said)
    assert glossary.correct(words, terms) == 0
    assert text(words) == said


def test_latin_terms_fix_their_case_only():
    words = [Word("我在", 0, 1), Word("bilibili", 1, 2), Word("上", 2, 3), Word("Bili。", 3, 4)]
    glossary.correct(words, ["Bilibili"])
    assert [w.text for w in words] == ["我在", "Bilibili", "上", "Bili。"]


def test_hotwords_are_the_latin_terms_and_fit_the_prompt():
    # Chinese terms are restored by their sound: as hotwords they made Whisper mishear the rest
    assert glossary.hotwords(["原神", "Bilibili", "压岁钱", "B 站", "GPU"]) == "Bilibili，GPU"
    assert glossary.hotwords(["原神", "压岁钱"]) is None
    many = [f"term{i:03d}" for i in range(200)]
    assert len(glossary.hotwords(many)) <= glossary.HOTWORDS_CHARS
    assert glossary.hotwords([]) is None


def test_only_a_long_piece_of_a_long_term_is_restored():
    words = chars("主人公的故事")        # every piece down to two characters wrote 主人工 here
    assert glossary.correct(words, ["人工智能"]) == 0
    words = chars("他说人公智的东西")
    assert glossary.correct(words, ["人工智能"]) == 1
    assert text(words) == "他说人工智的东西"
