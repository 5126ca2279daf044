"""Subtitle files: every format round-trips through pysubs2, BCC validates, ASS is safe."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pysubs2
import pytest

from nemo_skill.bundle import schema
from nemo_skill.media.subtitles import formats as subfiles
from nemo_skill.media.subtitles.cues import Cue
from nemo_skill.timeline import Draft

ZH = [Cue(0.5, 2.0, "近几年，不但我用书给女儿压岁，"), Cue(2.1, 4.0, "也劝说亲朋不要给女儿压岁钱。")]
EN = [Cue(0.5, 2.0, "In recent years, I have given my daughter books"),
      Cue(2.1, 4.0, "and told friends not to give her\nNew Year money.")]


def tracks(order=("zh", "en")):
    by = {"zh": subfiles.SubTrack("zh", ZH, source="asr"), "en": subfiles.SubTrack("en", EN, source="llm:x")}
    return [by[x] for x in order]


def test_every_format_round_trips(tmp_path):
    files = subfiles.write_all(tracks(), tmp_path, "clip", 1920, 1080)
    # Bilibili keeps one track per language: no bilingual BCC (issue 13)
    assert set(files) == {"zh.srt", "zh.vtt", "zh.bcc", "en.srt", "en.vtt", "en.bcc",
                          "zh-en.srt", "zh-en.vtt", "ass"}
    for label in ("zh.srt", "zh.vtt", "en.srt", "en.vtt"):
        lang = label.split(".")[0]
        doc = pysubs2.load(files[label])
        expected = ZH if lang == "zh" else EN
        assert [(e.start, e.end, e.plaintext) for e in doc] == \
            [(int(c.start * 1000), int(c.end * 1000), c.text) for c in expected]
    both = pysubs2.load(files["zh-en.srt"])
    assert both[0].plaintext == ZH[0].text + "\n" + EN[0].text
    ass = pysubs2.load(files["ass"])
    assert set(ass.styles) == {"Sub_zh", "Sub_en"}
    assert ass.styles["Sub_zh"].fontname == "Noto Sans CJK SC"
    assert len(ass) == 2 and ass[0].style == "Sub_zh" and r"{\rSub_en}" in ass[0].text


def test_bcc_validates_and_has_bilibili_fields(tmp_path):
    files = subfiles.write_all(tracks(), tmp_path, "clip", 1920, 1080, ("bcc",))
    doc = json.loads(open(files["zh.bcc"], encoding="utf-8").read())
    jsonschema.validate(doc, schema("bcc.schema.json"))
    assert {"font_size", "font_color", "background_alpha", "background_color", "Stroke"} <= set(doc)
    assert doc["body"][0] == {"from": 0.5, "to": 2.0, "location": 2, "content": ZH[0].text}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "body": [{"from": 0, "to": 1, "location": 2}]}, schema("bcc.schema.json"))


def test_bilingual_order_is_configurable(tmp_path):
    doc = subfiles.ass_document(tracks(("en", "zh")), 1920, 1080)
    assert doc[0].style == "Sub_en" and doc[0].text.endswith(r"{\rSub_zh}" + ZH[0].text)
    draft = Draft({"m": {"subtitles": {"order": ["en", "zh"]}}, "t": [
        {"id": "subtitle_zh", "tt": 7, "m": {"kind": "subtitle", "lang": "zh"},
         "sg": [{"st": 500, "d": 1500, "txt": "你好"}]},
        {"id": "subtitle_en", "tt": 7, "m": {"kind": "subtitle", "lang": "en"},
         "sg": [{"st": 500, "d": 1500, "txt": "Hello"}]}]})
    assert [t.lang for t in subfiles.from_draft(draft)] == ["en", "zh"]


def test_sizes_and_margins_scale_with_the_video():
    big = subfiles.ass_style({}, "zh", 3840, 2160)
    small = subfiles.ass_style({}, "zh", 1280, 720)
    portrait = subfiles.ass_style({}, "zh", 1080, 1920)
    assert big.fontsize == 2 * subfiles.DEFAULT_SIZE["zh"] and small.fontsize == 40
    assert portrait.fontsize == subfiles.DEFAULT_SIZE["zh"]      # short side rules
    assert big.marginv == 2 * subfiles.ass_style({}, "zh", 1920, 1080).marginv


def test_no_override_tag_injection(tmp_path):
    evil = [Cue(0, 1, r"{\pos(10,10)\fs200}big {\c&H0000FF&}red \N line")]
    doc = subfiles.ass_document([subfiles.SubTrack("en", evil)], 1920, 1080)
    path = tmp_path / "x.ass"
    doc.save(str(path))
    text = pysubs2.load(str(path))[0].text
    assert "{" not in text and "}" not in text and "\\pos" not in text
    assert pysubs2.load(str(path))[0].plaintext.startswith("｛＼pos(10,10)")


def test_unpaired_tracks_stack_instead_of_overlapping():
    other = [Cue(0.4, 3.0, "one long English cue")]
    doc = subfiles.ass_document([subfiles.SubTrack("zh", ZH), subfiles.SubTrack("en", other)], 1920, 1080)
    en = [e for e in doc if e.style == "Sub_en"]
    assert en and en[0].marginv > doc.styles["Sub_zh"].marginv


def test_a_blank_translated_cue_keeps_the_pair(tmp_path):
    en = [Cue(0.5, 2.0, "In recent years"), Cue(2.1, 4.0, "")]
    pair = [subfiles.SubTrack("zh", ZH), subfiles.SubTrack("en", en)]
    files = subfiles.write_all(pair, tmp_path, "clip", 1920, 1080)
    assert len(pysubs2.load(files["en.srt"])) == 1
    both = pysubs2.load(files["zh-en.srt"])
    assert [e.plaintext for e in both] == [ZH[0].text + "\nIn recent years", ZH[1].text]
    assert len(json.loads(open(files["en.bcc"], encoding="utf-8").read())["body"]) == 1
    ass = subfiles.ass_document(pair, 1920, 1080)
    assert [e.style for e in ass] == ["Sub_zh", "Sub_zh"]


def test_a_language_without_words_is_left_out_of_files_and_renders(tmp_path):
    """Issue 9: an empty English track became a 0-byte .en.srt and crashed the soft render."""
    from nemo_skill.media.render import compose
    draft = Draft({"t": [
        {"id": "clip", "tt": 0, "sg": [{"st": 0, "d": 2000, "src": "clip.mp4"}]},
        {"id": "subtitle_zh", "tt": 7, "m": {"kind": "subtitle", "lang": "zh"},
         "sg": [{"st": 500, "d": 1500, "txt": "你好"}]},
        {"id": "subtitle_en", "tt": 7, "m": {"kind": "subtitle", "lang": "en"},
         "sg": [{"st": 500, "d": 1500, "txt": "  "}]}]})
    assert subfiles.subtitle_languages(draft) == ["zh", "en"]
    assert [t.lang for t in subfiles.from_draft(draft)] == ["zh"]
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x240:d=2", "-f", "lavfi",
                    "-i", "sine=d=2", "-c:v", "libx264", "-c:a", "aac", "-shortest", str(clip)], check=True)
    plan = compose.build_soft(draft.raw, lambda _src: clip, tmp_path / "soft.mp4", tmp_path)
    assert [a for a in plan.args if a.endswith(".srt")] == [f"file:{tmp_path / '0.zh.srt'}"]
    files = subfiles.write_all(subfiles.from_draft(draft), tmp_path / "out", "v", 1920, 1080, ("srt", "bcc"))
    assert not any("en" in k for k in files) and all(Path(p).stat().st_size > 0 for p in files.values())


def _draft(punctuation: str | None = None, en: list | None = None) -> Draft:
    subtitles = {"order": ["zh", "en"], **({"punctuation": punctuation} if punctuation else {})}
    tracks = [{"id": "subtitle_zh", "tt": 7, "m": {"kind": "subtitle", "lang": "zh"},
               "sg": [{"st": int(c.start * 1000), "d": int(c.duration * 1000), "txt": c.text} for c in ZH]}]
    if en is not None:
        tracks.append({"id": "subtitle_en", "tt": 7, "m": {"kind": "subtitle", "lang": "en"},
                       "sg": [{"st": int(c.start * 1000), "d": int(c.duration * 1000), "txt": c.text} for c in en]})
    return Draft({"m": {"subtitles": subtitles}, "t": tracks})


def test_chinese_punctuation_is_conventional_in_every_file_and_the_burn(tmp_path):
    """Issue 13: no ，。 at a Chinese cue's end, a pause inside a line is a space; English untouched."""
    from nemo_skill.media.render import compose
    draft = _draft(en=[Cue(0.5, 2.0, "In recent years, books."), Cue(2.1, 4.0, "Not money.")])
    tracks = subfiles.from_draft(draft)
    assert [c.text for c in tracks[0].cues] == ["近几年 不但我用书给女儿压岁", "也劝说亲朋不要给女儿压岁钱"]
    assert tracks[1].cues[0].text == "In recent years, books."
    files = subfiles.write_all(tracks, tmp_path, "clip", 1920, 1080)
    for label in ("zh.srt", "zh.vtt", "zh-en.srt", "zh.bcc", "ass"):
        text = Path(files[label]).read_text(encoding="utf-8")
        assert "近几年 不但" in text and "，" not in text and "。" not in text, label
    burned = compose.draft_ass(draft, 1920, 1080)
    assert [e.plaintext.split("\n")[0] for e in burned] == ["近几年 不但我用书给女儿压岁", "也劝说亲朋不要给女儿压岁钱"]
    # the translator still gets the punctuation
    assert subfiles.from_draft(draft, as_written=True)[0].cues[0].text == ZH[0].text


def test_punctuation_keep_gives_the_old_text(tmp_path):
    tracks = subfiles.from_draft(_draft("keep"))
    assert [c.text for c in tracks[0].cues] == [c.text for c in ZH]
    srt = Path(subfiles.write_all(tracks, tmp_path, "k", 1920, 1080, ("srt",))["zh.srt"]).read_text("utf-8")
    assert "压岁，" in srt and "压岁钱。" in srt


def test_a_translation_split_in_time_still_pairs_with_its_source(tmp_path):
    """A too-long English cue split in two keeps the bilingual file: the Chinese line stays on."""
    en = [Cue(0.5, 1.2, "In recent years"), Cue(1.2, 2.0, "I have given books"), Cue(2.1, 4.0, "Not money")]
    pair = [subfiles.SubTrack("zh", ZH), subfiles.SubTrack("en", en)]
    assert subfiles.paired(ZH, en) and not subfiles.paired(ZH, en[:2])
    files = subfiles.write_all(pair, tmp_path, "split", 1920, 1080, ("srt", "ass"))
    both = pysubs2.load(files["zh-en.srt"])
    assert [(e.start, e.end) for e in both] == [(500, 1200), (1200, 2000), (2100, 4000)]
    assert [e.plaintext for e in both][:2] == [ZH[0].text + "\nIn recent years", ZH[0].text + "\nI have given books"]
    assert len(pysubs2.load(files["ass"])) == 3
    # English on top: the split track comes first, the pairs are the same
    files = subfiles.write_all(pair[::-1], tmp_path, "en-first", 1920, 1080, ("srt", "ass"))
    both = pysubs2.load(files["en-zh.srt"])
    assert [(e.start, e.end) for e in both] == [(500, 1200), (1200, 2000), (2100, 4000)]
    assert both[1].plaintext == "I have given books\n" + ZH[0].text
    ass = pysubs2.load(files["ass"])
    assert len(ass) == 3 and {e.style for e in ass} == {"Sub_en"}


@pytest.mark.parametrize("pending", [False, True])
def test_a_language_without_words_is_said_for_every_writer(tmp_path, pending):
    """Issue 13: no 0-byte SRT, no BCC with an empty body, no bilingual file; the JSON says why."""
    from nemo_skill import subtitle_job
    draft = _draft(en=[Cue(c.start, c.end, " ") for c in ZH])
    if pending:
        draft.raw["m"]["subtitles"]["pending"] = {"source": "zh", "target": "en"}
        draft.raw["t"].pop()                                   # the agent's English is not there yet
    options = subtitle_job.SubtitleRequest(burn=False, preview=False)
    data = subtitle_job.finish(None, draft, tmp_path, "v", options)
    assert data["languages"] == ["zh"] and set(data["files"]) == {"zh.srt", "zh.vtt", "zh.bcc", "ass"}
    assert all(Path(p).stat().st_size > 0 for p in data["files"].values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.ass", "v.zh.bcc", "v.zh.srt", "v.zh.vtt"]
    why = data["left_out"]["en"]
    assert "bilingual" in why and "MP4" in why and "BCC" in why
    assert ("waits for your agent" in why) == pending and "nemo subs pending" in data["next"]
    # the report covers every file; these cues are fast (14 characters in 1.5 s), and it says so
    assert len(data["check"]["files"]) == 4 and set(data["check"]["by_code"]) == {"reading_speed"}
    only_zh = subtitle_job.finish(None, _draft(), tmp_path / "zh", "v", subtitle_job.SubtitleRequest(
        languages=["zh"], burn=False, preview=False))
    assert "left_out" not in only_zh
