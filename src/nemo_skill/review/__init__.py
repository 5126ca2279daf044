"""The review page's own files (issue 26): HTML, CSS and JavaScript served by the engine,
shipped in the package (no build step, nothing from a CDN)."""

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
