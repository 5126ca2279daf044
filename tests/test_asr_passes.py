"""How many Whisper passes the decoder spends on the second opinion (issue 25, item 5): a stand-in
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


def test_the_second_opinion_packs_its_regions_and_reuses_a_retry_of_its_own():
    model = _CountingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    regions = [sr.Region(1.0, 3.0), sr.Region(4.0, 6.0), sr.Region(7.0, 9.0), sr.Region(10.0, 12.0)]
    placed = [(Word("坏", r.start, r.end, 0.2), r) for r in regions]
    # the third region was retried on its own earlier; its first version lost
    decoder.not_kept[id(regions[2])] = [Word("怀", 7.0, 9.0, 0.3)]
    audio = np.zeros(13 * sr.RATE, dtype=np.float32)
    heard = decoder.second_opinion(audio, placed, budget=100.0)
    assert model.passes == 1                        # three regions, one pass (was one each)
    assert "怀" in [w.text for w in heard]          # the retry's other version, without a pass
    assert any(w.text.startswith("好") for w in heard)


def test_the_second_opinion_stays_within_its_budget_least_sure_first():
    model = _CountingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    regions = [sr.Region(1.0, 3.0), sr.Region(4.0, 6.0)]
    placed = [(Word("坏", 1.0, 3.0, 0.4), regions[0]), (Word("坏", 4.0, 6.0, 0.1), regions[1])]
    heard = decoder.second_opinion(np.zeros(7 * sr.RATE, dtype=np.float32), placed, budget=2.5)
    assert model.passes == 1
    assert heard and all(4.0 <= w.start < w.end <= 6.0 for w in heard)   # the least sure one only


def test_a_retry_alone_keeps_the_version_it_did_not_choose():
    model = _CountingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    region = sr.Region(1.0, 3.0)
    placed = [(Word("坏", 1.0, 3.0, 0.2), region)]
    audio = np.zeros(4 * sr.RATE, dtype=np.float32)
    placed = decoder._retry(audio, sr.Window([region], [0.0]), placed, [], surer=True)
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


def test_the_unsure_regions_of_a_window_are_decoded_again_in_one_pass():
    model = _RecordingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    regions = [sr.Region(1.0, 3.0), sr.Region(5.0, 7.0), sr.Region(9.0, 11.0)]
    window = sr.pack(regions)[0]
    placed = decoder.window(np.zeros(12 * sr.RATE, dtype=np.float32), window, [])
    assert len(model.options) == 2                  # the window, then its unsure regions together (was 1 + 3)
    assert model.options[0]["without_timestamps"]   # a short window: one pass, no timestamps
    assert all(w.probability == 0.9 for w, _ in placed)             # the surer version kept
    assert {id(r) for _, r in placed} == {id(r) for r in regions}
    assert all(id(r) in decoder.not_kept for r in regions)         # the other version, for the proofreader


def test_a_window_longer_than_one_pass_is_decoded_with_timestamps():
    model = _RecordingWhisper()
    decoder = asr_decode.Decoder(model, "zh", "transcribe", [], None)
    regions = [sr.Region(1.0 + 9 * k, 9.0 + 9 * k) for k in range(4)]     # 32 s of speech
    window = sr.pack(regions, sr.SEEK_WINDOW_SECONDS)[0]
    assert len(window.regions) == 4
    decoder.window(np.zeros(38 * sr.RATE, dtype=np.float32), window, [])
    assert not model.options[0]["without_timestamps"]                   # faster-whisper seeks on
    assert model.options[0]["max_new_tokens"] == sr.token_budget(30.0)  # a pass's budget, not the window's
