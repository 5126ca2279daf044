"""Every default the client and engine use, in one place (house-style.md).

Environment settings override some of these; see :mod:`nemo_skill.config`.
"""

from __future__ import annotations

CLOUD_API_URL = "https://mega-api-prod.nemovideo.ai"
APP_NAME = "nemo_agent"
DEFAULT_SKILL = "best-bilibili-ai-subtitle"

# Timeouts, seconds: (connect, read). A message stream may run 15 minutes;
# its read timeout is between bytes, and the engine sends keep-alives.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
UPLOAD_READ_TIMEOUT = 600.0
STREAM_READ_TIMEOUT = 120.0
STREAM_DEADLINE = 15 * 60.0

# Retries (nemo-api.md, "Error codes").
MAX_TRIES = 3                 # 5xx and connection errors
RETRY_DELAY = 1.0             # base of the exponential backoff
RETRY_DELAY_MAX = 20.0
RATE_LIMIT_WAIT = 30.0        # 429 without Retry-After

# Export polling: the official skill polls every 30 s, at most 10 times (nemovideo_skills
# SKILL.md v1.9, "3.5 c"; nemovideo-tools src/core/render.ts: 30 s, 10 attempts); past that
# the render goes on and `nemo export --resume` collects it. The local engine is near.
POLL_INTERVAL_CLOUD = 30.0
POLL_INTERVAL_LOCAL = 1.0
CLOUD_MAX_POLLS = 10
EXPORT_DEADLINE = 30 * 60.0

# A dropped stream is followed by polling the state until it stops changing.
STATE_POLL_INTERVAL = 30.0
STATE_SETTLE_POLLS = 2        # equal states in a row that mean "settled"
STATE_POLL_DEADLINE = 10 * 60.0

STILL_WORKING_EVERY = 120.0   # "Still working..." at most this often
TOKEN_LIFETIME = 7 * 24 * 3600

# nemovideo_skills SKILL.md v1.9: NEMO_WEB_URL defaults to https://nemovideo.com; 2001 for an
# anonymous user -> the registration URL with ?bind=<id>; registered -> "Top up at nemovideo.com".
WEB_URL = "https://nemovideo.com"
REGISTER_URL = WEB_URL + "/register"
TOPUP_URL = WEB_URL
# v1.9 "Open in browser": POST /api/auth/claim-token -> $WEB/workspace/claim?ct=<claim_token>
CLAIM_PATH = "/workspace/claim"
# v1.9 "SSE Handling": ignore a trailing "I encountered a temporary issue" after normal replies.
TEMPORARY_ISSUE = "I encountered a temporary issue"
# Accepted here (ffprobe reads them) but not in the official list of upload types
# (references/api-reference.md: mp4, mov, avi, webm, mkv; images; mp3, wav, m4a, aac).
CLOUD_UNLISTED_TYPES = ("flv",)
# The shared client id of every NemoVideo skill (v1.9 "Environment Variables").
SHARED_CLIENT_ID_FILE = "~/.config/nemovideo/client_id"

# Exit codes of the `nemo` command (ARCHITECTURE.md, "cli").
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NEEDS_USER = 3
EXIT_FINDINGS = 4             # `nemo subs check` found something to fix

# A render id names a file, on the engine and in the client's state dir: only this shape
# (the contract's render_<digits> is one of them), never a path (issue 10).
RENDER_ID_PATTERN = r"[A-Za-z0-9_-]{1,64}"

# `--speakers N` and a subtitle cue's `speaker` (media/asr/speakers.py): at most this many voices.
MAX_SPEAKERS = 8
