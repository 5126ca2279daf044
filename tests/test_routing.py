"""Routing that reads like a person (issue 12): clauses in order, negations,
references, questions about an action, and "download the subtitles"."""

from __future__ import annotations

import json

import pytest
from conftest import run_nemo

from nemo_skill.intents import plan

M, E, C, S, U, F, N = "message", "export", "credits", "status", "upload", "subtitle_files", "noop"
ES = "status:export"   # a question about an export, not a new one

TABLE = [
    # the five
    ("把上传的音乐作为背景音乐，音量35%", [M]),
    ("add subtitles then export", [M, E]),
    ("download the subtitles", [F]),
    ("下载字幕", [F]),
    ("don't export yet, just make the subtitles bigger", [M]),
    ("先别导出，把字幕调大", [M]),
    ("status of my export", [ES]),
    # plain actions, English
    ("export", [E]), ("please export the video", [E]), ("export it", [E]), ("download it", [E]),
    ("send me the video", [E]), ("render the video", [E]), ("download the video", [E]),
    ("export the video with English subtitles", [E]),
    ("how many credits do I have", [C]), ("what's my balance", [C]), ("check my credit balance", [C]),
    ("status", [S]), ("show tracks", [S]), ("show the timeline", [S]), ("timeline summary", [S]),
    ("upload", [U]),
    # plain actions, Chinese
    ("导出", [E]), ("把视频导出来", [E]), ("下载视频", [E]), ("渲染一下", [E]), ("发给我", [E]),
    ("积分还剩多少", [C]), ("余额", [C]), ("查一下点数", [C]),
    ("项目状态", [S]), ("看看时间线", [S]), ("我要上传", [U]), ("上传", [U]),
    # messages to the editing agent
    ("add background music", [M]), ("生成中英双语字幕", [M]), ("make the subtitles bigger", [M]),
    ("exporter settings", [M]), ("make it 9:16", [M]), ("改成9:16", [M]),
    ("generate accurate Chinese and English subtitles for my Bilibili video", [M]),
    ("add Chinese and English subtitles", [M]), ("加个标题“城市之梦”", [M]),
    ("在时间线上加个标题", [M]), ("put the subtitles at the top", [M]), ("字幕放到顶部", [M]),
    ("slower voice", [M]), ("语速慢一点", [M]), ("remove the music", [M]), ("去掉英文字幕", [M]),
    # references: a keyword that names a thing
    ("use the uploaded music as background music", [M]), ("已经上传了视频，加字幕", [M]),
    ("把刚上传的图片放在开头", [M]), ("上传过的视频加上字幕", [M]), ("the export looks too dark, brighten it", [M]),
    ("my export has no sound, fix the audio", [M]), ("导出的视频太暗了", [M]),
    # compound requests, in order
    ("add subtitles and export", [M, E]), ("add Chinese and English subtitles and export", [M, E]),
    ("make it 9:16 and then export it", [M, E]), ("add a title, then export", [M, E]),
    ("加字幕然后导出", [M, E]), ("加字幕再导出", [M, E]), ("加上字幕，然后导出视频", [M, E]),
    ("先加背景音乐，再导出", [M, E]), ("add music, then check my credits", [M, C]),
    ("导出然后查一下余额", [E, C]), ("export and then show the status", [E, S]),
    ("add a title, then make the music quieter", [M]),
    ("add subtitles then download the subtitles", [M, F]),
    ("生成字幕，然后下载字幕", [M, F]),
    # negations
    ("don't export", [N]), ("do not export yet", [N]), ("先别导出", [N]), ("不要导出", [N]),
    ("暂时不导出，先把标题改成“旅行”", [M]), ("不用导出，字幕改成黄色", [M]),
    ("no need to export, make the title bigger", [M]), ("cancel the export", [N]),
    ("取消导出", [N]), ("never export without asking, add music now", [M]),
    # questions about an action
    ("is my export done?", [ES]), ("is the export finished", [ES]), ("how's the export going", [ES]),
    ("did the export finish?", [ES]), ("export progress", [ES]), ("导出好了吗", [ES]),
    ("导出进度", [ES]), ("导出完成了吗", [ES]), ("渲染到哪了", [ES]), ("下载好了没", [ES]),
    # subtitle files, not a video
    ("export the subtitles", [F]), ("download the srt", [F]), ("download subtitles as srt", [F]),
    ("导出字幕文件", [F]), ("下载中英字幕", [F]), ("把字幕下载下来", [E]),
    # issue 23: compound, negated and referring requests as people type them (no punctuation,
    # typos, mixed languages); a change always comes before the export it is said with
    ("字幕大一点，导出", [M, E]), ("字幕大一点 导出", [M, E]), ("字幕大一点导出", [M, E]),
    ("字幕大一点,导出", [M, E]), ("导出之前把字幕改成黄色", [M, E]), ("在导出前把字幕调大一点", [M, E]),
    ("导出来之前先把音乐调小", [M, E]), ("before exporting, make the subtitles yellow", [M, E]),
    ("make the subtitles yellow before export", [M, E]), ("before you export it make the title bigger", [M, E]),
    ("export after you add the music", [M, E]), ("add background music and tell me my balance", [M, C]),
    ("put the status text in the top-left corner", [M]), ("status bar text should be yellow", [M]),
    ("状态栏放左上角", [M]), ("字太小了，换成男声，再慢一点", [M]), ("make subs bigger then export pls", [M, E]),
    ("加字幕 然后导出", [M, E]), ("加个背景音乐再查下余额", [M, C]), ("字幕大一点再告诉我余额", [M, C]),
    ("字幕换成黄色的 先不要导出", [M]), ("dont export yet make the music quieter", [M]),
    ('pls dont export, just change the title to "Spring"', [M]), ("先别渲染 把标题改成春天", [M]),
    ("add subtitels and export", [M, E]), ("generate chinese+english subs then export it", [M, E]),
    ("给视频加中英字幕然后导出", [M, E]), ("给视频加中英字幕，再导出来", [M, E]),
    ("make it 9:16 and export and tell me my credits", [M, E, C]), ("改成竖屏再导出然后看看余额", [M, E, C]),
    ("the status of my export pls", [ES]), ("my export is done?", [ES]), ("导出的视频在哪", [ES]),
    ("上传的音乐当背景音乐 音量30%", [M]), ("use the music i uploaded as bgm and export", [M, E]),
    ("把上传的图片放到最后 然后导出", [M, E]), ("cancel the export and make the subtitles bigger", [M]),
    ("不要导出 字幕改成白色", [M]), ("不导出了", [N]), ('no export pls just add a title "Hi"', [M]),
    ("export the srt please", [F]), ("下载一下字幕文件", [F]), ("字幕文件导出一下", [F]),
    ("把视频导出 还有字幕", [E, F]), ("delete the music then render", [M, E]), ("加标题“春天”并导出", [M, E]),
    ("加标题“春天”和背景音乐 然后导出", [M, E]), ("add title 'Spring' + music, then export", [M, E]),
    ("查一下余额然后导出", [C, E]), ("show me the timeline then export", [S, E]),
    ("please 给 ./我的视频.mp4 加 bilingual subtitles", [M]), ("把字幕改成黄色了吧导出", [M, E]),
    # issue 23, second round: the video and its subtitle files in one breath; negations beside a
    # change; things pointed at ("那个字幕"); no punctuation, "n" for "and", mixed languages
    ("导出视频还有srt", [E, F]), ("export the video and the subtitles", [E, F]),
    ("export it n the srt too", [E, F]), ("导出mp4和srt", [E, F]), ("下载字幕和视频", [E, F]),
    ("字幕改成红色然后导出视频和字幕", [M, E, F]), ("subs yellow n export", [M, E]),
    ("字幕改黄色导出来", [M, E]), ("字幕调大 顺便导出", [M, E]), ("字幕变大再导一下", [M, E]),
    ("remove the music and dont export", [M]), ("别加音乐了 字幕改黄", [M]), ("别导出 字幕改黄", [M]),
    ("字幕改黄 先别导出", [M]), ("dont export just make the subtitle yellow", [M]),
    ("make subtitles yellow but dont export it yet", [M]), ("不要导出了 加个标题“夏天”", [M]),
    ("加个标题“夏天” 别导出", [M]), ("那个字幕再大点 然后导出", [M, E]), ("上面那个标题删掉 再导出", [M, E]),
    ("把刚才的字幕调小一点再导出", [M, E]), ("那个字幕改成白色的 导出来", [M, E]),
    ("export after u make the subs bigger", [M, E]), ("导出前字幕放顶部", [M, E]),
    ("before u export make it 9:16", [M, E]), ("字幕放顶部 导出 查余额", [M, E, C]),
    ("加背景音乐 然后看下积分", [M, C]), ("make the music quieter and export pls", [M, E]),
    ("music quieter n export", [M, E]), ("音乐小声点 导出", [M, E]), ("换成男声再导出", [M, E]),
    ("use a female voice then export", [M, E]), ("语速慢一点 然后导出", [M, E]), ("slower voice and export", [M, E]),
    ("不用换声音 慢一点 然后导出", [M, E]), ("don't change the voice, just make it slower", [M]),
    ("dont touch the voice just slow it down then export", [M, E]), ("字幕太小了 导出", [M, E]),
    ("the text is too small, export it", [M, E]), ("make the title bigger", [M]), ("标题大一点", [M]),
    ("把标题放大然后导出", [M, E]), ("那个标题改成“秋天”然后导出", [M, E]), ("export my video pls", [E]),
    ("导出视频吧", [E]), ("导出好了没有", [ES]), ("我的导出呢", [ES]), ("is it exported yet", [ES]),
    ("那个字幕再大点", [M]), ("上面那个标题删掉", [M]), ("先不导出 标题改成秋天 字幕放上面", [M]),
    ("加个标题叫春天 然后导出", [M, E]), ("only english subs and export", [M, E]), ("transcribe again and export", [M, E]),
]


def _actions(words: str) -> list[str]:
    return [s.action + (f":{s.about}" if s.about else "") for s in plan(words)]


def test_the_table_is_large_enough():
    assert len(TABLE) >= 80 and len({w for w, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize("words, expected", TABLE)
def test_routing_table(words, expected):
    assert _actions(words) == expected


def test_message_steps_carry_their_own_words():
    steps = plan("don't export yet, just make the subtitles bigger")
    assert steps[0].text == "just make the subtitles bigger"
    assert [s.text for s in plan("加字幕再导出")] == ["加字幕", "导出"]


def test_upload_then_message_in_order(tmp_path):
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"x")
    steps = plan(f"上传 {clip} 然后加字幕")
    assert [s.action for s in steps] == [U, M]
    assert steps[0].files == (str(clip),) and steps[1].text == "加字幕"
    steps = plan(f"add subtitles to {clip} and export")
    assert [s.action for s in steps] == [U, M, E]


def test_route_json_shows_the_whole_plan(cli_env):
    r = run_nemo(["route", "add subtitles then export", "--json"], cli_env)
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["action"] == M
    assert [s["action"] for s in doc["plan"]] == [M, E]


def test_a_negated_export_starts_no_render(cli_env, media):
    assert run_nemo(["upload", str(media["clip"])], cli_env).returncode == 0
    r = run_nemo(["say", "don't export yet, just add a title \"Trip\"", "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [s["action"] for s in doc["plan"]] == [M] and "export" not in doc
    state = json.loads(run_nemo(["state", "--json"], cli_env).stdout)
    assert "Trip" in state["summary"]
    status = json.loads(run_nemo(["say", "status of my export", "--json"], cli_env).stdout)
    assert status["plan"][0]["about"] == "export" and status["renders"] == []


def test_compound_request_edits_then_exports(cli_env, media, tmp_path):
    assert run_nemo(["upload", str(media["clip"])], cli_env).returncode == 0
    out = tmp_path / "trip.mp4"
    r = run_nemo(["say", "add a title \"Trip\" then export", "--out", str(out), "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [s["action"] for s in doc["plan"]] == [M, E]
    assert doc["export"]["path"] == str(out) and out.stat().st_size > 1000


def test_say_answers_in_the_users_language(cli_env, media):
    """The lines `nemo say` adds to the engine's reply follow the user's words (issue 12)."""
    assert run_nemo(["upload", str(media["clip"])], cli_env).returncode == 0
    said = {words: run_nemo(["say", words], cli_env) for words in
            ("我的导出进度怎么样", "还有多少积分", "下载字幕", "加个标题“山间”", "how many credits do I have")}
    assert all(r.returncode == 0 for r in said.values()), {w: r.stderr for w, r in said.items()}
    assert "没有正在进行的导出" in said["我的导出进度怎么样"].stdout
    assert "积分：可用" in said["还有多少积分"].stdout
    assert "还没有字幕" in said["下载字幕"].stdout
    assert "下一步：说“导出”" in said["加个标题“山间”"].stdout
    assert "Credits:" in said["how many credits do I have"].stdout
    assert not any(english in r.stdout for english in ("No export", "Next:", "Wrote", "Credits:")
                   for w, r in said.items() if not w.isascii())
