"""Numbers read as a person would (issue 24): every sentence of the corpus
(tests/data/zh_numbers_corpus.tsv: news, finance, sport, science, recipes, dates, times, phone
numbers, prices, ranges, versions, model names, temperatures, fractions, ordinals,
percentages, scores, IDs) is read as its native reading says; random text never breaks the
reader and never leaves a digit in what the voice says."""

from __future__ import annotations

import logging
import re

import pytest
import zh_corpus
from hypothesis import HealthCheck, given, settings, strategies as st

from nemo_skill.media.voice import zh_frontend, zh_numbers

ROWS = zh_corpus.load()
# ASCII and full-width digits; the reader must leave none of them in the spoken text.
DIGIT = re.compile(r"[0-9０-９]")


def test_the_corpus_is_large_and_covers_every_class():
    kinds = {kind for kind, _, _ in ROWS}
    assert len(ROWS) >= 300
    assert {"year", "date", "time", "phone", "price", "range", "version", "model", "temperature",
            "fraction", "ordinal", "percent", "sport", "id", "news", "finance", "science", "recipe"} <= kinds


@pytest.mark.parametrize("kind, text, accepted", ROWS, ids=[f"{k}:{t[:14]}" for k, t, _ in ROWS])
def test_corpus_sentence_is_read_as_a_listener_expects(kind, text, accepted):
    spoken = zh_numbers.normalize(text)
    assert zh_corpus.same(spoken, accepted), f"{text} -> {spoken}, want {accepted[0]}"


def test_subtitles_keep_the_written_form():
    """The shown side of every piece is the text as written: joined, it is the sentence."""
    for _, text, _ in ROWS:
        assert "".join(shown for shown, _ in zh_numbers.spell(text)) == text


_PIECES = st.sampled_from([
    "2023", "年", "月", "日", "号", "-", "+", "−", "±", ".", ",", ":", "：", "/", "%", "％", "‰", "℃", "°C", "°",
    "~", "～", "×", "÷", "=", "*", "¥", "$", "€", "£", "km", "kg", "m²", "m/s²", "GB", "ms", "万", "亿", "千",
    "第", "比分", "编号", "电话", "打", "零下", "〇", "○", "二", "后", "个", "点", "分", "秒", " ", "，", "。",
    "GPT", "iOS", "v", "B", "x", "e", "Qwen", "H", "O", "ＡＢ", "中文", "温度", "价格", "。\n", "\t", "(", ")",
    "٣", "²", "½", "①", "Ⅳ", "零", "幺", "9" * 30, "0" * 5, "1e5", "3.14.15", "12:60", "25:00", "2024-13-45",
])
_TEXT = st.lists(st.one_of(_PIECES, st.text(alphabet="0123456789０１２３", min_size=1, max_size=22),
                           st.text(max_size=3)), max_size=14).map("".join)
EXAMPLES = 3000


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_random_text_never_breaks_the_reader_nor_leaves_a_digit(text):
    pieces = zh_numbers.spell(text)
    spoken = "".join(s for _, s in pieces)
    assert not DIGIT.search(spoken), f"{text!r} -> {spoken!r}"
    assert "".join(shown for shown, _ in pieces) == text
    zh_frontend.units_for(text)       # the voice's front end takes whatever the reader gives


def test_a_rule_that_breaks_is_read_digit_by_digit_with_a_warning(monkeypatch, caplog):
    from nemo_skill.media.voice import zh_number_rules

    def broken(m, ctx):
        raise ValueError("broken on purpose")
    monkeypatch.setattr(zh_number_rules, "RULES", [(n, rx, broken) for n, rx, _ in zh_number_rules.RULES])
    monkeypatch.setattr(zh_numbers, "RULES", zh_number_rules.RULES)
    with caplog.at_level(logging.WARNING):
        assert zh_numbers.normalize("2023年增长12.5%") == "二零二三年增长一二.五%"
    assert "digit by digit" in caplog.text
