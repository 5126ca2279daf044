"""The bundle: frontmatter passes the Agent Skills validator, the manifest
agrees with it, headers and platform detection, and installed folders run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from skills_ref.parser import parse_frontmatter
from skills_ref.validator import validate_metadata

from nemo_skill.bundle import manifest, validate_manifest
from nemo_skill.skill import detect_platform, identify, install, read_frontmatter

ROOT = Path(__file__).resolve().parent.parent
CLAWHUB_EXTRA = {"version"}  # top-level keys ClawHub uses beyond the Agent Skills spec


@pytest.mark.parametrize("entry", manifest().skills, ids=lambda e: e.name)
def test_skill_md_passes_the_reference_validator(entry, tmp_path):
    meta, body = parse_frontmatter(entry.skill_md.read_text(encoding="utf-8"))
    folder = tmp_path / entry.name  # the validator wants the folder named after the skill
    folder.mkdir()
    errors = validate_metadata({k: v for k, v in meta.items() if k not in CLAWHUB_EXTRA}, folder)
    assert errors == []
    assert set(meta) - {"name", "description", "license", "metadata"} == CLAWHUB_EXTRA
    assert len(body.splitlines()) < 500


@pytest.mark.parametrize("entry", manifest().skills, ids=lambda e: e.name)
def test_openclaw_metadata_is_one_line_of_json(entry):
    head = entry.skill_md.read_text(encoding="utf-8").split("---")[1]
    (line,) = [ln for ln in head.splitlines() if ln.startswith("metadata:")]
    raw = yaml.safe_load(line)["metadata"]
    assert isinstance(raw, str)  # a JSON string, as OpenClaw reads it
    meta = json.loads(raw)["openclaw"]
    assert meta["primaryEnv"] == "NEMO_TOKEN"
    assert "ffmpeg" in meta["requires"]["bins"] and "env" not in meta["requires"]
    assert meta["emoji"]


@pytest.mark.parametrize("entry", manifest().skills, ids=lambda e: e.name)
def test_manifest_agrees_with_frontmatter(entry):
    fm = read_frontmatter(entry.skill_md)
    assert (fm.name, fm.version) == (entry.name, entry.version)


def test_manifest_matches_its_schema_and_contract_types():
    data = yaml.safe_load((ROOT / "skill.yaml").read_text())
    validate_manifest(data)
    broken = {**data, "routing": {**data["routing"], "negations": []}}
    with pytest.raises(Exception, match="should be non-empty|is too short"):
        validate_manifest(broken)
    assert data["uploads"]["max_bytes"] == 500 * 1024 * 1024
    contract = {"mp4", "mov", "avi", "webm", "mkv", "flv", "jpg", "png", "gif", "webp", "mp3", "wav", "m4a", "aac"}
    assert contract <= set(manifest().accepted_extensions)


@pytest.mark.parametrize("rel, expected", [
    (".clawhub/skills/s", "clawhub"),
    (".openclaw/skills/s", "clawhub"),
    (".openclaw/workspace/skills/s", "clawhub"),
    (".cursor/skills/s", "cursor"),
    ("code/app/.cursor/skills/s", "cursor"),
    (".claude/skills/s", "claude"),
    ("proj/.claude/skills/s", "claude"),
    (".codex/skills/s", "codex"),
    ("Downloads/s", "unknown"),
])
def test_platform_detection(tmp_path, rel, expected):
    folder = tmp_path / rel
    folder.mkdir(parents=True)
    assert detect_platform(folder, home=tmp_path) == expected


def test_platform_markers_beside_the_skill(tmp_path):
    origin = tmp_path / "ws" / "skills" / "s"
    (origin / ".clawhub").mkdir(parents=True)
    (origin / ".clawhub" / "origin.json").write_text("{}")
    assert detect_platform(origin, home=tmp_path / "home") == "clawhub"
    workspace = tmp_path / "w2"
    (workspace / "skills" / "s").mkdir(parents=True)
    (workspace / "SOUL.md").write_text("")
    assert detect_platform(workspace / "skills" / "s", home=tmp_path / "home") == "clawhub"
    assert detect_platform(tmp_path, home=tmp_path, override="cursor") == "cursor"


def test_headers_from_frontmatter():
    headers = identify("video-generation-chinese").headers()
    assert headers["X-Skill-Source"] == "video-generation-chinese"
    assert headers["X-Skill-Version"] == "0.1.0"
    assert identify().headers("clawhub")["X-Skill-Platform"] == "clawhub"


@pytest.mark.parametrize("target, platform", [("openclaw", "clawhub"), ("cursor", "cursor"),
                                              ("claude", "claude"), ("codex", "codex")])
def test_install_for_each_platform_and_run_from_it(tmp_path, target, platform):
    dest = install("video-generation-chinese", target, home=tmp_path)
    assert dest.name == "video-generation-chinese"
    assert read_frontmatter(dest / "SKILL.md").name == "video-generation-chinese"
    assert (dest / "scripts" / "nemo.py").is_file() and (dest / "src" / "nemo_skill" / "client").is_dir()
    proc = subprocess.run([sys.executable, str(dest / "scripts" / "nemo.py"), "skill", "headers", "--json"],
                          capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    headers = json.loads(proc.stdout)["headers"]
    assert headers == {"X-Skill-Source": "video-generation-chinese", "X-Skill-Version": "0.1.0",
                       "X-Skill-Platform": platform}


def test_install_to_a_folder_and_refuse_to_overwrite(tmp_path):
    dest = install("best-bilibili-ai-subtitle", str(tmp_path / "skills"))
    assert (dest / "SKILL.md").read_text().startswith("---\nname: best-bilibili-ai-subtitle")
    from nemo_skill.errors import InputError
    with pytest.raises(InputError, match="--force"):
        install("best-bilibili-ai-subtitle", str(tmp_path / "skills"))
    install("best-bilibili-ai-subtitle", str(tmp_path / "skills"), force=True)
    with pytest.raises(InputError, match="unknown install target"):
        install("best-bilibili-ai-subtitle", "nowhere")


def test_openclaw_metadata_offers_the_system_installs():
    """A ClawHub user is offered ffmpeg and the CJK fonts (apt and brew) instead of a missing binary."""
    for entry in manifest().skills:
        meta = read_frontmatter(entry.skill_md).openclaw["openclaw"]
        assert {"python3", "ffmpeg", "ffprobe"} <= set(meta["requires"]["bins"])
        kinds = {(i["kind"], i.get("package") or i.get("formula") or i.get("cask")) for i in meta["install"]}
        assert {("apt", "ffmpeg"), ("apt", "fonts-noto-cjk"), ("brew", "ffmpeg")} <= kinds
        if "espeak-ng" in meta["requires"]["bins"]:
            assert ("apt", "espeak-ng") in kinds and ("brew", "espeak-ng") in kinds
