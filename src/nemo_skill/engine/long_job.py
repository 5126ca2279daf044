"""What a long recognition tells the user (issue 25, item 5): how long it will take before it
starts, from this machine's measured speed (``media.asr_resume``), and the time left as it goes."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..media.asr import resume as asr_resume

LONG_SECONDS = 300.0        # from five minutes of video on, the estimate is said up front


def _clock(seconds: float) -> str:
    minutes = int(round(seconds / 60))
    return f"{minutes} min" if minutes >= 1 else f"{int(round(seconds))} s"


def _clock_zh(seconds: float) -> str:
    minutes = int(round(seconds / 60))
    return f"{minutes} 分钟" if minutes >= 1 else f"{int(round(seconds))} 秒"


def recognition_progress(ctx, duration: float) -> Callable[[float], None]:
    """Say the estimate for a long input, and return the progress callback with time left."""
    estimate = asr_resume.measured_rtf() * max(0.0, duration)
    if duration >= LONG_SECONDS:
        ctx.note(ctx.say(f"This {_clock(duration)} video takes about {_clock(estimate)} to recognise on this "
                         "machine (measured speed); if it is stopped, the same command resumes where it stopped.",
                         f"这段 {_clock_zh(duration)} 的视频在本机识别约需 {_clock_zh(estimate)}（按实测速度）；"
                         "中途停止后再次运行同一命令会接着识别。"))
    started = time.monotonic()

    def on_progress(percent: float) -> None:
        elapsed = time.monotonic() - started
        # early on the measured speed says more than a few seconds of this run
        left = elapsed * (100 - percent) / percent if percent >= 10 else estimate * (1 - percent / 100)
        ctx.note(ctx.say(f"Transcribing: {percent:.0f}% (about {_clock(left)} left)",
                         f"识别中：{percent:.0f}%（约剩 {_clock_zh(left)}）"))
    return on_progress
