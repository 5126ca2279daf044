"""`nemo subs check` (issue 13): every planted fault is reported with its code, file, cue
and fix; clean files give no findings; the exit code says which."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_skill.media.subtitles import check as subcheck, formats as subfiles
from nemo_skill.media.subtitles.cues import Cue

CLEAN_ZH = [Cue(0.5, 2.5, "近几年 不但我用书给女儿压岁"), Cue(2.6, 4.5, "也劝说亲朋不要给女儿压岁钱"),
            Cue(4.6, 6.0, "你好吗？")]
CLEAN_EN = [Cue(0.5, 2.5, "In recent years, books."), Cue(2.6, 4.5, "Not money."),
            Cue(4.6, 6.0, "How are you?")]

SRT_FAULTS = """1
00:00:00,500 --> 00:00:03,000
第一句和第二句重叠了

2
00:00:02,500 --> 00:00:04,000
这一句开始得太早

3
00:00:04,100 --> 00:00:13,100
这一句足足九秒

4
00:00:13,500 --> 00:00:16,000
这一句以句号结尾。

5
00:00:16,100 --> 00:00:19,000
This English cue has a first line
and a second line of text
and then a third line as well

6
00:00:19,020 --> 00:00:21,000
{blank}
""".format(blank=" ")


def write_srt(path: Path, cues: list[Cue]) -> Path:
    subfiles.plain_document(cues).save(str(path), format_="srt", encoding="utf-8")
    return path


def codes(report: dict) -> set[tuple[str, int | None]]:
    return {(f["code"], f.get("cue")) for f in report["findings"]}


def test_clean_files_give_no_findings(tmp_path):
    files = subfiles.write_all([subfiles.SubTrack("zh", CLEAN_ZH), subfiles.SubTrack("en", CLEAN_EN)],
                               tmp_path, "clean", 1920, 1080)
    report = subcheck.check_paths([Path(p) for p in files.values()])
    assert report["findings"] == [] and report["clean"], report["findings"]
    assert {f["kind"] for f in report["files"]} == {"subtitles", "bcc"}
    zh_srt = next(f for f in report["files"] if f["file"].endswith("clean.zh.srt"))
    assert zh_srt["languages"] == {"zh": {"cues": 3, "findings": {}}}


def test_every_planted_fault_in_an_srt_is_reported(tmp_path):
    path = tmp_path / "faults.zh.srt"
    path.write_text(SRT_FAULTS, encoding="utf-8")
    report = subcheck.check_paths([path])
    found = codes(report)
    assert ("overlap", 2) in found                       # 2 starts before 1 ends
    assert ("too_long", 3) in found                      # a 9 s cue
    assert ("end_punctuation", 4) in found               # 。 at the end
    assert ("too_many_lines", 5) in found                # three English lines
    assert ("gap_too_small", 6) in found                 # 0.02 s after cue 5
    assert ("empty_cue", 6) in found                     # a cue of one space
    assert not any(code == "end_punctuation" and cue != 4 for code, cue in found)
    overlap = next(f for f in report["findings"] if f["code"] == "overlap")
    assert overlap["file"] == str(path) and overlap["time"] == 2.5 and "end cue 1 at 00:02.41" in overlap["fix"]
    assert not report["clean"] and report["by_code"]["overlap"] == 1
    # --punctuation keep: the same file, without the end-punctuation finding
    kept = subcheck.check_paths([path], punctuation="keep")
    assert ("end_punctuation", 4) not in codes(kept) and ("overlap", 2) in codes(kept)


def test_an_empty_cue_and_reading_speed_and_line_length(tmp_path):
    """pysubs2 drops an SRT cue without text, so the empty cue is planted in a BCC."""
    path = tmp_path / "fast.en.bcc"
    doc = subfiles.bcc([Cue(0.0, 1.0, "x")])
    doc["body"] = [{"from": 0.0, "to": 1.0, "location": 2,
                    "content": "Far too many words to read in one short second of screen time"},
                   {"from": 1.2, "to": 3.0, "location": 2, "content": " "},
                   {"from": 3.2, "to": 6.0, "location": 2, "content": "这一行中文字幕一共有二十个汉字那么长的一行"}]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    found = codes(subcheck.check_paths([path]))
    assert {("reading_speed", 1), ("line_too_long", 1), ("empty_cue", 2), ("line_too_long", 3)} <= found
    # a limit given on the command line moves the line
    relaxed = subcheck.check_paths([path], rules=subcheck.default_rules({"zh": {"max_chars": 24}}))
    assert ("line_too_long", 3) not in codes(relaxed)


def test_a_bad_bcc_is_reported_against_its_schema(tmp_path):
    bad = tmp_path / "bad.zh.bcc"
    bad.write_text(json.dumps({"font_size": 0.4, "body": [{"from": 0, "to": 1, "location": 2}]}), encoding="utf-8")
    empty = tmp_path / "empty.zh.bcc"
    empty.write_text(json.dumps({**subfiles.bcc([]), "body": []}), encoding="utf-8")
    broken = tmp_path / "broken.zh.bcc"
    broken.write_text("{not json", encoding="utf-8")
    report = subcheck.check_paths([bad, empty, broken])
    messages = [f["message"] for f in report["findings"] if f["code"] == "bcc_schema"]
    assert any("'font_color' is a required property" in m for m in messages)
    assert any("body/0" in m and "'content' is a required property" in m for m in messages)
    assert ("no_cues", None) in codes(report) and ("bcc_invalid", None) in codes(report)
    by_file = {f["file"]: {x["code"] for x in f["findings"]} for f in report["files"]}
    assert by_file[str(empty)] == {"no_cues"}


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    d = tmp_path_factory.mktemp("upload")
    bad, good = d / "bad.mp4", d / "good.mp4"
    # yuv444p, a keyframe only every 15 s, 44.1 kHz mono
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=24:d=20", "-f", "lavfi", "-i", "sine=d=20",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p",
           "-x264-params", "keyint=360:min-keyint=360:scenecut=0", "-c:a", "aac", "-ar", "44100", "-ac", "1",
           "-shortest", str(bad))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=24:d=12", "-f", "lavfi", "-i", "sine=d=12",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "48",
           "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2", "-shortest", str(good))
    return bad, good


def test_an_mp4_against_bilibilis_upload_rules(videos):
    bad, good = videos
    report = subcheck.check_paths([bad])
    found = {f["code"]: f for f in report["findings"]}
    assert set(found) == {"pixel_format", "keyframe_interval", "audio_sample_rate", "audio_channels"}
    assert "yuv444p" in found["pixel_format"]["message"] and "-pix_fmt yuv420p" in found["pixel_format"]["fix"]
    assert found["keyframe_interval"]["time"] == 0 and "15.0 s" in found["keyframe_interval"]["message"]
    assert "-ar 48000 -ac 2" in found["audio_channels"]["fix"] and "-c:v copy" not in found["pixel_format"]["fix"]
    assert report["files"][0]["max_keyframe_gap"] == pytest.approx(15, abs=0.1)
    clean = subcheck.check_paths([good])
    assert clean["clean"], clean["findings"]


def test_the_cli_exit_code_and_json(videos, tmp_path):
    env_path = str(Path(__file__).resolve().parent.parent / "src")
    faults = tmp_path / "faults.zh.srt"
    faults.write_text(SRT_FAULTS, encoding="utf-8")
    clean = write_srt(tmp_path / "clean.zh.srt", CLEAN_ZH)

    def nemo(*args):
        import os
        env = {**os.environ, "PYTHONPATH": env_path}
        return subprocess.run([sys.executable, "-m", "nemo_skill.cli.main", "subs", "check", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    r = nemo(str(faults), str(videos[0]), "--json")
    assert r.returncode == 4, r.stderr
    doc = json.loads(r.stdout)
    assert doc["count"] == len(doc["findings"]) >= 9 and {"overlap", "keyframe_interval"} <= set(doc["by_code"])
    assert all({"code", "file", "message", "fix"} <= set(f) for f in doc["findings"])
    r = nemo(str(clean), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["clean"] is True
    r = nemo(str(faults))
    assert r.returncode == 4 and "fix: end cue 1 at 00:02.41" in r.stdout
    r = nemo(str(tmp_path / "missing.srt"), "--json")
    assert r.returncode == 1 and "does not exist" in json.loads(r.stdout)["message"]


def test_a_fast_cue_is_told_to_stay_longer_only_when_the_next_cue_leaves_room():
    rules = subcheck.default_rules()
    text = "Twenty-one characters"                                       # 21 characters: 1.05 s at 20
    room = [Cue(0.0, 0.9, text), Cue(3.0, 4.0, "Next.")]
    tight = [Cue(0.0, 0.9, text), Cue(1.0, 2.0, "Next.")]
    fix_room = next(f for f in subcheck.check_cues(room, "x.srt", rules)[0] if f.code == "reading_speed").fix
    fix_tight = next(f for f in subcheck.check_cues(tight, "x.srt", rules)[0] if f.code == "reading_speed").fix
    assert fix_room == "shorten it to 18 characters, or keep it on screen until 00:01.050"
    assert fix_tight == "shorten it to 18 characters"
