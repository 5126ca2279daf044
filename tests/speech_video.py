"""Test videos built from the real recordings in tests/data (see its README).

``build`` puts recordings at given offsets under a testsrc2 picture (or no
picture), so tests and benchmarks know exactly where the speech is.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SPEECH = Path(__file__).resolve().parent / "data"
AISHELL = "aishell_BAC009S0764W0121.flac"
YASUI = "yasui_zh.flac"
HELLO_ZH = "hello_zh.flac"
HELLO_EN = "hello_en.flac"
JFK = "jfk.flac"
AISHELL_2 = "aishell_BAC009S0724W0121.flac"
FUNASR = "funasr_example_zh.flac"
PADDLE = "paddlespeech_zh.flac"
LIBRI = "librispeech_1995-1837-0001.flac"
TRANSCRIPTS = {AISHELL: "甚至出现交易几乎停滞的情况", YASUI: "近几年，不但我用书给女儿压岁，也劝说亲朋不要给女儿压岁钱，而改送压岁书。",
               HELLO_ZH: "你好世界。", HELLO_EN: "Hello speech.",
               JFK: "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.",
               AISHELL_2: "广州市房地产中介协会分析", FUNASR: "欢迎大家来体验达摩院推出的语音识别模型",
               PADDLE: "我认为跑步最重要的就是给我带来了身体健康。",
               LIBRI: "IT WAS THE FIRST GREAT SORROW OF HIS LIFE IT WAS NOT SO MUCH THE LOSS OF THE COTTON ITSELF "
                      "BUT THE FANTASY THE HOPES THE DREAMS BUILT AROUND IT"}


LENGTHS = {AISHELL: 4.204, YASUI: 8.39, HELLO_ZH: 2.32, HELLO_EN: 2.24, JFK: 11.0, AISHELL_2: 4.281,
           FUNASR: 5.547, PADDLE: 4.997, LIBRI: 8.73}
# A quiet music-like bed: two soft pulsing tones and a little hiss, about -53 dBFS RMS:
# 12-25 dB under the speech of these recordings (-42 to -29 dBFS RMS).
MUSIC_BED = ("aevalsrc=0.003*sin(2*PI*220*t)*(0.7+0.3*sin(2*PI*2*t))+0.002*sin(2*PI*330*t)"
             "+0.0008*(2*random(0)-1):s=44100:c=stereo")


def build(out: Path, parts: list[tuple[str, float]], duration: float, *, size: str = "640x360",
          video: bool = True, crf: int = 30, bed: str | None = None) -> Path:
    """``parts``: (recording, start second). Speech at those offsets, silence (or ``bed``) elsewhere."""
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
    if video:
        args += ["-f", "lavfi", "-i", f"testsrc2=s={size}:r=30:d={duration}"]
    source = f"{bed},atrim=0:{duration}" if bed else f"anullsrc=r=44100:cl=stereo:d={duration}"
    args += ["-f", "lavfi", "-i", source]
    first_audio = 1 if video else 0
    graph, labels = [], [f"[{first_audio}:a]"]
    for i, (name, start) in enumerate(parts):
        args += ["-i", str(SPEECH / name)]
        idx = first_audio + 1 + i
        graph.append(f"[{idx}:a]aresample=44100,aformat=channel_layouts=stereo,"
                     f"adelay={int(start * 1000)}:all=1[s{i}]")
        labels.append(f"[s{i}]")
    graph.append(f"{''.join(labels)}amix=inputs={len(labels)}:normalize=0:duration=first[a]")
    args += ["-filter_complex", ";".join(graph)]
    if video:
        args += ["-map", "0:v"]
    args += ["-map", "[a]", "-t", str(duration)]
    if video:
        args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", str(crf), "-pix_fmt", "yuv420p"]
    args += ["-c:a", "aac", "-b:a", "96k", str(out)]
    subprocess.run(args, check=True)
    return out


def sixty_seconds_zh(out: Path, size: str = "1280x720") -> Path:
    """About a minute of Chinese speech: the three zh recordings, repeated with pauses."""
    parts, t = [], 0.5
    cycle = [(AISHELL, 4.2), (YASUI, 8.4), (HELLO_ZH, 2.3)]
    while t < 56:
        for name, length in cycle:
            if t + length > 59:
                break
            parts.append((name, t))
            t += length + 1.2
    return build(out, parts, 60.0, size=size)


def speech_onset(name: str) -> float:
    """Where the speech in a recording starts, by its energy (not by any recogniser): the
    first 50 ms frame 15 dB over the recording's noise floor (its 10th percentile)."""
    import numpy as np
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(SPEECH / name), "-ac", "1", "-ar", "16000",
                          "-f", "s16le", "-"], capture_output=True, check=True).stdout
    x = np.frombuffer(raw, np.int16).astype(np.float64) / 32768
    n = len(x) // 800
    db = 20 * np.log10(np.sqrt((x[: n * 800].reshape(n, 800) ** 2).mean(axis=1)) + 1e-9)
    return float(np.flatnonzero(db > np.percentile(db, 10) + 15)[0]) * 0.05


def joined(out: Path, names: list[str], gap: float, *, lead: float = 0.5, tail: float = 1.0,
           bed: str | None = None, video: bool = False) -> tuple[Path, list[tuple[str, float]]]:
    """The recordings one after another, ``gap`` seconds apart: (file, [(name, start s), ...])."""
    parts, t = [], lead
    for name in names:
        parts.append((name, round(t, 3)))
        t += LENGTHS[name] + gap
    return build(out, parts, round(t - gap + tail, 3), video=video, bed=bed), parts


def under_music(out: Path, parts: list[tuple[str, float, float]], duration: float, *, music_db: float,
                video: bool = False, rate: str = "30") -> Path:
    """``parts``: (recording, start second, gain dB). Over the project's own music bed
    (media/render/music.py) at ``music_db`` dB gain (its phrase peaks near -6 dBFS), so a part at
    a low gain is a speaker well under the music, as a creator's quiet guest is."""
    from nemo_skill.media.render import music
    bed = music.write_bed(duration, out.with_suffix(".bed.wav"))
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
    if video:
        args += ["-f", "lavfi", "-i", f"testsrc2=s=320x180:r={rate}:d={duration}"]
    first_audio = 1 if video else 0
    args += ["-i", str(bed)]
    args += _speech_over(parts, f"[{first_audio}:a]aresample=44100,volume={music_db}dB[m]", first_audio + 1)
    if video:
        args += ["-map", "0:v", "-c:v", "libx264", "-preset", "veryfast", "-crf", "32", "-pix_fmt", "yuv420p"]
    args += ["-map", "[a]", "-t", str(duration), "-c:a", "aac", "-b:a", "96k", str(out)]
    subprocess.run(args, check=True)
    bed.unlink()
    return out


def pad_gain(rms: float = -30.0) -> float:
    """The gain (dB) that puts the project's own music bed (media/render/music.py) at ``rms`` dBFS."""
    import numpy as np

    from nemo_skill.media.render import music
    bed = music.phrase(1).mean(axis=1).astype(np.float64)
    return rms - 10 * np.log10((bed ** 2).mean())


def speech_db(name: str) -> float:
    """A recording's RMS level over its voiced frames (50 ms frames 15 dB over its floor), dBFS."""
    import numpy as np
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(SPEECH / name), "-ac", "1", "-ar", "16000",
                          "-f", "s16le", "-"], capture_output=True, check=True).stdout
    x = np.frombuffer(raw, np.int16).astype(np.float64) / 32768
    n = len(x) // 800
    power = (x[: n * 800].reshape(n, 800) ** 2).mean(axis=1)
    db = 10 * np.log10(power + 1e-12)
    voiced = power[db > np.percentile(db, 10) + 15]
    return float(10 * np.log10(voiced.mean()))


# A second kind of bed (issue 25), unlike media/render/music.py's soft pad: a dense, bright chord
# (C-E-G-B-D with their overtones, a little detuned), a kick on every beat, a snare of band-limited
# noise on the off-beats and a hi-hat, at 120 bpm. Its RMS is set with ``bed_gain`` like the other.
DRUM_BED = ("aevalsrc='"
            "0.05*(sin(2*PI*261.6*t)+0.5*sin(2*PI*523.3*t)+0.3*sin(2*PI*784.9*t)"
            "+sin(2*PI*329.6*t)+0.5*sin(2*PI*659.3*t)+sin(2*PI*392.0*t)+0.5*sin(2*PI*784.0*t)"
            "+0.7*sin(2*PI*493.9*t)+0.6*sin(2*PI*587.3*t)+0.4*sin(2*PI*1175*t)+0.8*sin(2*PI*131.4*t))"
            "+0.5*sin(2*PI*(50+60*exp(-30*mod(t,0.5)))*mod(t,0.5))*exp(-9*mod(t,0.5))"
            "+0.25*(2*random(0)-1)*exp(-18*mod(t+0.5,1))"
            "+0.06*(2*random(1)-1)*exp(-60*mod(t+0.25,0.5))"
            "':s=44100:c=stereo")


def lavfi_bed_gain(bed: str, music_rms: float, seconds: float = 8.0) -> float:
    """The gain (dB) that puts a lavfi bed's RMS at ``music_rms`` dBFS."""
    import numpy as np
    raw = subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"{bed},atrim=0:{seconds}",
                          "-ac", "1", "-ar", "16000", "-f", "f32le", "-"], capture_output=True, check=True).stdout
    x = np.frombuffer(raw, np.float32).astype(np.float64)
    return music_rms - 10 * np.log10((x ** 2).mean())


def _speech_over(parts: list[tuple[str, float, float]], bed: str, first_input: int) -> list[str]:
    """The speech inputs and the filter graph that lays each part (name, start, gain in dB) over
    the bed (a graph line labelled [m]) into [a]."""
    args, graph, labels = [], [bed], ["[m]"]
    for i, (name, start, gain) in enumerate(parts):
        args += ["-i", str(SPEECH / name)]
        graph.append(f"[{first_input + i}:a]aresample=44100,aformat=channel_layouts=stereo,"
                     f"volume={gain}dB,adelay={int(start * 1000)}:all=1[s{i}]")
        labels.append(f"[s{i}]")
    graph.append(f"{''.join(labels)}amix=inputs={len(labels)}:normalize=0:duration=first[a]")
    return args + ["-filter_complex", ";".join(graph)]


def under_lavfi(out: Path, parts: list[tuple[str, float, float]], duration: float, *, bed: str,
                bed_db: float) -> Path:
    """``under_music`` over a lavfi bed (e.g. DRUM_BED) at ``bed_db`` dB gain; audio only."""
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"{bed},atrim=0:{duration}"]
    args += _speech_over(parts, f"[0:a]volume={bed_db}dB[m]", 1)
    args += ["-map", "[a]", "-t", str(duration), "-c:a", "aac", "-b:a", "96k", str(out)]
    subprocess.run(args, check=True)
    return out
