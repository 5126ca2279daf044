"""What `nemo say` decides before it runs anything (issue 23): which project the named files
belong to, which of them are already in it (by content, not by name), and which planned calls
would redo work the project already has. The CLI only parses the words and prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import choices
from .bundle import manifest
from .intents import Route, asks_for_subtitles
from .words import asks_again

if TYPE_CHECKING:
    from .client import NemoClient


def file_sha256(path: str) -> str:
    from .media.files import sha256_of
    return sha256_of(Path(path).expanduser())


def videos_in(state: dict) -> dict[str, str]:
    """The project's videos: hash -> file name."""
    infos = (state.get("state") or {}).get("video_infos") or []
    return {i["hash"]: i.get("filename", "") for i in infos if i.get("file_type") == "video" and i.get("hash")}


def is_video(path: str) -> bool:
    return Path(path).suffix.lower().lstrip(".") in set(manifest().upload_types.get("video", ()))


@dataclass
class Project:
    """What the named files are to the current project: already in it (``reused``), new to
    it, or a different video for a subtitle request (``fresh``: a project of its own, as
    batch does)."""
    files: list[str]
    subtitles: bool
    again: bool
    known: dict[str, str] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)
    fresh: bool = False

    def uploads(self) -> list[str]:
        return [f for f in self.files if f not in self.reused]


def project_for(client: NemoClient, steps: list[Route], words: str, again: bool) -> Project:
    files = list(steps[0].files) if steps and steps[0].action == "upload" else []
    project = Project(files, asks_for_subtitles(words), again or asks_again(words))
    if files:
        project.known = videos_in(client.state())
        project.reused = [f for f in files if file_sha256(f) in project.known]
    new_videos = [f for f in files if f not in project.reused and is_video(f)]
    project.fresh = bool(new_videos and project.known and project.subtitles)
    return project


def existing_subtitles(client: NemoClient) -> list[str]:
    from .media.subtitles import formats as subfiles
    return subfiles.subtitle_languages(client.draft())


def keep_work(calls: list[dict], have: list[str]) -> tuple[list[dict], list[str]]:
    """The calls without a transcription of what the project already has (its corrections,
    translations and script stay); a language it lacks is translated, not heard again."""
    kept, skipped = [], []
    for call in calls:
        if call["name"] != "transcribe" or not have:
            kept.append(call)
            continue
        wanted = call["args"].get("languages") or list(choices.DEFAULT_SUBTITLE_LANGUAGES)
        skipped.append("transcribe")
        for lang in (lang for lang in wanted if lang not in have):
            kept.append({"name": "translate_subtitles", "args": {"target": lang}})
    return kept, skipped


def read_steps(client: NemoClient, steps: list[Route]) -> dict[int, dict]:
    """Each message step read into typed calls by the local engine (nothing runs)."""
    readings = {}
    for i, step in enumerate(steps):
        if step.action == "message":
            reading = client.understand(step.text)
            if reading is not None:
                readings[i] = reading
    return readings


@dataclass
class Prepared:
    """The steps left to run once the project is chosen, and what was decided: ``new_project``
    (its id, for a different video), ``old_project``, ``already_in_project`` (files not sent
    again)."""
    steps: list[Route]
    readings: dict[int, dict]
    new_project: str | None = None
    old_project: str | None = None
    already_in_project: list[str] = field(default_factory=list)


def prepare(client: NemoClient, project: Project, steps: list[Route], readings: dict[int, dict],
            language: str) -> Prepared:
    """A new project for a different video; no second upload of a video already there."""
    done = Prepared(steps, readings)
    if project.fresh:
        done.old_project = client.session()["session_id"]
        done.new_project = client.create_session(language)["session_id"]
    if project.reused:
        done.already_in_project = list(project.reused)
        first = steps[0]
        uploads = [Route("upload", None, tuple(project.uploads()), first.text)] if project.uploads() else []
        done.steps = uploads + steps[1:]
        shifted = len(steps) - len(done.steps)   # an upload step dropped: readings move up by one
        done.readings = {i - shifted: r for i, r in readings.items()}
    return done
