"""The user's words cut into ordered steps (issue 12, 23): upload, message, export,
subtitle_files, status, credits, noop.

Clauses in order, cut at connectors; a negated keyword ("don't export yet", "先别导出") or one
that names a thing ("上传的音乐") is no request; a question about an action ("导出好了吗") asks
its status; "download the subtitles" writes the subtitle files. The words are skill.yaml's
``intents`` and ``routing``; the only I/O is asking whether a word names an existing file.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from ..bundle import manifest
from ..language import CJK_RANGES, has_cjk
from .lexicon import alternation, pattern


@dataclass(frozen=True)
class Route:
    """One step of what the words ask, in order.

    action: upload | message | export | subtitle_files | status | credits | noop
    (``status`` with ``about="export"`` is a question about a render, not a new one).
    """
    action: str
    keyword: str | None = None       # what matched, if anything
    files: tuple[str, ...] = ()      # files named in the words or given
    text: str = ""                   # the words of this step (a message's text)
    about: str | None = None

    def to_json(self) -> dict:
        return {"action": self.action, "keyword": self.keyword, "files": list(self.files),
                "via_agent_stream": self.action == "message", "text": self.text,
                **({"about": self.about} if self.about else {})}


# Words that ask for subtitles: such a request needs a file with speech in it.
_SUBTITLE_WORDS = re.compile(r"(?i)(?<![\w-])(subtitles?|captions?|transcribe|srt)(?![\w-])|字幕|听写")


def _media_tokens(words: str) -> list[str]:
    """Tokens of the words that are file names of an accepted media type."""
    try:
        tokens = shlex.split(words)
    except ValueError:
        tokens = words.split()
    accepted = set(manifest().accepted_extensions)
    found = []
    for token in tokens:
        token = token.strip("，。,;；\"'“”")
        if Path(token).suffix.lower().lstrip(".") in accepted:
            found.append(token)
    return found


def files_in(words: str) -> list[str]:
    """Words that name an existing file of an accepted type."""
    return [t for t in _media_tokens(words) if Path(t).expanduser().is_file()]


def missing_files_in(words: str) -> list[str]:
    """Words that name a media file (``./nope.mp4``) that is not there: the user meant a
    file, so acting on the project's other media instead would be wrong."""
    return [t for t in _media_tokens(words) if not Path(t).expanduser().is_file()]


def asks_for_subtitles(words: str) -> bool:
    return bool(_SUBTITLE_WORDS.search(words))


# --- the plan: clauses in order, each read with the words around its keyword ---------------

@functools.cache
def _tables() -> dict:
    r = manifest().routing
    keywords = [(kw, intent["action"]) for intent in manifest().intents for kw in intent["keywords"]]
    return {
        "hard": re.compile(alternation(r["connectors"]), re.IGNORECASE),
        "soft_end": re.compile(r"(?:" + alternation(r["soft_connectors"]) + r")\s*$", re.IGNORECASE),
        # English: a negation up to two words before the keyword; Chinese: up to two characters.
        "negation_end": re.compile(
            r"(?:" + alternation([n for n in r["negations"] if not has_cjk(n)]) + r")\s+(?:\S+\s+){0,2}$|"
            r"(?:" + alternation([n for n in r["negations"] if has_cjk(n)]) + r")[^\s，,。]{0,2}$",
            re.IGNORECASE),
        "ref_before": re.compile(r"(?:" + alternation(r["references_before"]) + r")\s*$", re.IGNORECASE),
        "ref_after": re.compile(r"^(?:" + "|".join(map(re.escape, r["references_after"])) + ")"),
        "modifier": re.compile(r"^\s*(?:" + alternation(r["modifier_nouns"]) + ")", re.IGNORECASE),
        "soft": re.compile(alternation(r["soft_connectors"]), re.IGNORECASE),
        "question": re.compile(alternation(r["questions"]), re.IGNORECASE),
        "subtitle": re.compile(alternation(r["subtitle_words"]), re.IGNORECASE),
        "video": re.compile(alternation(r["video_words"]), re.IGNORECASE),
        "change": re.compile(alternation(manifest().words["change_verbs"]), re.IGNORECASE),
        "also": re.compile(alternation(manifest().words["also"]), re.IGNORECASE),
        "keywords": [(pattern(kw), kw, action) for kw, action in
                     sorted(keywords, key=lambda k: -len(k[0]))],
    }


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    keyword: str
    action: str


def _hits(text: str) -> list[_Hit]:
    """Keyword matches, longest keyword first where they overlap, in text order."""
    hits: list[_Hit] = []
    for keyword_pattern, keyword, action in _tables()["keywords"]:
        for m in keyword_pattern.finditer(text):
            if not any(h.start < m.end() and m.start() < h.end for h in hits):
                hits.append(_Hit(m.start(), m.end(), keyword, action))
    return sorted(hits, key=lambda h: h.start)


def _tidy(text: str) -> str:
    text = re.sub(r"(?i)^(?:\s|[,，;；。.!！]|please\b|pls\b|plz\b|and\b|请|帮我)+", "", text)
    text = re.sub(r"(?i)(?:\s|[,，;；。!！]|\band\b|\byet\b|先)+$", "", text)
    return text.strip()


def _lead_in(words: str) -> bool:
    """A few words between a connector and the action they lead to: "and *tell me my* balance",
    "再*告诉我*余额"."""
    words = words.strip()
    return len(words) <= 4 if has_cjk(words) else len(words.split()) <= 3 and len(words) <= 16


# Chinese written without punctuation: "字幕大一点 导出", "字幕大一点导出", "导出 查余额" — a
# space (then at most two words leading in: "查", "先别"), or a degree word that ends a
# request, before a Chinese action ends the clause.
_CJK_GAP = re.compile(rf"(?<=[{CJK_RANGES}])\s+(?=[{CJK_RANGES}]{{0,2}}$)|(?:(?<=一点)|(?<=一些)|(?<=[了吧]))$")


def _after_a_change(before: str) -> re.Match | None:
    """"字幕改黄色导出来": a change said in full runs straight into the Chinese action. Not
    when the words before are its object ("把加了字幕的视频导出") or lead into it ("先把")."""
    t = _tables()
    if not t["change"].search(before) or t["video"].search(before[-3:]) or t["negation_end"].search(before) or \
            re.search(rf"[^{CJK_RANGES}]$|[把将给先再就要在你我帮请]$", before):
        return None
    return re.search(r"$", before)


def _soft_cut(before: str, keyword: str = "") -> re.Match | None:
    """The last soft connector of ``before`` that leads straight to the action after it."""
    t = _tables()
    soft = t["soft_end"].search(before)
    if soft:
        return soft
    if has_cjk(keyword) and (gap := _CJK_GAP.search(before) or _after_a_change(before)):
        return gap
    last = next(reversed(list(t["soft"].finditer(before))), None)
    return last if last and _lead_in(before[last.end():]) else None


def _clauses(text: str) -> list[str]:
    """Cut at connectors ("then", "然后"), and at "and"/"再"/commas when an action follows."""
    t = _tables()
    pieces = [p for p in t["hard"].split(text)]
    out: list[str] = []
    for piece in pieces:
        cut = 0
        for hit in _hits(piece):
            before = piece[cut:hit.start]
            soft = _soft_cut(before, hit.keyword)
            if soft and _tidy(before[:soft.start()]):
                out.append(before[:soft.start()])
                cut = cut + soft.end()
        out.append(piece[cut:])
    return [c for c in (_tidy(c) for c in out) if c]


def _changes_first(words: str) -> str:
    """"导出之前把字幕改成黄色", "before exporting, make it 9:16": the words in the order they
    are to be done (the change, then the export)."""
    t = _tables()
    r = manifest().routing
    exports = "|".join(re.escape(kw) for _, kw, action in t["keywords"] if action == "export")
    zh = re.match(rf"^\s*(?:在)?((?:{exports})[^，,。；;]{{0,8}}?)(?:{'|'.join(r['before_words'])})\s*[，,]?\s*(.+)$",
                  words, re.IGNORECASE)
    if zh:
        return f"{zh.group(2)}，然后{zh.group(1)}"
    en = re.match(rf"^\s*(?:{'|'.join(r['before_words_en'])})\s+((?:you\s+|u\s+|we\s+|i\s+)?(?:{exports})\w*"
                  rf"(?:\s+(?:it|this|that|the\s+video|my\s+video|the\s+file))?)\s*[,，]?\s*(.+)$", words, re.IGNORECASE)
    if en:
        return f"{en.group(2)}, then {en.group(1)}"
    after = re.match(rf"^\s*((?:please\s+)?(?:{exports})\w*(?:\s+(?:it|this|the\s+video))?)\s+(?:{'|'.join(r['after_words_en'])})"
                     rf"\s+(?:you\s+|we\s+|i\s+)?(?:have\s+)?(.+)$", words, re.IGNORECASE)
    if after:                                # "export after you add the music"
        return f"{after.group(2)}, then {after.group(1)}"
    return words


def _is_reference(text: str, hit: _Hit) -> bool:
    """A keyword that names a thing: "the export", "上传的音乐", "时间线上" (a place on it).
    "my balance" still asks for the balance, so only the verbs take a reference before them."""
    t = _tables()
    if hit.action in ("export", "upload") and t["ref_before"].search(text[:hit.start]):
        return True
    if t["modifier"].search(text[hit.end:]):
        return True
    return hit.action != "credits" and bool(t["ref_after"].search(text[hit.end:]))


def _object_is_subtitles(text: str, hit: _Hit) -> bool:
    """"download the subtitles", "导出字幕文件": what follows the verb is subtitles, not a video."""
    after = text[hit.end:]
    window = after[:6] if has_cjk(hit.keyword) else " ".join(after.split()[:3])
    t = _tables()
    if has_cjk(hit.keyword) and re.search(r"(?:字幕文件|srt|vtt|bcc)\s*$", text[:hit.start], re.IGNORECASE):
        return True                          # "字幕文件导出一下": the object said first
    if has_cjk(hit.keyword) and t["video"].search(text[max(0, hit.start - 4):hit.start]):
        return False                         # "把视频导出，还有字幕": the video is the object
    return bool(t["subtitle"].search(window)) and not t["video"].search(window)


def _step(clause: str) -> Route | None:
    t = _tables()
    hits = _hits(clause)
    live, text = [], clause
    for hit in reversed(hits):   # right to left, so cutting a span keeps earlier offsets
        negation = t["negation_end"].search(clause[:hit.start])
        if negation:
            text = text[:negation.start()] + text[hit.end:]
        else:
            live.insert(0, hit)
    text = _tidy(re.sub(r"(?i)^\s*(?:yet|just|先)\b", "", _tidy(text)))   # "only" is a request's word
    if re.fullmatch(r"(?i)(?:[了吧呢啊哦嘛]|\b(?:pls|please|thanks|yet|now)\b|\s)*", text):
        text = ""                          # "不导出了": nothing asked besides the negated export
    exports = [h for h in live if h.action == "export"]
    if exports and t["question"].search(clause):
        return Route("status", exports[0].keyword, (), clause, about="export")
    live = [h for h in live if not _is_reference(clause, h)]
    if not live:
        if text:
            return Route("message", None, (), text)
        return Route("noop", hits[0].keyword, (), clause) if hits else None
    first = live[0]
    if first.action == "export" and _object_is_subtitles(clause, first):
        return Route("subtitle_files", first.keyword, (), clause)
    return Route(first.action, first.keyword, (), clause,
                 about="subtitles" if first.action == "export" and _also_subtitles(clause, first) else None)


def _also_subtitles(text: str, hit: _Hit) -> bool:
    """"把视频导出 还有字幕", "export the video and the srt": the video, and the subtitle files
    as well (issue 23: only the video was written)."""
    t = _tables()
    after = text[hit.end:]
    said = t["subtitle"].search(after)
    if not said:
        return False
    if t["also"].search(after[:said.start()]):
        return True
    rest = after[said.end():]                # "下载字幕和视频": the subtitles first
    also = t["also"].search(rest)
    return bool(also and t["video"].search(rest[also.end():]))


def _without_upload_words(words: str, files: list[str]) -> str:
    rest = words
    for f in files:
        rest = rest.replace(f'"{f}"', " ").replace(f"'{f}'", " ").replace(f, " ")
    return re.sub(r"(?i)(?<![\w-])upload(?![\w-])|上传", " ", rest)


def plan(words: str, files: list[str] | tuple[str, ...] = ()) -> list[Route]:
    """What the words ask, step by step: named files are uploaded first, then each clause."""
    named = list(files) + [f for f in files_in(words) if f not in files]
    steps: list[Route] = [Route("upload", None, tuple(named), words)] if named else []
    rest = _without_upload_words(words, named) if named else words
    for clause in _clauses(_changes_first(rest)):
        step = _step(clause)
        if step is None:
            continue
        if step.about == "subtitles":        # the video, then its subtitle files
            steps.append(Route("export", step.keyword, (), step.text))
            step = Route("subtitle_files", step.keyword, (), step.text)
        if step.action == "upload" and named:
            continue                       # "upload a.mp4 and ..." : already the first step
        if step.action == "message" and steps and steps[-1].action == "message":
            joiner = "，然后" if has_cjk(step.text) else ", then "
            steps[-1] = Route("message", None, (), steps[-1].text + joiner + step.text)
            continue
        steps.append(step)
    if len(steps) > 1:                    # "remove the music and don't export": the negation asks nothing
        steps = [s for s in steps if s.action != "noop"]
    if not steps:
        steps.append(Route("noop", None, (), words))
    elif steps[0].action == "upload" and len(steps) > 1 and steps[1].action == "message" \
            and len(steps[1].text) < 2:
        steps.pop(1)
    return steps


def route(words: str, files: list[str] | tuple[str, ...] = ()) -> Route:
    """The first step of :func:`plan`."""
    return plan(words, files)[0]
