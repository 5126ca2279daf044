"""Issue 25, item 1: a quiet speaker under a music bed is not lost. Real recordings from
tests/data, two at a normal level over the project's own music bed (media/render/music.py), two
12 dB under the music, which Silero VAD misses outright at any threshold (0.5 to 0.1).

Measured (Whisper base, int8): before issue 25 both quiet sentences had no word at all
(CER 1.0 each) at 10, 12 and 15 dB under the music; now both are heard (at 15 dB: 0.46 and
0.37; at 10 dB: 0.39 and 0.26); with the bed lowered in the stretch's copy (media/asr_quiet),
at 12 dB: 0.23 and 0.32 (default and AVX2 alike). At 20 dB under they are still lost, as is a
1.5 s phrase (你好世界) at 10-20 dB under; music alone writes nothing."""

from __future__ import annotations

import pytest
import speech_video as sv
from figures import at_most

from nemo_skill.media.asr import transcribe as asr
from nemo_skill.media.asr.text import bare, cer

pytestmark = [pytest.mark.slow, pytest.mark.model]

# Each quiet sentence: heard, at its own time, more right than wrong. A floor of the base model,
# not a goal: 0.26-0.46 measured at 10-15 dB under (AVX2 and AVX-512 alike).
QUIET_CER_BOUND = 0.6

MUSIC_RMS = -30.0       # dBFS: a bed a creator would put under a talk
UNDER = 12.0            # the quiet speaker, this many dB under the music
QUIET = (sv.AISHELL, sv.FUNASR)


def _parts(names, quiet, under: float) -> tuple[list, float]:
    """The recordings one after another, a second apart: the ``quiet`` ones ``under`` dB under
    the bed's level, the others 6 dB over it; and where the last one ends."""
    parts, t = [], 1.0
    for name in names:
        target = MUSIC_RMS - under if name in quiet else MUSIC_RMS + 6
        parts.append((name, t, target - sv.speech_db(name)))
        t += sv.LENGTHS[name] + 1.0
    return parts, t


@pytest.fixture(scope="module")
def quiet_join(tmp_path_factory):
    d = tmp_path_factory.mktemp("quiet")
    parts, t = _parts((sv.YASUI, sv.AISHELL, sv.PADDLE, sv.FUNASR), QUIET, UNDER)
    return sv.under_music(d / "quiet.m4a", parts, t + 1.0, music_db=sv.pad_gain(MUSIC_RMS)), parts


def test_every_sentence_is_there_with_a_quiet_speaker_under_music(quiet_join):
    path, parts = quiet_join
    result = asr.transcribe(path)
    for i, (name, at, _gain) in enumerate(parts):
        until = parts[i + 1][1] if i + 1 < len(parts) else 1e9
        said = bare("".join(w.text for w in result.words if at - 0.05 <= w.start < until))
        # present, at its own time, and more right than wrong (a base-model floor, not a goal)
        assert said, (name, result.text)
        at_most(f"quiet.{name}.cer", cer(sv.TRANSCRIPTS[name], said), QUIET_CER_BOUND, result.text)


def test_music_alone_writes_nothing(tmp_path):
    path = sv.under_music(tmp_path / "music.m4a", [], 20.0, music_db=sv.pad_gain(MUSIC_RMS))
    result = asr.transcribe(path)
    assert result.words == [] and result.unheard == []      # nor is any of it named as speech


# A second kind of bed (speech_video.DRUM_BED: a bright dense chord, kick, snare and hi-hat), 15 dB
# under it: before media/asr_quiet both quiet sentences had no word (CER 1.0); with the bed taken
# out of the copy Whisper hears and the stretch levelled in short windows they are back.
# bench/quiet_speech.py has the whole sweep; 20 dB under this bed is still lost.
DEEP_UNDER = 15.0
DEEP_QUIET = (sv.YASUI, sv.PADDLE)
# Measured 0.28 (yasui) and 0.30 (paddlespeech) on both the default and the AVX2 path (no spread);
# with the loop's second copy (media/asr/quiet.py, REPET, decoded where the first kept nothing)
# yasui 0.28 on AVX2 and AVX-512, paddlespeech 0.30 (AVX2) and 0.20 (AVX-512).
# The bound is the same base-model floor as QUIET_CER_BOUND's, a margin of 0.3.
DEEP_CER_BOUND = 0.6


@pytest.fixture(scope="module")
def deep_join(tmp_path_factory):
    d = tmp_path_factory.mktemp("deep")
    parts, t = _parts((sv.FUNASR, sv.YASUI, sv.AISHELL, sv.PADDLE), DEEP_QUIET, DEEP_UNDER)
    gain = sv.lavfi_bed_gain(sv.DRUM_BED, MUSIC_RMS)
    return sv.under_lavfi(d / "deep.m4a", parts, t + 1.0, bed=sv.DRUM_BED, bed_db=gain), parts


def test_a_speaker_15_db_under_a_drum_bed_is_heard(deep_join):
    path, parts = deep_join
    result = asr.transcribe(path)
    for i, (name, at, _gain) in enumerate(parts):
        if name not in DEEP_QUIET:
            continue
        until = parts[i + 1][1] if i + 1 < len(parts) else 1e9
        said = bare("".join(w.text for w in result.words if at - 0.05 <= w.start < until))
        at_most(f"quiet.drums.{name}.cer", cer(sv.TRANSCRIPTS[name], said) if said else 1.0,
                DEEP_CER_BOUND, result.text)


def test_a_drum_bed_alone_writes_nothing(tmp_path):
    gain = sv.lavfi_bed_gain(sv.DRUM_BED, MUSIC_RMS)
    result = asr.transcribe(sv.under_lavfi(tmp_path / "drums.m4a", [], 24.0, bed=sv.DRUM_BED, bed_db=gain))
    assert result.words == [] and result.unheard == []


# 20 dB under the drum bed Whisper reads neither sentence surely (bench/quiet_speech.py), but it
# hears speech there (yasui as 今天不但我怎么说给你们休息..., avg log-prob -0.74; 广州市房地产中介协会分析
# as 都是房地产根据协会飞, -0.86): the sentence is named with that guess, never dropped in silence.
LOST_UNDER = 20.0
LOST_QUIET = (sv.YASUI, sv.AISHELL_2)


def test_a_sentence_too_quiet_to_read_is_named_with_what_it_sounded_like(tmp_path):
    parts, t = _parts((sv.FUNASR, sv.YASUI, sv.AISHELL, sv.AISHELL_2), LOST_QUIET, LOST_UNDER)
    gain = sv.lavfi_bed_gain(sv.DRUM_BED, MUSIC_RMS)
    result = asr.transcribe(sv.under_lavfi(tmp_path / "lost.m4a", parts, t + 1.0, bed=sv.DRUM_BED, bed_db=gain))
    for i, (name, at, _gain) in enumerate(parts):
        if name not in LOST_QUIET:
            continue
        until = parts[i + 1][1] if i + 1 < len(parts) else 1e9
        said = bare("".join(w.text for w in result.words if at - 0.05 <= w.start < until))
        named = [u for u in result.unheard if u.start < at + sv.LENGTHS[name] and u.end > at and bare(u.heard)]
        # read more right than wrong, or named with what it sounded like: never neither
        assert (said and cer(sv.TRANSCRIPTS[name], said) <= 0.5) or named, (name, result.text, result.unheard)


@pytest.mark.parametrize("intro", [12.0, 20.0])
def test_a_music_intro_before_the_talk_is_not_named_as_speech(tmp_path, intro):
    """Over 12-20 s of the pad alone Whisper writes 作词作曲 (Chinese) or "music playing": a talk
    with such an intro must not be told that speech there has no subtitle."""
    parts, t = [], intro
    for name in (sv.YASUI, sv.AISHELL):
        parts.append((name, t, MUSIC_RMS + 6 - sv.speech_db(name)))
        t += sv.LENGTHS[name] + 1.0
    result = asr.transcribe(sv.under_music(tmp_path / "intro.m4a", parts, t + 1.0, music_db=sv.pad_gain(MUSIC_RMS)))
    assert result.language == "zh" and bare(result.text)
    assert [u for u in result.unheard if u.start < intro - 0.5] == [], result.unheard
