"""Every command reads skill.yaml and SKILL.md to say which skill speaks. The parsed copies
kept in the state folder spare it PyYAML; they must never serve stale or changed data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_skill.bundle import load_yaml, parsed
from nemo_skill.errors import ConfigError
from nemo_skill.skill import identify, read_frontmatter

ROOT = Path(__file__).resolve().parent.parent


def counting(parse):
    calls = []

    def wrapped(text):
        calls.append(text)
        return parse(text)
    return wrapped, calls


def test_a_file_is_parsed_once_until_it_changes(tmp_path):
    src, cache = tmp_path / "a.yaml", tmp_path / "cache"
    src.write_text("name: one\nlist: [1, 2]\n", encoding="utf-8")
    parse, calls = counting(load_yaml)
    assert parsed(src, parse, kind="t", cache=cache) == {"name": "one", "list": [1, 2]}
    assert parsed(src, parse, kind="t", cache=cache) == {"name": "one", "list": [1, 2]}
    assert len(calls) == 1
    src.write_text("name: two\nlist: [1, 2]\n", encoding="utf-8")  # same size: the mtime tells
    os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 1_000_000))
    assert parsed(src, parse, kind="t", cache=cache)["name"] == "two"
    assert len(calls) == 2


def test_what_json_would_change_is_parsed_every_time(tmp_path):
    src, cache = tmp_path / "a.yaml", tmp_path / "cache"
    src.write_text("day: 2026-12-01\n1: one\n", encoding="utf-8")  # a date, an integer key
    parse, calls = counting(load_yaml)
    first = parsed(src, parse, kind="t", cache=cache)
    assert parsed(src, parse, kind="t", cache=cache) == first
    assert len(calls) == 2 and not list(cache.glob("*.json"))


@pytest.mark.parametrize("damage", ["not json", '{"source": 1}', "[]", ""])
def test_a_damaged_or_unwritable_copy_is_not_an_error(tmp_path, damage):
    src, cache = tmp_path / "a.yaml", tmp_path / "cache"
    src.write_text("name: one\n", encoding="utf-8")
    parsed(src, load_yaml, kind="t", cache=cache)
    (copy,) = cache.glob("*.json")
    copy.write_text(damage, encoding="utf-8")
    assert parsed(src, load_yaml, kind="t", cache=cache) == {"name": "one"}
    blocked = tmp_path / "file-in-the-way"
    blocked.write_text("x")
    assert parsed(src, load_yaml, kind="t", cache=blocked) == {"name": "one"}


def test_bad_frontmatter_is_a_clear_error(tmp_path):
    for text, says in (("no dashes", "has no frontmatter"), ("---\nname: [x\n---\nbody", "not valid YAML"),
                       ("---\n- a\n---\n", "not a mapping")):
        md = tmp_path / "SKILL.md"
        md.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=says):
            read_frontmatter(md, cache=tmp_path / "cache")


def test_identity_from_copies_equals_identity_from_yaml_and_skips_pyyaml(tmp_path):
    cache = tmp_path / "cache"
    for skill in (None, "video-generation-chinese"):
        assert identify(skill, cache=cache).headers() == identify(skill).headers()
    probe = ("import sys; from pathlib import Path; from nemo_skill.skill import identify; "
             "h = identify(cache=Path(sys.argv[1])).headers(); print(h['X-Skill-Source'], 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe, str(cache)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, check=True).stdout.split()
    assert out == [identify().name, "False"]
