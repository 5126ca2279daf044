"""A still on the edit timeline is scaled once and then repeated (issue 15's render speed):
the frames must be the picture, for exactly its time, then the next clip."""

from __future__ import annotations

import subprocess

import numpy as np

from nemo_skill.media import ffmpeg
from nemo_skill.media.render import compose


def frame(path, at: float, w=320, h=180) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 3).astype(int)


def test_a_still_shows_for_its_time_then_the_clip(tmp_path):
    photo, clip = tmp_path / "photo.png", tmp_path / "clip.mp4"
    # a large two-colour photo (red left, blue right) and a green clip
    ffmpeg.run(["-f", "lavfi", "-i", "color=c=red:s=1600x900", "-f", "lavfi", "-i", "color=c=blue:s=1600x900",
                "-filter_complex", "[0][1]hstack", "-frames:v", "1", ffmpeg.fpath(photo)])
    ffmpeg.run(["-f", "lavfi", "-i", "color=c=green:s=320x180:r=30:d=1", "-c:v", "libx264", "-preset",
                "ultrafast", ffmpeg.fpath(clip)])
    draft = {"t": [{"id": "v", "tt": 0, "sg": [{"st": 0, "d": 1000, "src": "photo.png"},
                                                {"st": 1000, "d": 1000, "src": "clip.mp4"}]}],
             "d": 2000, "m": {"width": 320, "height": 180}}
    out = tmp_path / "out.mp4"
    plan = compose.build(draft, lambda s: tmp_path / s, out, tmp_path)
    ffmpeg.run(plan.args, duration=plan.duration)
    frames = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v", "-show_entries",
                             "stream=nb_read_frames", "-of", "csv=p=0", str(out)],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert int(frames) == 60
    still = frame(out, 0.5)
    # 3200x900 fitted into 320x180: a 320x90 band, red over blue halves, black above and below
    assert still[90, 40][0] > 200 > still[90, 40][2]
    assert still[90, 280][2] > 200 > still[90, 280][0]
    assert still[10, 160].max() < 30
    assert frame(out, 0.95)[90, 40][0] > 200              # the still lasts to its last frame
    green = frame(out, 1.5)[90, 160]
    assert green[1] > 100 and green[0] < 60 and green[2] < 60
