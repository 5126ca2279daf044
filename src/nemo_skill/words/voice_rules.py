"""The rules for the narration's voice and pace: "换成男声", "a deeper voice", "再慢一点"."""

from __future__ import annotations

import re

from .claims import claim, read, rule
from .clauses import clause

# --- the rules --------------------------------------------------------------------------------

def _speed_args(text: str, m: re.Match):
    """Slower or faster, when the words are about the voice (or say nothing else is slow:
    "再慢一点" after a voice change); "字幕大一点，慢一点" is the voice too."""
    if not re.search(r"voice|narrat|speak|talk|旁白|配音|语速|说|声|读", text, re.I) and \
            re.search(r"music|bgm|音乐|配乐|video|视频|画面", text, re.I):
        return None
    claim(m)
    start, end = clause(m.string, m.start())
    how = read(r"slow|faster|speed up|慢|快", text, (start, max(end, m.end())))
    return {"factor": 0.85 if how and re.match(r"slow|慢", how.group(0), re.I) else 1.15}


def _voice_args(text: str, m: re.Match) -> dict | None:
    said = m.group(0)
    if re.search(r"deeper|lower voice|低沉|浑厚|声音低一点", said, re.I):
        return {"deeper": True}
    if re.search(r"男|\bmale\b|\bman'?s?\b", said, re.I):
        return {"gender": "male"}
    if re.search(r"女|female|woman'?s?", said, re.I):
        return {"gender": "female"}
    return None


rule("set_voice_speed", r"(slower|faster|slow(?: it| this| that| the voice| him| her)? down|speed(?: it)? up|语速|说慢|说快|读慢|读快|慢一点|快一点|慢点|快点|"
     r"慢一些|快一些)|(voice|narration|旁白|配音).{0,20}(slower|faster|慢|快)", _speed_args, priority=40)
rule("set_voice", r"(男声|女声|男生|女生|男的声音|女的声音|男配音|女配音|\b(?:a\s+)?(?:male|female|man's|woman's)\s+"
     r"(?:voice|narrator)|\bvoice\s+(?:to\s+)?(?:a\s+)?(?:male|female|man|woman)\b|"
     r"(?:change|switch|use|make).{0,12}\b(?:male|female)\b|(?:deeper|低沉|浑厚).{0,10}(?:voice|声音|配音)|"
     r"(?:声音|配音|旁白).{0,6}(?:低沉|浑厚|低一点)|\ba deeper voice\b)", _voice_args, priority=40)
