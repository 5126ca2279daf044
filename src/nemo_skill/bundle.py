"""Where the skill bundle lives, and the manifest (skill.yaml) it carries.

The bundle is the folder with skill.yaml, SKILL.md, skills/, schemas/ and
scripts/: the repository root in a checkout or an installed skill folder, or
``nemo_skill/bundle`` inside a wheel install.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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
    words: dict = field(default_factory=dict)   # src/nemo_skill/words/ reads it

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
    """yaml.safe_load, with libyaml's C loader when PyYAML has it (several times faster).
    Malformed YAML raises ValueError."""
    import yaml  # 15 ms to import: a command that finds its parsed copies never pays it
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None


def parsed(path: Path, parse: Callable[[str], object], *, kind: str, cache: Path | None = None,
           verify: Callable[[str, object], bool] | None = None):
    """parse(the file's text), or the JSON copy of it kept in ``cache`` (a state folder) since
    the file last changed: same size and mtime, the check Python's bytecode cache makes.

    Every command reads skill.yaml and SKILL.md to say which skill speaks; reading them as
    JSON spares the process PyYAML. A copy that cannot be written is not an error. A copy is
    used only if it was made from these very bytes (their SHA-256) and ``verify(text, data)``
    finds its values in the source: a copy edited in the state folder cannot change what the
    skill says it is (its X-Skill-* headers, issue 22)."""
    stamp = [(st := path.stat()).st_mtime_ns, st.st_size]  # before reading: a change mid-read re-parses
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    source = str(path.resolve())
    copy = None
    if cache is not None:
        copy = cache / f"{kind}-{hashlib.sha1(source.encode()).hexdigest()[:20]}.json"
        try:
            doc = json.loads(copy.read_text(encoding="utf-8"))
            if doc["source"] == source and doc["stamp"] == stamp and doc["sha256"] == digest \
                    and (verify is None or verify(raw.decode("utf-8", "replace"), doc["data"])):
                return doc["data"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    data = parse(raw.decode("utf-8"))
    if copy is not None:
        _keep_copy(copy, {"source": source, "stamp": stamp, "sha256": digest, "data": data})
    return data


def _keep_copy(copy: Path, doc: dict) -> None:
    try:
        text = json.dumps(doc, ensure_ascii=False)
        if json.loads(text) != doc:  # dates, integer keys: JSON would change them; parse each time
            return
        copy.parent.mkdir(parents=True, exist_ok=True)
        tmp = copy.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, copy)
    except (OSError, TypeError, ValueError):
        pass


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
        words={k: v if isinstance(v, dict) else tuple(v) for k, v in data.get("words", {}).items()},
    )


@functools.cache
def manifest(cache: Path | None = None) -> Manifest:
    """skill.yaml; ``cache``: a folder for its parsed copy (see `parsed`)."""
    return parse_manifest(parsed(bundle_root() / "skill.yaml", load_yaml, kind="manifest", cache=cache))
