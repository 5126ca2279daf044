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
