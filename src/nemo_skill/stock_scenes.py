"""Stock or generated pictures for a script, sentence by sentence (`nemo generate --scenes`).

Chooses the sources (Settings.stock_sources: the keys the user set), asks them in script
order through stock.StockClient under the one HTTP policy, and returns the files to upload
with each sentence's file name, the credits to show, and a warning for every sentence that
stays drawn; the request is read, never written.
"""

from __future__ import annotations

from .config import Settings
from .errors import ConfigError, MediaError
from .http_policy import from_settings
from .media import ffmpeg
from .media.scenes import library, script
from .safe_fetch import remove_partials
from .stock import KeyRefused, StockClient, StockError

# Words that keep an image model in the look the user chose, and off lettering.
STYLE_PROMPTS = {"ink": "中国水墨画风格，留白，无文字", "flat": "扁平插画风格，柔和配色，无文字",
                 "gradient": "电影感写实摄影，自然光，无文字"}
_KEY_HINT = {"pexels": "NEMO_PEXELS_API_KEY", "pixabay": "NEMO_PIXABAY_API_KEY",
             "ai": "NEMO_IMAGE_BASE_URL and NEMO_IMAGE_MODEL (and NEMO_IMAGE_API_KEY)"}


def pictures_for(req, progress, settings: Settings) -> dict:
    """{files, scene_files, credits, warnings}; {} when no source is configured."""
    sources = [s for s in settings.stock_sources() if req.scenes in ("auto", s.provider)]
    if not sources:
        if req.scenes != "auto":
            raise ConfigError(f"--scenes {req.scenes} needs its key", hint=f"set {_KEY_HINT[req.scenes]}")
        return {}
    if req.script is None:
        return {}        # a prompt-only video gets its script later: its scenes are drawn
    _title, body = script.split_title(req.script)
    sentences = script.split(body)
    cache = settings.media.model_cache / "stock"
    remove_partials(cache)          # what a run killed mid-download left
    policy = from_settings(settings.retry_delay, settings.rate_limit_wait)
    clients = [StockClient(s, cache, policy=policy) for s in sources]
    files, names, credits, warnings = [], [], [], []
    for i, sentence in enumerate(sentences, 1):
        query = library.named_motif(sentence.text) or sentence.phrase
        prompt = f"{sentence.text}，{STYLE_PROMPTS.get(req.style or 'ink', STYLE_PROMPTS['ink'])}"
        picture = None
        for client in list(clients):
            try:
                picture = client.picture(query, prompt, req.aspect)
            except KeyRefused as exc:
                warnings.append(f"{exc.message}; not asking {client.settings.provider} again")
                clients.remove(client)
                continue
            except StockError as exc:
                warnings.append(f"sentence {i}: {exc.message}")
                continue
            if picture is not None:
                break
        if picture is not None:
            try:
                ffmpeg.probe(picture.path)
            except MediaError:       # an error page served as an image, a truncated file
                picture.path.unlink(missing_ok=True)
                warnings.append(f"sentence {i}: the {picture.source} picture is not a readable image")
                picture = None
        if picture is None:
            names.append(None)
            warnings.append(f"sentence {i}: no picture found for {query!r}; it is drawn")
            continue
        progress(f"Scene {i}/{len(sentences)}: a {picture.source} picture for {query!r}")
        files.append(picture.path)
        names.append(picture.path.name)
        credits.append({"sentence": i, "source": picture.source, "author": picture.author, "page": picture.page})
    for w in warnings:
        progress("Warning: " + w)
    return {"files": files, "scene_files": names, "credits": credits, "warnings": warnings}
