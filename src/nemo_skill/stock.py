"""Pictures for a script's sentences from Pexels, Pixabay or an OpenAI-compatible image endpoint.

Used by `nemo generate` on the client side when a key is set (config.stock_settings) and the
user gave no pictures of their own: each sentence is searched for in script order (its motif
in English when it names one, else its key phrase in Chinese), the first result not used yet
is downloaded into the cache, and its author and page are kept for the credits. A sentence
with no result, or a source that fails, gets a drawn scene and a warning; a refused key stops
that source for the rest of the run. The key is sent only as the provider asks (Pexels: a
header; Pixabay: a query parameter) and never appears in a message, a log or an error.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .errors import MediaError, NemoError
from .http_policy import DEFAULT, HttpPolicy, failure, send
from .media import ffmpeg
from .safe_fetch import FetchError, fetch_to
from .text_safety import shown

IMAGE_SIZES = {"16:9": "1792x1024", "9:16": "1024x1792", "1:1": "1024x1024"}
ORIENTATION = {"16:9": ("landscape", "horizontal"), "9:16": ("portrait", "vertical"), "1:1": ("square", "all")}
MAX_BYTES = 25 * 2**20
PICTURE_DEADLINE = 60.0      # one picture, redirects and body together


class StockError(NemoError):
    hint = "check the key (NEMO_PEXELS_API_KEY, NEMO_PIXABAY_API_KEY or NEMO_IMAGE_*), or leave it unset for drawn scenes"


class KeyRefused(StockError):
    """The source said no to the key: no point asking it again this run."""


@dataclass(frozen=True)
class StockSettings:
    provider: str                           # pexels, pixabay or ai
    base_url: str
    key: str = field(default="", repr=False)
    model: str = ""


@dataclass
class Picture:
    path: Path
    source: str
    author: str = ""
    page: str = ""


class StockClient:
    def __init__(self, settings: StockSettings, cache: Path, *, session: requests.Session | None = None,
                 deadline: float = PICTURE_DEADLINE, policy: HttpPolicy = DEFAULT) -> None:
        self.settings, self.cache, self.policy = settings, cache, policy.with_(read_timeout=30.0)
        self.http = session or self.policy.session(settings.base_url)
        self.seen: set[str] = set()
        # Redirects and addresses: public only, unless the user's own endpoint is on loopback.
        self.fetch_policy = policy.fetch_policy(settings.base_url, deadline=deadline, max_bytes=MAX_BYTES)

    def cache_path(self, ident: str, suffix: str = ".jpg") -> Path:
        """The cache file of a provider's picture: a hash, never the provider's id itself (an id
        "x/../../../../home/me/photo" once wrote and read files outside the cache)."""
        digest = hashlib.sha256(f"{self.settings.provider}\0{ident}".encode()).hexdigest()[:32]
        return self.cache / f"{self.settings.provider}_{digest}{suffix}"

    def picture(self, query: str, prompt: str, aspect: str) -> Picture | None:
        """A picture for one sentence, not used before in this run; None if the source has none."""
        if self.settings.provider == "ai":
            return self._generate(prompt, aspect)
        found = self._pexels(query, aspect) if self.settings.provider == "pexels" else self._pixabay(query, aspect)
        for ident, url, author, page in found:
            if ident in self.seen:
                continue
            self.seen.add(ident)
            path = self.cache_path(ident)
            if not path.is_file():
                self._download(url, path)
            return Picture(path, self.settings.provider, shown(author, 100), shown(page, 300))
        return None

    # --- the providers -----------------------------------------------------------------

    def _pexels(self, query: str, aspect: str) -> list[tuple[str, str, str, str]]:
        params = {"query": query, "orientation": ORIENTATION[aspect][0], "per_page": 8, "size": "large"}
        if not query.isascii():
            params["locale"] = "zh-CN"
        doc = self._get_json(f"{self.settings.base_url}/v1/search", params, {"Authorization": self.settings.key})
        return self._found(doc.get("photos"), lambda p: (
            p["id"], (p.get("src") or {}).get("large2x") or (p.get("src") or {}).get("original"),
            p.get("photographer", ""), p.get("url", "")))

    def _pixabay(self, query: str, aspect: str) -> list[tuple[str, str, str, str]]:
        params = {"key": self.settings.key, "q": query[:100], "image_type": "photo", "safesearch": "true",
                  "orientation": ORIENTATION[aspect][1], "per_page": 8, "lang": "en" if query.isascii() else "zh"}
        doc = self._get_json(f"{self.settings.base_url}/api/", params, {})
        return self._found(doc.get("hits"), lambda h: (
            h["id"], h.get("largeImageURL") or h.get("webformatURL"), h.get("user", ""), h.get("pageURL", "")))

    def _found(self, items: object, fields) -> list[tuple[str, str, str, str]]:
        """(id, url, author, page) of each result in the shape asked for; anything else skipped
        (an answer of another shape must not end the run)."""
        out = []
        for item in items if isinstance(items, list) else []:
            try:
                ident, url, author, page = fields(item)
            except (KeyError, TypeError, AttributeError):
                continue
            if isinstance(ident, (str, int)) and not isinstance(ident, bool) and isinstance(url, str) \
                    and len(str(ident)) <= 200:
                out.append((str(ident), url, str(author), str(page)))
        return out

    def _generate(self, prompt: str, aspect: str) -> Picture | None:
        body = {"model": self.settings.model, "prompt": prompt, "n": 1, "size": IMAGE_SIZES[aspect],
                "response_format": "b64_json"}
        headers = {"Authorization": f"Bearer {self.settings.key}"} if self.settings.key else {}
        doc = self._request("POST", f"{self.settings.base_url}/images/generations", json=body, headers=headers)
        data = doc.get("data")
        item = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        path = self.cache / f"ai_{hashlib.sha256((self.settings.model + prompt + aspect).encode()).hexdigest()[:16]}.png"
        if isinstance(item.get("b64_json"), str):
            if len(item["b64_json"]) > MAX_BYTES * 4 // 3 + 4:
                raise StockError("the image endpoint sent a picture over 25 MB")
            try:
                data = base64.b64decode(item["b64_json"], validate=True)
            except ValueError:
                raise StockError("the image endpoint sent a picture that is not base64") from None
            self._keep(data, path)
        elif isinstance(item.get("url"), str):
            self._download(item["url"], path)
        else:
            return None
        return Picture(path, "ai", self.settings.model, "")

    # --- HTTP ----------------------------------------------------------------------------

    def _get_json(self, url: str, params: dict, headers: dict) -> dict:
        return self._request("GET", url, params=params, headers=headers)

    def _request(self, method: str, url: str, **kw) -> dict:
        name = self.settings.provider
        try:   # a search may be asked again; a generated image is billed, so it is sent once
            resp = send(self.policy, lambda: self.http.request(method, url, timeout=self.policy.timeout(), **kw),
                        idempotent=method == "GET", wait_on_rate_limit=False)
        except requests.RequestException as exc:   # the message names the URL: Pixabay's holds the key
            raise StockError(f"{name} could not be reached ({failure(exc)})") from None
        if resp.status_code in (401, 403):
            raise KeyRefused(f"{name} refused the key (HTTP {resp.status_code})")
        if resp.status_code == 429:
            raise StockError(f"{name} says too many requests (HTTP 429); its hourly limit is used up",
                             hint="wait an hour, or generate with drawn scenes (--scenes drawn)")
        if resp.status_code >= 400:
            raise StockError(f"{name} answered HTTP {resp.status_code}")
        try:
            doc = resp.json()
        except ValueError:
            raise StockError(f"{name} answered something that is not JSON") from None
        if not isinstance(doc, dict):
            raise StockError(f"{name} answered JSON that is not an object")
        return doc

    def _download(self, url: str, path: Path) -> None:
        try:
            fetch_to(self.http, url, path, self.fetch_policy, _is_image)
        except FetchError as exc:
            raise StockError(f"a {self.settings.provider} picture was not used: {exc}") from None

    def _keep(self, data: bytes, path: Path) -> None:
        """Bytes an endpoint sent: kept under ``path`` only if they probe as an image."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.stem}.part")
        try:
            temp.write_bytes(data)
            if not _is_image(temp):
                raise StockError("the image endpoint sent something that is not a readable image")
            temp.replace(path)
        finally:
            temp.unlink(missing_ok=True)


def _is_image(path: Path) -> bool:
    """What the body is, by its bytes: a Content-Type proves nothing."""
    try:
        info = ffmpeg.probe(path, timeout=20)
    except MediaError:
        return False
    return bool(info.is_image and info.width and info.height)
