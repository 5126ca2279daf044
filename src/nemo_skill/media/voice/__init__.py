"""Text -> narration: the voices, Chinese readings of numbers, levelling, clarity."""
