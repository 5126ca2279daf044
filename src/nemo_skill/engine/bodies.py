"""The request bodies the engine takes, as pydantic models: FastAPI checks each body's
types and sizes before a route runs (a 400 naming the field), and the OpenAPI document
carries their schemas, so the property-based run generates real bodies (issue 12)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..constants import RENDER_ID_PATTERN

ID = Field(min_length=1, max_length=128)


class NewSession(BaseModel):
    task_name: str | None = Field(default=None, max_length=200)
    language: str = Field(default="en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z]{2,4})?$")


class ClaimRequest(BaseModel):
    """nemovideo_skills SKILL.md v1.9, "Open in browser"."""
    task_id: str | None = Field(default=None, max_length=128)
    session_id: str = ID


class Part(BaseModel):
    """An ADK message part: text, or a tool call named by the calling agent (`nemo do`)."""
    model_config = ConfigDict(extra="allow")
    text: str | None = Field(default=None, max_length=200_000)
    functionCall: dict | None = None  # noqa: N815 - the ADK's own name


class NewMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    parts: list[Part] = Field(min_length=1, max_length=64)


class RunAgentRequest(BaseModel):
    """The official body (SKILL.md v1.9, "3.1"); older clients' extra fields are ignored."""
    model_config = ConfigDict(extra="allow")
    app_name: str = Field(default="nemo_agent", max_length=64)
    user_id: str = Field(default="me", max_length=128)
    session_id: str = ID
    new_message: NewMessage


class RenderRequest(BaseModel):
    """SKILL.md v1.9, "3.5 b": sessionId in camelCase; the draft is checked by draft_check."""
    model_config = ConfigDict(extra="allow")
    id: str | None = Field(default=None, pattern=f"^{RENDER_ID_PATTERN}$")
    sessionId: str | None = Field(default=None, min_length=1, max_length=128)  # noqa: N815
    session_id: str | None = Field(default=None, min_length=1, max_length=128)
    draft: dict
    output: dict | None = None
