"""Issue 25, item 2: a stretch where recognition heard speech it could not read surely gets no
cue, and is named, with what it sounded like: in the draft, the job's JSON, the proofreading
document and the review page (tests/test_review_page.py)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import speech_video as sv

from nemo_skill import subtitle_job
from nemo_skill.engine import draft_check, registry
from nemo_skill.engine.errors import EngineError
from nemo_skill.engine.subtitle_tools import save_cues
from nemo_skill.engine.tools import TurnContext
from nemo_skill.media.asr.decode import Decoder
from nemo_skill.media.asr.text import bare
from nemo_skill.media.asr.words import Unheard
from nemo_skill.media.subtitles import doubts as cue_doubts, speech_check
from nemo_skill.media.subtitles.cues import Cue
from nemo_skill.timeline import Draft


def _line(text: str, logprob: float = -1.0, ratio: float = 1.2):
    return SimpleNamespace(text=text, avg_logprob=logprob, compression_ratio=ratio, no_speech_prob=0.6)


@pytest.mark.parametrize("line, seconds, heard", [
    (_line("都是房地產根據協會飛", -0.86), 6.5, "都是房地产根据协会飞"),     # simplified, as cues are
    (_line("天啊 十天", -1.57), 5.4, "天啊 十天"),
    (_line("天啊 十天", -1.57), 20.0, None),                        # four characters in 20 s: not a voice
    (_line("天啊 十天", -1.9), 5.4, None),                          # too unsure to be speech
    (_line("作词作曲", -1.45), 8.0, None),                          # what Whisper writes over music alone
    (_line("嗯嗯", -1.0), 2.0, None),                               # a word or two
    (_line("嗯嗯嗯嗯嗯啊", -1.0), 5.0, None),                          # fillers only
    (_line("‼‼‼‼‼‼‼‼", -0.06), 20.0, None),                         # marks only
    (_line("1 o'clock 10 o'clock 10 o'clock", -0.47), 20.0, None),  # no Chinese in a Chinese talk
    (_line("好好好好好好好好好好", -0.5), 5.0, None),                 # a loop
    (_line("字幕由Amara.org社区提供", -0.5), 5.0, None),              # a phantom line
    (_line("欢迎大家" * 8, -0.5, ratio=3.0), 10.0, None),            # compresses like a loop
])
def test_what_counts_as_speech_heard_but_not_read(line, seconds, heard):
    assert Decoder(None, "zh", "transcribe", [], None)._speech_like(line, seconds) == heard


def test_an_english_line_needs_letters_at_a_speaking_rate():
    english = Decoder(None, "en", "transcribe", [], None)
    assert english._speech_like(_line("ask not what your country", -1.1), 6.0) == "ask not what your country"
    assert english._speech_like(_line("1 2", -1.1), 2.0) is None
    assert english._speech_like(_line("music playing", -1.64), 12.0) is None
    assert english._speech_like(_line("people talking", -1.1), 20.0) is None       # 13 letters in 20 s


def test_the_draft_keeps_stretches_on_the_timeline_and_reads_back_only_sane_ones():
    kept = cue_doubts.unheard_to_meta([Unheard(10.0, 16.5, "也好,快点"), Unheard(50.0, 52.0, "后面")],
                                      lambda a, b: (a - 5.0, b - 5.0) if b <= 40 else None)
    assert kept == [{"st": 5000, "et": 11500, "heard": "也好,快点"}]    # the second is outside the clip
    hostile = {"unheard": [*kept, {"st": "5", "et": 9000, "heard": "x"}, {"st": math.nan, "et": 1, "heard": ""},
                           {"st": 9000, "et": 8000, "heard": "backwards"}, "not an object",
                           {"st": 1000, "et": 3000, "heard": "\u202egnp.exe\x1b[31m"}]}
    assert cue_doubts.unheard_from_meta(hostile) == [(5.0, 11.5, "也好,快点"), (1.0, 3.0, "gnp.exe[31m")]
    assert cue_doubts.unheard_from_meta({}) == [] and cue_doubts.unheard_from_meta({"unheard": "x"}) == []


@pytest.mark.parametrize("item", [
    {"st": 1000, "et": 2000, "heard": "x" * 201},
    {"st": 1000, "et": 2000},
    {"st": -1, "et": 2000, "heard": ""},
    {"st": 1000, "et": 2000, "heard": "", "path": "/etc/passwd"},
])
def test_the_schema_refuses_a_hostile_stretch(item):
    draft = {"t": [], "m": {"subtitles": {"unheard": [item]}}}
    with pytest.raises(EngineError) as err:
        draft_check.check(draft)
    assert "unheard" in str(err.value)


def test_a_stretch_no_cue_carries_becomes_a_finding_once():
    report = {"findings": [{"code": "speech_without_subtitle", "time": 30.0, "end": 34.0}], "count": 1,
              "by_code": {"speech_without_subtitle": 1}, "clean": False}
    unheard = [(2.0, 6.0, "我认为老婆"), (10.0, 14.0, "都是房地产"), (31.0, 35.0, "已经说过")]
    speech_check.add_unheard(report, unheard, [(1.9, 6.1)], "talk.zh.srt")
    new = report["findings"][1:]
    assert [(f["time"], f["end"]) for f in new] == [(10.0, 14.0)]   # carried by a cue; named by the check
    assert "都是房地产" in new[0]["message"] and "nemo review" in new[0]["fix"] and new[0]["file"] == "talk.zh.srt"
    assert report["count"] == 2 and report["by_code"]["speech_without_subtitle"] == 2


@pytest.fixture(scope="module")
def lost(tmp_path_factory):
    """The transcribe tool over two speakers 20 dB under a drum bed, between two at a normal level."""
    from test_asr_quiet import MUSIC_RMS, _parts
    parts, t = _parts((sv.FUNASR, sv.YASUI, sv.AISHELL, sv.AISHELL_2), (sv.YASUI, sv.AISHELL_2), 20.0)
    path = sv.under_lavfi(tmp_path_factory.mktemp("unheard") / "lost.m4a", parts, t + 1.0, bed=sv.DRUM_BED,
                          bed_db=sv.lavfi_bed_gain(sv.DRUM_BED, MUSIC_RMS))
    engine = SimpleNamespace(llm=None, scene_cache=None, resolve_src=lambda src, session: path)
    ctx = TurnContext(session_id="s", uploads=[{"file_type": "audio", "cdn_url": "/x/lost.m4a", "duration": t + 1.0,
                                                "filename": "lost.m4a", "path": str(path)}],
                      engine=engine, language="zh")
    draft: dict = {"t": []}
    said = registry.TOOLS["transcribe"].run(draft, {"languages": ["zh"]}, ctx)
    return draft, parts, said


@pytest.mark.slow
@pytest.mark.model
def test_the_job_names_what_it_heard_but_could_not_read(lost):
    draft, parts, said = lost
    draft_check.check(draft)
    doc = subtitle_job.proofread_document(Draft(draft))
    quiet = [(at, at + sv.LENGTHS[name]) for name, at, _gain in parts if name in (sv.YASUI, sv.AISHELL_2)]
    cues = [(c["start"], c["end"]) for c in doc["cues"]]
    for a, b in quiet:
        named = [u for u in doc["unheard"] if u["start"] < b and u["end"] > a]
        carried = sum(max(0.0, min(b, e) - max(a, s)) for s, e in cues) > 0.5 * (b - a)
        assert carried or (named and bare(named[0]["heard"])), (a, b, doc["unheard"], doc["cues"])
    if doc["unheard"]:
        assert "heard but not read" in doc["instructions"] and "没能可靠识别" in said["message"]   # said in the user's language
        report = {"findings": [], "count": 0, "by_code": {}, "clean": True}
        subtitle_job._add_unheard({"check": report}, Draft(draft), {"zh.srt": "lost.zh.srt"})
        assert len(report["findings"]) == len(doc["unheard"]) and not report["clean"]
        # a cue typed there (the review page, or an edited file) carries it: no longer named
        u = doc["unheard"][0]
        save_cues(draft, "zh", [Cue(c["start"], c["end"], c["text"]) for c in sorted(doc["cues"], key=lambda c: c["n"])]
                  + [Cue(u["start"] + 0.5, u["end"] - 0.5, "补上的一句")], "review")
        left = subtitle_job.proofread_document(Draft(draft))["unheard"]
        assert len(left) == len(doc["unheard"]) - 1


def test_a_job_with_speech_left_without_a_subtitle_is_not_done():
    from nemo_skill.mcp_server import jobs_subtitle
    gap = {"start": 21.2, "end": 28.4, "message": "speech ... (it sounded like “同时发地产终极协会飞”)", "fix": "listen"}
    waiting = jobs_subtitle._done({"files": {}, "speech_without_subtitle": [gap], "next": "translate properly"})
    assert waiting["ok"] is False and waiting["needs"] == "listening"
    assert waiting["next"].startswith("translate properly; 1 stretch(es)") and "nemo review" in waiting["next"]
    assert jobs_subtitle._done({"files": {}})["ok"] is True
