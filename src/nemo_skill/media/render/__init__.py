"""Drafts -> one ffmpeg command each (burned-in, soft, generated), covers, music, and Bilibili's upload rules."""
