"""The one client of an OpenAI-compatible chat endpoint (DeepSeek, Qwen, OpenAI, a local
Ollama), used by subtitle translation, script writing and the engine's LLM planner.

Settings: NEMO_LLM_BASE_URL, NEMO_LLM_MODEL, NEMO_LLM_API_KEY. The key goes only into the
Authorization header of that endpoint; it is never part of a message, a log or an error.
Retries: 408, 429 (Retry-After honoured), 5xx and dropped connections, by the one HTTP
policy (http_policy.py); a refused key is not retried.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests

from .errors import NemoError
from .http_policy import DEFAULT, HttpPolicy, excerpt, failure, send


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


# A completion can take minutes to write; the 429 wait is the old one (Retry-After, else 30 s).
LLM_POLICY = DEFAULT.with_(read_timeout=120.0)


class LLMClient:
    """Tries, waits, timeouts and redirects follow the one HTTP policy (http_policy.py); a chat
    completion is asked again after a 408, 429 or 5xx (the endpoint bills tokens, not tries)."""

    def __init__(self, settings: LLMSettings, *, tries: int = 3, retry_delay: float = 1.0,
                 timeout: float = 120.0, session: requests.Session | None = None,
                 policy: HttpPolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy or LLM_POLICY.with_(max_tries=tries, retry_delay=retry_delay, read_timeout=timeout,
                                                 rate_limit_wait=LLM_POLICY.rate_limit_wait * retry_delay)
        self.http = session or self.policy.session(settings.base_url)

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
        try:
            resp = send(self.policy, lambda: self.http.post(url, json=body, headers=headers,
                                                            timeout=self.policy.timeout()), idempotent=True)
        except requests.RequestException as exc:
            raise LLMError(f"the LLM endpoint {self.settings.base_url} is unreachable ({failure(exc)})") from None
        return _read_message(resp)

    def complete(self, messages: list[dict]) -> str:
        """The text of one completion."""
        return str(self.message(messages).get("content") or "")


def _read_message(resp: requests.Response) -> dict:
    if resp.status_code in (401, 403):
        raise LLMError(f"the LLM endpoint refused the API key (HTTP {resp.status_code})",
                       hint="check NEMO_LLM_API_KEY")
    if resp.status_code != 200:
        raise LLMError(f"the LLM endpoint answered HTTP {resp.status_code}: {excerpt(resp.text)}")
    try:
        message = resp.json()["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LLMBadReply("the LLM endpoint answered with something that is not a chat completion") from None
    if not isinstance(message, dict):
        raise LLMBadReply("the LLM endpoint's message is not an object")
    return message
