"""The number-reading corpus (tests/data/zh_numbers_corpus.tsv): sentences as written and what
a native narrator says for them, for the corpus test and bench/numbers_corpus.py."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "zh_numbers_corpus.tsv"


def load() -> list[tuple[str, str, list[str]]]:
    """(class, text, accepted readings) per line."""
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, text, spoken = line.split("\t")
        rows.append((kind, text, spoken.split("|")))
    return rows


def same(spoken: str, accepted: list[str]) -> bool:
    """Spaces are not said, and 幺 is how 一 is said in a phone number."""
    def key(s: str) -> str:
        return "".join(s.split()).replace("幺", "一")
    return key(spoken) in {key(a) for a in accepted}
