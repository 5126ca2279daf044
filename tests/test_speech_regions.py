"""Decode windows and word placement (pure), and the clean-up of what Whisper writes."""

from __future__ import annotations

import numpy as np
import pytest

from nemo_skill.media.asr import regions as sr
from nemo_skill.media.asr.text import (
    PROMPT_PIECES,
    collapse_punctuation,
    is_junk,
    standard_forms,
)
from nemo_skill.media.asr.words import Word, _tidy_marks, _without_leaks


def test_regions_are_packed_in_order_with_short_pauses():
    regions = [sr.Region(1.0, 5.0), sr.Region(5.15, 9.0), sr.Region(12.0, 20.0), sr.Region(20.5, 23.0)]
    windows = sr.pack(regions, limit=15.0)
    assert [len(w.regions) for w in windows] == [2, 2]
    assert windows[0].offsets == [0.0, pytest.approx(4.15)]       # the real 0.15 s pause is kept
    assert windows[1].offsets == [0.0, pytest.approx(8.4)]        # a long pause is cut to 0.4 s
    samples = np.arange(24 * sr.RATE, dtype=np.float32)
    audio = windows[1].audio(samples)
    assert len(audio) == pytest.approx((8.0 + 0.4 + 2.5) * sr.RATE, abs=2)
    assert audio[0] == samples[12 * sr.RATE]


def test_a_word_is_placed_in_its_region_and_clamped_there():
    window = sr.pack([sr.Region(1.0, 5.0), sr.Region(5.15, 9.0)], limit=20.0)[0]
    # Whisper stretched the next sentence's first word back over the pause: it ends inside
    # the second region, so it belongs there and starts where that region starts
    region, start, end = window.place(3.9, 4.6)
    assert region is window.regions[1] and start == 5.15 and end == pytest.approx(5.6)
    region, start, end = window.place(1.0, 1.4)
    assert region is window.regions[0] and (start, end) == (2.0, 2.4)
    assert window.place(8.5, 9.5) is None        # after the speech: nothing was said there


def test_the_token_budget_follows_the_speech_length():
    assert sr.token_budget(2.0) < 60 and sr.token_budget(20.0) > 200
    assert sr.token_budget(200.0) == 300


@pytest.mark.parametrize("raw, clean", [("设计﹔，", "设计；，"), ("好﹐", "好，"), ("完｡", "完。")])
def test_small_form_marks_become_the_usual_ones(raw, clean):
    assert standard_forms(raw) == clean


@pytest.mark.parametrize("text, junk", [("４", True), ("１２", True), ("（）", True), ("4", False),
                                        ("你", False), ("。", False), ("２。", True), ("2。", False)])
def test_full_width_filler_is_junk(text, junk):
    assert is_junk(text) is junk


def test_runs_of_marks_keep_the_strongest():
    assert collapse_punctuation("情况；，你好，。") == "情况，你好。"


def test_prompt_text_written_back_is_removed():
    words = [Word("有标点", 0, 1), Word("符号。", 1, 2), Word("你好", 2, 3), Word("世界。", 3, 4)]
    kept = _without_leaks(words, PROMPT_PIECES)
    assert "".join(w.text for w in kept) == "你好世界。"


def test_marks_before_the_first_character_join_nothing_and_runs_collapse():
    words = [Word("，", 0, 0.1), Word("你好", 0.1, 1), Word("；", 1, 1.1), Word("，", 1.1, 1.2), Word("世界", 2, 3)]
    assert [w.text for w in _tidy_marks(words)] == ["你好，", "世界"]


def _probs(spans, seconds=10.0):
    """Silero-like probabilities (one a VAD_FRAME) with ``spans`` of (start, end, p)."""
    step = sr.VAD_FRAME / sr.RATE
    probs = np.full(int(seconds / step), 0.01, np.float32)
    for a, b, p in spans:
        probs[int(a / step):int(b / step)] = p
    return probs


def test_a_region_widens_over_the_faint_speech_at_its_edges():
    # the detector marked 3.0-4.0 (0.9); faint speech before it from 2.2 with one short dip,
    # and after it to 4.3; music (0.01) beyond
    probs = _probs([(2.2, 2.5, 0.12), (2.55, 3.0, 0.2), (3.0, 4.0, 0.9), (4.0, 4.3, 0.15)])
    regions = [sr.Region(3.0 - sr.EDGE_PAD, 4.0 + sr.EDGE_PAD)]
    sr.widen(regions, probs, 10.0)
    assert regions[0].start == pytest.approx(2.2 - sr.EDGE_PAD, abs=0.04)
    assert regions[0].end == pytest.approx(4.3 + sr.EDGE_PAD, abs=0.04)


def test_widening_stops_at_a_long_dip_a_neighbour_and_its_reach():
    # a dip longer than EDGE_GAP frames before the region: the faint frames past it are not taken
    probs = _probs([(1.0, 1.5, 0.2), (1.8, 2.0, 0.9)])
    regions = [sr.Region(1.8 - sr.EDGE_PAD, 2.0 + sr.EDGE_PAD)]
    sr.widen(regions, probs, 10.0)
    assert regions[0].start == pytest.approx(1.8 - sr.EDGE_PAD, abs=0.04)
    # faint all the way: at most EDGE_MAX, and never into the region before
    probs = _probs([(0.0, 9.0, 0.2), (5.0, 6.0, 0.9)])
    regions = [sr.Region(4.0, 4.5), sr.Region(5.0 - sr.EDGE_PAD, 6.0 + sr.EDGE_PAD)]
    sr.widen(regions, probs, 10.0)
    assert regions[1].start == regions[0].end <= 5.0 - sr.EDGE_PAD       # they share no time
    assert regions[1].end == pytest.approx(6.0 + sr.EDGE_MAX + sr.EDGE_PAD, abs=0.1)


def test_a_sentence_over_a_music_bed_keeps_its_onset(tmp_path):
    """你好世界 6 dB over the soft pad, after a speaker 10 dB under it (as in bench/quiet_speech.py's
    joins): the detector rose at 世界, 0.54 s late, and Whisper read 时间; widened, the region holds
    你好."""
    import speech_video as sv

    from nemo_skill.media import ffmpeg
    from nemo_skill.media.asr import level
    pad = sv.pad_gain()
    parts = [(sv.FUNASR, 1.0, -40.0 - sv.speech_db(sv.FUNASR)), (sv.HELLO_ZH, 7.54, -24.0 - sv.speech_db(sv.HELLO_ZH))]
    path = sv.under_music(tmp_path / "join.m4a", parts, 11.0, music_db=pad)
    audio = np.concatenate([b.astype(np.float32) / 32768 for b in ffmpeg.read_pcm(path, sr.RATE)])
    onset = 7.54 + sv.speech_onset(sv.HELLO_ZH)
    hello = [r for r in sr.find_regions(level.level(audio)) if r.end > onset + 0.5]
    assert hello and hello[0].start <= onset + 0.1, (onset, hello)


def test_an_edge_widens_only_where_a_bed_is_beside_it():
    rng = np.random.default_rng(0)
    speech = 0.3 * rng.standard_normal(sr.RATE).astype(np.float32)
    room = 0.0003 * rng.standard_normal(sr.RATE).astype(np.float32)       # about 60 dB under
    bed = 0.1 * rng.standard_normal(sr.RATE).astype(np.float32)           # about 10 dB under
    regions = [sr.Region(1.0, 2.0)]
    assert sr._sound_around(regions, np.concatenate([room, speech, room])) == [(False, False)]
    assert sr._sound_around(regions, np.concatenate([bed, speech, room])) == [(True, False)]
    assert sr._sound_around(regions, np.concatenate([room, speech, bed])) == [(False, True)]
    probs = _probs([(0.4, 1.0, 0.2), (1.0, 2.0, 0.9), (2.0, 2.6, 0.2)], seconds=3.0)
    kept = [sr.Region(1.0 - sr.EDGE_PAD, 2.0 + sr.EDGE_PAD)]
    sr.widen(kept, probs, 3.0, ends=[(False, False)])
    assert (kept[0].start, kept[0].end) == (1.0 - sr.EDGE_PAD, 2.0 + sr.EDGE_PAD)
    sr.widen(kept, probs, 3.0, ends=[(True, True)])
    assert kept[0].start == pytest.approx(0.4 - sr.EDGE_PAD, abs=0.04)
    assert kept[0].end == pytest.approx(2.6 + sr.EDGE_PAD, abs=0.04)
