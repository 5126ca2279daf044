"""What each sentence of a generated video shows: one or two subjects named by its words.

The vocabulary is the emoji set: Unicode CLDR gives every emoji a Chinese name (the ``emoji``
package ships them: 🐼 熊猫, 🏮 红灯笼, 📱 手机), and the Noto set (media/scenes/emoji_art.py) has a
drawing for each. A sentence's nouns (jieba) are looked up among those names, whole or by
their head (大熊猫 -> 熊猫), after a small hand-checked table for what the names miss
(subjects.yaml: 春联 -> 🧧 🏮, 销量 -> 📈). A subject is shown as ``[english, 中文, emoji]``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ...language import all_cjk

MAX_SUBJECTS = 2
# Nouns so general that their emoji would mislead (时间 -> ⌛ on every "this time" sentence).
_VAGUE = set("人 事 东西 时候 时间 地方 问题 方面 情况 时代 世界 方式 部分 过程 结果 原因 样子 "
             "能力 作用 意思 关系 方法 一天 每天 今天 今年 去年 明天 小时 分钟 人们 大家 我们 他们 "
             "它们 自己 这里 那里 心 手 头 面 点 里 上 下 中 前 后 家 年 天 月 日 水 火 口 生活 文化 中国 国家 "
             "公司 没有 发现 记录 传播 速度 发明 统一".split())
_NOUNISH = ("n", "vn", "an", "nz", "ng", "nr", "ns", "s")
_SKIN = re.compile("[\U0001F3FB-\U0001F3FF]")
_FLAG = re.compile("[\U0001F1E6-\U0001F1FF]")


@dataclass(frozen=True)
class Subject:
    emoji: str
    en: str       # the CLDR English name: "panda"
    zh: str       # the CLDR Chinese name: "熊猫"
    word: str = ""   # the sentence's word it was found by

    def shows(self) -> list[str]:
        return [self.en, self.zh, self.emoji]


@lru_cache(maxsize=1)
def _emoji_names() -> dict[str, tuple[str, str]]:
    """emoji -> (english name, chinese name), for single fully qualified emoji (no skin tones, no
    flags: a flag on every sentence that says 中国 tells nothing)."""
    import emoji

    emoji.config.load_language("zh")
    out = {}
    for char, data in emoji.EMOJI_DATA.items():
        zh = (data.get("zh") or "").strip(":")
        if data.get("status") != 2 or not zh or _SKIN.search(char) or _FLAG.search(char):
            continue
        if re.search(r"button|arrow|keycap|japanese|symbol|sign", data["en"], re.I):
            continue        # 🈳 空, ➡️, 🔣: signs, not things a scene can show
        out[char] = (data["en"].strip(":").replace("_", " "), zh)
    return out


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Subject]:
    """emoji -> Subject for every emoji that can be shown (those with a drawing, when the
    drawings are installed)."""
    from . import emoji_art

    drawn = emoji_art.available()
    return {c: Subject(c, en, zh) for c, (en, zh) in _emoji_names().items() if drawn is None or c in drawn}


@lru_cache(maxsize=1)
def _table() -> dict[str, list[str]]:
    data = yaml.safe_load(Path(__file__).with_name("subjects.yaml").read_text(encoding="utf-8"))
    return {str(k): [str(e) for e in v] for k, v in data.items()}


@lru_cache(maxsize=1)
def _keywords() -> dict[str, str]:
    """CLDR's Chinese keywords (emojibase-data's zh/compact.json, MIT, installed by setup.sh):
    牛奶 -> 🥛, 辣椒 -> 🌶️. A keyword shared by more than three emoji (脸, 动物) names none of
    them; of up to three, the one whose name holds the keyword, else the shortest name, wins."""
    from . import emoji_art

    path = emoji_art.data_file("emojibase/zh-compact.json")
    if path is None:
        return {}
    shown = {c.replace("\ufe0f", ""): c for c in vocabulary()}
    by_tag: dict[str, list[str]] = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        char = shown.get(str(entry.get("unicode", "")).replace("\ufe0f", ""))
        for tag in entry.get("tags") or [] if char else []:
            if len(tag) >= 2 and tag not in _VAGUE and all_cjk(tag):
                by_tag.setdefault(tag, []).append(char)
    vocab = vocabulary()
    return {tag: min(chars, key=lambda c: (tag not in vocab[c].zh, tag[-1] not in vocab[c].zh, len(vocab[c].zh)))
            for tag, chars in by_tag.items() if len(chars) <= 3}


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, str], dict[str, str]]:
    """(whole name -> emoji, an ending of a name -> emoji: 红辣椒 -> 辣椒). Of several emoji whose
    names end alike (图表: 📈 📉 📊), the one with the shortest name wins: the plainest picture."""
    names: dict[str, str] = {}
    heads: dict[str, str] = {}
    for char, sub in sorted(vocabulary().items(), key=lambda kv: (len(kv[1].zh), kv[0])):
        names.setdefault(sub.zh, char)
        if all_cjk(sub.zh):
            for start in range(1, len(sub.zh) - 1):   # not a last character alone: 肉 is not 💪 (肌肉)
                heads.setdefault(sub.zh[start:], char)
    return names, heads


def lookup(word: str) -> str | None:
    """The emoji a word names: the table, a whole CLDR name or keyword, or a name's ending; a
    compound word by its longest known ending (大熊猫 -> 熊猫, 智能手机 -> 手机)."""
    found = _ranked(word)
    return found[0] if found else None


def _ranked(word: str) -> tuple[str, int] | None:
    """(emoji, 0) when the word is a table word or a whole name, (emoji, 1) for a keyword or
    a part of a word: a sentence's surest subjects come first."""
    names, heads = _indexes()
    for end in range(len(word)):
        part = word[end:]
        if len(part) < 2 and end:   # a one-character ending only as a whole name (鸡蛋 -> 蛋 🥚)
            return (names[part], 1) if part in names and part not in _VAGUE else None
        exact = _table_names(part)
        if exact:
            return exact, 0 if end == 0 else 1
        hit = _keywords().get(part) or heads.get(part)
        if hit:
            return hit, 1
    return None


def _table_names(word: str) -> str | None:
    shown = vocabulary()
    return ([e for e in _table().get(word, []) if e in shown] or [None])[0] or _indexes()[0].get(word)


def _table_hits(sentence: str) -> list[tuple[int, str, str]]:
    """(position, word, emoji) of every table word in the sentence, longest words first."""
    shown = vocabulary()
    hits, taken = [], [False] * len(sentence)
    for word in sorted(_table(), key=len, reverse=True):
        for m in re.finditer(re.escape(word), sentence):
            if any(taken[m.start():m.end()]):
                continue
            taken[m.start():m.end()] = [True] * len(word)
            # a word's second picture only after every word's first: two words, two subjects
            hits += [(m.start() + 2000 * k, word, e) for k, e in enumerate(e for e in _table()[word] if e in shown)]
    return hits


def scene_subjects(sentence: str, limit: int = MAX_SUBJECTS) -> list[Subject]:
    """The subjects a sentence's scene shows, most telling first: the table's words and the
    nouns the emoji names know, in the order the sentence says them."""
    import jieba.posseg

    found: list[tuple[int, str, str]] = _table_hits(sentence)   # (rank * 1000 + position, word, emoji)
    covered = {i for pos, word, _e in found for i in range(pos % 2000, pos % 2000 + len(word))}
    pos = 0
    for token in jieba.posseg.lcut(sentence):
        word, flag = token.word, token.flag
        start, pos = sentence.find(word, pos), pos + len(word)
        if start < 0 or start in covered or word in _VAGUE or not all_cjk(word):
            continue
        if flag.startswith(_NOUNISH):     # jieba tags some nouns as names (冰淇淋 nr): looked up all the same
            hit = _ranked(word)
        elif flag.startswith("v") and len(word) >= 2:   # a noun tagged as a verb (包裹): whole names only
            hit = (_table_names(word), 0) if _table_names(word) else None
        else:
            continue
        if hit:
            found.append((start + 1000 * hit[1], word, hit[0]))
    out: list[Subject] = []
    shown = vocabulary()
    for _pos, word, char in sorted(found, key=lambda f: f[0]):
        if char not in {s.emoji for s in out} and len(out) < limit:
            base = shown[char]
            out.append(Subject(char, base.en, base.zh, word))
    return out


def storyboard(sentences: list[str], title: str = "") -> list[list[Subject]]:
    """Each sentence's subjects; a sentence that names none shows the title's (the video's
    topic), else the previous scene's, so no scene is empty when the video has a subject."""
    topic = scene_subjects(title) if title else []
    out: list[list[Subject]] = []
    for sentence in sentences:
        own = scene_subjects(sentence)
        out.append(own or topic or (out[-1] if out else []))
        topic = topic or own
    return out


def parse_shows(value) -> Subject | None:
    """One entry of a ``shows`` list an agent or an LLM gave: an emoji, an English or a Chinese
    name from the vocabulary. None when the library has no such subject."""
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        return None
    value = value.strip()
    shown = vocabulary()
    if value in shown:
        return shown[value]
    if value + "\ufe0f" in shown:
        return shown[value + "\ufe0f"]
    key = value.lower()
    for sub in shown.values():
        if key in (sub.en.lower(), sub.zh):
            return sub
    hit = lookup(value)
    return shown.get(hit) if hit else None
