"""NemoClient: every endpoint of nemo-api.md, both backends, one code path.

It is three parts behind one facade: the transport (tokens, sessions, retries), the
agent's messages (:mod:`.chat`) and what goes up and comes back (:mod:`.assets`).
"""

from __future__ import annotations

from .assets import AssetsMixin, RenderStatus
from .chat import ChatMixin, ChatResult
from .transport import Transport


class NemoClient(ChatMixin, AssetsMixin, Transport):
    """The API contract for one backend (cloud or the local engine)."""


__all__ = ["NemoClient", "ChatResult", "RenderStatus"]
