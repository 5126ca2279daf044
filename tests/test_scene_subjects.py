"""Every generated scene shows what its sentence is about (issue 27): subjects from the CLDR
names and keywords of the Noto emoji set, placed large on a setting coloured to the topic,
figures as data cards, the agent's storyboard handoff, and readable 9:16 subtitles."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import run_nemo

from nemo_skill.errors import InputError
from nemo_skill.media.scenes import (
    data_card,
    emoji_art,
    look as scene_look,
    storyboard,
    subjects,
)
from nemo_skill.media.subtitles import cues

DATA = Path(__file__).parent / "data"


def _emoji(sentence: str) -> list[str]:
    return [s.emoji for s in subjects.scene_subjects(sentence)]


def test_the_drawings_and_keywords_are_installed():
    """scripts/setup.sh installs them; without them every scene is a bare setting."""
    assert emoji_art.available() and len(emoji_art.available()) > 3000
    assert len(subjects._keywords()) > 2000
    art = emoji_art.render("🐼", 480)
    assert art.size == (480, 480) and art.mode == "RGBA"
    alpha = np.asarray(art.getchannel("A"))
    # a vector rendering: sharp edges, so few half-transparent pixels (an upscaled bitmap blurs them)
    assert (alpha == 255).mean() > 0.5 and ((alpha > 10) & (alpha < 245)).mean() < 0.02


@pytest.mark.parametrize("sentence, wanted", [
    ("大熊猫每天要花十几个小时吃竹子。", ["🐼", "🎋"]),
    ("红纸黑字的春联贴在大门两边。", ["🧧", "🚪"]),   # two words, two subjects (not 春联's second picture)
    ("今年第一季度手机销量增长了百分之十二。", ["📱"]),
    ("医生建议老人和儿童及时接种疫苗。", ["🧑‍⚕️"]),
    ("吃完饭再来一碗冰淇淋。", ["🍨"]),    ("他每天早上喝一杯牛奶。", ["🥛"]),            # a CLDR keyword, not the name (一杯奶)
])
def test_a_sentence_shows_what_it_names(sentence, wanted):
    assert all(w in _emoji(sentence) for w in wanted), _emoji(sentence)


def test_shows_names_the_subject_in_english_chinese_and_emoji():
    assert subjects.scene_subjects("保护区里的熊猫宝宝正在树上睡觉。")[0].shows() == ["panda", "熊猫", "🐼"]
    assert subjects.scene_subjects("今天天气不错。") == [] or all(
        s.emoji not in ("🈳", "🈶") for s in subjects.scene_subjects("今天天气不错。"))
    assert subjects.parse_shows("panda").emoji == "🐼" and subjects.parse_shows("熊猫").emoji == "🐼"
    assert subjects.parse_shows("🐼").emoji == "🐼" and subjects.parse_shows("no such thing") is None
    assert subjects.parse_shows("x" * 41) is None and subjects.parse_shows(3) is None


def _share(name: str) -> tuple[float, list]:
    rows = [line.rstrip("\n").split("\t") for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    misses = []
    for _category, sentence, accepted in rows:
        want = {e.replace("\ufe0f", "") for e in accepted.split()}
        if not any(e.replace("\ufe0f", "") in want for e in _emoji(sentence)):
            misses.append(sentence)
    return 1 - len(misses) / len(rows), misses


def test_most_sentences_of_a_varied_corpus_show_their_subject():
    """200 sentences (news, science, food, travel, history; the table grew on them: 92% shown)
    and 38 held-out ones on other topics, never used to grow the table (87% shown)."""
    share, misses = _share("scene_subjects_corpus.tsv")
    assert share >= 0.88, misses
    held_out, misses = _share("scene_subjects_heldout.tsv")
    assert held_out >= 0.8, misses


def test_a_sentence_without_a_subject_shows_the_topic():
    board = subjects.storyboard(["大熊猫为什么爱吃竹子？", "这个问题其实很有意思。"], title="熊猫")
    assert [s.emoji for s in board[1]] == ["🐼"]


@pytest.mark.parametrize("sentence, text", [
    ("今年第一季度手机销量增长了百分之十二。", "12%"), ("销量增长了12.5%", "12.5%"),
    ("卖出1200万台手机", "1,200万台"), ("周末的比赛吸引了五万名观众。", "50,000名"), ("百分之三点五", "3.5%"),
])
def test_figures_become_data_cards(sentence, text):
    fig = data_card.figure(sentence)
    assert fig is not None and fig.text() == text
    events = data_card.events(fig, 1000, 4000, 1080, 1920)
    assert events[-1].text.endswith(text) and events[-1].end == 4000      # counts up to the figure and stays
    assert any(r"\t(0," in e.text for e in events)                         # the bar grows


@pytest.mark.parametrize("sentence", ["3月15日新品发布。", "2024年的冬天很冷。", "十几个小时", "一个鸡蛋", "一清二白三红四绿"])
def test_dates_times_and_counting_words_are_not_figures(sentence):
    assert data_card.figure(sentence) is None


def test_the_storyboard_colours_the_setting_to_the_topic():
    festival = storyboard.plan(["除夕这天，家家户户都要贴春联。", "孩子们放鞭炮。"], "过年")
    assert {b["mood"] for b in festival} == {"festive"} and festival[0]["shows"][0] == ["red envelope", "红包", "🧧"]
    clinic = storyboard.plan(["医生建议接种疫苗。", "发烧时要按时吃药。"], "流感")
    assert clinic[0]["mood"] == "clinical" and clinic[0]["by"] == "rules"
    assert scene_look.palette("festive")["top"][0] > 120 and scene_look.palette(None) is None
    mine = storyboard.plan(["医生建议接种疫苗。"], "", [["🐯"]])
    assert mine[0]["subjects"] == ["🐯"] and mine[0]["by"] == "agent"


def test_subjects_stand_on_the_thirds_above_the_subtitles():
    for width, height in ((1080, 1920), (1920, 1080)):
        for count, card in ((1, False), (2, False), (1, True)):
            for left, top, size in scene_look.placements(count, width, height, card):
                assert 0 <= left and left + size <= width and 0 <= top
                assert top + size <= height * 0.78            # clear of the bottom subtitles
                assert size >= min(width, height) * 0.35      # large, not a sticker


def _words(text: str, step: float = 0.2):
    return [SimpleNamespace(text=ch, start=i * step, end=(i + 1) * step) for i, ch in enumerate(text)]


@pytest.mark.parametrize("sentence", ["他每天早上开着一辆红色的小汽车去上班的路上买了一辆车。",
                                      "今年第一季度我们公司的手机销量增长了12.5%。",
                                      "今年第一季度我们公司卖出了一千二百万台的手机。"])
def test_no_tiny_cue_no_particle_or_unit_at_a_cue_start(sentence):
    laid = cues.layout(_words(sentence), "zh", cues.rules_for("zh", max_chars=12))
    for cue in laid:
        bare = "".join(ch for ch in cue.text if ch.isalnum())
        assert len(bare) >= 3, [c.text for c in laid]
        assert cue.text[0] not in cues.PARTICLES and cue.text[0] not in "万亿台%", [c.text for c in laid]
    assert "".join(c.text for c in laid) == sentence


def test_latin_words_keep_their_spaces():
    words = [SimpleNamespace(text=t, start=i * 0.2, end=i * 0.2 + 0.2)
             for i, t in enumerate(["我", "买", "了", "Model", " Y", "。"])]
    assert cues.layout(words, "zh")[0].text == "我买了Model Y。"


def _frame(path: Path, at: float) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{at:.2f}", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(1920, 1080, 3)


@pytest.mark.slow
def test_a_9_16_video_shows_each_sentence_and_the_agent_can_change_it(cli_env, tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("大熊猫\n大熊猫每天都要吃很多竹子。\n熊猫宝宝正在树上睡觉。\n", encoding="utf-8")
    out = tmp_path / "v.mp4"
    r = run_nemo(["generate", "--script", str(script), "--aspect", "9:16", "--voice", "espeak:cmn+f3",
                  "--no-music", "--out", str(out), "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [s["sentence"] for s in data["scenes"]] == [1, 2]                 # the title card is no entry
    assert data["scenes"][0]["shows"][0] == ["panda", "熊猫", "🐼"] and "scenes submit" in data["next"]
    scene = data["scenes"][1]
    assert scene["shows"][0][2] == "🐼"
    left, top, size = scene_look.placements(len(scene["shows"]), 1080, 1920)[0]
    box = _frame(out, (scene["start"] + scene["end"]) / 2)[top:top + size, left:left + size].astype(int)
    white = (box.min(axis=2) > 225).mean()
    grey = ((box.max(axis=2) < 110) & (box.max(axis=2) - box.min(axis=2) < 20)).mean()   # its dark patches
    assert white > 0.15 and grey > 0.08, (white, grey)                    # a panda, not a green setting
    draft = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    subs = next(t for t in draft["t"] if t["id"] == "subtitle_zh")
    assert subs["m"]["style"]["size"] == 84                                # 58 px characters at 1080 wide
    assert draft["m"]["generator"]["labels"] is False                     # no centred key phrase

    pending = run_nemo(["scenes", "pending", "--json"], cli_env)
    doc = json.loads(pending.stdout)
    assert pending.returncode == 0 and len(doc["sentences"]) == 2 and ["panda", "熊猫", "🐼"] in doc["vocabulary"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"scenes": [{"sentence": 1, "shows": ["tiger"]}, {"sentence": 2, "shows": ["麒麟兽"]}]}),
                   encoding="utf-8")
    refused = run_nemo(["scenes", "submit", str(bad), "--out", str(tmp_path / "x.mp4"), "--json"], cli_env)
    assert refused.returncode == 1 and "麒麟兽" in json.loads(refused.stdout)["message"]
    assert not (tmp_path / "x.mp4").exists()
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"scenes": [{"sentence": 2, "shows": ["tiger", "竹子"]}]}, ensure_ascii=False),
                    encoding="utf-8")
    done = run_nemo(["scenes", "submit", str(good), "--out", str(tmp_path / "y.mp4"), "--json"], cli_env)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["changed"] == [2] and result["scenes"][1]["by"] == "agent"
    assert [s[2] for s in result["scenes"][1]["shows"]] == ["🐅", "🎋"] and result["scenes"][0]["by"] == "rules"
    assert (tmp_path / "y.mp4").stat().st_size > 10_000


def test_a_storyboard_file_is_checked_before_anything_changes(tmp_path):
    from nemo_skill.scenes_job import read_storyboard

    path = tmp_path / "b.json"
    for body in ("not json", "[]", '{"scenes": [{"sentence": 0, "shows": ["panda"]}]}',
                 '{"scenes": [{"sentence": 1, "shows": ["a", "b", "c"]}]}', '{"scenes": [{"sentence": 1, "shows": ["🦄🦄"]}]}'):
        path.write_text(body, encoding="utf-8")
        with pytest.raises(InputError):
            read_storyboard(path)
    path.write_text('{"scenes": [{"sentence": 1, "shows": ["panda", "竹子"]}]}', encoding="utf-8")
    assert read_storyboard(path) == [{"sentence": 1, "shows": ["panda", "竹子"]}]


def test_a_subject_drawn_by_two_threads_at_once_is_whole(tmp_path):
    """The planner draws ahead while a render may draw the same subject: neither fails."""
    from concurrent.futures import ThreadPoolExecutor

    from nemo_skill.media.scenes import cache as scene_cache

    meta = {"subjects": ["🐼", "🎋"]}
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda _i: scene_cache.sprites(meta, 1080, 1920, tmp_path), range(8)))
    assert all(len(d) == 2 for d in done) and not list(tmp_path.glob(".subject-*"))
    assert scene_cache.sprites({"subjects": ["not an emoji", 3]}, 1080, 1920, tmp_path) == []


def _clear_caches():
    for fn in (emoji_art._chars, emoji_art._icons, emoji_art._available, subjects.vocabulary,
               subjects._indexes, subjects._keywords):
        fn.cache_clear()


def test_without_the_drawings_scenes_fall_back_to_the_settings_with_a_warning(tmp_path, monkeypatch, caplog):
    from nemo_skill.media.scenes import cache as scene_cache

    monkeypatch.setattr(emoji_art, "_folder", lambda: None)
    monkeypatch.setattr(emoji_art, "_warned", False)
    _clear_caches()
    try:
        with caplog.at_level("WARNING"):
            assert emoji_art.available() is None and emoji_art.render("🐼", 100) is None
            assert scene_cache.sprites({"subjects": ["🐼"]}, 1080, 1920, tmp_path) == []
        assert "setup.sh" in caplog.text
        assert _emoji("大熊猫每天要吃竹子。")[0] == "🐼"     # what it shows is still said, in scenes[]
    finally:
        monkeypatch.undo()
        _clear_caches()


@pytest.mark.parametrize("answer, expected", [
    ('Here: [{"sentence": 1, "shows": ["🐯", "竹子"]}, {"sentence": 2, "shows": ["麒麟兽"]}]', [["🐯", "🎋"], None]),
    ("I cannot help with that.", None),
    ('[{"sentence": 9, "shows": ["panda"]}]', None),
])
def test_the_llm_as_art_director_is_checked_against_the_library(answer, expected):
    from llm_replay import ReplayLLM

    from nemo_skill.engine.scene_tools import ask_llm

    texts = ["大熊猫每天都要吃很多竹子。", "熊猫宝宝正在树上睡觉。"]
    llm = ReplayLLM()
    llm.answers = [{"content": answer}]
    try:
        chosen = ask_llm(llm.settings, texts, storyboard.plan(texts))
    finally:
        llm.server.shutdown()
        llm.server.server_close()
    assert chosen == expected
    assert "熊猫宝宝" in llm.requests[0]["messages"][-1]["content"]       # it was shown the sentences
    if expected:
        assert storyboard.plan(texts, "", chosen, "llm")[0]["by"] == "llm"
