"""Issue 23, item 7: settings read once, one HTTP policy, ffmpeg through one runner, and the job
requests typed and checked once."""

from __future__ import annotations

import dataclasses
import http.server
import math
import subprocess
import threading

import pytest
import requests

from nemo_skill import config, http_policy
from nemo_skill.client import NemoClient
from nemo_skill.errors import InputError, MediaError
from nemo_skill.generate_request import GenerateRequest
from nemo_skill.llm import LLMClient, LLMError, LLMSettings
from nemo_skill.media import ffmpeg
from nemo_skill.media.asr import model as asr_model, transcribe as asr
from nemo_skill.media.render import cover
from nemo_skill.media.voice import tts
from nemo_skill.stock import StockClient, StockSettings
from nemo_skill.store import Store
from nemo_skill.subtitle_request import SubtitleRequest

# --- settings -----------------------------------------------------------------------------------

def test_the_environment_is_copied_once_and_read_anew_only_when_forgotten(monkeypatch, tmp_path):
    monkeypatch.setenv("NEMO_MODEL_CACHE", str(tmp_path / "one"))
    config.forget()
    settings = config.current()
    assert config.current() is settings                           # built once
    assert asr_model.cache_dir() == tmp_path / "one" / "whisper-base"
    monkeypatch.setenv("NEMO_MODEL_CACHE", str(tmp_path / "two"))
    monkeypatch.setenv("NEMO_ASR_MAX_SECONDS", "12")
    assert config.current() is settings                           # a later change is not seen ...
    assert asr_model.cache_dir() == tmp_path / "one" / "whisper-base"   # ... by the media layer either
    assert asr.max_seconds() == asr.MAX_SECONDS
    config.forget()                                               # a new process, or a test, reads it anew
    assert asr_model.cache_dir() == tmp_path / "two" / "whisper-base"
    assert asr.max_seconds() == 12.0


def test_settings_are_frozen_and_installed_settings_are_the_ones_media_sees(tmp_path):
    built = config.Settings.from_env({"NEMO_STATE_DIR": str(tmp_path), "NEMO_VOICE_DIRS": str(tmp_path / "v"),
                                      "NEMO_ONNX_OPTIMIZATION": "basic"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.retry_delay = 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.media.asr_model = "small"
    config.install(built)
    assert config.current() is built and config.media() is built.media
    assert config.media().onnx_basic and config.media().voice_roots[0] == tmp_path / "v"


@pytest.mark.parametrize("raw", ["nan", "inf", "-5", "0", "many"])
def test_an_asr_limit_that_is_not_a_finite_positive_number_keeps_the_default(raw):
    assert config.MediaSettings.from_env({"NEMO_ASR_MAX_SECONDS": raw}).asr_max_seconds is None


def test_a_wrong_llm_setting_turns_the_planner_off_not_every_command():
    settings = config.Settings.from_env({"NEMO_LLM_BASE_URL": "http://127.0.0.1:9/v1"})   # no model
    from nemo_skill.engine.service import EngineConfig
    assert EngineConfig.from_settings(settings).llm is None


# --- one HTTP policy ------------------------------------------------------------------------------

def test_the_three_clients_share_one_policy_and_its_sessions(tmp_path):
    transport = NemoClient("https://api.example.com", store=Store(tmp_path), headers={}, skill="s",
                           retry_delay=0.25, rate_limit_wait=7.5)
    llm = LLMClient(LLMSettings("https://llm.example.com/v1", "m"), tries=2, retry_delay=0.5)
    stock = StockClient(StockSettings("pexels", "https://api.pexels.com", "k" * 20), tmp_path)
    for client in (transport, llm, stock):
        assert isinstance(client.policy, http_policy.HttpPolicy)
        assert isinstance(client.http, http_policy.PolicySession)
        assert client.http.max_redirects == client.policy.max_redirects == http_policy.DEFAULT.max_redirects
    assert (transport.policy.retry_delay, transport.policy.rate_limit_wait) == (0.25, 7.5)
    assert (llm.policy.max_tries, llm.policy.retry_delay) == (2, 0.5)
    assert stock.fetch_policy.max_redirects == http_policy.DEFAULT.max_redirects


class _Server(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):   # noqa: N802 - http.server's name
        self.hits.append(self.path)
        if self.path.startswith("/to-private"):
            self.send_response(302)
            self.send_header("Location", "http://10.1.2.3/inside")
        elif self.path.startswith("/fail"):
            self.send_response(503)
        else:
            self.send_response(200)
        self.end_headers()

    do_POST = do_GET   # noqa: N815

    def log_message(self, *_):
        pass


@pytest.fixture
def server():
    _Server.hits = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def test_a_redirect_to_a_private_address_is_refused_and_the_error_names_no_url(server):
    session = http_policy.DEFAULT.session(server, trust_env=False)
    with pytest.raises(http_policy.RedirectRefused) as refused:
        session.get(f"{server}/to-private?key=SECRET")
    assert "SECRET" not in str(refused.value) and "10.1.2.3" not in str(refused.value)
    llm = LLMClient(LLMSettings(f"{server}/to-private?key=SECRET", "m"), tries=1)
    with pytest.raises(LLMError) as said:
        llm.complete([{"role": "user", "content": "hi"}])
    assert "RedirectRefused" in said.value.message


def test_a_request_that_costs_is_sent_once_after_a_5xx_and_a_search_is_tried_again(server):
    policy = http_policy.DEFAULT.with_(retry_delay=0.001)
    http = policy.session(server, trust_env=False)
    once = http_policy.send(policy, lambda: http.post(f"{server}/fail/pay", timeout=policy.timeout()),
                            idempotent=False)
    assert once.status_code == 503 and _Server.hits == ["/fail/pay"]
    again = http_policy.send(policy, lambda: http.get(f"{server}/fail/search", timeout=policy.timeout()),
                             idempotent=True)
    assert again.status_code == 503 and _Server.hits.count("/fail/search") == policy.max_tries


def test_a_connection_never_made_may_be_tried_again_even_for_a_request_that_costs():
    policy = http_policy.DEFAULT.with_(retry_delay=0.001, max_tries=2)
    tries = []

    def refused():
        tries.append(1)
        return requests.post("http://127.0.0.1:9/pay", timeout=policy.timeout())
    with pytest.raises(requests.ConnectionError):
        http_policy.send(policy, refused, idempotent=False)
    assert len(tries) == 2


# --- the job requests ------------------------------------------------------------------------------

@pytest.mark.parametrize("duration", [math.nan, math.inf, -math.inf, 2, 601])
def test_a_generate_request_refuses_a_duration_that_is_not_a_finite_number_in_range(duration):
    with pytest.raises(InputError, match="duration"):
        GenerateRequest.build(script="一杯清茶。", duration=duration)


@pytest.mark.parametrize("field,value", [("title", "茶\u202e之道"), ("prompt", "山\x1b[2J水"), ("script", "一杯\u2028清茶。")])
def test_a_generate_request_refuses_control_and_bidi_characters(field, value):
    fields = {"script": "一杯清茶。", field: value} if field != "script" else {"script": value}
    if field == "prompt":
        fields = {"prompt": value}
    with pytest.raises(InputError, match=field):
        GenerateRequest.build(**fields)


def test_the_voice_of_a_generate_request_is_parsed_once(monkeypatch):
    from nemo_skill import generate_job
    parsed = []
    real = tts.parse_voice
    monkeypatch.setattr(tts, "parse_voice", lambda v: parsed.append(v) or real(v))
    req = GenerateRequest.build(script="茶之道\n一杯清茶。", voice="espeak:cmn")
    call = generate_job.to_call(req, ["a.png"])
    generate_job.message(req)
    generate_job.plan(req)
    assert parsed == ["espeak:cmn"]
    assert call["args"]["voice"] == "espeak:cmn" and call["args"]["scene_files"] == ["a.png"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        req.voice = real("espeak:cmn+f3")


@pytest.mark.parametrize("changes", [{"limits": {"zh": {"cps": math.nan}}}, {"limits": {"zh": {"max_chars": 500}}},
                                     {"languages": ["fr"]}, {"translator": "babel"}, {"formats": ("srt", "doc")},
                                     {"terms": ["压岁\u202e钱"]}, {"poll_interval": math.inf}])
def test_a_subtitle_request_is_checked_when_it_is_made(changes):
    with pytest.raises(InputError):
        SubtitleRequest(**changes)


def test_a_subtitle_request_is_not_written_to_a_change_is_a_new_value():
    asked = SubtitleRequest(languages=["zh", "en"], terms=["压岁钱"])
    later = asked.but(languages=("zh",), preview=False)
    assert asked.languages == ("zh", "en") and asked.preview and asked.terms == ("压岁钱",)
    assert later.languages == ("zh",) and not later.preview
    with pytest.raises(dataclasses.FrozenInstanceError):
        asked.soft = True


# --- the cover: ffmpeg through the wrapper, failures said plainly ----------------------------------

def test_a_cover_of_a_broken_video_is_a_clear_media_error(tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\xde\xad" * 500)
    with pytest.raises(MediaError) as failed:
        cover.make(broken, "标题", 5.0)
    assert failed.value.hint and not list(tmp_path.glob("*.png"))


def test_a_cover_whose_ffmpeg_fails_says_so_instead_of_a_trace(tmp_path, monkeypatch):
    video = tmp_path / "v.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=10", "-t", "2",
                    "-pix_fmt", "yuv420p", str(video)], check=True, timeout=60)
    real = ffmpeg.binary
    monkeypatch.setattr(ffmpeg, "binary", lambda name: "/bin/false" if name == "ffmpeg" else real(name))
    with pytest.raises(MediaError, match="ffmpeg failed") as failed:
        cover.make(video, "标题", 2.0)
    assert "ffprobe" in failed.value.hint


def test_a_cover_that_cannot_be_saved_is_a_media_error(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    video = folder / "v.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=10", "-t", "2",
                    "-pix_fmt", "yuv420p", str(video)], check=True, timeout=60)
    (folder / "v.cover.png").mkdir()      # a folder where the PNG should go
    with pytest.raises(MediaError, match="cover could not be made"):
        cover.make(video, "标题", 2.0)


def test_a_helper_program_that_is_missing_or_hangs_is_said_plainly(tmp_path, monkeypatch):
    from nemo_skill.errors import ToolMissingError
    from nemo_skill.media import programs
    with pytest.raises(ToolMissingError) as missing:
        programs.run("no-such-program-nemo", [], timeout=5, install_hint="install it")
    assert missing.value.hint == "install it"
    with pytest.raises(MediaError, match="longer than 1 s"):
        programs.run("sleep", ["5"], timeout=1, install_hint="")
