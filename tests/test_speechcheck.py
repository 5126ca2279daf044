"""Issue 25, item 2: `nemo subs check SUBTITLES... VIDEO` names speech with no cue and
cues over silence, with their ranges."""

from __future__ import annotations

import json

import pytest
import speech_video as sv

from nemo_skill.media.subtitles import check as subcheck, speech_check as speechcheck


def test_uncovered_speech_and_silent_cues_by_range():
    spans = [(0.5, 8.9), (10.3, 14.4), (20.0, 20.4)]
    cues = [(0.6, 4.0), (4.1, 8.8), (22.0, 25.0), (25.1, 28.0)]
    assert speechcheck.uncovered(spans, cues) == [(10.3, 14.4)]          # 0.4 s of speech is no finding
    assert speechcheck.silent_runs(spans, cues) == [(22.0, 28.0)]
    assert speechcheck.uncovered(spans, [(0.0, 30.0)]) == []
    assert speechcheck.silent_runs(spans, [(9.0, 10.0)]) == []            # shorter than SILENT_RUN


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    d = tmp_path_factory.mktemp("speechcheck")
    return sv.build(d / "talk.mp4", [(sv.YASUI, 0.5), (sv.AISHELL, 11.0)], 22.0, size="320x180")


def _srt(path, cues):
    body = "".join(f"{i}\n00:00:{a:06.3f} --> 00:00:{b:06.3f}\n{t}\n\n".replace(".", ",")
                   for i, (a, b, t) in enumerate(cues, 1))
    path.write_text(body, encoding="utf-8")
    return path


def test_check_names_a_planted_missing_cue(talk, tmp_path):
    srt = _srt(tmp_path / "talk.zh.srt", [(0.8, 4.5, "近几年，不但我用书给女儿压岁"), (4.6, 8.9, "也劝说亲朋不要给女儿压岁钱")])
    report = subcheck.check_paths([srt, talk])
    missing = [f for f in report["findings"] if f["code"] == "speech_without_subtitle"]
    assert len(missing) == 1, report["findings"]
    assert 10.8 <= missing[0]["time"] <= 11.6 and 14.6 <= missing[0]["end"] <= 15.6, missing
    assert "talk.zh.srt" in missing[0]["message"] and missing[0]["fix"]
    video = next(e for e in report["files"] if e["kind"] == "video")
    assert video["speech"]["speech_without_subtitle"][0]["files"] == [str(srt)]
    assert missing[0]["file"] == str(srt)           # the subtitles lack it, not the video


def test_check_names_cues_over_silence_and_passes_a_whole_track(talk, tmp_path):
    whole = [(0.8, 4.5, "近几年"), (4.6, 8.9, "压岁钱"), (11.2, 15.2, "甚至出现交易几乎停滞的情况")]
    clean = subcheck.check_paths([_srt(tmp_path / "a.srt", whole), talk])
    assert not [f for f in clean["findings"] if f["code"].startswith(("speech_", "subtitle_without"))]
    shifted = subcheck.check_paths([_srt(tmp_path / "b.srt", [*whole, (16.0, 19.0, "没人说"), (19.1, 21.5, "这句")]), talk])
    silent = [f for f in shifted["findings"] if f["code"] == "subtitle_without_speech"]
    assert [(f["time"], f["end"]) for f in silent] == [(16.0, 21.5)]


def test_a_bcc_file_is_heard_against_the_video(talk, tmp_path):
    bcc = tmp_path / "talk.bcc"
    bcc.write_text(json.dumps({"body": [{"from": 0.8, "to": 8.9, "location": 2, "content": "近几年"}]}), encoding="utf-8")
    assert speechcheck.cue_times(bcc) == [(0.8, 8.9)]
    report = subcheck.check_paths([bcc, talk])
    assert any(f["code"] == "speech_without_subtitle" for f in report["findings"])


def test_nemo_subs_check_exits_4_and_names_the_range(talk, tmp_path):
    import os

    from conftest import run_nemo
    srt = _srt(tmp_path / "talk.zh.srt", [(0.8, 8.9, "近几年")])
    r = run_nemo(["subs", "check", str(srt), str(talk), "--json"], dict(os.environ))
    assert r.returncode == 4, r.stderr
    found = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "speech_without_subtitle"]
    assert len(found) == 1 and found[0]["end"] > found[0]["time"] >= 10.8
    r = run_nemo(["subs", "check", str(srt), str(talk)], dict(os.environ))
    assert "has no subtitle in talk.zh.srt" in r.stdout and "fix: listen to 00:1" in r.stdout


@pytest.fixture(scope="module")
def quiet_talk(tmp_path_factory):
    """A speaker 6 dB over a soft music bed (-30 dBFS), then one 15 dB under it."""
    d = tmp_path_factory.mktemp("quietcheck")
    parts = [(sv.YASUI, 1.0, -24.0 - sv.speech_db(sv.YASUI)), (sv.AISHELL, 10.4, -45.0 - sv.speech_db(sv.AISHELL))]
    return sv.under_music(d / "quiet.m4a", parts, 16.0, music_db=sv.pad_gain())


def test_check_names_a_quiet_sentence_under_music_no_cue_carries(quiet_talk, tmp_path):
    # The levelled audio alone scores the quiet voice under 0.1; the bed-lowered copy hears it.
    srt = _srt(tmp_path / "quiet.zh.srt", [(1.6, 4.5, "近几年，不但我用书给女儿压岁"), (4.6, 9.0, "也劝说亲朋不要给女儿压岁钱")])
    findings, summary = speechcheck.check(quiet_talk, [srt])
    missing = [(f.time, f.end) for f in findings if f.code == "speech_without_subtitle"]
    assert len(missing) == 1, summary
    assert 10.4 <= missing[0][0] <= 12.0 and missing[0][1] >= 12.5, missing       # AISHELL is 10.9-14.3


def test_music_alone_is_no_speech_to_the_check(tmp_path):
    bed = sv.under_music(tmp_path / "bed.m4a", [], 30.0, music_db=sv.pad_gain())
    assert speechcheck.speech_spans(bed) == []
