"""`nemo generate --media-dir`: the user's own pictures, matched to the sentences in script order (issue 15)."""

from __future__ import annotations

import json

import pytest
from conftest import frame_mean, run_nemo, solid_png

from nemo_skill.errors import InputError
from nemo_skill.media.scenes import library

KINDS = ("png", "jpg", "mp4")


def _touch(folder, *names):
    for name in names:
        (folder / name).write_bytes(b"x")


def test_names_and_sidecar_tags_match_sentences_in_order(tmp_path):
    _touch(tmp_path, "mountain_sunrise.png", "tea-cup.jpg", "CityNight.png", "西湖_雨.png", "misc.png", "notes.md")
    (tmp_path / "misc.txt").write_text("竹林, bamboo", encoding="utf-8")
    entries = library.scan(tmp_path, KINDS)
    assert {e.path.name for e in entries} == {"mountain_sunrise.png", "tea-cup.jpg", "CityNight.png",
                                             "西湖_雨.png", "misc.png"}
    picked = library.match(["清晨的山谷里，雾气慢慢散开。",      # mountain: by the motif's keywords
                            "泡一壶好茶。",                        # tea: by the word
                            "城市的夜晚灯火通明。",                # CityNight: camel case split
                            "竹林里很安静。",                      # misc.png: by its sidecar tags
                            "春雨落在湖面上。",                    # 西湖_雨: 雨
                            "今天我们说再见。"], entries)           # nothing: a drawn scene
    assert [p.name if p else None for p in picked] == ["mountain_sunrise.png", "tea-cup.jpg", "CityNight.png",
                                                      "misc.png", "西湖_雨.png", None]


def test_each_file_is_used_once(tmp_path):
    _touch(tmp_path, "tea.png")
    picked = library.match(["喝茶。", "再喝茶。"], library.scan(tmp_path, KINDS))
    assert [p.name if p else None for p in picked] == ["tea.png", None]


def test_an_empty_or_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        library.scan(tmp_path / "nope", KINDS)
    _touch(tmp_path, "readme.md")
    with pytest.raises(InputError, match="no picture or clip") as err:
        library.scan(tmp_path, KINDS)
    assert "png" in err.value.hint


@pytest.mark.slow
def test_generate_shows_the_matching_file_for_each_sentence(cli_env, tmp_path):
    media = tmp_path / "library"
    media.mkdir()
    solid_png(media / "green_mountain.png", "green")
    solid_png(media / "red_tea.png", "red")
    solid_png(media / "blue_city.png", "blue")
    out = tmp_path / "v.mp4"
    r = run_nemo(["generate", "--script", "泡一壶好茶，慢慢品。远处的山峰很高。今天就到这里。", "--media-dir", str(media),
                  "--no-music", "--out", str(out), "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    draft = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    scenes = next(t for t in draft["t"] if t["id"] == "scenes")["sg"]
    assert [s.get("n") if s.get("src") else None for s in scenes] == ["red_tea.png", "green_mountain.png", None]
    assert scenes[2]["m"]["motif"]                                   # the unmatched sentence is drawn
    r_, g, b = frame_mean(out, (scenes[0]["st"] + scenes[0]["d"] / 2) / 1000)
    assert r_ > 150 and g < 90 and b < 90                             # the tea sentence shows the red picture
    r_, g, b = frame_mean(out, (scenes[1]["st"] + scenes[1]["d"] / 2) / 1000)
    assert g > 90 and r_ < 90                                         # the mountain sentence the green one
    # "slower voice" re-lays the scenes and keeps each sentence's picture, the drawn one included
    assert run_nemo(["say", "slower voice", "--json"], cli_env).returncode == 0
    draft = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    scenes = next(t for t in draft["t"] if t["id"] == "scenes")["sg"]
    assert [s.get("n") if s.get("src") else None for s in scenes] == ["red_tea.png", "green_mountain.png", None]
