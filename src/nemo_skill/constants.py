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

# Export polling: the cloud seeds poll every 30 s; the local engine is near.
POLL_INTERVAL_CLOUD = 30.0
POLL_INTERVAL_LOCAL = 1.0
EXPORT_DEADLINE = 30 * 60.0

# A dropped stream is followed by polling the state until it stops changing.
STATE_POLL_INTERVAL = 30.0
STATE_SETTLE_POLLS = 2        # equal states in a row that mean "settled"
STATE_POLL_DEADLINE = 10 * 60.0

STILL_WORKING_EVERY = 120.0   # "Still working..." at most this often
TOKEN_LIFETIME = 7 * 24 * 3600

REGISTER_URL = "https://nemovideo.ai/register"
TOPUP_URL = "https://nemovideo.ai/pricing"

# Exit codes of the `nemo` command (ARCHITECTURE.md, "cli").
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NEEDS_USER = 3

# A render id names a file, on the engine and in the client's state dir: only this shape
# (the contract's render_<digits> is one of them), never a path (issue 10).
RENDER_ID_PATTERN = r"[A-Za-z0-9_-]{1,64}"
