"""The `nemo` command: a thin skin over the library (house-style.md, simonw/llm)."""
