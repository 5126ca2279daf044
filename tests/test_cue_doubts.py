"""Issue 25, item 3: every recognised cue carries its confidence and the words the recogniser
was unsure of, in the draft and in `nemo subs proofread --json`, least sure first."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import speech_video as sv

from nemo_skill import subtitle_job
from nemo_skill.engine import (
    draft_check,
    registry,
)
from nemo_skill.engine.proofread_tools import apply_corrections
from nemo_skill.engine.tools import TurnContext
from nemo_skill.media.asr.words import Word
from nemo_skill.media.subtitles import cues, doubts as cue_doubts
from nemo_skill.timeline import Draft


def test_a_cue_says_how_sure_it_is_and_where_it_doubts():
    words = [Word("甚至", 0.0, 0.5, 0.95), Word("出现", 0.5, 1.0, 0.9), Word("停制", 1.0, 1.5, 0.2),
             Word("的情况。", 1.5, 2.2, 0.9)]
    [cue] = cues.layout(words, "zh")
    assert 0.7 < cue.confidence < 0.8           # the character-weighted mean, 0.2 for two of ten
    assert cue.unsure == ({"text": "停制", "start": 1.0, "end": 1.5},)
    cue_doubts.add_alternatives([cue], [Word("停滞", 1.02, 1.48, 0.6)], spaced=False)
    assert cue.unsure[0]["alternatives"] == ["停滞"]
    [sure] = cues.layout([Word("Hello", 0.0, 0.4, 0.99), Word("speech.", 0.4, 1.0, 0.97)], "en")
    assert sure.confidence == pytest.approx(0.98, abs=0.01) and sure.unsure == ()


@pytest.fixture(scope="module")
def recognised(tmp_path_factory):
    """The transcribe tool on real speech over music (tight-music of test_asr_joins)."""
    path, _parts = sv.joined(tmp_path_factory.mktemp("doubts") / "tight.m4a",
                             [sv.YASUI, sv.AISHELL, sv.HELLO_ZH], 0.15, bed=sv.MUSIC_BED)
    engine = SimpleNamespace(llm=None, scene_cache=None, resolve_src=lambda src, session: path)
    ctx = TurnContext(session_id="s", uploads=[{"file_type": "audio", "cdn_url": "/x/tight.m4a", "duration": 17.0,
                                                "filename": "tight.m4a", "path": str(path)}],
                      engine=engine, language="zh")
    draft: dict = {"t": []}
    registry.TOOLS["transcribe"].run(draft, {"languages": ["zh"]}, ctx)   # JSON arguments, as the engine runs it
    return draft


@pytest.mark.slow
def test_recognised_cues_carry_their_doubts_to_the_proofreader(recognised):
    draft_check.check(recognised)                       # the schema takes the new fields
    segments = [s for t in recognised["t"] for s in t.get("sg", [])]
    assert segments and all(0.0 <= s["confidence"] <= 1.0 and isinstance(s["unsure"], list) for s in segments)
    doc = subtitle_job.proofread_document(Draft(recognised))
    flagged = [c for c in doc["cues"] if c["unsure"]]
    assert doc["unsure_cues"] == len(flagged) >= 1
    assert doc["cues"][: len(flagged)] == flagged       # the doubts first, least sure first
    assert [c["confidence"] for c in flagged] == sorted(c["confidence"] for c in flagged)
    # Whisper base mishears 停滞 as 停制 and 世界 as 设计 here; at least one is pointed at
    doubted = "".join(u["text"] for c in flagged for u in c["unsure"])
    assert "停制" in doubted or "设计" in doubted or "世界" in doubted, doubted
    assert "listen there" in doc["instructions"] and "alternatives" in doc["instructions"]
    for c in flagged:
        for u in c["unsure"]:
            assert c["start"] - 0.5 <= u["start"] < u["end"] <= c["end"] + 0.5, (c, u)


@pytest.mark.slow
def test_a_proofreader_correction_settles_the_doubt(recognised):
    doc = subtitle_job.proofread_document(Draft(recognised))
    cue = next(c for c in doc["cues"] if "停制" in c["text"] or "停滞" in c["text"])
    changed, refused = apply_corrections(recognised, "zh", {cue["n"]: cue["text"].replace("停制", "停滞").rstrip("。")})
    assert not refused
    again = next(c for c in subtitle_job.proofread_document(Draft(recognised))["cues"] if c["n"] == cue["n"])
    assert "停滞" in again["text"] and (again["unsure"] == [] and again["confidence"] == 1.0 or not changed)
