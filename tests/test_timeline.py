"""The draft model: the summary a person wants, a diff in words, tolerance."""

from __future__ import annotations

import jsonschema

from nemo_skill.bundle import schema
from nemo_skill.timeline import Draft, diff

EXAMPLE = {"t": [
    {"id": "v", "tt": 0, "sg": [{"st": 0, "d": 10000, "n": "city timelapse"}]},
    {"id": "b", "tt": 1, "sg": [{"st": 0, "d": 10000, "n": "Lo-fi", "v": 0.35}]},
    {"id": "t", "tt": 7, "sg": [{"st": 0, "d": 3000, "txt": "Urban Dreams"}]},
], "m": {"width": 1920, "height": 1080}}


def test_summary_matches_the_contract_example():
    assert Draft(EXAMPLE).summary() == ('Timeline (3 tracks): 1. Video: city timelapse (0-10s) '
                                        '2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)')


def test_empty_and_unknown_fields():
    assert Draft({}).summary() == "Timeline (empty): nothing added yet"
    odd = {"t": [{"tt": 42, "zz": 1, "sg": [{"d": 1500, "q": [1]}, "junk"]}, "junk"], "extra": {}}
    assert Draft(odd).summary() == "Timeline (1 track): 1. Track: track (0-1.5s)"
    assert Draft(None).summary().startswith("Timeline (empty)")
    assert Draft.from_state({"state": {"draft": EXAMPLE}}).exportable
    assert not Draft({"t": [{"tt": 0, "sg": []}]}).exportable


def test_subtitle_track_summary():
    d = {"t": [{"tt": 7, "m": {"kind": "subtitle", "lang": "zh"},
                "sg": [{"st": 500, "d": 1500, "txt": "你好"}, {"st": 2000, "d": 1000, "txt": "世界"}]}]}
    assert Draft(d).summary() == 'Timeline (1 track): 1. Subtitles (zh): 2 cues, first "你好" (0.5-3s)'


def test_diff_in_words():
    after = {"t": [EXAMPLE["t"][0], {**EXAMPLE["t"][1], "sg": [{"st": 0, "d": 10000, "n": "Lo-fi", "v": 0.2}]},
                   {"id": "s", "tt": 7, "m": {"kind": "subtitle"}, "sg": [{"st": 0, "d": 900, "txt": "hi"}]}],
             "m": {"width": 1080, "height": 1920}}
    changes = diff(Draft(EXAMPLE), Draft(after))
    assert 'added Subtitles: 1 cues, first "hi" (0-0.9s)' in changes
    assert "removed Title track" in changes
    assert "changed BGM: Lo-fi (0-10s, 35%) -> BGM: Lo-fi (0-10s, 20%)" in changes
    assert "width: 1920 -> 1080" in changes and "height: 1080 -> 1920" in changes
    assert diff(Draft(EXAMPLE), Draft(EXAMPLE)) == []


def test_example_validates_against_the_draft_schema():
    jsonschema.validate(EXAMPLE, schema("draft.schema.json"))


# --- the edit helpers (timeline_edit.py): every tool's writes go through them -------------------

from nemo_skill.timeline import AUDIO, TEXT, VIDEO, Kind, to_ms, to_seconds  # noqa: E402
from nemo_skill.timeline_edit import (  # noqa: E402
    drop_meta,
    find_track,
    get_or_create_track,
    keep_between,
    make_id,
    meta_value,
    new_draft,
    new_segment,
    normalize,
    remove_tracks,
    replace_segments,
    seconds_of,
    set_times,
    subtitle_settings,
    track_id,
    update_segments,
)


def test_seconds_to_ms_rounds_to_the_nearest_ms():
    assert int(1.005 * 1000) == 1004            # why int() is not the conversion
    assert to_ms(1.005) == 1005 and to_ms(4.35) == 4350 and to_ms(0.29) == 290
    assert to_ms(1.0004) == 1000 and to_ms(1.0006) == 1001 and to_ms(0) == 0 and to_ms("2.5") == 2500
    assert isinstance(to_ms(3), int) and to_seconds(1500) == 1.5 and to_seconds(7) == 0.007
    assert all(to_ms(to_seconds(ms)) == ms for ms in range(0, 3 * 3600 * 1000, 997))   # exact both ways


def test_segments_are_made_and_moved_in_seconds():
    seg = new_segment("x", 1.2345, 0.5, txt="hi")
    assert seg == {"id": "x", "st": 1234, "d": 500, "txt": "hi"} and list(seg) == ["id", "st", "d", "txt"]
    set_times(seg, start=2.0006)
    assert (seg["st"], seg["d"]) == (2001, 500)
    set_times(seg, duration=1.25)
    assert (seg["st"], seg["d"]) == (2001, 1250) and seconds_of(seg) == (2.001, 3.251)


def test_get_or_create_track_makes_one_track_of_the_kinds_type():
    draft = new_draft()
    title = get_or_create_track(draft, Kind.TITLE)
    assert title == {"id": "title", "tt": TEXT, "n": "title", "m": {"kind": "title"}, "sg": []}
    assert get_or_create_track(draft, Kind.TITLE, name="ignored") is title and len(draft["t"]) == 1
    types = {kind: get_or_create_track(draft, kind)["tt"] for kind in
             (Kind.VIDEO, Kind.SCENE, Kind.NARRATION, Kind.BGM, Kind.SUBTITLE)}
    assert types == {"video": VIDEO, "scene": VIDEO, "narration": AUDIO, "bgm": AUDIO, "subtitle": TEXT}
    zh = get_or_create_track(draft, Kind.SUBTITLE, tid=track_id(Kind.SUBTITLE, "zh"), name="Subtitles (zh)")
    assert zh["id"] == "subtitle_zh" and zh["n"] == "Subtitles (zh)" and find_track(draft, "subtitle_zh") is zh
    assert find_track(draft, "scenes")["m"]["kind"] == "scene" and find_track({}, "video") is None


def test_ids_are_unique_and_stable():
    ids = [make_id("sub", lang, i) for lang in ("zh", "en") for i in range(1, 500)]
    ids += [make_id(p, i) for p in ("scene", "voice", "title", "bgm") for i in range(1, 500)]
    assert len(set(ids)) == len(ids) and make_id("sub", "zh", 3) == "sub_zh_3"
    tracks = [track_id(k) for k in (Kind.VIDEO, Kind.SCENE, Kind.NARRATION, Kind.BGM, Kind.TITLE)]
    tracks += [track_id(Kind.SUBTITLE, lang) for lang in ("zh", "en")]
    assert len(set(tracks)) == len(tracks) and make_id("seg", "up_1") == make_id("seg", "up_1")


def test_segments_are_replaced_updated_and_cut():
    draft = new_draft()
    bgm = get_or_create_track(draft, Kind.BGM)
    first = replace_segments(bgm, [new_segment("a", 0, 1), new_segment("b", 1, 1)])
    assert [s["id"] for s in bgm["sg"]] == ["a", "b"] and first is bgm["sg"]
    replace_segments(bgm, [new_segment("c", 0, 4, v=1.0)])
    assert [s["id"] for s in bgm["sg"]] == ["c"]
    update_segments(bgm, v=0.2)
    assert bgm["sg"][0]["v"] == 0.2
    replace_segments(bgm, [])
    assert bgm["sg"] == []
    video = get_or_create_track(draft, Kind.VIDEO)
    replace_segments(video, [new_segment("v1", 0, 4, ss=1.0, src="/a.mp4"), new_segment("v2", 4, 4, src="/b.mp4"),
                             new_segment("t", 0, 1, txt="x")])
    keep_between(video, 2000, 6000)     # a media segment cut at its head starts later in its source
    assert [(s["id"], s["st"], s["d"], s.get("ss")) for s in video["sg"]] == [("v1", 0, 2000, 2001.0),
                                                                            ("v2", 2000, 2000, 0)]


def test_tracks_are_removed_and_the_bed_follows_the_content():
    draft = new_draft()
    replace_segments(get_or_create_track(draft, Kind.VIDEO), [new_segment("v", 0, 6)])
    replace_segments(get_or_create_track(draft, Kind.BGM), [new_segment("m", 3, 60)])
    get_or_create_track(draft, Kind.TITLE)
    assert normalize(draft)["d"] == 6000 and draft["t"][1]["sg"][0] | {} == {"id": "m", "st": 0, "d": 6000}
    assert remove_tracks(draft, lambda t: t["id"] in ("title", "nope")) == 1
    assert [t["id"] for t in draft["t"]] == ["video", "bgm"]
    assert remove_tracks(draft, lambda t: False) == 0


def test_metadata_is_read_without_being_made():
    bare: dict = {"t": []}
    assert meta_value(bare, "title", "none") == "none" and "m" not in bare
    drop_meta(bare, "title")
    assert "m" not in bare
    settings = subtitle_settings(bare)
    assert settings == {"order": ["zh", "en"], "mode": "burn"} and bare["m"]["subtitles"] is settings
    settings["mode"] = "soft"
    assert subtitle_settings(bare)["mode"] == "soft"
