"""Agent skills for Bilibili subtitles and Chinese video generation.

The library speaks the NemoVideo API (nemo-api.md) to the cloud or to the
local engine in :mod:`nemo_skill.engine`. Entry point for agents: the
``nemo`` command (:mod:`nemo_skill.cli`).
"""

__version__ = "0.1.0"
