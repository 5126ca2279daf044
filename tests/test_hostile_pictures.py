"""A hostile picture source (issue 22, item 1). A loopback server plays Pexels/Pixabay and an
image endpoint whose answers attack: an id that climbs out of the cache, redirects to private
addresses and in circles, a body that never ends, a body that is not what its Content-Type
says. Files outside stay untouched, nothing half-written stays in the cache, and every failure
is a warning with a drawn scene, never the end of the run."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from nemo_skill.stock import StockClient, StockError, StockSettings

KEY = "stock-secret-key-0123456789"


def _png(colour: str) -> bytes:
    return subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=c={colour}:s=320x180", "-frames:v",
                           "1", "-f", "image2pipe", "-c:v", "png", "pipe:1"], capture_output=True, check=True).stdout


class Hostile(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.photos: list[dict] = []
        self.png = _png("red")
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, kind: str | None, extra: dict | None = None) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        srv: Hostile = self.server
        path = urlsplit(self.path).path
        if path == "/v1/search":
            return self._send(200, json.dumps({"photos": srv.photos}).encode(), "application/json")
        if path == "/png-as-html":
            return self._send(200, srv.png, "text/html")
        if path == "/png-untyped":
            return self._send(200, srv.png, None)
        if path == "/html-as-png":
            return self._send(200, b"<html>not a picture</html>" * 50, "image/png")
        if path.startswith("/hop/"):      # /hop/N redirects to /hop/N+1, for ever
            n = int(path[5:])
            return self._send(302, b"", None, {"Location": f"/hop/{n + 1}"})
        if path == "/to-private":
            return self._send(302, b"", None, {"Location": "http://169.254.169.254/latest/meta-data"})
        if path == "/to-file":
            return self._send(302, b"", None, {"Location": "file:///etc/passwd"})
        if path == "/slow":               # a valid header, then a byte now and then, for ever
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(10**8))
            self.end_headers()
            try:
                self.wfile.write(srv.png[:64])
                for _ in range(600):
                    time.sleep(0.1)
                    self.wfile.write(b"\0")
                    self.wfile.flush()
            except OSError:
                return
            return
        self._send(404, b"{}", "application/json")


@pytest.fixture
def source():
    srv = Hostile()
    yield srv
    srv.shutdown()


def _photo(ident, url) -> dict:
    return {"id": ident, "photographer": "Ann\u202eevil", "url": "https://pexels.example/p", "src": {"large2x": url}}


def test_an_id_that_climbs_out_of_the_cache_neither_writes_nor_reads_outside(source, tmp_path):
    """Before: "id": "x/../../../../<dir>/photo" wrote the server's picture over <dir>/photo.jpg,
    and when that file existed the user's own photo became the scene."""
    cache, outside = tmp_path / "a" / "b" / "c" / "cache", tmp_path / "home"
    outside.mkdir()
    mine = outside / "photo.jpg"
    mine.write_bytes(b"the user's own photo")
    client = StockClient(StockSettings("pexels", source.url, KEY), cache)
    climb = "x/../../../../../home/photo"
    source.photos = [_photo(climb, f"{source.url}/png-as-html")]
    picture = client.picture("tea", "tea", "16:9")
    assert mine.read_bytes() == b"the user's own photo"
    assert picture is not None and picture.path.resolve().parent == cache.resolve()
    assert picture.path.read_bytes() == source.png
    assert "\u202e" not in picture.author


@pytest.mark.parametrize("where, why", [("/to-private", "private"), ("/hop/0", "redirects"),
                                        ("/to-file", "http"), ("/html-as-png", "not a readable image")])
def test_hostile_picture_addresses_are_refused_and_leave_nothing(where, why, source, tmp_path):
    client = StockClient(StockSettings("pexels", source.url, KEY), tmp_path / "cache")
    source.photos = [_photo(1, f"{source.url}{where}")]
    with pytest.raises(StockError, match=why):
        client.picture("tea", "tea", "16:9")
    assert [p.name for p in (tmp_path / "cache").glob("*")] == []


def test_a_body_that_never_ends_is_cut_at_the_deadline(source, tmp_path):
    """Before: a byte every 0.1 s kept `generate` waiting (30 s per read, no overall limit)."""
    client = StockClient(StockSettings("pexels", source.url, KEY), tmp_path / "cache", deadline=2.0)
    source.photos = [_photo(1, f"{source.url}/slow")]
    started = time.monotonic()
    with pytest.raises(StockError, match="longer than"):
        client.picture("tea", "tea", "16:9")
    assert time.monotonic() - started < 6
    assert list((tmp_path / "cache").glob("*")) == []


@pytest.mark.parametrize("where", ["/png-untyped", "/png-as-html"])
def test_a_picture_without_its_content_type_is_probed_not_refused(where, source, tmp_path):
    """Before: a picture served as text/html was refused by its header alone."""
    client = StockClient(StockSettings("pexels", source.url, KEY), tmp_path / "cache")
    source.photos = [_photo(1, f"{source.url}{where}")]
    picture = client.picture("tea", "tea", "16:9")
    assert picture is not None and picture.path.read_bytes() == source.png


def test_private_addresses_are_refused_unless_the_endpoint_itself_is_loopback():
    from nemo_skill import safe_fetch  # new in issue 22: the policy any remote client can share
    public = safe_fetch.FetchPolicy.for_endpoint("https://api.pexels.com")
    local = safe_fetch.FetchPolicy.for_endpoint("http://127.0.0.1:8080")
    for url in ("http://127.0.0.1/x", "http://10.1.2.3/x", "http://169.254.169.254/x", "http://[::1]/x"):
        with pytest.raises(safe_fetch.FetchError):
            safe_fetch.check_address(url, public)
    safe_fetch.check_address("http://127.0.0.1/x", local)
    with pytest.raises(safe_fetch.FetchError):
        safe_fetch.check_address("http://10.1.2.3/x", local)


def test_an_answer_of_the_wrong_shape_is_a_warning_not_the_end_of_the_run(source, tmp_path, monkeypatch):
    """Every sentence keeps a scene: a hostile answer gives warnings and drawn scenes."""
    from types import SimpleNamespace

    from nemo_skill import config, stock_scenes
    settings = config.Settings.from_env({"NEMO_PEXELS_API_KEY": KEY, "NEMO_PEXELS_URL": source.url,
                                         "NEMO_MODEL_CACHE": str(tmp_path), "NEMO_RETRY_DELAY": "0.01"})
    source.photos = [{"id": {"x": 1}, "src": 5}, "junk", _photo(2, f"{source.url}/to-private"),
                     _photo(3, f"{source.url}/html-as-png")]
    req = SimpleNamespace(scenes="auto", script="一个山。一杯茶。", aspect="16:9", style="ink", scene_files=None)
    found = stock_scenes.pictures_for(req, lambda _m: None, settings)
    assert found["scene_files"] == [None, None]
    assert found["files"] == [] and len(found["warnings"]) >= 2
    assert not list((tmp_path / "stock").glob(".*"))
