"""`nemo subtitle --script / --terms / --terms-file` end to end against the real engine
(issue 13): the files are read by the CLI, travel in the typed request, and the engine
times the script's text to the speech."""

from __future__ import annotations

import json

import pysubs2
import pytest
import speech_video as sv
from conftest import run_nemo
from figures import at_most

pytestmark = [pytest.mark.slow, pytest.mark.model]

# The script's sentences start 0.004-0.02 s from their speech on every compute path (bench/compute_paths.py).
SCRIPT_ONSET_BOUND = 0.2
SCRIPT = "近几年，不但我用书给女儿压岁，也劝说亲朋不要给女儿压岁钱，而改送压岁书。\n甚至出现交易几乎停滞的情况。\n你好世界。"


@pytest.fixture(scope="module")
def tight_clip(tmp_path_factory):
    d = tmp_path_factory.mktemp("scriptclip")
    return sv.joined(d / "talk.mp4", [sv.YASUI, sv.AISHELL, sv.HELLO_ZH], 0.15, bed=sv.MUSIC_BED, video=True)


def test_the_script_is_the_text_and_each_sentence_starts_with_its_speech(tight_clip, cli_env, tmp_path):
    clip, parts = tight_clip
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    terms = tmp_path / "terms.txt"
    terms.write_text("压岁钱\n停滞\n", encoding="utf-8")
    # --punctuation keep: the files carry the script's own marks, so the text compares whole
    r = run_nemo(["subtitle", str(clip), "--lang", "zh", "--script", str(script), "--terms-file", str(terms),
                  "--punctuation", "keep", "--no-burn", "--no-preview", "--formats", "srt",
                  "--out-dir", str(tmp_path / "out"), "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    cues = pysubs2.load(json.loads(r.stdout)["files"]["zh.srt"])
    assert "".join(c.plaintext.replace("\n", "") for c in cues) == SCRIPT.replace("\n", "")
    for (name, at), sentence in zip(parts, SCRIPT.split("\n"), strict=True):
        first = next(c for c in cues if sentence.startswith(c.plaintext.replace("\n", "")[:4]))
        at_most(f"script.{name}.onset_error", abs(first.start / 1000 - (at + sv.speech_onset(name))),
                SCRIPT_ONSET_BOUND, (sentence, first.start))


@pytest.mark.parametrize("flags, message", [
    (["--script", "missing.txt"], "no such file"),
    (["--terms", "x" * 41], "longer than 40 characters"),
    (["--terms", ",".join(f"t{i}" for i in range(201))], "at most 200"),
])
def test_bad_script_or_terms_are_refused_before_anything_is_sent(flags, message, cli_env, tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"")
    r = run_nemo(["subtitle", str(video), *flags, "--json"], cli_env, cwd=tmp_path)
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert message in doc["message"] and doc.get("hint"), doc
