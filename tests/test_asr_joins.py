"""Issue 13 on real speech: recordings from tests/data joined at test time, back to back
(0.15 s apart) or with pauses, over a quiet music-like bed. Every sentence must come out,
at its own time, at a character error rate a creator could publish."""

from __future__ import annotations

import pytest
import speech_video as sv
from figures import at_least, at_most

from nemo_skill.media.asr import transcribe as asr
from nemo_skill.media.asr.text import bare, cer
from nemo_skill.media.subtitles import cues

pytestmark = [pytest.mark.slow, pytest.mark.model]

# (recordings, gap s, bed, CER bound with the default base model). Measured before issue 13
# (VAD over the whole file, timestamps, seeking): the first lost 甚至出现交易几乎停滞的情况
# and 你好世界 outright (CER 0.41); the second lost 你好世界 (CER 0.11). Then 0.143 and 0.089
# (bench/asr_quality.py has more arrangements): the first heard 你好世界 as 您好，是接, decoded
# beside 甚至出现... whose context outweighed its own two syllables. Now a region Whisper was
# unsure of is decoded on its own too (asr_decode.UNSURE): 0.082 and 0.089, the same in
# repeated runs. What is left is the base model's: 压岁 as 压碎 three times and 停滞 as 停制
# (4 of 49 characters), which the glossary restores.
# What must hold everywhere is per sentence: each heard (HEARD_SHARE of its characters) at
# its own time (ONSET_BOUND). The CER bounds are set from the spread over six compute paths
# (bench/compute_paths.py, 2026-12): tight-music 0.082 (AVX-512, AVX2, AVX, ORT basic, one
# core) to 0.102 (CTranslate2 generic), and 0.122 on an Intel AVX-512 machine (issue 21);
# pauses-music 0.071-0.089; with the glossary 0.000-0.041. Bound = worst + about 0.06.
ARRANGEMENTS = {
    "tight-music": ([sv.YASUI, sv.AISHELL, sv.HELLO_ZH], 0.15, sv.MUSIC_BED, 0.18),
    "pauses-music": ([sv.PADDLE, sv.HELLO_ZH, sv.YASUI], 1.5, sv.MUSIC_BED, 0.15),
}
CER_GLOSSARY = 0.10
# Every sentence came back whole (share 1.0) on every path; 0.6 still fails a sentence shrunk to a word.
HEARD_SHARE = 0.6
# Onsets 0.004-0.032 s off on every path; 0.3 s is the "at its own time".
ONSET_BOUND = 0.3
TERMS = ["压岁钱", "停滞"]
UNRELATED = ["原神", "区块链", "人工智能", "比特币", "抖音"]     # said nowhere in these recordings


@pytest.fixture(scope="module")
def joins(tmp_path_factory):
    d = tmp_path_factory.mktemp("joins")
    return {key: sv.joined(d / f"{key}.m4a", names, gap, bed=bed)
            for key, (names, gap, bed, _bound) in ARRANGEMENTS.items()}


def per_recording(words, parts) -> list[list]:
    """The words placed in each recording's time (from its offset to the next one's)."""
    out = []
    for i, (_name, at) in enumerate(parts):
        until = parts[i + 1][1] if i + 1 < len(parts) else 1e9
        out.append([w for w in words if at - 0.05 <= w.start < until])
    return out


@pytest.mark.parametrize("key", list(ARRANGEMENTS))
def test_every_sentence_is_heard_at_its_own_time(joins, key):
    path, parts = joins[key]
    result = asr.transcribe(path)
    reference = "".join(sv.TRANSCRIPTS[name] for name, _ in parts)
    for (name, at), mine in zip(parts, per_recording(result.words, parts), strict=True):
        said = bare("".join(w.text for w in mine))
        # not dropped, not shrunk to a word, and not lent to a neighbour: at its own time
        at_least(f"joins.{key}.{name}.heard_share", len(said) / len(bare(sv.TRANSCRIPTS[name])), HEARD_SHARE,
                 result.text)
        at_most(f"joins.{key}.{name}.onset_error", abs(mine[0].start - (at + sv.speech_onset(name))),
                ONSET_BOUND, mine[0].start)
    at_most(f"joins.{key}.cer", cer(reference, result.text), ARRANGEMENTS[key][3], result.text)
    assert all(ch not in result.text for ch in "﹔﹐４") and "标点" not in result.text


def test_a_glossary_fixes_the_homophones(joins):
    path, parts = joins["tight-music"]
    result = asr.transcribe(path, terms=TERMS)
    reference = "".join(sv.TRANSCRIPTS[name] for name, _ in parts)
    assert "压碎" not in result.text and "压岁钱" in result.text
    at_most("joins.glossary.cer", cer(reference, result.text), CER_GLOSSARY, result.text)


def test_a_glossary_of_other_words_does_no_harm(joins):
    """Given to Whisper as hotwords, five terms the speech never says took tight-music from
    0.082 to 0.143 (您好师姐) and another arrangement from 0.067 to 0.111."""
    path, parts = joins["tight-music"]
    reference = "".join(sv.TRANSCRIPTS[name] for name, _ in parts)
    plain = asr.transcribe(path)
    with_terms = asr.transcribe(path, terms=UNRELATED)
    assert cer(reference, with_terms.text) <= cer(reference, plain.text), (plain.text, with_terms.text)
    assert not any(term in with_terms.text for term in UNRELATED)


class _CountingModel:
    """Stands in for CTranslate2's Whisper, counting decoding passes (fallbacks included)."""

    def __init__(self, model):
        self._model, self.passes, self.steps = model, 0, 0

    def generate(self, *args, **kwargs):
        self.passes += 1
        self.steps += kwargs.get("max_length", 0)
        return self._model.generate(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._model, name)


def test_a_short_clip_costs_about_its_length(tmp_path, monkeypatch):
    """Whisper used to loop after the speech (作词 作曲 ...) through every temperature:
    17-48 s for a 2-8 s clip. Counted in decoding passes, not seconds, so the bound holds on
    any CPU: one pass for the speech region, one more at most for its second chance."""
    path, _ = sv.joined(tmp_path / "short.m4a", [sv.HELLO_ZH], 0.0, lead=0.3, tail=0.5)
    whisper, _name = asr.load_model()
    counting = _CountingModel(whisper.model)
    monkeypatch.setattr(whisper, "model", counting)
    result = asr.transcribe(path)
    assert result.words and len(bare(result.text)) <= 8, result.text
    assert 1 <= counting.passes <= 2, counting.passes      # six temperatures were six passes
    layout = cues.layout(result.words, "zh")
    assert len(layout) == 1
