"""Issue 25, item 4: a subtitled video keeps what its source is: its frame rate (25, 29.97,
50, 60, variable; not forced to 30), its upright shape when the phone stored it turned, and
files that follow the user's umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from fractions import Fraction

import pytest

from nemo_skill.media import ffmpeg
from nemo_skill.media.files import atomic_target
from nemo_skill.media.render import compose


def _streams(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_streams", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["streams"][0]


def _clip(path, rate: str, seconds: float = 2.0, extra: list[str] | None = None):
    ffmpeg.run(["-f", "lavfi", "-i", f"testsrc2=s=320x180:r={rate}:d={seconds}", "-f", "lavfi", "-i",
                f"sine=f=440:d={seconds}", *(extra or []), "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", ffmpeg.fpath(path)])
    return path


def _subtitled(tmp_path, clip, seconds: float = 2.0):
    draft = {"m": {"width": 320, "height": 180},
             "t": [{"id": "v", "tt": 0, "sg": [{"st": 0, "d": int(seconds * 1000), "src": clip.name}]},
                   {"id": "sub_zh", "tt": 7, "m": {"kind": "subtitle", "lang": "zh"},
                    "sg": [{"id": "s1", "st": 200, "d": 1500, "txt": "你好世界"}]}]}
    out = tmp_path / f"{clip.stem}.out.mp4"
    plan = compose.build(draft, lambda s: tmp_path / s, out, tmp_path)
    ffmpeg.run(plan.args, duration=plan.duration)
    return out


@pytest.mark.parametrize("rate", ["25", "30000/1001", "50", "60"])
def test_the_frame_rate_is_the_sources(tmp_path, rate):
    out = _subtitled(tmp_path, _clip(tmp_path / "clip.mp4", rate))
    video = _streams(out)
    assert Fraction(video["avg_frame_rate"]) == pytest.approx(float(Fraction(rate)), rel=0.01), video
    assert int(video["nb_frames"]) == pytest.approx(2 * float(Fraction(rate)), abs=2)    # no frame doubled


def test_a_variable_frame_rate_keeps_each_frame_at_its_time(tmp_path):
    # 1 s at 15 fps then 1 s at 30 fps, in one file: phone footage in a dim room then outside
    a, b = _clip(tmp_path / "a.mp4", "15", 1.0), _clip(tmp_path / "b.mp4", "30", 1.0)
    vfr = tmp_path / "vfr.mp4"
    ffmpeg.run(["-i", ffmpeg.fpath(a), "-i", ffmpeg.fpath(b), "-filter_complex",
                "[0:v][0:a][1:v][1:a]concat=n=2:v=1:a=1[v][a]", "-map", "[v]", "-map", "[a]", "-fps_mode", "vfr",
                "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", ffmpeg.fpath(vfr)])
    source = _streams(vfr)
    assert source["r_frame_rate"] != source["avg_frame_rate"]            # it is variable
    out = _streams(_subtitled(tmp_path, vfr))
    assert abs(int(out["nb_frames"]) - int(source["nb_frames"])) <= 1, (out["nb_frames"], source["nb_frames"])


def test_a_phone_video_stored_turned_is_measured_upright(tmp_path):
    clip = _clip(tmp_path / "landscape.mp4", "30")
    turned = tmp_path / "turned.mp4"
    ffmpeg.run(["-i", ffmpeg.fpath(clip), "-c", "copy", "-metadata:s:v:0", "rotate=90", ffmpeg.fpath(turned)])
    info = ffmpeg.probe(turned)
    assert (info.width, info.height) == (180, 320)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        with atomic_target(tmp_path / "out.mp4") as tmp:
            tmp.write_bytes(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.mp4").stat().st_mode) == mode
