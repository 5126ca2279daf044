"""How many Whisper passes the decoder spends on retries and second opinions (issue 25, item 5): a stand-in
model counts them, so the bound holds on any CPU and needs no model."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from nemo_skill.media.asr import decode as asr_decode, regions as sr
from nemo_skill.media.asr.words import Word


class _CountingWhisper:
    """Writes 好。 over the whole of whatever it is given, sure of it, and counts its passes."""

    def __init__(self):
        self.passes = 0

    def transcribe(self, audio, **_options):
        self.passes += 1
        length = len(audio) / sr.RATE
        word = SimpleNamespace(word="好。", start=0.0, end=length, probability=0.9)
        seg = SimpleNamespace(text="好。", words=[word], no_speech_prob=0.0, avg_logprob=-0.1,
                              compression_ratio=1.0)
        return iter([seg]), None


def test_a_retry_alone_keeps_the_version_it_did_not_choose():
    model = _CountingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    region = sr.Region(1.0, 3.0)
    placed = [(Word("坏", 1.0, 3.0, 0.2), region)]
    audio = np.zeros(4 * sr.RATE, dtype=np.float32)
    placed = decoder._retry(audio, sr.Window([region], [0.0]), placed, [], {id(region): asr_decode._SURER})
    assert [w.text for w, _ in placed] == ["好。"]            # surer, so kept
    assert [w.text for w in decoder.not_kept[id(region)]] == ["坏"]


class _RecordingWhisper:
    """Writes two characters a second (its own each call and second, so no text repeats), at
    probability 0.3 in the window's pass (with the prompt) and 0.9 in a second chance; records
    each pass's options."""

    def __init__(self):
        self.options: list[dict] = []

    def transcribe(self, audio, **options):
        self.options.append(options)
        sure = 0.3 if options.get("initial_prompt") else 0.9
        base = 0x4E00 + 100 * len(self.options)
        words = [SimpleNamespace(word=chr(base + 2 * i) + chr(base + 2 * i + 1), start=i + 0.1,
                                 end=i + 0.9, probability=sure)
                 for i in range(int(len(audio) / sr.RATE))]
        seg = SimpleNamespace(text="".join(w.word for w in words), words=words, no_speech_prob=0.0,
                              avg_logprob=-0.1, compression_ratio=1.0)
        return iter([seg]), None


def _word(text: str, start: float, probability: float) -> Word:
    """Two characters in 0.8 s: a region of 2 s holding two of them is not thin."""
    return Word(text * 2, start, start + 0.8, probability)


def test_a_chunks_thin_unsure_and_doubted_regions_are_decoded_again_kind_by_kind():
    model = _RecordingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    regions = [sr.Region(1.0 + 3 * k, 3.0 + 3 * k) for k in range(5)]
    windows = sr.pack(regions[:3]) + sr.pack(regions[3:])           # two windows
    unsure, thin, doubted, sure, far = regions
    placed = [(_word("坏", 1.1, 0.2), unsure), (_word("坏", 2.1, 0.2), unsure),
              (_word("甲", 7.1, 0.95), doubted), (_word("乙", 8.1, 0.3), doubted),
              (_word("丙", 10.1, 0.95), sure), (_word("丁", 11.1, 0.95), sure),
              (_word("戊", 13.1, 0.95), far), (_word("己", 14.1, 0.95), far)]
    audio = np.zeros(16 * sr.RATE, dtype=np.float32)
    placed = decoder.revise(audio, placed, windows, [], budget=10.0)
    assert len(model.options) == 3                  # thin, unsure, second opinion: a pass each a chunk
    # (was 1 + 1 + 1 a window); each kind is packed only with its own
    assert all(o["initial_prompt"] is None and o["without_timestamps"] for o in model.options)
    by = {id(r): [w for w, x in placed if x is r] for r in regions}
    assert all(w.probability == 0.9 for w in by[id(unsure)])        # the surer version kept
    assert by[id(thin)] and all(w.probability == 0.9 for w in by[id(thin)])   # words where there were none
    assert [w.text.rstrip("，。") for w in by[id(doubted)]] == ["甲甲", "乙乙"]    # ours kept: the other is an alternative
    assert id(sure) not in decoder.not_kept and id(far) not in decoder.not_kept
    other = decoder.alternatives(placed)
    assert {w.text for w in other} >= {w.text for w in decoder.not_kept[id(doubted)]}
    assert [w.text for w in decoder.not_kept[id(unsure)]] == ["坏坏", "坏坏"]   # what the surer one replaced
    assert "坏坏" not in {w.text for w in other}    # not offered: the words now there are sure


def test_the_doubted_regions_stay_within_their_budget_least_sure_first():
    model = _RecordingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    regions = [sr.Region(1.0, 3.0), sr.Region(4.0, 6.0)]
    placed = [(_word("甲", 1.1, 0.95), regions[0]), (_word("乙", 2.1, 0.4), regions[0]),
              (_word("丙", 4.1, 0.95), regions[1]), (_word("丁", 5.1, 0.1), regions[1])]
    decoder.revise(np.zeros(7 * sr.RATE, dtype=np.float32), placed, sr.pack(regions), [], budget=2.5)
    assert len(model.options) == 1
    assert list(decoder.not_kept) == [id(regions[1])]              # the least sure one only


def test_second_opinions_take_one_pass_of_their_own_a_chunk():
    model = _RecordingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    regions = [sr.Region(1.0 + 4 * k, 4.0 + 4 * k) for k in range(9)]     # 3 s each
    doubted = regions[1:]                   # the first, without words, is thin
    placed = []
    for k, r in enumerate(doubted):         # each holds a word under 0.5, the later ones least sure
        placed += [(_word("甲", r.start + 0.1, 0.95), r), (_word("乙", r.start + 1.1, 0.45 - 0.05 * k), r)]
    windows = sr.pack(regions, sr.SEEK_WINDOW_SECONDS)
    decoder.revise(np.zeros(40 * sr.RATE, dtype=np.float32), placed, windows, [], budget=100.0)
    assert len(model.options) == 2          # the thin region's pass, then the second opinions' one
    ridden = [r for r in doubted if id(r) in decoder.not_kept]
    assert len(ridden) == 6                 # 3 + 5 x (0.4 + 3) s fill one 20 s window
    assert ridden == doubted[-6:]           # least sure first


def test_a_region_alone_in_its_window_is_not_retried_but_may_get_an_alternative():
    model = _RecordingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    region = sr.Region(1.0, 3.0)
    placed = [(_word("坏", 1.1, 0.2), region)]
    placed = decoder.revise(np.zeros(4 * sr.RATE, dtype=np.float32), placed, sr.pack([region]), [], budget=0.0)
    assert not model.options and [w.text for w, _ in placed] == ["坏坏"]
    placed = decoder.revise(np.zeros(4 * sr.RATE, dtype=np.float32), placed, sr.pack([region]), [], budget=5.0)
    assert len(model.options) == 1 and [w.text for w, _ in placed] == ["坏坏"]
    assert decoder.alternatives(placed)


def test_a_window_longer_than_one_pass_is_decoded_with_timestamps():
    model = _RecordingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    regions = [sr.Region(1.0 + 9 * k, 9.0 + 9 * k) for k in range(4)]     # 32 s of speech
    window = sr.pack(regions, sr.SEEK_WINDOW_SECONDS)[0]
    assert len(window.regions) == 4
    decoder.window(np.zeros(38 * sr.RATE, dtype=np.float32), window, [])
    assert not model.options[0]["without_timestamps"]                   # faster-whisper seeks on
    assert model.options[0]["max_new_tokens"] == sr.token_budget(30.0)  # a pass's budget, not the window's


class _UnsureFirstWhisper:
    """Two characters a second; its first pass unsure of them all (0.3), later ones sure (0.9)."""

    def __init__(self):
        self.passes = 0

    def transcribe(self, audio, **_options):
        self.passes += 1
        sure = 0.3 if self.passes == 1 else 0.9
        words = [SimpleNamespace(word="好好", start=i + 0.1, end=i + 0.9, probability=sure)
                 for i in range(int(len(audio) / sr.RATE))]
        seg = SimpleNamespace(text="好好" * len(words), words=words, no_speech_prob=0.0, avg_logprob=-0.1,
                              compression_ratio=1.0)
        return iter([seg]), None


def test_a_thin_regions_retry_that_comes_back_unsure_is_retried_for_a_surer_one():
    """你好世界 alone in a demo: its thin retry came back 您好是接, unsure; retried again on its own
    it is 你好，世界 (samples/zh_speech.mp4)."""
    model = _UnsureFirstWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    sure, thin = sr.Region(1.0, 4.0), sr.Region(5.0, 7.0)
    placed = [(_word("甲", 1.1, 0.95), sure), (_word("乙", 2.1, 0.95), sure)]
    placed = decoder.revise(np.zeros(8 * sr.RATE, dtype=np.float32), placed, sr.pack([sure, thin]), [], budget=0.0)
    assert model.passes == 2                # the thin retry, then the unsure one
    words = [w for w, r in placed if r is thin]
    assert words and all(w.probability == 0.9 for w in words)
