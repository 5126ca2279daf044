"""The NemoVideo API contract (nemo-api.md): one client for cloud and local."""

from .core import ChatResult, NemoClient, RenderStatus

__all__ = ["NemoClient", "ChatResult", "RenderStatus"]
