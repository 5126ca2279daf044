"""Subtitle documents: the draft's subtitle tracks as ASS, SRT, VTT and BCC.

ASS is what libass burns in and what people restyle: one style per
language, a bilingual cue drawn as two lines in two styles (order from the
draft), sizes and margins scaled to the video. SRT and VTT go through
pysubs2. BCC is Bilibili's own JSON subtitle format (schemas/bcc.schema.json).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pysubs2

from ... import choices
from ...timeline import TEXT, Draft
from ..escape import ass_text, cue_text
from ..render.fonts import CJK_FAMILY
from . import conventions, doubts as cue_doubts, speaker_cues
from .cues import Cue
from .karaoke import DEFAULT_HIGHLIGHT, ass_karaoke

# Numpad positions: ASS alignment and BCC location use the same numbers.
POSITIONS = {"bottom": 2, "middle": 5, "center": 5, "top": 8}
DEFAULT_SIZE = {"zh": 60, "en": 42}          # at 1080 px on the short side
LANG_NAMES = {"zh": "中文", "en": "English"}              # subtitle stream titles
LANGUAGE_WORDS = {"zh": "Chinese", "en": "English"}      # in English sentences
LANGUAGE_WORDS_ZH = {"zh": "中文", "en": "英文"}           # in Chinese ones
ISO639_2 = {"zh": "chi", "en": "eng"}


@dataclass
class SubTrack:
    lang: str
    cues: list[Cue]
    style: dict = field(default_factory=dict)      # size, color, position, outline, font
    source: str = ""                               # asr, llm, agent, whisper-draft, ...

    @property
    def draft_quality(self) -> bool:
        return self.source == "whisper-draft"


def subtitle_languages(draft: Draft) -> list[str]:
    """Every language the draft has a subtitle track for, words or not."""
    return [str((t.raw.get("m") or {}).get("lang") or "zh") for t in draft.tracks
            if t.type == TEXT and t.kind == "subtitle"]


def punctuation(draft: Draft) -> str:
    """The draft's punctuation style for display: conventional unless the user kept it."""
    style = (draft.meta.get("subtitles") or {}).get("punctuation")
    return style if style in conventions.PUNCTUATION_STYLES else conventions.DEFAULT_PUNCTUATION


def from_draft(draft: Draft, *, as_written: bool = False) -> list[SubTrack]:
    """The draft's subtitle tracks that have words, in display order (``m.subtitles.order``).

    A track without a single word is left out, so no render or file ever meets an empty
    language (an empty SRT is invalid input to ffmpeg; an empty BCC body helps nobody).
    The texts are in the draft's punctuation style, for files and renders; ``as_written``
    gives them as stored (a translator wants the full stops)."""
    style = "keep" if as_written else punctuation(draft)
    tracks = []
    for t in draft.tracks:
        if t.type != TEXT or t.kind != "subtitle":
            continue
        meta = t.raw.get("m") or {}
        # Empty cues are kept: a translation that left one cue blank still pairs 1:1.
        lang = str(meta.get("lang") or "zh")
        cues = [Cue(s.start / 1000, s.end / 1000, conventions.apply(s.text or "", lang, style), _timed_chars(s.raw),
                    **cue_doubts.from_segment(s.raw), **speaker_cues.from_segment(s.raw)) for s in t.segments]
        if not any(c.text.strip() for c in cues):
            continue
        tracks.append(SubTrack(lang, cues, dict(meta.get("style") or {}),
                               str(meta.get("source") or "")))
    order = list((draft.meta.get("subtitles") or {}).get("order") or choices.DEFAULT_SUBTITLE_LANGUAGES)
    tracks.sort(key=lambda s: order.index(s.lang) if s.lang in order else len(order))
    speaker_cues.share(tracks)
    return tracks


def _timed_chars(segment: dict) -> tuple:
    """A segment's per-character timing (``m.k``, ms on the timeline) in seconds, if it has one."""
    timed = (segment.get("m") or {}).get("k") or ()
    return tuple((str(c[0]), c[1] / 1000, c[2] / 1000) for c in timed)


def paired(a: list[Cue], b: list[Cue], tolerance: float = 0.05) -> bool:
    """True if ``b`` is a translation of ``a``: cue for cue, or a cue of ``a`` split in time
    into several of ``b`` (a translation too long for one cue, issue 13)."""
    return bilingual_pairs(a, b, tolerance) is not None


def bilingual_pairs(a: list[Cue], b: list[Cue], tolerance: float = 0.05) -> list[tuple[Cue, Cue, Cue]] | None:
    """(a cue, b cue, the cue whose time they share), or None if one list does not follow
    the other's cues.

    Each cue of the coarser list is covered by one or more consecutive cues of the finer
    one from its start to its end; the coarse line stays on screen while its parts change.
    Either list may be the split one (the display order puts either language first)."""
    nested = _split_of(a, b, tolerance)
    if nested is not None:
        return [(x, y, y) for x, y in nested]
    nested = _split_of(b, a, tolerance)
    return [(x, y, x) for y, x in nested] if nested is not None else None


def _split_of(coarse: list[Cue], fine: list[Cue], tolerance: float) -> list[tuple[Cue, Cue]] | None:
    """(coarse cue, fine cue) if ``fine`` splits each cue of ``coarse`` in time, else None."""
    pairs: list[tuple[Cue, Cue]] = []
    j = 0
    for x in coarse:
        parts = []
        while j < len(fine) and fine[j].start < x.end - tolerance:
            parts.append(fine[j])
            j += 1
        if not parts or abs(parts[0].start - x.start) > tolerance or abs(parts[-1].end - x.end) > tolerance:
            return None
        pairs += [(x, y) for y in parts]
    return pairs if j == len(fine) and coarse else None


# --- ASS ---------------------------------------------------------------------------------

def _colour(value: str | None, default: str = "#FFFFFF") -> pysubs2.Color:
    text = str(value or default).lstrip("#")
    try:
        return pysubs2.Color(int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
    except (ValueError, IndexError):
        return _colour(default) if value != default else pysubs2.Color(255, 255, 255)


def ass_style(style: dict, lang: str, width: int, height: int, *, default_size: float | None = None,
              bold: bool = False) -> pysubs2.SSAStyle:
    """A subtitle or title style at this video's size (sizes are given for 1080 p)."""
    scale = min(width, height) / 1080
    size = float(style.get("size") or default_size or DEFAULT_SIZE.get(lang, 54))
    made = pysubs2.SSAStyle(
        fontname=style.get("font") or CJK_FAMILY, fontsize=round(size * scale),
        primarycolor=_colour(style.get("color")),
        outlinecolor=_colour(style.get("outline_color"), "#000000"),
        backcolor=pysubs2.Color(0, 0, 0, 128), bold=bool(style.get("bold", bold)),
        outline=float(style.get("outline", 3)) * scale, shadow=1 * scale,
        alignment=pysubs2.Alignment(POSITIONS.get(str(style.get("position") or "bottom"), 2)),
        marginv=round(float(style.get("margin", 50)) * scale),
        marginl=round(60 * scale), marginr=round(60 * scale))
    if style.get("box"):   # white on a translucent dark panel, legible over any picture: libass
        made.borderstyle = 3          # fills the panel with the outline colour, padded by its width
        made.outlinecolor = pysubs2.Color(0, 0, 0, 96)
        made.outline, made.shadow = 12 * scale, 0
    return made


def new_ass(width: int, height: int) -> pysubs2.SSAFile:
    doc = pysubs2.SSAFile()
    doc.info.update({"PlayResX": str(width), "PlayResY": str(height), "WrapStyle": "0",
                     "ScaledBorderAndShadow": "yes", "YCbCr Matrix": "TV.709"})
    doc.styles.clear()
    return doc


def add_subtitles(doc: pysubs2.SSAFile, tracks: list[SubTrack], width: int, height: int) -> None:
    """Subtitle tracks into ``doc``; a translated pair becomes two-line bilingual cues."""
    for t in tracks:
        doc.styles[_style_name(t)] = ass_style(t.style, t.lang, width, height)
    pairs = _pairs(tracks)
    if pairs is not None:
        first, second = tracks[0], tracks[1]
        for a, b, when in pairs:
            if a.text.strip() and b.text.strip():
                text, style = ass_text(a.text) + r"\N{\r" + _style_name(second) + "}" + ass_text(b.text), first
            elif a.text.strip():
                text, style = ass_text(a.text), first
            elif b.text.strip():
                text, style = ass_text(b.text), second
            else:
                continue
            doc.events.append(pysubs2.SSAEvent(start=_ms(when.start), end=_ms(when.end), text=text,
                                               style=_style_name(style), name=_name(a, first.lang)))
        rest = tracks[2:]
    else:
        rest = tracks
    for i, t in enumerate(rest):
        karaoke = bool(t.style.get("karaoke"))
        if karaoke:   # \k switches a character from the secondary colour to the primary
            plain = doc.styles[_style_name(t)]
            plain.secondarycolor = plain.primarycolor
            plain.primarycolor = _colour(t.style.get("highlight"), DEFAULT_HIGHLIGHT)
        for c in t.cues:   # unpaired tracks: the second one sits above the first
            if not c.text.strip():
                continue
            text = ass_karaoke(c.text, list(c.chars), c.start) if karaoke and c.chars else ass_text(c.text)
            ev = pysubs2.SSAEvent(start=_ms(c.start), end=_ms(c.end), text=text, style=_style_name(t),
                                  name=speaker_cues.label(c.speaker, t.lang) if c.speaker else "")
            if i:
                ev.marginv = doc.styles[_style_name(t)].marginv + round(doc.styles[_style_name(t)].fontsize * 2.6)
            doc.events.append(ev)


def _pairs(tracks: list[SubTrack]) -> list[tuple[Cue, Cue, Cue]] | None:
    """The first two tracks as bilingual pairs, if they are a translated pair."""
    return bilingual_pairs(tracks[0].cues, tracks[1].cues) if len(tracks) >= 2 else None


def _style_name(t: SubTrack) -> str:
    return f"Sub_{t.lang}"


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def ass_document(tracks: list[SubTrack], width: int, height: int) -> pysubs2.SSAFile:
    doc = new_ass(width, height)
    add_subtitles(doc, tracks, width, height)
    return doc


# --- SRT / VTT / BCC -----------------------------------------------------------------------

def _name(cue: Cue, lang: str) -> str:
    """The ASS Name field: the cue's speaker, when speakers were asked for."""
    return speaker_cues.label(cue.speaker, lang) if cue.speaker else ""


def plain_document(cues: list[Cue], lang: str = "zh", fmt: str = "srt") -> pysubs2.SSAFile:
    """SRT or VTT; a cue with a speaker starts ``说话人1：`` / ``Speaker 1: `` (SRT) or is the
    WebVTT voice ``<v Speaker 1>``."""
    doc = pysubs2.SSAFile()
    for c in cues:
        if c.text.strip():
            # cue_text: ASS override tags ({\fs200}) stay text, the same look-alikes as in the ASS
            # (pysubs2 would silently drop them; some players obeyed them).
            text = cue_text(c.text).replace("\n", r"\N")
            if c.speaker:
                text = (f"<v {speaker_cues.label(c.speaker, lang)}>{text}" if fmt == "vtt"
                        else speaker_cues.prefixed(text, c.speaker, lang))
            doc.events.append(pysubs2.SSAEvent(start=_ms(c.start), end=_ms(c.end), text=text))
    return doc


def bilingual_cues(tracks: list[SubTrack]) -> list[Cue]:
    """A translated pair as one cue list with both languages' lines, in display order."""
    return [Cue(when.start, when.end, "\n".join(s for s in (x.text, y.text) if s.strip()), speaker=x.speaker)
            for x, y, when in _pairs(tracks) or []]


def bcc(cues: list[Cue], style: dict | None = None, lang: str = "zh") -> dict:
    style = style or {}
    location = POSITIONS.get(str(style.get("position") or "bottom"), 2)
    return {
        "font_size": 0.4, "font_color": str(style.get("color") or "#FFFFFF"),
        "background_alpha": 0.5, "background_color": "#9C27B0", "Stroke": "none",
        "body": [{"from": round(c.start, 3), "to": round(c.end, 3), "location": location,
                  "content": speaker_cues.prefixed(cue_text(c.text), c.speaker, lang)}
                 for c in cues if c.text.strip()],
    }


def write_all(tracks: list[SubTrack], out_dir: Path, stem: str, width: int, height: int,
              formats: tuple[str, ...] = ("srt", "vtt", "ass", "bcc")) -> dict[str, str]:
    """Every requested file for these tracks; returns {label: path}.

    BCC is one file per language: Bilibili keeps one subtitle track per language, so the
    bilingual pair goes out as SRT, VTT and ASS only. A set without words writes nothing."""
    import jsonschema

    from ...bundle import schema

    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    sets = [(t.lang, t.cues, t.style) for t in tracks]
    if _pairs(tracks) is not None:
        sets.append((f"{tracks[0].lang}-{tracks[1].lang}", bilingual_cues(tracks), tracks[0].style))
    for label, cues, style in sets:
        if not any(c.text.strip() for c in cues):
            continue
        if "srt" in formats:
            written[f"{label}.srt"] = _save(plain_document(cues, label, "srt"), out_dir / f"{stem}.{label}.srt", "srt")
        if "vtt" in formats:
            written[f"{label}.vtt"] = _save(plain_document(cues, label, "vtt"), out_dir / f"{stem}.{label}.vtt", "vtt")
        if "bcc" in formats and "-" not in label:
            doc = bcc(cues, style, label)
            jsonschema.validate(doc, schema("bcc.schema.json"))
            path = out_dir / f"{stem}.{label}.bcc"
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
            written[f"{label}.bcc"] = str(path)
    if "ass" in formats and tracks:
        written["ass"] = _save(ass_document(tracks, width, height), out_dir / f"{stem}.ass", "ass")
    return written


def _save(doc: pysubs2.SSAFile, path: Path, fmt: str) -> str:
    doc.save(str(path), format_=fmt, encoding="utf-8")
    return str(path)
