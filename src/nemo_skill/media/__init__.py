"""Everything that touches audio and video. Never knows HTTP (ARCHITECTURE.md)."""
