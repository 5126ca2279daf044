"""The retry policy and the answer -> exception mapping, as tables."""

from __future__ import annotations

import pytest

from nemo_skill.client.envelope import error_for, retry_after_seconds
from nemo_skill.client.retry import RetryState, backoff_delay, decide
from nemo_skill.errors import (
    APIConnectionError,
    BadRequest,
    FileTooLarge,
    MissingClientId,
    NotFound,
    OutOfCredits,
    PlanRequired,
    RateLimited,
    ServerError,
    SessionNotFound,
    TokenInvalid,
    UnknownAPIError,
    UnsupportedFileType,
)


@pytest.mark.parametrize("status, body, cls", [
    (200, {"code": 1001, "message": "expired"}, TokenInvalid),
    (401, {}, TokenInvalid),
    (404, {"code": 1002}, SessionNotFound),
    (200, {"code": 2001, "message": "no credits"}, OutOfCredits),
    (400, {"code": 4001}, UnsupportedFileType),
    (413, {"code": 4002}, FileTooLarge),
    (413, None, FileTooLarge),
    (400, {"message": "missing X-Client-Id"}, MissingClientId),
    (400, {"message": "bad field"}, BadRequest),
    (402, {"success": False, "error": "upgrade"}, PlanRequired),
    (429, {}, RateLimited),
    (404, {}, NotFound),
    (500, None, ServerError), (503, {"code": 9}, ServerError),
    (200, {"code": 31337, "message": "?"}, UnknownAPIError),
    (200, {"success": False, "error": {"code": 2001, "message": "x"}}, OutOfCredits),
])
def test_error_for(status, body, cls):
    assert type(error_for(status, body)) is cls


@pytest.mark.parametrize("exc, anonymous, used, tries, expected", [
    (TokenInvalid("x"), True, set(), 1, "new_token"),
    (TokenInvalid("x"), True, {"new_token"}, 2, None),
    (TokenInvalid("x"), False, set(), 1, None),
    (MissingClientId("x"), True, set(), 1, "new_client_id"),
    (MissingClientId("x"), True, {"new_client_id"}, 2, None),
    (RateLimited("x"), True, set(), 1, "wait"),
    (RateLimited("x"), True, {"wait"}, 2, None),
    (ServerError("x"), True, set(), 1, "backoff"),
    (ServerError("x"), True, set(), 2, "backoff"),
    (ServerError("x"), True, set(), 3, None),
    (APIConnectionError("x"), True, set(), 1, "backoff"),
    (OutOfCredits("x"), True, set(), 1, None),
    (PlanRequired("x"), True, set(), 1, None),
])
def test_decide(exc, anonymous, used, tries, expected):
    assert decide(exc, RetryState(tries=tries, used=set(used)), anonymous=anonymous) == expected


def test_backoff_grows_with_jitter_and_retry_after_wins():
    assert backoff_delay(1, 1.0, jitter=lambda: 1.0) == 1.0
    assert backoff_delay(3, 1.0, jitter=lambda: 1.0) == 4.0
    assert backoff_delay(3, 1.0, jitter=lambda: 0.0) == 2.0
    assert backoff_delay(10, 1.0, cap=20, jitter=lambda: 1.0) == 20
    assert backoff_delay(1, 1.0, retry_after=12) == 12


def test_retry_after_forms():
    assert retry_after_seconds("5") == 5
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after_seconds("soon") is None
