"""The quality report behind `nemo subs check` (issue 13): what a creator should fix in
subtitle files before publishing them, each finding with where it is and the fix.

A cue's lines are checked by their own language (a line with Chinese characters by the
Chinese rules, any other by the English), so a bilingual SRT or ASS is checked line by
line against the right limits. ASS events are checked per style: a style is a track,
and two tracks may overlap on screen on purpose. Videos go to :mod:`videocheck`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ... import choices
from ...errors import InputError
from ..asr.text import is_cjk
from ..findings import Finding
from ..render import videocheck
from . import conventions, speaker_cues, speech_check as speechcheck
from .cues import Cue, Rules, display_len, rules_for

SUBTITLE_TYPES = (".srt", ".vtt", ".ass", ".ssa")
BCC_TYPES = (".bcc",)
TOLERANCE = 0.001          # times are stored to the millisecond


MAX_LISTED = 1000     # findings listed per file; the counts are always whole


def line_language(line: str) -> str:
    return "zh" if any(is_cjk(ch) for ch in line) else "en"


def default_rules(limits: dict | None = None) -> dict[str, Rules]:
    limits = limits or {}
    return {lang: rules_for(lang, **limits.get(lang, {})) for lang in choices.LANGUAGES}


def check_paths(paths: list[Path], *, rules: dict[str, Rules] | None = None,
                punctuation: str = conventions.DEFAULT_PUNCTUATION) -> dict:
    """The report for these files: one entry per file and every finding, flat."""
    rules = rules or default_rules()
    entries = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path} does not exist", hint="give the paths of subtitle files or MP4s to check")
        suffix = path.suffix.lower()
        if suffix in SUBTITLE_TYPES:
            entries.append(_entry(path, "subtitles", *_subtitle_file(path, rules, punctuation)))
        elif suffix in BCC_TYPES:
            entries.append(_entry(path, "bcc", *_bcc_file(path, rules, punctuation)))
        elif suffix in videocheck.VIDEO_TYPES:
            findings, summary = videocheck.check_video(path)
            entries.append({"file": str(path), "kind": "video", **summary,
                            "findings": [f.to_json() for f in findings]})
        else:
            raise InputError(f"{path.name}: cannot check a {suffix or 'nameless'} file",
                             hint="give .srt, .vtt, .ass, .bcc or .mp4 files")
    _hear_the_speech(paths, entries)
    found = [f for e in entries for f in e["findings"]]
    by_code = Counter()
    for e in entries:
        by_code.update(e.pop("_codes", None) or Counter(f["code"] for f in e["findings"]))
    total = sum(by_code.values())
    return {"files": entries, "findings": found, "count": total, "by_code": dict(by_code), "clean": not total}


def _hear_the_speech(paths: list[Path], entries: list[dict]) -> None:
    """Subtitle files checked beside a video: its speech against their cues (``speechcheck``)."""
    subtitles = [Path(p) for p in paths if Path(p).suffix.lower() in SUBTITLE_TYPES + BCC_TYPES]
    if not subtitles:
        return
    for entry in entries:
        if entry["kind"] == "video" and entry.get("audio") and entry.get("duration"):
            findings, summary = speechcheck.check(Path(entry["file"]), subtitles)
            entry["speech"] = summary
            entry["findings"] += [f.to_json() for f in findings]


def _entry(path: Path, kind: str, findings: list[Finding], counts: Counter) -> dict:
    """One file's report: its counts in full, its findings listed up to MAX_LISTED (a file of
    100 000 cues once made a report of 90 000 findings, twice, and took the check to 490 MB)."""
    by_lang: dict[str, dict] = {}
    for lang, n in counts.items():
        codes = Counter(f.code for f in findings if f.lang == lang)
        by_lang[lang] = {"cues": n, "findings": dict(codes)}
    entry = {"file": str(path), "kind": kind, "languages": by_lang,
             "findings": [f.to_json() for f in findings[:MAX_LISTED]], "_codes": Counter(f.code for f in findings)}
    if len(findings) > MAX_LISTED:
        entry["findings_not_listed"] = len(findings) - MAX_LISTED
    return entry


# --- reading ---------------------------------------------------------------------------------

def _subtitle_file(path: Path, rules: dict[str, Rules], punctuation: str) -> tuple[list[Finding], Counter]:
    import pysubs2
    try:
        doc = pysubs2.load(str(path), encoding="utf-8")
    except (pysubs2.exceptions.Pysubs2Error, UnicodeDecodeError, ValueError) as exc:
        return [Finding("unreadable", str(path), f"{path.name} is not a readable subtitle file ({exc})",
                        "write it again with `nemo subs files`, or fix its syntax")], Counter()
    groups: dict[str, list[Cue]] = {}
    for event in doc:
        if event.is_comment:
            continue
        group = event.style if path.suffix.lower() in (".ass", ".ssa") else ""
        groups.setdefault(group, []).append(Cue(event.start / 1000, event.end / 1000, event.plaintext))
    findings: list[Finding] = []
    counts: Counter = Counter()
    for cue_list in groups.values():
        found, n = check_cues(cue_list, str(path), rules, punctuation)
        findings += found
        counts.update(n)
    if not groups:
        findings.append(Finding("no_cues", str(path), f"{path.name} has no cues",
                                "leave the file out, or write it again once the language has words"))
    return findings, counts


def _bcc_file(path: Path, rules: dict[str, Rules], punctuation: str) -> tuple[list[Finding], Counter]:
    import jsonschema

    from ...bundle import schema
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        return [Finding("bcc_invalid", str(path), f"{path.name} is not JSON ({exc})",
                        "write it again with `nemo subs files`")], Counter()
    findings = [Finding("bcc_schema", str(path),
                        f"{path.name}: {'/'.join(map(str, err.absolute_path)) or 'top level'}: {err.message}",
                        "give it Bilibili's fields: font_size, font_color, background_alpha, background_color, "
                        "Stroke and body [{from, to, location, content}] (schemas/bcc.schema.json)")
                for err in list(jsonschema.Draft202012Validator(schema("bcc.schema.json")).iter_errors(doc))[:10]]
    body = doc.get("body") if isinstance(doc, dict) else None
    if isinstance(body, list) and not body:
        findings.append(Finding("no_cues", str(path), f"{path.name} has an empty body",
                                "leave this language out of the upload rather than send an empty track"))
    items = [b for b in body or [] if isinstance(b, dict) and isinstance(b.get("from"), int | float)
             and isinstance(b.get("to"), int | float)]
    found, counts = check_cues([Cue(float(b["from"]), float(b["to"]), str(b.get("content") or "")) for b in items],
                               str(path), rules, punctuation)
    return findings + found, counts


# --- the cue rules ----------------------------------------------------------------------------

def check_cues(cues: list[Cue], file: str, rules: dict[str, Rules],
               punctuation: str = conventions.DEFAULT_PUNCTUATION) -> tuple[list[Finding], Counter]:
    """Every rule on one track's cues, in time order; (findings, cues per language)."""
    findings: list[Finding] = []
    counts: Counter = Counter()
    timing = rules.get("zh") or rules_for("zh")
    ordered = sorted(enumerate(cues, 1), key=lambda pair: pair[1].start)
    previous: tuple[int, Cue] | None = None
    for k, (n, cue) in enumerate(ordered):
        room = ordered[k + 1][1].start - timing.min_gap if k + 1 < len(ordered) else cue.start + timing.max_duration
        def add(code: str, message: str, fix: str, lang: str | None = None, n=n, cue=cue) -> None:
            findings.append(Finding(code, file, message, fix, cue=n, time=round(cue.start, 3), lang=lang))

        lines = [speaker_cues.unlabelled(line.strip()) for line in cue.text.split("\n") if line.strip()]
        if not lines:
            add("empty_cue", f"cue {n} at {_at(cue.start)} has no text", "delete the cue or give it its words")
        by_lang: dict[str, list[str]] = {}
        for line in lines:
            by_lang.setdefault(line_language(line), []).append(line)
        for lang, own in by_lang.items():
            counts[lang] += 1
            _check_lines(own, lang, rules.get(lang) or rules_for(lang), cue, n, add, punctuation, room)
        if cue.duration < timing.min_duration - TOLERANCE:
            add("too_short", f"cue {n} at {_at(cue.start)} lasts {cue.duration:.2f} s, under "
                f"{timing.min_duration:g} s", f"end it at {_at(cue.start + timing.min_duration)} or later, "
                "or merge it with a neighbour")
        elif cue.duration > timing.max_duration + TOLERANCE:
            add("too_long", f"cue {n} at {_at(cue.start)} lasts {cue.duration:.2f} s, over "
                f"{timing.max_duration:g} s", "split it in two at a pause")
        if previous is not None:
            gap = cue.start - previous[1].end
            if gap < -TOLERANCE:
                add("overlap", f"cue {n} at {_at(cue.start)} starts {-gap:.3f} s before cue {previous[0]} ends",
                    f"end cue {previous[0]} at {_at(cue.start - timing.min_gap)}")
            elif gap < timing.min_gap - TOLERANCE:
                add("gap_too_small", f"only {gap:.3f} s between cue {previous[0]} and cue {n} at "
                    f"{_at(cue.start)} (at least two frames, {timing.min_gap:.3f} s)",
                    f"end cue {previous[0]} at {_at(cue.start - timing.min_gap)}")
        if previous is None or cue.end > previous[1].end:
            previous = (n, cue)
    return findings, counts


def _check_lines(lines: list[str], lang: str, rule: Rules, cue: Cue, n: int, add, punctuation: str,
                 room: float) -> None:
    """``room``: the latest this cue may end (two frames before the next one starts)."""
    for line in lines:
        if display_len(line) > rule.max_chars:
            add("line_too_long", f"cue {n}: a {lang} line has {display_len(line)} characters, over "
                f"{rule.max_chars}", f"wrap or shorten it to {rule.max_chars} characters a line", lang)
    if len(lines) > rule.max_lines:
        add("too_many_lines", f"cue {n} has {len(lines)} {lang} lines, over {rule.max_lines}",
            f"split the cue in time so each part has at most {rule.max_lines} line(s)", lang)
    chars = sum(display_len(line) for line in lines)
    if cue.duration > 0 and chars / cue.duration > rule.cps + 0.05:
        needed = cue.start + chars / rule.cps
        fix = f"shorten it to {rule.budget(cue.duration)} characters"
        if needed <= room + TOLERANCE and chars / rule.cps <= rule.max_duration:
            fix += f", or keep it on screen until {_at(needed)}"
        add("reading_speed", f"cue {n}: {chars} {lang} characters in {cue.duration:.2f} s is "
            f"{chars / cue.duration:.1f} a second, over {rule.cps:g}", fix, lang)
    if punctuation != "keep" and conventions.ends_with_pause_mark(lines[-1], lang):
        add("end_punctuation", f"cue {n} ends with {lines[-1].rstrip()[-1]!r}; Chinese subtitles leave out "
            "a comma or full stop at a cue's end", "drop the mark (`nemo subtitle` does this unless "
            "--punctuation keep)", lang)


def _at(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{rest:06.3f}"
