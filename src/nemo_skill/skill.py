"""The skill as an agent platform sees it: frontmatter, attribution headers,
where it is installed, and installing a skill folder.

No HTTP here (ARCHITECTURE.md): the client asks this module for headers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .bundle import bundle_root, load_yaml, manifest, parsed
from .errors import ConfigError, InputError
from .text_safety import shown

INSTALL_MARKER = ".nemo-skill.json"

# Where each agent platform keeps user-level skills (`nemo skill install --target`).
TARGET_DIRS = {
    "openclaw": ".openclaw/skills",
    "cursor": ".cursor/skills",
    "claude": ".claude/skills",
    "codex": ".codex/skills",
}


@dataclass(frozen=True)
class Frontmatter:
    name: str
    version: str
    description: str
    data: dict

    @property
    def openclaw(self) -> dict:
        return json.loads(self.data["metadata"]) if isinstance(self.data.get("metadata"), str) \
            else dict(self.data.get("metadata") or {})


def frontmatter_data(text: str) -> dict:
    """The YAML between SKILL.md's first two `---` lines. Raises ValueError."""
    if not text.startswith("---") or text.count("---") < 2:
        raise ValueError("has no frontmatter")
    _, head, _ = text.split("---", 2)
    try:
        data = load_yaml(head) or {}
    except ValueError as exc:
        raise ValueError(f"has a frontmatter that is not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError("has a frontmatter that is not a mapping of names to values")
    return data


def _said_in(text: str, data: object) -> bool:
    """The identity a parsed copy gives (name, version) is written so in SKILL.md itself."""
    if not isinstance(data, dict):
        return False
    for key in ("name", "version"):
        value = data.get(key)
        if value is not None and not re.search(rf"^{key}:[ \t]*[\"']?{re.escape(str(value))}[\"']?[ \t]*$", text, re.M):
            return False
    return True


def read_frontmatter(skill_md: Path, *, cache: Path | None = None) -> Frontmatter:
    try:
        data = parsed(Path(skill_md), frontmatter_data, kind="frontmatter", cache=cache, verify=_said_in)
    except ValueError as exc:
        raise ConfigError(f"{skill_md} {exc}",
                          hint="SKILL.md starts with YAML between two lines of three dashes") from None
    return Frontmatter(str(data.get("name", "")), str(data.get("version", "0")),
                       str(data.get("description", "")), data)


def detect_platform(skill_dir: Path, *, home: Path | None = None,
                    override: str | None = None) -> str:
    """Where a skill folder is installed, for X-Skill-Platform (nemo-api.md)."""
    if override:
        return override
    home = Path(home or Path.home()).resolve()
    path = Path(skill_dir).resolve()

    def under(rel: str) -> bool:
        return path.is_relative_to(home / rel)

    parts = path.parts
    if under(".clawhub") or under(".openclaw") or (path / ".clawhub" / "origin.json").is_file():
        return "clawhub"
    # An OpenClaw workspace keeps skills in <workspace>/skills, beside SOUL.md;
    # `clawhub install` leaves .clawhub/lock.json in the workdir.
    if path.parent.name == "skills":
        workspace = path.parent.parent
        if (workspace / "SOUL.md").is_file() or (workspace / ".clawhub").is_dir():
            return "clawhub"
    for marker, platform in ((".cursor", "cursor"), (".claude", "claude"), (".codex", "codex")):
        # ~/.cursor/skills/x or a project's .cursor/skills/x
        for i in range(len(parts) - 1):
            if parts[i] == marker and parts[i + 1] == "skills":
                return platform
    return "unknown"


@dataclass(frozen=True)
class SkillIdentity:
    """Which skill is running, and from where."""

    frontmatter: Frontmatter
    folder: Path

    def headers(self, platform_override: str | None = None) -> dict[str, str]:
        # One line of visible text each: a CR/LF in a value would start a header of its own.
        return {
            "X-Skill-Source": shown(self.frontmatter.name, 100),
            "X-Skill-Version": shown(self.frontmatter.version, 40),
            "X-Skill-Platform": shown(detect_platform(self.folder, override=platform_override), 60),
        }

    @property
    def name(self) -> str:
        return self.frontmatter.name


def identify(skill: str | None = None, *, command_skill: str | None = None,
             cache: Path | None = None) -> SkillIdentity:
    """The running skill: asked for by name (--skill), else the installed folder's, else the
    one the command belongs to (`nemo generate` speaks as video-generation-chinese), else the
    default. It is what X-Skill-Source says (issue 11). ``cache``: where the parsed manifest
    and frontmatter are kept between commands (bundle.parsed)."""
    root = bundle_root()
    marker = root / INSTALL_MARKER
    if marker.is_file():
        installed = json.loads(marker.read_text(encoding="utf-8"))["skill"]
        if skill in (None, installed):
            return SkillIdentity(read_frontmatter(root / "SKILL.md", cache=cache), root)
    skills = manifest(cache)
    entry = skills.skill(skill or command_skill or skills.skills[0].name)
    return SkillIdentity(read_frontmatter(entry.skill_md, cache=cache), entry.skill_md.parent)


def target_dir(target: str, *, home: Path | None = None) -> Path:
    if target in TARGET_DIRS:
        return Path(home or Path.home()) / TARGET_DIRS[target]
    if target.startswith(("/", ".", "~")) or os.sep in target:
        return Path(target).expanduser()
    raise InputError(f"unknown install target {target!r}",
                     hint=f"use one of {', '.join(TARGET_DIRS)} or a folder path")


def install(name: str, target: str, *, home: Path | None = None, force: bool = False) -> Path:
    """Write an installable folder for skill ``name`` under ``target``.

    The folder holds the skill's SKILL.md at its root, the manifest, schemas,
    scripts/nemo.py and the library source, so `python3 scripts/nemo.py`
    runs from it and `pip install <folder>` installs its dependencies.
    """
    entry = manifest().skill(name)
    root = bundle_root()
    dest = target_dir(target, home=home) / name
    if dest.exists():
        if not force:
            raise InputError(f"{dest} already exists", hint="add --force to replace it")
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "bundle")
    shutil.copy2(entry.skill_md, dest / "SKILL.md")
    shutil.copy2(root / "skill.yaml", dest / "skill.yaml")
    for folder in ("scripts", "schemas", "skills"):
        shutil.copytree(root / folder, dest / folder, ignore=ignore)
    shutil.copytree(Path(__file__).resolve().parent, dest / "src" / "nemo_skill", ignore=ignore)
    for extra in ("pyproject.toml", "README.md", "LICENSE"):
        if (root / extra).is_file():
            shutil.copy2(root / extra, dest / extra)
    (dest / INSTALL_MARKER).write_text(json.dumps({"skill": name, "version": entry.version}) + "\n",
                                       encoding="utf-8")
    return dest
