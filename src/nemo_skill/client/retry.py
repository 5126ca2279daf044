"""The retry policy as small pure functions (nemo-api.md, "Error codes").

  1001 token invalid   -> a new anonymous token, once (a user's NEMO_TOKEN: no)
  400  no client id    -> a new X-Client-Id, once
  429  rate limited    -> wait (Retry-After, else 30 s), once
  5xx, connection      -> exponential backoff with jitter, at most 3 tries
  1002 session gone    -> a new session, once (done by the caller that knows the session)

A request that costs or adds something (a message, an upload, a render) is not
idempotent: after a 5xx, a timeout or a connection lost mid-way it may have arrived,
so it is never sent again blindly (nemovideo_skills SKILL.md v1.9: "Never re-send
during generation (duplicates + double-charge)"); the caller reads the state instead.
Only a connection that was never made proves nothing arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import constants as C
from ..errors import (
    APIConnectionError,
    MissingClientId,
    NemoError,
    RateLimited,
    ServerError,
    TokenInvalid,
)
from ..http_policy import backoff_delay, rate_limit_delay  # noqa: F401 - the waits live with the policy


@dataclass
class RetryState:
    tries: int = 1                     # requests sent so far
    used: set[str] = field(default_factory=set)


def decide(exc: NemoError, state: RetryState, *, anonymous: bool,
           max_tries: int = C.MAX_TRIES, idempotent: bool = True) -> str | None:
    """What to do about ``exc``: new_token | new_client_id | wait | backoff | None (give up).

    The first three answer a request the server refused before doing anything, so they
    hold for every request; backoff after a 5xx or a lost connection only for idempotent
    ones, or when the connection was never made."""
    if isinstance(exc, TokenInvalid):
        action = "new_token" if anonymous else None
    elif isinstance(exc, MissingClientId):
        action = "new_client_id"
    elif isinstance(exc, RateLimited):
        action = "wait"
    elif isinstance(exc, (ServerError, APIConnectionError)):
        never_sent = isinstance(exc, APIConnectionError) and not exc.sent
        if not (idempotent or never_sent):
            return None
        return "backoff" if state.tries < max_tries else None
    else:
        return None
    if action is None or action in state.used:
        return None
    state.used.add(action)
    return action
