"""The one HTTP policy of every client of a remote service (issue 23): the NemoVideo API
(client/transport.py), the LLM endpoint (llm.py) and the picture sources (stock.py, with
safe_fetch.py for the files they point at).

- Tries: at most ``max_tries`` sends, exponential backoff with jitter between them
  (client/retry.py's ``backoff_delay``), a Retry-After honoured up to a cap, a 429 waited
  out once. Whether a request may be sent again is the caller's word (``idempotent``): one
  that costs or adds something (a message, an upload, a render, a generated image) is sent
  again only when the connection was never made, so nothing can have arrived.
- Timeouts: connect and read apart, never none.
- Redirects: at most ``max_redirects``, each hop to a public address (loopback only when the
  service the user configured is itself on loopback); requests drops the Authorization
  header when a redirect leaves the host.
- Error text: the kind of failure and the HTTP status, never the URL (Pixabay's query holds
  the key) and never an answer's body that was not passed through :func:`redact`.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urljoin

import requests
from urllib3.exceptions import NewConnectionError

from . import constants as C
from .redact import redact
from .safe_fetch import FetchError, FetchPolicy, check_address


def backoff_delay(tries: int, base: float, cap: float = C.RETRY_DELAY_MAX,
                  retry_after: float | None = None, jitter=random.random) -> float:
    """Seconds before try ``tries + 1``: Retry-After wins, else base * 2^(n-1) with jitter."""
    if retry_after is not None:
        return min(retry_after, C.EXPORT_DEADLINE)
    delay = min(cap, base * (2 ** (tries - 1)))
    return delay * (0.5 + jitter() / 2)


def rate_limit_delay(retry_after: float | None, default: float) -> float:
    return default if retry_after is None else min(retry_after, C.EXPORT_DEADLINE)


class RedirectRefused(requests.RequestException):
    """A redirect to a private, link-local or non-http address (the message names no URL)."""


@dataclass(frozen=True)
class HttpPolicy:
    max_tries: int = C.MAX_TRIES
    retry_delay: float = C.RETRY_DELAY          # base of the backoff (NEMO_RETRY_DELAY)
    retry_delay_max: float = C.RETRY_DELAY_MAX
    rate_limit_wait: float = C.RATE_LIMIT_WAIT  # a 429 without Retry-After
    connect_timeout: float = C.CONNECT_TIMEOUT
    read_timeout: float = C.READ_TIMEOUT
    max_redirects: int = 3

    def __post_init__(self) -> None:
        if self.max_tries < 1 or min(self.retry_delay, self.connect_timeout, self.read_timeout) < 0:
            raise ValueError("an HTTP policy needs at least one try and no negative time")

    def with_(self, **changes) -> HttpPolicy:
        return replace(self, **changes)

    def timeout(self, read: float | None = None) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout if read is None else read)

    def backoff(self, tries: int, retry_after: float | None = None) -> float:
        """Seconds before try ``tries + 1``."""
        return backoff_delay(tries, self.retry_delay, self.retry_delay_max, retry_after=retry_after)

    def rate_limited(self, retry_after: float | None) -> float:
        return rate_limit_delay(retry_after, self.rate_limit_wait)

    def fetch_policy(self, endpoint: str, *, deadline: float, max_bytes: int) -> FetchPolicy:
        """The policy of one downloaded file, for a service configured at ``endpoint``."""
        return FetchPolicy.for_endpoint(endpoint, max_redirects=self.max_redirects, deadline=deadline,
                                        max_bytes=max_bytes, connect_timeout=self.connect_timeout)

    def session(self, endpoint: str, *, trust_env: bool = True) -> PolicySession:
        return PolicySession(self, endpoint, trust_env=trust_env)


DEFAULT = HttpPolicy()


def from_settings(retry_delay: float, rate_limit_wait: float) -> HttpPolicy:
    """The policy with the backoff the settings ask for (NEMO_RETRY_DELAY scales both waits)."""
    return DEFAULT.with_(retry_delay=retry_delay, rate_limit_wait=rate_limit_wait)


class PolicySession(requests.Session):
    """A requests session whose redirects follow a policy: limited, and public-only. Only a
    redirect that is followed is checked (requests also peeks at the next one for
    ``Response.next`` when told not to follow; safe_fetch then checks each hop itself)."""

    def __init__(self, policy: HttpPolicy, endpoint: str, *, trust_env: bool = True) -> None:
        super().__init__()
        self.policy = policy
        self.max_redirects = policy.max_redirects
        self.trust_env = trust_env
        self._addresses = FetchPolicy.for_endpoint(endpoint)
        self._following = threading.local()

    def resolve_redirects(self, resp, req, *args, yield_requests: bool = False, **kwargs):
        inner = super().resolve_redirects(resp, req, *args, yield_requests=yield_requests, **kwargs)
        return inner if yield_requests else self._checking(inner)

    def _checking(self, inner):
        self._following.on = True
        try:
            yield from inner
        finally:
            self._following.on = False

    def get_redirect_target(self, resp):
        target = super().get_redirect_target(resp)
        if target and getattr(self._following, "on", False):
            try:
                check_address(urljoin(resp.url, target), self._addresses)
            except FetchError as exc:
                raise RedirectRefused(f"a redirect was refused: {exc}") from None
        return target


def never_connected(exc: requests.RequestException) -> bool:
    """True when the TCP connection was refused or never made: not one byte was sent."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    first = exc.args[0] if exc.args else None
    return isinstance(getattr(first, "reason", None), NewConnectionError) or isinstance(first, NewConnectionError)


def failure(exc: BaseException) -> str:
    """What went wrong, without the URL requests puts in its messages."""
    return type(exc).__name__


def excerpt(text: str, limit: int = 200) -> str:
    """The start of an answer's body, with every known secret taken out."""
    return redact(text[:limit])


def _retry_after(resp: requests.Response) -> float | None:
    wait = resp.headers.get("Retry-After", "")
    return float(wait) if wait.isdigit() else None


def send(policy: HttpPolicy, call: Callable[[], requests.Response], *, idempotent: bool,
         wait_on_rate_limit: bool = True, sleep: Callable[[float], None] = time.sleep) -> requests.Response:
    """``call()`` under the policy's tries: a dropped connection, a 408 or a 5xx is tried again
    (only a connection never made, when not ``idempotent``), a 429 is waited out when
    ``wait_on_rate_limit``. The last answer is returned; the last exception re-raised."""
    for tries in range(1, policy.max_tries):
        try:
            resp = call()
        except requests.RequestException as exc:
            if isinstance(exc, RedirectRefused) or not (idempotent or never_connected(exc)):
                raise
            sleep(policy.backoff(tries))
            continue
        wait = _wait(policy, resp, tries, idempotent=idempotent, wait_on_rate_limit=wait_on_rate_limit)
        if wait is None:
            return resp
        resp.close()
        sleep(wait)
    return call()


def _wait(policy: HttpPolicy, resp: requests.Response, tries: int, *, idempotent: bool,
          wait_on_rate_limit: bool) -> float | None:
    """Seconds to wait before sending again after ``resp``; None: ``resp`` is the answer."""
    if resp.status_code == 429 and wait_on_rate_limit:
        return policy.rate_limited(_retry_after(resp))
    if (resp.status_code == 408 or resp.status_code >= 500) and idempotent:
        return policy.backoff(tries, _retry_after(resp))
    return None
