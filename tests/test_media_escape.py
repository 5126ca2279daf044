"""Escaping for filtergraphs and ASS, checked with tables and with real ffmpeg."""

from __future__ import annotations

import pysubs2
import pytest

from nemo_skill.media import ffmpeg
from nemo_skill.media.escape import ass_text, filter_value
from nemo_skill.media.render import compose


@pytest.mark.parametrize("raw, escaped", [
    ("plain.ass", "plain.ass"),
    ("a:b.ass", "a\\\\:b.ass"),
    ("it's.ass", "it\\\\\\'s.ass"),
    ("x,y[z];w", "x\\,y\\[z\\]\\;w"),
    ("C:\\dir\\f.ass", "C\\\\:\\\\\\\\dir\\\\\\\\f.ass"),
])
def test_filter_value_table(raw, escaped):
    assert filter_value(raw) == escaped


@pytest.mark.parametrize("raw, out", [
    ("你好", "你好"),
    ("{\\b1}bold{\\b0}", "｛＼b1｝bold｛＼b0｝"),
    ("line1\nline2", "line1\\Nline2"),
    ("a\\Nb", "a＼Nb"),
])
def test_ass_text_table(raw, out):
    assert ass_text(raw) == out


def test_render_from_a_folder_with_hostile_characters(tmp_path):
    work = tmp_path / "it's a [test], ok; 中文:dir"
    work.mkdir()
    draft = {"t": [{"tt": 7, "m": {"kind": "title"},
                    "sg": [{"st": 0, "d": 1000, "txt": "{\\an8}注入? no"}]}],
             "d": 1000, "m": {"width": 320, "height": 180}}
    out = work / "out.mp4"
    plan = compose.build(draft, lambda s: work / s, out, work)
    ffmpeg.run(plan.args, duration=plan.duration)
    info = ffmpeg.probe(out)
    assert (info.width, info.height) == (320, 180) and info.has_audio
    subs = pysubs2.load(str(plan.ass_path))
    assert subs.events[0].text == "｛＼an8｝注入? no" and "\\an8" not in subs.events[0].text


def test_broken_input_gives_ffmpeg_error_with_stderr(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    with pytest.raises(ffmpeg.MediaError, match="not a readable media file"):
        ffmpeg.probe(bad)
    with pytest.raises(ffmpeg.MediaError, match="ffmpeg failed"):
        ffmpeg.run(["-i", ffmpeg.fpath(bad), "-f", "null", "-"])


def test_missing_ffmpeg_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    from nemo_skill.errors import ToolMissingError
    with pytest.raises(ToolMissingError, match="ffmpeg is not installed") as info:
        ffmpeg.binary("ffmpeg")
    assert "apt-get install ffmpeg" in info.value.hint
