"""Where the skill bundle lives, and the manifest (skill.yaml) it carries.

The bundle is the folder with skill.yaml, SKILL.md, skills/, schemas/ and
scripts/: the repository root in a checkout or an installed skill folder, or
``nemo_skill/bundle`` inside a wheel install.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ConfigError


def bundle_root() -> Path:
    """The folder that holds skill.yaml."""
    here = Path(__file__).resolve().parent
    packaged = here / "bundle"
    if (packaged / "skill.yaml").is_file():
        return packaged
    for parent in here.parents:  # src/nemo_skill -> src -> root
        if (parent / "skill.yaml").is_file():
            return parent
    raise ConfigError("skill.yaml not found beside the nemo_skill package",
                      hint="reinstall the skill (`pip install .` in its folder)")


def schema(name: str) -> dict:
    return json.loads((bundle_root() / "schemas" / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class SkillEntry:
    name: str
    version: str
    path: str  # SKILL.md, relative to the bundle root
    description: str
    examples: tuple[str, ...]

    @property
    def skill_md(self) -> Path:
        return bundle_root() / self.path


@dataclass(frozen=True)
class Manifest:
    skills: tuple[SkillEntry, ...]
    intents: tuple[dict, ...]
    routing: dict[str, tuple[str, ...]]
    gui_phrases: tuple[dict, ...]
    max_upload_bytes: int
    upload_types: dict[str, tuple[str, ...]]

    def skill(self, name: str) -> SkillEntry:
        for entry in self.skills:
            if entry.name == name:
                return entry
        known = ", ".join(s.name for s in self.skills)
        raise ConfigError(f"unknown skill {name!r}", hint=f"choose one of: {known}")

    def kind_of_extension(self, ext: str) -> str | None:
        ext = ext.lower().lstrip(".")
        for kind, exts in self.upload_types.items():
            if ext in exts:
                return kind
        return None

    @property
    def accepted_extensions(self) -> list[str]:
        return [e for exts in self.upload_types.values() for e in exts]


def load_yaml(text: str):
    """yaml.safe_load, with libyaml's C loader when PyYAML has it (several times faster: this
    runs on every command)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def validate_manifest(data: dict) -> None:
    """skill.yaml against its schema. The tests run it on every change; a command does not
    pay for it (jsonschema costs a tenth of a second to import on every call)."""
    import jsonschema
    jsonschema.validate(data, schema("skill.schema.json"))


def parse_manifest(data: dict) -> Manifest:
    skills = tuple(
        SkillEntry(s["name"], str(s["version"]), s["path"], s["description"].strip(),
                   tuple(s.get("examples", ())))
        for s in data["skills"]
    )
    return Manifest(
        skills=skills,
        intents=tuple(data["intents"]),
        routing={k: tuple(v) for k, v in data["routing"].items()},
        gui_phrases=tuple(data["gui_phrases"]),
        max_upload_bytes=int(data["uploads"]["max_bytes"]),
        upload_types={k: tuple(v) for k, v in data["uploads"]["types"].items()},
    )


@functools.cache
def manifest() -> Manifest:
    path = bundle_root() / "skill.yaml"
    return parse_manifest(load_yaml(path.read_text(encoding="utf-8")))
