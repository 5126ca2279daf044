"""Speech -> timed words: faster-whisper over levelled audio, voice regions, resume."""
