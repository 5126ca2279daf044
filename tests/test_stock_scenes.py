"""Pictures from Pexels, Pixabay and an OpenAI-compatible image endpoint (issue 15).

Never the network: a loopback server plays each provider's documented API (Pexels: key in
the Authorization header, `photos[].src.large2x`; Pixabay: key as a query parameter,
`hits[].largeImageURL`; images/generations: `data[].b64_json`) and records what it was asked.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import frame_mean, run_nemo

from nemo_skill.stock import KeyRefused, StockClient, StockError, StockSettings

KEY = "stock-secret-key-0123456789"


def _png(colour: str) -> bytes:
    return subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=c={colour}:s=640x360", "-frames:v",
                           "1", "-f", "image2pipe", "-c:v", "png", "pipe:1"], capture_output=True, check=True).stdout


class Stock(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.asked: list[dict] = []
        self.status = 200
        self.images = {"red": _png("red"), "green": _png("green")}
        self.by_query = {"mountain": "green", "tea": "red"}
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        srv: Stock = self.server
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith("/img/"):
            return self._send(200, srv.images[parts.path[5:]], "image/png")
        srv.asked.append({"path": parts.path, "query": query, "auth": self.headers.get("Authorization")})
        if srv.status != 200:
            return self._send(srv.status, b'{"error": "no"}')
        colour = srv.by_query.get(query.get("query") or query.get("q"))
        if parts.path == "/v1/search":
            photos = [{"id": 100 + i, "photographer": "Ann", "url": "https://pexels.example/p",
                       "src": {"large2x": f"{srv.url}/img/{colour}", "original": "x"}} for i in range(2)] if colour else []
            return self._send(200, json.dumps({"photos": photos}).encode())
        if parts.path == "/api/":
            hits = [{"id": 7, "user": "Bo", "pageURL": "https://pixabay.example/7",
                     "largeImageURL": f"{srv.url}/img/{colour}"}] if colour else []
            return self._send(200, json.dumps({"hits": hits}).encode())
        self._send(404, b"{}")

    def do_POST(self) -> None:
        srv: Stock = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv.asked.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        data = base64.b64encode(srv.images["red"]).decode()
        self._send(200, json.dumps({"data": [{"b64_json": data}]}).encode())


@pytest.fixture
def stock():
    server = Stock()
    yield server
    server.shutdown()
    server.server_close()


def test_pexels_is_searched_with_the_key_in_its_header(stock, tmp_path):
    client = StockClient(StockSettings("pexels", stock.url, KEY), tmp_path)
    first = client.picture("mountain", "", "9:16")
    second = client.picture("mountain", "", "9:16")
    assert first.path != second.path and first.path.read_bytes() == stock.images["green"]   # each photo once
    assert (first.author, first.source) == ("Ann", "pexels")
    assert stock.asked[0]["auth"] == KEY and stock.asked[0]["query"]["orientation"] == "portrait"
    assert client.picture("nothing here", "", "16:9") is None
    assert client.picture("山谷", "", "16:9") is None and stock.asked[-1]["query"]["locale"] == "zh-CN"


def test_pixabay_takes_its_key_as_a_parameter_and_never_shows_it(stock, tmp_path):
    client = StockClient(StockSettings("pixabay", stock.url, KEY), tmp_path)
    assert client.picture("tea", "", "16:9").path.read_bytes() == stock.images["red"]
    assert stock.asked[0]["query"]["key"] == KEY and stock.asked[0]["query"]["orientation"] == "horizontal"
    stock.status = 403
    with pytest.raises(KeyRefused) as err:
        client.picture("tea", "", "16:9")
    assert KEY not in str(err.value) and KEY not in err.value.hint
    stock.status = 429
    with pytest.raises(StockError, match="too many requests"):
        client.picture("tea", "", "16:9")
    dead = StockClient(StockSettings("pixabay", "http://127.0.0.1:9", KEY), tmp_path)
    with pytest.raises(StockError) as err:           # requests would name the URL, key and all
        dead.picture("tea", "", "16:9")
    assert KEY not in str(err.value)


def test_an_image_model_draws_the_sentence(stock, tmp_path):
    client = StockClient(StockSettings("ai", stock.url, KEY, "painter-1"), tmp_path)
    picture = client.picture("tea", "泡一壶好茶，中国水墨画风格", "1:1")
    assert picture.path.read_bytes() == stock.images["red"] and picture.source == "ai"
    asked = stock.asked[0]
    assert asked["auth"] == f"Bearer {KEY}"
    assert asked["body"] == {"model": "painter-1", "prompt": "泡一壶好茶，中国水墨画风格", "n": 1, "size": "1024x1024",
                             "response_format": "b64_json"}


@pytest.mark.slow
def test_generate_uses_pexels_when_its_key_is_set(stock, cli_env, tmp_path):
    env = {**cli_env, "NEMO_PEXELS_API_KEY": KEY, "NEMO_PEXELS_URL": stock.url, "NEMO_MODEL_CACHE": str(tmp_path)}
    out = tmp_path / "v.mp4"
    r = run_nemo(["generate", "--script", "泡一壶好茶，慢慢品。远处的山峰很高。今天就到这里。", "--no-music",
                  "--out", str(out), "--json"], env)
    assert r.returncode == 0, r.stderr
    assert KEY not in r.stdout and KEY not in r.stderr
    data = json.loads(r.stdout)
    assert [c["sentence"] for c in data["credits"]] == [1, 2] and data["credits"][0]["author"] == "Ann"
    assert "sentence 3" in data["warnings"][0]                       # nothing for it: drawn, and said
    assert [a["query"]["query"] for a in stock.asked] == ["tea", "mountain", "今天就到这里"]
    draft = json.loads(run_nemo(["state", "--json"], env).stdout)["state"]["state"]["draft"]
    scenes = next(t for t in draft["t"] if t["id"] == "scenes")["sg"]
    assert [bool(s.get("src")) for s in scenes] == [True, True, False]
    r_, g, b = frame_mean(out, (scenes[0]["st"] + scenes[0]["d"] / 2) / 1000)
    assert r_ > 150 and g < 90                                        # the tea sentence: the red photo
    r_, g, b = frame_mean(out, (scenes[1]["st"] + scenes[1]["d"] / 2) / 1000)
    assert g > 90 and r_ < 90                                         # the mountain sentence: the green one


def test_asking_for_a_source_without_its_key_says_which_key(cli_env, tmp_path):
    env = {k: v for k, v in cli_env.items() if "PEXELS" not in k}
    r = run_nemo(["generate", "--script", "泡一壶好茶。", "--scenes", "pexels", "--out", str(tmp_path / "v.mp4"),
                  "--json"], env)
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert "needs its key" in doc["message"] and "NEMO_PEXELS_API_KEY" in doc["hint"]
