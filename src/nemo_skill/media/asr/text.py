"""Cleaning what Whisper writes: Simplified Chinese, punctuation, phantoms.

Whisper on Chinese mixes Traditional and Simplified characters, often
drops punctuation, writes ASCII commas, and on silence or music "hears"
the sign-offs of the videos it was trained on. These functions are pure,
so the rules are table-tested.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from ...language import is_cjk

# The phantom phrases Whisper is known to emit on silence, music and noise
# (the 请不吝点赞 订阅 转发 family and the subtitle-credit lines), matched
# after Simplified conversion and without spaces or punctuation.
PHANTOMS = (
    r"请不吝点赞", r"点赞订阅", r"订阅转发", r"打赏支持", r"明镜与点点", r"请订阅", r"欢迎订阅",
    r"字幕由.*提供", r"字幕志愿者", r"中文字幕", r"amara\.?org", r"优优独播剧场", r"yoyo",
    r"thanksforwatching", r"thankyouforwatching", r"pleasesubscribe", r"likeandsubscribe",
    r"subtitlesby", r"transcribedby", r"subscribetomychannel",
    # whole lines only: a song's credits and captions of sounds, which Whisper writes over music
    # alone (作词作曲 in Chinese, "music playing" in English, over 12-20 s of a soft pad)
    r"^(作词|作曲|编曲|词曲|演唱|原唱|混音)+$", r"^(背景)?音乐$", r"^(掌声|笑声|鼓掌)+$",
    r"^(soft|upbeat|gentle|dramatic|light|calm|piano|instrumental|background|sad|happy|cheerful|eerie"
    r"|mysterious|suspenseful|relaxing|intense)*music(playing|plays|continues|fades|fadesout)*$",
    r"^(applause|laughter|laughing|silence|noise|bgm|static)+$",
)
_PHANTOM_RE = re.compile("|".join(PHANTOMS), re.IGNORECASE)
_SENTENCE_END = "。！？!?…"
_CLAUSE = "，、；：,;:"
_HALF_TO_FULL = str.maketrans({",": "，", "?": "？", "!": "！", ":": "：", ";": "；"})
SIMPLIFIED_PROMPT = "以下是普通话的句子，使用简体中文，有标点符号。"
# Pieces of the prompt Whisper sometimes writes back as if they had been said.
PROMPT_PIECES = ("以下是普通话的句子", "使用简体中文", "有标点符号", "简体中文", "普通话的句子")
# Small-form and ideographic variants Whisper writes between sentences (﹐ ﹔ ﹒ ｡).
_FORMS = str.maketrans({"﹐": "，", "﹑": "、", "﹒": "。", "﹔": "；", "﹕": "：", "﹖": "？", "﹗": "！",
                        "｡": "。", "､": "、", "．": "。"})
_FULLWIDTH_JUNK = re.compile(r"^[\uff10-\uff19\uff0b\uff0d\uff0f\uff3c\uff5e\u3008-\u3011\uff08\uff09\s]+$")
_PUNCT_RUN = re.compile(r"[，。！？、；：,.!?;:]{2,}")


@functools.cache
def _t2s():
    import opencc  # the OpenCC project's own binding; ships its dictionaries
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)




def bare(text: str) -> str:
    """Letters and digits only, lower case: for comparing and scoring text."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower()
                   if unicodedata.category(ch)[0] in "LN")


def is_phantom(text: str) -> bool:
    return bool(_PHANTOM_RE.search(bare(to_simplified(text))))


def is_symbols_only(text: str) -> bool:
    """Lines such as "♪♪", "(音乐)", "[Music]", "..." carry no speech."""
    stripped = re.sub(r"[\(\[（【][^\)\]）】]*[\)\]）】]", "", text)
    return not bare(stripped)


def zh_punctuation(text: str) -> str:
    """ASCII punctuation between Chinese characters -> the full-width forms."""
    text = text.replace(" ", "") if sum(map(is_cjk, text)) > len(text) / 2 else text
    return text.translate(_HALF_TO_FULL).replace("...", "…")


def standard_forms(text: str) -> str:
    """Small-form punctuation (﹐﹔) as the usual full-width marks."""
    return text.translate(_FORMS)


def is_junk(text: str) -> bool:
    """Full-width digits or brackets alone (４, （）): Whisper's filler between sentences,
    never how it writes a number that was said; with a mark after it too (２。 began a line
    read inside a long window with timestamps, bench/long_cer.py)."""
    return bool(_FULLWIDTH_JUNK.match(text.strip().rstrip("。，、；！？,.;!?")))


def collapse_punctuation(text: str) -> str:
    """A run of marks (，。 or ；，) -> the strongest one: sentence end, then clause."""
    def strongest(m: re.Match) -> str:
        run = m.group(0)
        return next((ch for ch in run if ch in _SENTENCE_END + "."), None) or run[-1]
    return _PUNCT_RUN.sub(strongest, text)


def ends_sentence(text: str) -> bool:
    return bool(text) and text.rstrip()[-1:] in _SENTENCE_END + "."


def ends_clause(text: str) -> bool:
    return bool(text) and text.rstrip()[-1:] in _CLAUSE


def has_punctuation(text: str) -> bool:
    return any(ch in _SENTENCE_END + _CLAUSE + "." for ch in text)


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate after normalisation (Simplified, no punctuation)."""
    ref, hyp = bare(to_simplified(reference)), bare(to_simplified(hypothesis))
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, rc in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, hc in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (rc != hc))
        prev = cur
    return prev[-1] / len(ref)
