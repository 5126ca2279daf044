"""Issue 25, item 5: recognition stopped part way (a crash, a closed laptop) resumes where it
stopped when the same command runs again; the kept part is checked against the input's hash."""

from __future__ import annotations

import threading

import pytest
import speech_video as sv

from nemo_skill.media import ffmpeg
from nemo_skill.media.asr import decode as asr_decode, resume as asr_resume, transcribe as asr
from nemo_skill.media.asr.words import Unheard, Word


def test_a_checkpoint_belongs_to_one_file_and_one_set_of_settings(tmp_path):
    a, b = tmp_path / "a.m4a", tmp_path / "b.m4a"
    a.write_bytes(b"one")
    b.write_bytes(b"two")
    kept = asr_resume.Checkpoint(a, {"language": "zh"})
    rec = kept.chunk(0.0, 1000)
    region = object()
    kept.save(rec, 1, 5.0, [(Word("你好", 1.0, 1.5, 0.9), region)], [region], ("zh", 0.99))
    again = asr_resume.Checkpoint(a, {"language": "zh"})
    assert again.resumed_seconds() == 5.0 and again.language() == ("zh", 0.99)
    assert again.words(again.chunk(0.0, 1000), [region]) == [(Word("你好", 1.0, 1.5, 0.9), region)]
    assert asr_resume.Checkpoint(a, {"language": "en"}).resumed_seconds() == 0.0      # other settings
    assert asr_resume.Checkpoint(b, {"language": "zh"}).resumed_seconds() == 0.0      # another file
    a.write_bytes(b"one, changed")
    assert asr_resume.Checkpoint(a, {"language": "zh"}).resumed_seconds() == 0.0      # the file changed
    assert again.chunk(0.0, 999)["windows"] == 0                                       # another cut


def test_a_finished_chunk_is_taken_whole_from_its_checkpoint(tmp_path):
    """A chunk revised and saved by a stopped run is not decoded again at all: no window, no
    retry, no second opinion (the run below has no model; any decode would fail)."""
    audio = next(ffmpeg.read_pcm(sv.SPEECH / sv.YASUI, asr.RATE, block_seconds=30)).astype("float32") / 32768.0
    media = tmp_path / "talk.m4a"
    media.write_bytes(b"talk")
    kept = asr_resume.Checkpoint(media, {"language": "zh"})
    rec = kept.chunk(0.0, len(audio))
    words = [(Word("近几年，", 0.4, 1.2, 0.9), None), (Word("压岁书。", 7.0, 8.0, 0.3), None)]
    kept.save(rec, 1, len(audio) / asr.RATE, words, [], ("zh", 0.99), alternatives=[Word("压碎书", 7.0, 8.0, 0.4)],
              unheard=[Unheard(2.0, 6.5, "也劝说亲朋")])
    run = asr._Run(model=None, task="transcribe", terms=[], cancel=None, on_progress=None,
                   total=len(audio) / asr.RATE, lang="zh", checkpoint=asr_resume.Checkpoint(media, {"language": "zh"}))
    run.chunk(0.0, audio)
    assert [w.text for w in run.words] == ["近几年，", "压岁书。"]
    assert [w.text for w in run.again] == ["压碎书"]
    assert run.unheard == [Unheard(2.0, 6.5, "也劝说亲朋")]      # what was heard but not read, kept too
    assert run.resumed == round(len(audio) / asr.RATE, 3)


@pytest.mark.slow
def test_a_stopped_recognition_resumes_where_it_stopped(tmp_path, monkeypatch):
    path, _ = sv.joined(tmp_path / "talk.m4a", [sv.YASUI, sv.AISHELL, sv.PADDLE, sv.FUNASR, sv.AISHELL_2,
                                                sv.YASUI], 1.0)
    calls: list[int] = []
    stop = threading.Event()
    real = asr_decode.Decoder.window

    def counted(self, *args, **kw):
        calls.append(1)
        out = real(self, *args, **kw)
        if len(calls) == 1:
            stop.set()              # the machine goes to sleep after the first window
        return out

    monkeypatch.setattr(asr_decode.Decoder, "window", counted)
    # windows of a few regions each, so this short talk is several windows (the default holds
    # minutes of speech: it would be one)
    monkeypatch.setattr(asr.speech_regions, "SEEK_WINDOW_SECONDS", 20.0)
    fresh = asr.transcribe(path, resume=False)
    total = len(calls)
    assert total >= 2
    calls.clear()
    stop.clear()
    with pytest.raises(ffmpeg.Cancelled):
        asr.transcribe(path, cancel=stop)
    calls.clear()
    resumed = asr.transcribe(path)
    assert len(calls) == total - 1, (total, len(calls))          # only the windows not kept
    assert resumed.text == fresh.text
    assert [round(w.start, 2) for w in resumed.words] == [round(w.start, 2) for w in fresh.words]
    assert not list(asr_resume.work_dir().glob("*-*.json"))   # finished: nothing left behind


def test_a_long_job_says_how_long_before_it_starts_and_what_is_left(monkeypatch):
    from types import SimpleNamespace

    from nemo_skill.engine.long_job import recognition_progress
    notes: list[str] = []
    ctx = SimpleNamespace(note=notes.append, say=lambda en, zh: en)
    asr_resume.record_speed(600.0, 300.0)                  # this machine: 0.5 s of work a second...
    asr_resume.record_speed(600.0, 300.0)
    assert 0.5 <= asr_resume.measured_rtf() < 0.6         # ...folded into the default 0.75
    report = recognition_progress(ctx, 3600.0)
    assert notes and "60 min video takes about" in notes[0] and "resumes" in notes[0]
    minutes = int(notes[0].split("about ")[1].split(" min")[0])
    assert 30 <= minutes <= 36
    report(5.0)
    assert notes[-1].startswith("Transcribing: 5% (about ") and notes[-1].endswith("left)")
    short: list[str] = []
    recognition_progress(SimpleNamespace(note=short.append, say=lambda en, zh: en), 60.0)
    assert short == []                                     # a short clip starts without a speech
