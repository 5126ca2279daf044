"""The engine under attack, round two (issue 22): what a web page, a killed upload, a NaN and
a hostile correction could still do after the first round. Each test repeats an attack and
checks the outcome: memory bounded, nothing left behind, the project readable, the text refused."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import time
from pathlib import Path

import pytest
from conftest import run_nemo
from test_hostile import Api

from nemo_skill import config
from nemo_skill.engine import daemon

MB = 1 << 20


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    state = tmp_path_factory.mktemp("round2") / "state"
    info = daemon.start(state, idle=0)
    yield {"url": info["url"], "pid": int(info["pid"]), "state": state, "port": int(info["port"])}
    daemon.stop(state)


def _rss(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _raw_post(port: int, path: str, size: int, content_type: str, token: str = "") -> tuple[int, int]:
    """Send a ``size``-byte body made as it goes (never held whole), stopping as soon as the
    engine answers; (status, bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {size}\r\n" + (f"Authorization: Bearer {token}\r\n" if token else "") + "\r\n")
    sock.sendall(head.encode())
    block, sent, answer = b"--b\r\n" + b"x" * (MB - 5), 0, b""
    try:
        while sent < size:
            if select.select([sock], [], [], 0)[0]:
                break
            sock.sendall(block[: size - sent])
            sent += len(block)
    except OSError:
        pass    # the engine answered and hung up: its answer is still in our buffer
    try:
        sock.settimeout(10)
        while b"\r\n" not in answer:
            more = sock.recv(4096)
            if not more:
                break
            answer += more
    except OSError:
        pass
    sock.close()
    return (int(answer.split()[1]) if answer.startswith(b"HTTP/") else 0), sent


# --- item 2: a web page's POST -----------------------------------------------------------------

@pytest.mark.parametrize("route", ["/run_sse", "/api/render/proxy/lambda"])
def test_a_300_mb_multipart_post_without_token_is_refused_unread(route, engine):
    """Before: the cap skipped multipart and FastAPI read the whole body before the token check
    (a 300 MB POST took the engine's RSS up by ~300 MB). Now: 401 after the headers."""
    before = _rss(engine["pid"])
    if before is None:
        pytest.skip("no /proc/<pid>/status here to measure the engine's memory")
    status, sent = _raw_post(engine["port"], route, 300 * MB, "multipart/form-data; boundary=b")
    grown = _rss(engine["pid"]) - before
    assert grown < 8 * MB, f"the engine's memory grew by {grown / MB:.1f} MB"
    assert status in (401, 413), status
    assert sent < 64 * MB, f"the engine let {sent >> 20} MB in before answering"


def test_multipart_with_a_token_is_refused_off_the_upload_route(engine):
    api = Api(engine["url"])
    token = api.auth["Authorization"].split()[1]
    status, sent = _raw_post(engine["port"], "/run_sse", 300 * MB, "multipart/form-data; boundary=b", token)
    assert status == 400, status
    assert sent < 64 * MB


# --- item 7: a killed engine's partial upload ----------------------------------------------------

def test_a_partial_upload_is_gone_after_a_restart(tmp_path):
    """Before: kill -9 mid-upload left the partial file (107 MB of a 450 MB upload) with no
    row in the uploads folder. Now: it is written under a temporary name, and a start removes
    temporary and unowned files."""
    state = tmp_path / "state"
    info = daemon.start(state, idle=0)
    api = Api(info["url"])
    token = api.auth["Authorization"].split()[1]
    port = int(info["port"])
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (f"POST /api/upload-video/nemo_agent/me/{api.sid} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: multipart/form-data; boundary=bnd\r\nContent-Length: {60 * MB}\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
            '--bnd\r\nContent-Disposition: form-data; name="files"; filename="big.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n")
    sock.sendall(head.encode())
    for _ in range(8):
        sock.sendall(b"\0" * MB)
    uploads = state / "engine" / "sessions" / api.sid / "uploads"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(p.stat().st_size > 2 * MB for p in uploads.glob("*")
                                                   if uploads.is_dir()):
        time.sleep(0.05)
    assert any(uploads.iterdir()), "the upload never reached the disk"
    os.kill(int(info["pid"]), signal.SIGKILL)
    sock.close()
    for _ in range(100):
        if daemon.status(state) is None:
            break
        time.sleep(0.05)
    daemon.start(state, idle=0)
    try:
        assert list(uploads.iterdir()) == [], list(uploads.iterdir())
    finally:
        daemon.stop(state)


# --- item 4: a NaN in a typed call ----------------------------------------------------------------

def _do_call(api: Api, name: str, args_json: str):
    body = (f'{{"app_name":"nemo_agent","user_id":"me","session_id":"{api.sid}","new_message":{{"parts":'
            f'[{{"functionCall":{{"name":"{name}","args":{args_json}}}}}]}}}}')
    return api.post("/run_sse", data=body.encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_nan_in_a_typed_call_is_a_400_and_the_project_stays_readable(literal, engine):
    """Before: {"size": NaN} passed the schema (NaN is neither below 16 nor above 160), was
    saved into the draft, and the state endpoint answered 500 from then on."""
    api = Api(engine["url"])
    r = _do_call(api, "style_subtitles", f'{{"size": {literal}}}')
    assert r.status_code == 400, (r.status_code, r.text[:200])
    assert "finite" in r.json()["message"]
    state = api.get(f"/api/state/nemo_agent/me/{api.sid}/latest")
    assert state.status_code == 200
    json.loads(state.text, parse_constant=lambda c: pytest.fail(f"the state holds {c}"))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_every_tool_schema_refuses_non_finite_numbers(value):
    """The planners' calls (an LLM's JSON may hold NaN) meet the same schemas."""
    from nemo_skill.engine import registry
    for name, args in [("style_subtitles", {"size": value}), ("set_volume", {"volume": value}),
                       ("set_title", {"text": "x", "start": value}), ("set_resolution", {"short_side": value}),
                       ("correct_subtitles", {"corrections": [{"cue": value, "text": "x"}]})]:
        with pytest.raises(registry.ToolError, match="finite"):
            registry.check_call(name, args)


def test_a_project_that_already_holds_a_nan_still_loads(engine):
    """A draft an older engine saved with NaN: the state answers 200 in standard JSON."""
    import sqlite3
    api = Api(engine["url"])
    db = sqlite3.connect(engine["state"] / "engine" / "engine.db")
    with db:
        db.execute("INSERT INTO drafts VALUES (?,?,?,?,?)", (api.sid, 1, '{"d": 1000, "m": {"subtitles": '
                   '{"size": NaN, "langs": ["en"]}}, "t": [{"tt": 0, "sg": [{"st": Infinity, "d": 1}]}]}',
                   "old", time.time()))
    db.close()
    r = api.get(f"/api/state/nemo_agent/me/{api.sid}/latest")
    assert r.status_code == 200, r.text[:300]
    draft = json.loads(r.text, parse_constant=lambda c: pytest.fail(f"the state holds {c}"))["data"]["state"]["draft"]
    assert draft["m"]["subtitles"] == {"langs": ["en"]}
    r = _do_call(api, "style_subtitles", '{"size": 48}')     # and it can be edited again
    assert r.status_code == 200


def test_the_cli_says_what_was_wrong_with_a_nan(cli_env):
    """Before: "The connection dropped ... Done (no visible change)", exit 0."""
    r = run_nemo(["do", "style_subtitles", "--args", '{"size": NaN}', "--json"], cli_env)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    doc = json.loads(r.stdout)
    assert "NaN" in json.dumps(doc) and "finite" in json.dumps(doc), doc


# --- item 5: corrections that add text ------------------------------------------------------------

ADDED = ["你好世界ＶＩＳＩＴ ＥＶＩＬ．ＣＯＭ", "你好世界Привет", "你好世界안녕", "你好世界こんにちは", "你好世界☠",
         "你好世界\x1b[31m", "你好\u202e世界", "你好\x00世界", "你好世界\u2066"]


@pytest.mark.parametrize("fixed", ADDED, ids=range(len(ADDED)))
def test_a_correction_may_not_add_text_of_another_script_or_controls(fixed):
    """Before: only CJK and ASCII were heard as syllables, so Cyrillic, Hangul, kana, fullwidth
    Latin, symbols and control characters were "not heard" and passed."""
    from nemo_skill.media.subtitles import proofread
    assert proofread.refusal("你好世界", fixed) is not None
    assert proofread.refusal("hello world", "hello world" + fixed[4:]) is not None
    assert proofread.refusal("你好世界", "您好世界") is None      # a homophone still passes


@pytest.mark.parametrize("tool, args", [
    ("correct_subtitles", {"corrections": [{"cue": 1, "text": "你好\u202e世界"}]}),
    ("apply_translation", {"lang": "en", "lines": ["hello \x1b]0;pwned\x07"]}),
    ("set_title", {"text": "My \u202etrip"}), ("generate_video", {"script": "第一句。\x00第二句。"}),
    ("transcribe", {"terms": ["压岁钱\u200f"]}), ("generate_video", {"title": "a\x1bb"})])
def test_control_and_bidi_characters_are_refused_wherever_text_enters(tool, args):
    from nemo_skill.engine import registry
    with pytest.raises(registry.ToolError, match="control"):
        registry.check_call(tool, args)


def test_ass_override_tags_are_the_same_text_in_every_format(tmp_path):
    """Before: `{\\fs200}` was dropped from SRT and VTT (read as a tag), shown in ASS and kept
    raw in BCC; control characters reached every file."""
    from nemo_skill.media.subtitles.cues import Cue
    from nemo_skill.media.subtitles.formats import SubTrack, write_all
    track = SubTrack("zh", [Cue(0.0, 1.5, "{\\fs200}大字\x1b[2J"), Cue(1.5, 3.0, "正常\u202e一句")])
    written = write_all([track], tmp_path, "t", 1920, 1080)
    assert set(written) == {"zh.srt", "zh.vtt", "zh.bcc", "ass"}
    for label, path in written.items():
        text = Path(path).read_text(encoding="utf-8")
        body = "".join(c["content"] for c in json.loads(text)["body"]) if label.endswith("bcc") else text
        assert "｛＼fs200｝大字" in body, (label, body)
        assert "{\\fs200}" not in body and "\x1b" not in body and "\u202e" not in body, (label, body)


# --- item 6: the user's library under the engine's stored names -------------------------------------

@pytest.mark.slow
def test_library_files_with_unsafe_names_are_used_not_drawn(cli_env, tmp_path):
    """Before: tea%20cup.png and mountain?.png matched by their real names, the engine stored
    them as 'tea cup.png' and 'mountain_.png', and both scenes were drawn while the result said ok.
    Now the client names them as the engine answered, and an unused library file is a warning."""
    from conftest import frame_mean, solid_png
    media = tmp_path / "library"
    media.mkdir()
    solid_png(media / "tea%20cup.png", "red")
    solid_png(media / "mountain?.png", "green")
    solid_png(media / "blue_city.png", "blue")
    out = tmp_path / "v.mp4"
    r = run_nemo(["generate", "--script", "泡一壶好茶，慢慢品。远处的山峰很高。", "--media-dir", str(media),
                  "--no-music", "--out", str(out), "--json"], cli_env)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    draft = json.loads(run_nemo(["state", "--json"], cli_env).stdout)["state"]["state"]["draft"]
    scenes = next(t for t in draft["t"] if t["id"] == "scenes")["sg"]
    assert all(s.get("src") for s in scenes), scenes
    assert [w for w in doc["warnings"] if "blue_city.png" in w], doc.get("warnings")
    r_, g, b = frame_mean(out, (scenes[0]["st"] + scenes[0]["d"] / 2) / 1000)
    assert r_ > 150 and g < 90 and b < 90                 # the tea sentence shows the red picture


# --- also: small holes ----------------------------------------------------------------------------

def test_a_sherpa_path_outside_the_voice_roots_says_the_same_whether_it_exists(tmp_path, monkeypatch):
    """Before: sherpa:/etc was taken as a voice and sherpa:/nope was "unknown": an oracle for
    which folders exist. Now both get the same answer; a folder inside NEMO_VOICE_DIRS works."""
    from nemo_skill.errors import InputError
    from nemo_skill.media.voice import tts
    monkeypatch.setenv("NEMO_VOICE_DIRS", str(tmp_path / "voices"))
    config.forget()
    (tmp_path / "voices" / "v1").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    said = []
    for name in (tmp_path / "secret", tmp_path / "nope", Path("/etc"), tmp_path / "voices" / ".." / "secret"):
        with pytest.raises(InputError) as caught:
            tts.parse_voice(f"sherpa:{name}")
        said.append(caught.value.message.replace(str(name), "PATH"))
    assert len(set(said)) == 1, said
    assert tts.parse_voice(f"sherpa:{tmp_path / 'voices' / 'v1'}").provider == "sherpa"


def test_an_edited_parsed_copy_cannot_change_the_skill_headers(tmp_path):
    """Before: a parsed copy with the same size and mtime stamp was believed, so an edit in the
    state folder changed X-Skill-Source, CR/LF included (a header of its own)."""
    from nemo_skill.skill import identify
    cache = tmp_path / "cache"
    real = identify(cache=cache).headers()
    for copy in cache.glob("frontmatter-*.json"):
        doc = json.loads(copy.read_text(encoding="utf-8"))
        doc["data"] = json.loads(json.dumps(doc["data"]).replace(real["X-Skill-Source"], "evil\\r\\nX-Injected: 1"))
        copy.write_text(json.dumps(doc), encoding="utf-8")
    headers = identify(cache=cache).headers()
    assert headers == real
    assert not any(ch in v for v in headers.values() for ch in "\r\n")


def test_skill_headers_never_carry_a_line_break():
    from nemo_skill.skill import Frontmatter, SkillIdentity
    fields = {f: "x" for f in Frontmatter.__dataclass_fields__}
    ident = SkillIdentity(Frontmatter(**{**fields, "name": "a\r\nX-Evil: 1", "version": "1\n2"}), Path("/tmp"))
    assert not any(ch in v for v in ident.headers().values() for ch in "\r\n")


def test_100000_terms_are_refused_before_any_work(tmp_path):
    """Before: de-duplicating 100 000 terms was quadratic (over 120 s, then the count check)."""
    import argparse

    from nemo_skill.cli.subtitles import _terms
    from nemo_skill.errors import InputError
    path = tmp_path / "terms.txt"
    path.write_text("\n".join(f"术语{i}" for i in range(100_000)), encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(InputError, match="at most 200"):
        _terms(argparse.Namespace(terms=",".join(f"t{i}" for i in range(20_000)), terms_file=str(path)))
    assert time.monotonic() - started < 0.5


@pytest.mark.slow
def test_checking_100000_cues_stays_under_300_mb(tmp_path, cli_env):
    """Before: 490 MB (every finding listed twice). Now the counts are whole, the list capped."""
    import subprocess
    import sys

    def at(t: float) -> str:
        return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{int(t % 60):02d},{round(t % 1 * 1000):03d}"
    path = tmp_path / "big.srt"
    path.write_text("\n".join(f"{i + 1}\n{at(i * 2)} --> {at(i * 2 + 1.5)}\n第{i}句字幕内容在这里\n"
                              for i in range(100_000)), encoding="utf-8")
    probe = ("import resource, subprocess, sys; r = subprocess.run([sys.executable, '-m', 'nemo_skill.cli.main', "
             "'subs', 'check', sys.argv[1], '--json'], capture_output=True); "
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, len(r.stdout))")
    code, peak_kb, size = subprocess.run([sys.executable, "-c", probe, str(path)], env=cli_env, capture_output=True,
                                         text=True, check=True, timeout=600).stdout.split()
    assert code == "4"
    assert int(peak_kb) < 300 * 1024, f"{int(peak_kb) >> 10} MB"


def test_a_claim_link_opens_once_and_soon_expires(engine):
    """Before: a claim token opened the project for 7 days, any number of times."""
    api = Api(engine["url"])
    claim = api.post("/api/auth/claim-token", json={"session_id": api.sid}).json()["data"]
    assert claim["expires_in"] <= 3600
    link = f"{engine['url']}/workspace/claim?ct={claim['claim_token']}"
    assert api.http.get(link, timeout=30).status_code == 200
    assert api.http.get(link, timeout=30).status_code == 404
