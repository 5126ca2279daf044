"""The keyword table (English and Chinese) and the GUI-phrase table."""

from __future__ import annotations

import pytest

from nemo_skill.intents import route, translate_gui


@pytest.mark.parametrize("words, action", [
    ("export", "export"), ("please export the video", "export"), ("导出", "export"),
    ("download it", "export"), ("send me the video", "export"), ("把视频导出来", "export"),
    ("how many credits do I have", "credits"), ("积分还剩多少", "credits"),
    ("what's my balance", "credits"), ("余额", "credits"),
    ("status", "status"), ("show tracks", "status"), ("项目状态", "status"),
    ("upload", "upload"), ("我要上传", "upload"),
    ("add background music", "message"), ("生成中英双语字幕", "message"),
    ("make the subtitles bigger", "message"), ("exporter settings", "message"),
    ("generate accurate Chinese and English subtitles for my Bilibili video", "message"),
])
def test_route_table(words, action):
    assert route(words).action == action


def test_a_named_file_is_an_upload(tmp_path):
    clip = tmp_path / "my trip.mp4"
    clip.write_bytes(b"x")
    r = route(f'add subtitles to "{clip}"')
    assert r.action == "upload" and r.files == (str(clip),)
    assert route("edit", [str(clip)]).files == (str(clip),)
    assert route("add subtitles to missing.mp4").action == "message"


@pytest.mark.parametrize("text, expected, actions", [
    ("Done! Click Export to download your video.", 'Done! Say "export" to download your video.', ["export"]),
    ("完成！点击导出即可下载。", "完成！说“导出”即可下载。", ["export"]),
    ("Preview in timeline to check it.", "See the timeline summary to check it.", ["summary"]),
    ("Open the editor to continue.", "Check the editor to continue.", ["state"]),
    ("Drag the clip to 5s.", "Ask me to move the clip to 5s.", ["message"]),
    ("请拖拽音乐到时间线。", "请告诉我移动音乐到时间线。", ["message"]),
    ("Click the subtitle button.", "Ask for the subtitle button.", ["click"]),
    ("Nothing to translate here.", "Nothing to translate here.", []),
    ("Click Export, then click Export again.", 'Say "export", then say "export" again.', ["export"]),
])
def test_gui_translation(text, expected, actions):
    out = translate_gui(text)
    assert (out.text, out.actions) == (expected, actions)
