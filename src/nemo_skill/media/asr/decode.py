"""Whisper over the decode windows of one chunk (issue 13).

A window of up to ``WINDOW_SECONDS`` of speech is one decoder pass without
timestamps, with a token budget from its length; a longer one (regions packed
up to ``SEEK_WINDOW_SECONDS``) is decoded with timestamps, faster-whisper
seeking on from each pass's last word, as plain faster-whisper does (issue 25:
a pass without timestamps stopped after about 10 s of a 20 s window; with
them a pass covers 26-29 s). Each word is placed back in its region. After a
chunk's windows, its regions that came back without words and those Whisper
was unsure of are decoded again, packed together, and the second opinions on
unsure words take one more pass (``Decoder.revise``; a short region
decoded beside a longer one takes its neighbour's context: 你好世界 came out
您好，是接, so those still short are tried again with only each other).
"""

from __future__ import annotations

import difflib
from collections.abc import Container

import numpy as np

from ... import text_safety
from ...language import is_cjk
from .. import ffmpeg
from ..subtitles.doubts import UNSURE_WORD
from . import (
    glossary,
    quiet as asr_quiet,
    regions as speech_regions,
)
from .text import (
    PROMPT_PIECES,
    SIMPLIFIED_PROMPT,
    bare,
    ends_clause,
    ends_sentence,
    is_phantom,
    is_symbols_only,
    to_simplified,
)
from .words import PAUSE_FOR_COMMA, Unheard, Word, clean_segment

SENTENCE_PAUSE = 0.8    # a pause this long between regions ends a sentence
# A region decoded with others whose characters Whisper gave a mean probability under this
# is decoded again on its own. Measured on bench/asr_quality.py: 0.5, 0.6 and 0.75 fix the
# same regions there; 0.5 costs the fewest extra passes (one on the 60 s bench input).
UNSURE = 0.5
# What a stretch the voice detector left empty must score for its words to be kept (issue 25):
# a voice 15 dB under music decoded at avg log-prob -0.48 and -0.41 (no-speech 0.65, 0.44: the
# music makes Whisper doubt there is speech at all, so no-speech alone is no reason to drop);
# music alone came back empty; wrong guesses at 1-2 s of sound -0.99 to -3.1. With the bed taken
# out (asr_quiet), a voice 20 dB under a drum bed read -0.79 at no-speech 0.86, while both beds
# alone, cut into 1.5-6 s stretches, gave Whisper no segment at all (bench/quiet_speech.py).
STRETCH_LOGPROB = -0.8
STRETCH_NO_SPEECH = 0.92
STRETCH_WORD_PROBABILITY = 0.4
# A stretch whose words were not kept is still named as speech no subtitle carries where Whisper
# wrote a line there at this log-prob or better (issue 25, item 2). On bench/quiet_speech.py's 15-20
# dB joins the lost sentences read -0.86 to -1.72 (广州市房地产中介协会分析 as 都是房地产根据协会飞);
# both beds alone gave no line at all, a hummed line over the drums only marks (‼‼‼) and a looping
# "10 o'clock", in no script of the language.
UNHEARD_LOGPROB = -1.8
# Letters of the language's script per second of the stretch: CJK characters, else letters.
# Speech runs at 3-5 characters (12 letters) a second; the lost sentences' lines read 0.74-2.2 a
# second of their 5-11 s stretches, what Whisper wrote over 12-20 s of music alone (作词作曲,
# music playing) 0.2-1.0.
UNHEARD_RATE = {"cjk": 0.5, "other": 1.5}
FILLERS = frozenset("嗯啊哦呃唔哈嘿噢喔呀额")    # 嗯嗯嗯嗯嗯 over 20 s of the pad: no sentence
# What a second decode of a region is for (Decoder.revise): its text replaces ours where it says
# more, where it is surer, or never (it is only the other version, for the proofreader).
_LONGER, _SURER, _OTHER = "longer", "surer", "other"


class Decoder:
    """Whisper over one chunk's windows, with the settings of one language and task."""

    def __init__(self, model, lang: str, task: str, terms: list[str], cancel):
        self.model, self.lang, self.task, self.cancel = model, lang, task, cancel
        self.out_lang = lang if task == "transcribe" else "en"
        self.prompt = SIMPLIFIED_PROMPT if lang == "zh" and task == "transcribe" else None
        self.hotwords = glossary.hotwords(terms) if terms else None
        self.leaks = PROMPT_PIECES + ((self.hotwords,) if self.hotwords else ())
        # id(region) -> the words of the version a retry of that region (``revise``) did not keep:
        # that retry was the second opinion's own decode (same settings), so it is not run again
        self.not_kept: dict[int, list[Word]] = {}
        self.unheard: list[Unheard] = []    # the stretches heard but not read (``stretch``)

    def decode(self, audio: np.ndarray, seconds: float, *, second_chance: bool = False,
               seek_on: bool = False) -> list:
        """Whisper's segments for ``audio`` (``seconds`` of speech): one pass, or with ``seek_on``
        every pass faster-whisper makes through it."""
        # The English draft runs greedy at temperature 0: no fallback re-decoding, which on
        # repetitive speech made it six times slower than the transcription it drafts from.
        draft = self.task == "translate"
        segments, _ = self.model.transcribe(
            audio, language=self.lang, task=self.task, beam_size=1 if draft else 5, vad_filter=False,
            # A region's second chance is greedy too: sampling at higher temperatures on a
            # short region cost seconds and wrote nonsense.
            temperature=0.0 if draft or second_chance else (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
            # no timestamp tokens in a short window: with them Whisper splits it and seeks on
            # past the speech's end, "hearing" the silence (作词 作曲 ...) at every temperature
            # (a 2 s clip took 4 passes); a long window needs them to be read to its end
            word_timestamps=True, without_timestamps=not seek_on, condition_on_previous_text=False,
            # the second chance goes without the prompt, as faster-whisper's own later passes
            # do: with it, 你好世界 on its own came out 您好，是简
            initial_prompt=None if second_chance else self.prompt, hotwords=self.hotwords,
            # the tokens a region's length (a pass's 30 s at most) can hold: a loop after the
            # speech stops there
            max_new_tokens=speech_regions.token_budget(min(seconds, 30.0) if seek_on else seconds),
            compression_ratio_threshold=2.4, log_prob_threshold=-1.0, no_speech_threshold=0.6)
        out = []
        for seg in segments:      # lazy: each segment is one decoder pass
            if self.cancel is not None and self.cancel.is_set():
                raise ffmpeg.Cancelled("cancelled")
            out.append(seg)
            if seek_on:
                continue
            # Without timestamps, only the first pass: faster-whisper would seek on from the last word and decode
            # what is left, where Whisper writes nothing or "hears" loops at every temperature.
            # A region the pass left out gets its own decode (``window``).
            break
        return out

    def window(self, audio: np.ndarray, window, dropped: list[str]) -> list[tuple[Word, object]]:
        """The window's words in chunk time, each with its region: one pass, or for a window
        longer than ``WINDOW_SECONDS`` every pass faster-whisper makes through it."""
        seek_on = window.speech_seconds > speech_regions.WINDOW_SECONDS
        return self._placed(audio, window, dropped, seek_on=seek_on)

    def revise(self, audio: np.ndarray, placed: list, windows: list, dropped: list[str],
               budget: float) -> list[tuple[Word, object]]:
        """A chunk's words after its regions are decoded again, each kind packed with its own, in
        turn: those Whisper left without words or with far fewer than their length holds (the
        longer text is kept; those still short are tried once more, with only each other); then
        those it was unsure of, the retried ones included (the surer text is kept); then, least
        sure first, as many regions holding an unsure word as one pass and ``budget`` seconds
        hold, for their other version only: what a proofreader chooses from (``alternatives``).
        Passes a chunk, not a window: thin, unsure and second opinions were 7 of the 25 passes
        of a 10-minute talk (bench/asr_profile.py)."""
        # A region alone in its window was decoded with nothing beside it already.
        lonely = {id(w.regions[0]) for w in windows if len(w.regions) == 1}
        regions = [r for w in windows for r in w.regions]
        mine = _by_region(placed)
        thin = [r for r in regions if id(r) not in lonely and self._is_thin(r, mine)]
        modes = {id(r): _LONGER for r in thin}
        placed, alone = self._retry_packed(audio, thin, placed, dropped, modes)
        # Still short of words: once more, packed with only each other (a short region decoded
        # beside a longer one takes its neighbour's context: 你好世界 came out 您好，是接).
        mine = _by_region(placed)
        still = [r for r in thin if self._is_thin(r, mine)]
        if len(still) > 1 or (still and id(still[0]) not in alone):
            placed, _ = self._retry_packed(audio, still, placed, dropped, modes)
        # Each kind packed with its own: a short unsure 你好 packed beside longer regions held for a
        # second opinion came back a surer 您好 and replaced the right one (bench/long_cer.py on the
        # 10-minute talk: CER 0.106 mixed, 0.096 kind by kind, 0.099 window by window as before).
        # A thin region's retry may be unsure in turn (你好世界 -> 您好是接): it is retried too.
        mine = _by_region(placed)
        unsure = [r for r in regions if id(r) not in lonely and _unsure(mine.get(id(r), []))]
        modes.update({id(r): _SURER for r in unsure})
        placed, _ = self._retry_packed(audio, unsure, placed, dropped, modes)
        doubted = _doubted(regions, _by_region(placed), budget, self.not_kept)
        modes.update({id(r): _OTHER for r in doubted})
        placed, _ = self._retry_packed(audio, doubted, placed, dropped, modes)
        placed.sort(key=lambda p: p[0].start)
        if self.out_lang == "zh":
            _mark_region_ends(placed)
        return placed

    def _retry_packed(self, audio, regions: list, placed: list, dropped: list[str], modes: dict):
        """``placed`` after ``regions`` are decoded again, packed; and the ids of those that were
        alone in their pass."""
        alone = set()
        for retry in speech_regions.pack(sorted(regions, key=lambda r: r.start)):
            if len(retry.regions) == 1:
                alone.add(id(retry.regions[0]))
            placed = self._retry(audio, retry, placed, dropped, modes)
        return placed, alone

    def stretch(self, audio: np.ndarray, region, dropped: list[str]) -> list[tuple[Word, object]]:
        """The words Whisper hears in a stretch the voice detector left empty, levelled on its
        own; only a segment it is sure of (STRETCH_*) is kept, so music alone writes nothing.
        Of the copies ``asr_quiet.clean`` makes, the first Whisper keeps words of: against a
        looping bed's repeats only when nothing was kept against its still level (drum bed,
        10/15/20 dB: 9/18 sentences present, 7/18 with the still level alone; decoding both and
        keeping the surer reading was 8/18 and 25-40% more time)."""
        a, b = int(region.start * speech_regions.RATE), int(region.end * speech_regions.RATE)
        guesses: list[tuple[float, str]] = []
        for copy in asr_quiet.clean(audio[a:b]):
            out = self._stretch_copy(copy, region, dropped, guesses)
            if out:
                return out
        if guesses:     # heard, not read: named with its likeliest reading
            self.unheard.append(Unheard(region.start, region.end, max(guesses)[1]))
        return []

    def _stretch_copy(self, copy: np.ndarray, region, dropped: list[str],
                      guesses: list[tuple[float, str]]) -> list[tuple[Word, object]]:
        """One copy's kept words, in chunk time; a line not kept that reads as speech goes
        to ``guesses`` as (log-prob, text)."""
        out = []
        for seg in self.decode(copy, region.length, second_chance=True):
            sure = seg.avg_logprob >= STRETCH_LOGPROB and seg.no_speech_prob <= STRETCH_NO_SPEECH
            kept = clean_segment(seg, self.out_lang, region.start, self.leaks) if sure and not looped(seg.text) else None
            if kept is None or sum(w.probability for w in kept) / len(kept) < STRETCH_WORD_PROBABILITY:
                if (guess := self._speech_like(seg, region.length)) is not None:
                    guesses.append((seg.avg_logprob, guess))
                elif sure and kept is None and not looped(seg.text):   # a phantom line, a prompt written back
                    dropped.append(seg.text.strip())
                continue
            for w in kept:
                w.start = min(max(w.start, region.start), region.end - 0.02)
                w.end = min(max(w.end, w.start + 0.02), region.end)
                out.append((w, region))
        return out

    def _speech_like(self, seg, seconds: float) -> str | None:
        """The line's text, fit to show, if it reads as speech in the language over ``seconds``
        of sound (not a loop, a phantom, marks, another script, or a word or two); else None."""
        text = seg.text.strip()
        if (seg.avg_logprob < UNHEARD_LOGPROB or seg.compression_ratio > 2.4 or not text or looped(text)
                or is_phantom(text) or is_symbols_only(text)):
            return None
        cjk = self.out_lang in ("zh", "ja", "yue")
        letters = sum(1 for ch in text if (is_cjk(ch) if cjk else ch.isalpha()))
        least = UNHEARD_RATE["cjk" if cjk else "other"] * seconds
        if letters < max(least, 4 if cjk else 8) or set(bare(text)) <= FILLERS:
            return None
        return text_safety.shown(to_simplified(text) if self.out_lang == "zh" else text, 120)

    def alternatives(self, placed: list) -> list[Word]:
        """The other version of each region that holds an unsure word, least sure first, where
        ``revise`` decoded it again: its words are only alternatives; they replace nothing."""
        lows = sorted(((min(w.probability for w, _ in words), key) for key, words in _by_region(placed).items()),
                      key=lambda pair: pair[0])
        return [w for lowest, key in lows if lowest < UNSURE_WORD and key in self.not_kept
                for w in self.not_kept[key]]

    def _is_thin(self, region, mine: dict) -> bool:
        return region.length >= 0.5 and len(_chars(mine.get(id(region), []))) < self._enough(region)

    def _retry(self, audio, retry, placed: list, dropped: list[str], modes: dict) -> list:
        """``placed`` with the words of a second decode of ``retry``'s regions, region by region,
        by each region's mode: where it says more (``_LONGER``), about as much with more
        confidence (``_SURER``), or never (``_OTHER``). The version not kept is remembered."""
        again = self._placed(audio, retry, dropped, second_chance=True)
        for region in retry.regions:
            new = [p for p in again if p[1] is region]
            mine = [p for p in placed if p[1] is region]
            others = [p for p in placed if p[1] is not region]
            mode = modes.get(id(region), _OTHER)
            if mode == _SURER:
                better = bool(new) and _confidence(new) > _confidence(mine) \
                    and len(_chars(new)) >= 0.7 * len(_chars(mine))
            else:
                better = mode == _LONGER and len(_chars(new)) > len(_chars(mine))
            kept = better and not already_said(new, others)
            if kept:
                placed = others + new
            self.not_kept[id(region)] = [w for w, _ in (mine if kept else new)]
        return placed

    def _enough(self, region) -> float:
        """The fewest letters a region this long holds: a third of a slow speaker's rate
        (Chinese about 4 characters a second, English about 12 letters)."""
        return region.length * (1.3 if self.out_lang in ("zh", "ja", "yue") else 4.0)

    def _placed(self, audio, window, dropped: list[str], *,
                second_chance: bool = False, seek_on: bool = False) -> list[tuple[Word, object]]:
        out = []
        for seg in self.decode(window.audio(audio), window.speech_seconds, second_chance=second_chance,
                               seek_on=seek_on):
            kept = clean_segment(seg, self.out_lang, 0.0, self.leaks)
            if kept is None:
                dropped.append(seg.text.strip())
                continue
            for w in kept:
                where = window.place(w.start, w.end)
                if where is not None:
                    region, w.start, w.end = where
                    out.append((w, region))
        return out


def looped(text: str) -> bool:
    """The text is one piece said three times or more and nothing else (1oz.1oz.1oz.1oz.1oz.: a
    hummed line over a drum loop with the loop taken out, in a file without speech, where the
    language was taken for Shona): Whisper going round, not a voice."""
    chars = bare(text)
    # six characters at least: 对对对 and 嗯嗯嗯 are said
    return len(chars) >= 6 and any(chars == (chars[:n] * (len(chars) // n + 1))[:len(chars)]
                                   for n in range(1, len(chars) // 3 + 1))


def _mark_region_ends(placed: list[tuple[Word, object]]) -> None:
    """A pause between two regions that Whisper wrote without a mark gets one: a comma,
    or a full stop after a long pause (one window often runs two sentences together)."""
    for (w, region), (nxt, nxt_region) in zip(placed, placed[1:], strict=False):
        pause = nxt.start - w.end
        if region is nxt_region or pause < PAUSE_FOR_COMMA or ends_sentence(w.text) or ends_clause(w.text):
            continue
        w.text += "。" if pause >= SENTENCE_PAUSE else "，"


def _by_region(placed: list[tuple[Word, object]]) -> dict[int, list[tuple[Word, object]]]:
    out: dict[int, list[tuple[Word, object]]] = {}
    for p in placed:
        out.setdefault(id(p[1]), []).append(p)
    return out


def _doubted(regions: list, mine: dict, budget: float, taken: Container[int]) -> list:
    """The regions not ``taken`` that hold a word under ``UNSURE_WORD``, least sure first, as many
    as one decoder pass and ``budget`` seconds of speech hold: their second opinion costs one pass
    a chunk (one pass each had been 11 passes, 23% of a 10-minute talk's recognition)."""
    lows = []
    for r in regions:
        words = mine.get(id(r), [])
        if id(r) not in taken and words:
            lowest = min(w.probability for w, _ in words)
            if lowest < UNSURE_WORD:
                lows.append((lowest, r.start, r))
    out: list = []
    for _lowest, _start, r in sorted(lows, key=lambda t: (t[0], t[1])):
        trial = sorted(out + [r], key=lambda x: x.start)
        if r.length <= budget and len(speech_regions.pack(trial)) <= 1:
            budget -= r.length
            out = trial
    return out


def _unsure(mine: list[tuple[Word, object]]) -> bool:
    return bool(mine) and _confidence(mine) < UNSURE


def _confidence(placed: list[tuple[Word, object]]) -> float:
    """Whisper's mean probability of the characters (a word counts once per character)."""
    weights = [(max(1, len(bare(w.text))), w.probability) for w, _ in placed]
    total = sum(n for n, _ in weights)
    return sum(n * p for n, p in weights) / total if total else 0.0


def _chars(placed: list[tuple[Word, object]]) -> str:
    return bare("".join(w.text for w, _ in placed))


def already_said(new: list[tuple[Word, object]], old: list[tuple[Word, object]]) -> bool:
    """The re-decoded region's text is mostly there already (Whisper timed it elsewhere)."""
    if not new:
        return True
    text = _chars(new)
    lo, hi = new[0][0].start - 3.0, new[-1][0].end + 3.0
    near = bare("".join(w.text for w, _ in old if w.end >= lo and w.start <= hi))
    if not text:
        return True
    same = sum(b.size for b in difflib.SequenceMatcher(None, text, near, autojunk=False).get_matching_blocks())
    return same >= len(text) / 2


