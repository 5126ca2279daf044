"""Cues and their words: layout, formats (SRT/VTT/ASS/BCC), proofreading, translation, doubts and the checks before publishing."""
