"""The subtitle rules now live with every other rule that reads words, in
nemo_skill/words/subtitle_rules.py (issue 23); importing this module registers them."""

from __future__ import annotations

from ..words import subtitle_rules  # noqa: F401 - it registers
