"""The one client of an OpenAI-compatible chat endpoint (DeepSeek, Qwen, OpenAI, a local
Ollama), used by subtitle translation, script writing and the engine's LLM planner.

Settings: NEMO_LLM_BASE_URL, NEMO_LLM_MODEL, NEMO_LLM_API_KEY. The key goes only into the
Authorization header of that endpoint; it is never part of a message, a log or an error.
Retries: 429 (Retry-After honoured), 5xx and dropped connections; a refused key is not
retried.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import requests

from .errors import NemoError
from .redact import redact


class LLMError(NemoError):
    hint = "check NEMO_LLM_BASE_URL, NEMO_LLM_MODEL and NEMO_LLM_API_KEY"


class LLMBadReply(LLMError):
    """An answer came, but not a chat completion we can read."""


@dataclass(frozen=True)
class LLMSettings:
    """An endpoint; nemo_skill.config.llm_settings() reads it from NEMO_LLM_*."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)



class LLMClient:
    def __init__(self, settings: LLMSettings, *, tries: int = 3, retry_delay: float = 1.0,
                 timeout: float = 120.0, session: requests.Session | None = None) -> None:
        self.settings, self.tries, self.retry_delay, self.timeout = settings, tries, retry_delay, timeout
        self.http = session or requests.Session()

    def message(self, messages: list[dict], *, tools: list[dict] | None = None,
                temperature: float = 0.2) -> dict:
        """One chat completion: the reply's message (``content``, ``tool_calls``)."""
        headers = {"Content-Type": "application/json"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        body: dict = {"model": self.settings.model, "messages": messages, "temperature": temperature,
                      "stream": False}
        if tools:
            body["tools"] = tools
        url = f"{self.settings.base_url}/chat/completions"
        for attempt in range(self.tries):
            try:
                resp = self.http.post(url, json=body, headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                if attempt + 1 == self.tries:
                    raise LLMError(f"the LLM endpoint {self.settings.base_url} is unreachable "
                                   f"({type(exc).__name__})") from None
            else:
                if resp.status_code == 200:
                    try:
                        message = resp.json()["choices"][0]["message"]
                    except (ValueError, KeyError, IndexError, TypeError):
                        raise LLMBadReply("the LLM endpoint answered with something that is not a "
                                          "chat completion") from None
                    if not isinstance(message, dict):
                        raise LLMBadReply("the LLM endpoint's message is not an object")
                    return message
                if resp.status_code in (401, 403):
                    raise LLMError(f"the LLM endpoint refused the API key (HTTP {resp.status_code})",
                                   hint="check NEMO_LLM_API_KEY")
                if resp.status_code not in (408, 429) and resp.status_code < 500 or attempt + 1 == self.tries:
                    raise LLMError(f"the LLM endpoint answered HTTP {resp.status_code}: "
                                   f"{redact(resp.text[:200])}")
                wait = resp.headers.get("Retry-After")
                if wait and wait.isdigit():
                    time.sleep(min(float(wait), 30.0) * self.retry_delay)
            time.sleep(self.retry_delay * (2 ** attempt))
        raise LLMError("the LLM endpoint did not answer")

    def complete(self, messages: list[dict]) -> str:
        """The text of one completion."""
        return str(self.message(messages).get("content") or "")
