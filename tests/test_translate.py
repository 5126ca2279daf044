"""Translation providers: the LLM client against a small OpenAI-compatible
server on 127.0.0.1, and the agent handoff's submission checks."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nemo_skill.config import llm_settings
from nemo_skill.errors import InputError
from nemo_skill.media.asr.transcribe import Word
from nemo_skill.media.subtitles import cues, translate
from nemo_skill.media.subtitles.cues import Cue

KEY = "sk-test-secret-123456"


class FakeLLM:
    """/v1/chat/completions that "translates" by prefixing EN:, with scripted faults."""

    def __init__(self) -> None:
        self.faults: list[str] = []      # per request: "500", "drop_line", "garbage", "401"
        self.requests: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # keep test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                fault = owner.faults.pop(0) if owner.faults else ""
                if fault in ("500", "401"):
                    self.send_response(int(fault))
                    self.end_headers()
                    self.wfile.write(b'{"error": "nope"}')
                    return
                user = body["messages"][-1]["content"]
                lines = [ln for ln in user.splitlines() if ln[:1].isdigit()]
                out = [f"{ln.split('. ', 1)[0]}. EN:{ln.split('. ', 1)[1]}" for ln in lines]
                if fault == "drop_line":
                    out = out[:-1]
                content = "I cannot." if fault == "garbage" else "\n".join(out)
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()


@pytest.fixture
def llm():
    server = FakeLLM()
    yield server
    server.server.shutdown()


def client(llm, **kw):
    settings = llm_settings({"NEMO_LLM_BASE_URL": llm.url, "NEMO_LLM_MODEL": "fake-1",
                                               "NEMO_LLM_API_KEY": KEY})
    return translate.LLMTranslator(settings, retry_delay=0.01, **kw)


def test_translates_in_batches_keeping_order(llm):
    texts = [f"第{i}句" for i in range(1, 8)]
    out = client(llm, batch=3).translate(texts, "zh", "en")
    assert out == [f"EN:{t}" for t in texts]
    assert len(llm.requests) == 3
    first = llm.requests[0]
    assert first["path"] == "/v1/chat/completions" and first["auth"] == f"Bearer {KEY}"
    assert first["body"]["model"] == "fake-1"
    assert "names" in first["body"]["messages"][0]["content"]


def test_wrong_line_count_is_asked_again(llm):
    llm.faults = ["drop_line", "garbage"]
    assert client(llm).translate(["一", "二"], "zh", "en") == ["EN:一", "EN:二"]
    assert len(llm.requests) == 3
    assert "exactly 2" in llm.requests[1]["body"]["messages"][0]["content"]


def test_server_errors_are_retried(llm):
    llm.faults = ["500"]
    assert client(llm).translate(["一"], "zh", "en") == ["EN:一"]


def test_gives_up_with_a_clear_error_and_no_key(llm):
    llm.faults = ["drop_line"] * 3
    with pytest.raises(translate.TranslationError) as err:
        client(llm).translate(["一", "二"], "zh", "en")
    assert "2 translated lines" in str(err.value) and KEY not in str(err.value)
    llm.faults = ["401"]
    with pytest.raises(translate.TranslationError) as err:
        client(llm).translate(["一"], "zh", "en")
    assert "NEMO_LLM_API_KEY" in str(err.value) and KEY not in str(err.value)


def test_unreachable_endpoint():
    settings = translate.LLMSettings("http://127.0.0.1:9/v1", "m", KEY)
    with pytest.raises(translate.TranslationError, match="unreachable"):
        translate.LLMTranslator(settings, retry_delay=0.01, tries=2).translate(["一"], "zh", "en")


def test_model_is_required_with_a_url():
    assert llm_settings({}) is None
    with pytest.raises(Exception, match="NEMO_LLM_MODEL"):
        llm_settings({"NEMO_LLM_BASE_URL": "http://x"})


@pytest.mark.parametrize("content", [
    json.dumps({"translations": ["One", "Two"]}),
    json.dumps(["One", "Two"]),
    json.dumps({"cues": [{"n": 2, "text": "Two"}, {"n": 1, "text": "One"}]}),
    "1. One\n2. Two\n",
])
def test_submission_formats(tmp_path, content):
    path = tmp_path / "t.json"
    path.write_text(content, encoding="utf-8")
    assert translate.read_submission(path, 2) == ["One", "Two"]


@pytest.mark.parametrize("content, message", [
    (json.dumps({"translations": ["One"]}), "1 translations for 2 cues"),
    (json.dumps({"translations": ["One", " "]}), "empty"),
    ("1. One\n", "missing 2"),
    ("1. One\n2. Two\n3. Three\n", "unexpected 3"),
])
def test_wrong_submissions_are_refused(tmp_path, content, message):
    path = tmp_path / "t.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        translate.read_submission(path, 2)
    assert "2" in err.value.hint


def test_pending_document_and_whisper_draft_spread():
    cues = [Cue(0.5, 2.0, "第一句"), Cue(2.5, 4.0, "第二\n句")]
    doc = translate.pending_document(cues, "zh", "en")
    assert doc["count"] == 2 and doc["cues"][1] == {"n": 2, "start": 2.5, "end": 4.0, "text": "第二 句",
                                                    "max_chars": 30}      # 1.5 s at 20 a second
    assert "nemo subs submit" in doc["instructions"]
    words = [Word("First", 0.4, 0.9), Word("one.", 1.0, 1.8), Word("Second", 2.6, 3.0), Word("one.", 3.1, 3.9)]
    assert translate.spread_words(words, cues) == ["First one.", "Second one."]


def test_each_pending_cue_has_its_budget():
    """Issue 13: duration x the target's reading speed, capped at its lines (2 x 42 for English)."""
    long = [Cue(0.0, 1.0, "短"), Cue(1.0, 9.0, "很长的一句")]
    doc = translate.pending_document(long, "zh", "en")
    assert [c["max_chars"] for c in doc["cues"]] == [20, 84]
    assert doc["limits"] == {"line_chars": 42, "lines": 2, "chars_per_second": 20.0}
    to_zh = translate.pending_document(long, "en", "zh", cues.rules_for("zh", cps=8))
    assert [c["max_chars"] for c in to_zh["cues"]] == [8, 16] and "max_chars" in to_zh["instructions"]


def test_whispers_english_words_are_joined_as_written():
    words = [Word("I", 0.0, 0.2), Word("'m", 0.2, 0.3), Word("sure", 0.3, 0.6), Word("you", 0.6, 0.8),
             Word("don", 0.8, 1.0), Word("'t", 1.0, 1.1), Word(",", 1.1, 1.1), Word("do", 1.2, 1.3),
             Word("n't", 1.3, 1.4), Word("you", 1.4, 1.5), Word("?", 1.5, 1.5)]
    assert translate.spread_words(words, [Cue(0.0, 2.0, "我")]) == ["I'm sure you don't, don't you?"]
    laid = cues.layout(words, "en")
    assert [c.text for c in laid] == ["I'm sure you don't, don't you?"]


def test_a_translation_too_long_for_two_lines_is_split_in_time():
    source = [Cue(0.0, 4.0, "一句很长的话"), Cue(4.1, 6.0, "短句")]
    long = ("This translation is much too long to fit in two lines of forty-two characters, "
            "so it has to be split across the time of its cue.")
    out = cues.fit_translation(source, [long, "Short."], "en")
    assert len(out) == 3 and all(c.text.count("\n") <= 1 for c in out)
    assert all(len(line) <= 42 for c in out for line in c.text.split("\n"))
    assert " ".join(c.text.replace("\n", " ") for c in out[:2]) == long
    assert out[0].start == 0.0 and out[1].end == 4.0 and out[2].text == "Short."
    gap = out[1].start - out[0].end
    assert 0.08 <= gap <= 0.09                                   # two frames apart
    share = (out[0].end - out[0].start) / (out[1].end - out[1].start)
    chars = len(out[0].text) / len(out[1].text)
    assert share == pytest.approx(chars, rel=0.02)               # time in proportion to characters
    zh = cues.fit_translation(source[:1], ["这是一个很长的中文翻译句子，一行十六个字放不下，所以要分成几条"], "zh")
    assert len(zh) >= 2 and all("\n" not in c.text and len(c.text) <= 16 for c in zh)
