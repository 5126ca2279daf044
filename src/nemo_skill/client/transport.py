"""The transport under NemoClient: tokens, sessions, one request with the contract's
retries (:mod:`.retry`), and the simple reads. Secrets never go in a URL, a message or
a log line; the client never prints (progress goes to ``on_progress``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests

from .. import constants as C
from ..errors import (
    APIConnectionError,
    APITimeoutError,
    NemoError,
    OutOfCredits,
    ProtocolError,
    SessionNotFound,
    TokenInvalid,
)
from ..http_policy import HttpPolicy, from_settings, never_connected
from ..redact import register_secret
from ..store import Store
from . import envelope
from .retry import RetryState, decide

if TYPE_CHECKING:
    from ..timeline import Draft

log = logging.getLogger("nemo_skill.client")
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


class Transport:
    """A client for one API base URL.

    Settings come from :class:`nemo_skill.config.Settings`, the only reader
    of the environment; ``headers`` are the attribution headers of the
    running skill (:meth:`nemo_skill.skill.SkillIdentity.headers`).
    """

    def __init__(self, base_url: str, *, store: Store, headers: dict[str, str],
                 skill: str, token: str | None = None, retry_delay: float = C.RETRY_DELAY,
                 rate_limit_wait: float = C.RATE_LIMIT_WAIT,
                 state_poll_interval: float = C.STATE_POLL_INTERVAL,
                 on_progress: Progress = _quiet, store_key: str | None = None,
                 max_polls: int | None = None, unofficial_types: tuple[str, ...] = (),
                 structured_calls: bool = False, reconnect: Callable[[], str] | None = None,
                 policy: HttpPolicy | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.store = store
        # What token, session and render jobs are kept under: the URL, except for the local
        # engine, which is one backend whatever port it starts on (issue 10: a restart must
        # not lose the project).
        self.store_key = store_key or self.base_url
        self.max_polls = max_polls   # the cloud: the official skill's 10 polls, unless told otherwise
        self.unofficial_types = frozenset(unofficial_types)
        # The local engine reads a tool call beside the words; the cloud gets the words only.
        self.structured_calls = structured_calls
        # The local engine may have stopped (idle, crash) since its address was looked up:
        # a connection that was never made starts it again, once (nothing was sent).
        self.reconnect = reconnect
        self.skill = skill
        self.attribution = dict(headers)
        self.user_token = token           # NEMO_TOKEN: a registered user's, never renewed
        register_secret(token)
        # Tries, waits, timeouts and redirects: the one HTTP policy (http_policy.py).
        self.policy = policy or from_settings(retry_delay, rate_limit_wait)
        self.state_poll_interval = state_poll_interval
        self.progress = on_progress
        self.http = self.policy.session(self.base_url, trust_env=not self.base_url.startswith("http://127."))
        self._token: str | None = token

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- tokens ------------------------------------------------------------------
    @property
    def anonymous(self) -> bool:
        return self.user_token is None

    def anonymous_token(self) -> dict:
        """POST /api/auth/anonymous-token with the persisted X-Client-Id."""
        data = self._request("POST", "/api/auth/anonymous-token", auth=False, client_id=True)
        token = data.get("token") if isinstance(data, dict) else None
        if not token:
            raise ProtocolError("the token endpoint answered without a token")
        expires = _epoch(data.get("expires_at"))
        self.store.save_token(self.store_key, token, user_id=data.get("user_id"), expires_at=expires)
        self._token = token
        return {k: v for k, v in data.items() if k != "token"}

    def token(self) -> str:
        if self._token is None:
            saved = self.store.token(self.store_key)
            if saved:
                self._token = saved["token"]
            else:
                self.anonymous_token()
        assert self._token is not None
        return self._token

    def _renew_token(self) -> None:
        self.store.forget_token(self.store_key)
        self._token = None
        self.anonymous_token()

    # --- requests -------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def _send(self, method: str, path: str, *, auth: bool, headers: dict | None,
              timeout: tuple[float, float], **kwargs) -> requests.Response:
        all_headers = {**self.attribution, **(headers or {})}
        if auth:
            all_headers["Authorization"] = f"Bearer {self.token()}"
        log.debug("%s %s", method, path)
        try:
            return self.http.request(method, self._url(path), headers=all_headers,
                                     timeout=timeout, **kwargs)
        except requests.ConnectTimeout:
            raise APITimeoutError(f"{method} {path}: no connection", sent=False) from None
        except requests.Timeout:
            raise APITimeoutError(f"{method} {path} timed out") from None
        except requests.ConnectionError as exc:
            raise APIConnectionError(f"cannot reach {self.base_url} ({type(exc).__name__})",
                                     sent=not never_connected(exc)) from None

    def _request(self, method: str, path: str, *, auth: bool = True, headers: dict | None = None,
                 json: Any = None, body_factory: Callable[[], Any] | None = None,
                 timeout: tuple[float, float] | None = None,
                 stream: bool = False, raw: bool = False, client_id: bool = False,
                 idempotent: bool = True) -> Any:
        """Send with the contract's retries; the answer's data, or the response if ``raw``.
        ``idempotent=False``: a request that costs or adds (retry.py says what that changes)."""
        state = RetryState()
        while True:
            try:
                body = body_factory() if body_factory else None
                kwargs: dict = {"json": json} if json is not None else {}
                extra = dict(headers or {})
                if client_id:  # read each try: a 400 retry sends the new one
                    extra["X-Client-Id"] = self.store.client_id()
                if body is not None:
                    kwargs["data"] = body
                    extra["Content-Type"] = body.content_type
                response = self._send(method, path, auth=auth, headers=extra, timeout=timeout or self.policy.timeout(),
                                      stream=stream, **kwargs)
                if raw and response.status_code < 400:
                    return response
                try:
                    return envelope.unwrap(response)
                finally:
                    response.close()
            except NemoError as exc:
                if isinstance(exc, APIConnectionError) and not exc.sent and self.reconnect \
                        and "reconnect" not in state.used:
                    state.used.add("reconnect")
                    self.base_url = self.reconnect().rstrip("/")
                    self.progress("The local engine had stopped; it is running again.")
                    continue
                action = decide(exc, state, anonymous=self.anonymous, idempotent=idempotent,
                                max_tries=self.policy.max_tries)
                if action is None:
                    if isinstance(exc, TokenInvalid) and not self.anonymous:
                        exc.hint = "your NEMO_TOKEN is invalid or expired: set a valid one, or unset it to use a free token"
                    if isinstance(exc, OutOfCredits):
                        raise self._credits_error(exc) from None
                    raise
                self._recover(action, exc, state)
                state.tries += 1

    def _recover(self, action: str, exc: NemoError, state: RetryState) -> None:
        if action == "new_token":
            self.progress("Token expired; getting a new one...")
            self._renew_token()
        elif action == "new_client_id":
            self.store.client_id(renew=True)
        elif action == "wait":
            delay = self.policy.rate_limited(getattr(exc, "retry_after", None))
            self.progress(f"Rate limited; waiting {delay:.0f} s...")
            time.sleep(delay)
        elif action == "backoff":
            delay = self.policy.backoff(state.tries, retry_after=getattr(exc, "retry_after", None))
            self.progress(f"{exc.message}; retrying in {delay:.1f} s...")
            time.sleep(delay)

    def _credits_error(self, exc: OutOfCredits) -> OutOfCredits:
        saved = self.store.token(self.store_key) or {}
        return OutOfCredits(exc.message, bind_id=saved.get("user_id"),
                            registered=not self.anonymous, status=exc.status)

    # --- sessions ----------------------------------------------------------------------
    def create_session(self, language: str = "en") -> dict:
        data = self._request("POST", f"/api/tasks/me/with-session/{C.APP_NAME}",
                             json={"task_name": "project", "language": language})
        if not isinstance(data, dict) or not data.get("session_id"):
            raise ProtocolError("the session endpoint answered without a session_id")
        session = {"session_id": data["session_id"], "task_id": data.get("task_id"),
                   "user_id": data.get("user_id"), "created_at": time.time(), "language": language}
        self.store.save_session(self.store_key, self.skill, session)
        return session

    def session(self, *, new: bool = False, language: str = "en") -> dict:
        saved = None if new else self.store.session(self.store_key, self.skill)
        return saved or self.create_session(language)

    def claim_token(self) -> dict:
        """POST /api/auth/claim-token for the current project: a ``clm_`` token that opens it
        in a browser and has no API access (nemovideo_skills SKILL.md v1.9)."""
        def call(sid: str) -> dict:
            task = (self.store.session(self.store_key, self.skill) or {}).get("task_id")
            data = self._request("POST", "/api/auth/claim-token", json={"task_id": task, "session_id": sid})
            if not isinstance(data, dict) or not str(data.get("claim_token") or "").startswith("clm_"):
                raise ProtocolError("the claim-token endpoint answered without a claim_token")
            return data
        return self._with_session(call)

    def _with_session(self, call: Callable[[str], Any], session_id: str | None = None) -> Any:
        """Run ``call(session_id)``; on 1002 make a new session and run it once more."""
        sid = session_id or self.session()["session_id"]
        try:
            return call(sid)
        except SessionNotFound:
            self.progress("The project session was not found; starting a new one...")
            self.store.forget_session(self.store_key, self.skill)
            return call(self.create_session()["session_id"])

    # --- simple reads --------------------------------------------------------------------
    def credits(self) -> dict:
        return self._request("GET", "/api/credits/balance/simple")

    def _state(self, session_id: str) -> dict:
        return self._request("GET", f"/api/state/{C.APP_NAME}/me/{session_id}/latest")

    def state(self, session_id: str | None = None) -> dict:
        return self._with_session(self._state, session_id)

    def draft(self, session_id: str | None = None) -> Draft:
        from ..timeline import Draft  # the draft model: only the commands that read it pay
        return Draft.from_state(self.state(session_id))


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) / (1000.0 if value > 1e11 else 1.0)
    try:
        from datetime import datetime
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
