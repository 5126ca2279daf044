"""Everything that reads the user's words (issue 23: natural language in one place).

- ``lexicon``: the word lists (skill.yaml ``routing`` and ``words``), loaded once, and how a
  keyword is matched (Chinese anywhere, English as whole words);
- ``routing``: the words cut into ordered steps (upload, message, export, credits, status),
  with negation ("先别导出"), references ("上传的音乐") and questions ("导出好了吗");
- ``clauses``, ``negation``, ``quotes``, ``numbers``: the pieces every rule reads with
  (where a clause ends, "别加音乐" asks nothing, quoted titles, "百分之三十");
- ``claims``: the rules table and the words each call claims;
- ``*_rules``: the word -> tool-call rules, one module per area (edits, subtitles, voice,
  generate, publish). Tools never parse words: they take typed arguments.

One CJK detector: :mod:`nemo_skill.language`.
"""

from __future__ import annotations

from .lexicon import asks_again

__all__ = ["asks_again"]
