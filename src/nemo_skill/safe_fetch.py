"""Downloading a file whose address a remote service gave us (issue 22): a stock picture's URL,
an image endpoint's answer. Nothing in that answer is trusted:

- the file's name on disk is derived by the caller (a hash), never taken from the answer;
- the body goes to a temporary file inside the destination folder and is renamed only after
  the caller's probe says it is what it should be; anything else is removed;
- addresses are http(s) only, and every hop of a redirect (at most ``max_redirects``) must
  resolve to public addresses: no 127.x, 10.x, 169.254.x ... unless the service the user
  configured is itself on loopback (then loopback is allowed, nothing else private);
- one deadline for the whole file (connect, redirects and body): a server that sends one byte
  a second is cut off at the deadline, not after a timeout per read;
- the Content-Type is not believed: the probe decides.

Written for the stock pictures; :class:`FetchPolicy` is made by the one HTTP policy
(http_policy.py), whose sessions check every redirect with :func:`check_address` too.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

TEMP_SUFFIX = ".part"


class FetchError(Exception):
    """A download refused or failed; the message is safe to show (no URL, no key)."""


@dataclass(frozen=True)
class FetchPolicy:
    max_redirects: int = 3
    deadline: float = 60.0                 # seconds for one whole file
    max_bytes: int = 25 * 2**20
    allow_loopback: bool = False           # only when the configured endpoint is loopback
    connect_timeout: float = 10.0          # each hop's connect and read, within the deadline

    @classmethod
    def for_endpoint(cls, base_url: str, **kw) -> FetchPolicy:
        return cls(allow_loopback=is_loopback_url(base_url), **kw)


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(url: str, policy: FetchPolicy) -> None:
    """FetchError unless ``url`` is http(s) and every address its host resolves to is public
    (or loopback, when the policy allows it)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("the address is not http(s)")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        raise FetchError("the address's host cannot be resolved") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address.is_global or (policy.allow_loopback and address.is_loopback):
            continue
        raise FetchError("the address points at a private, link-local or loopback network")


def _open(http: requests.Session, url: str, policy: FetchPolicy, ends: float) -> requests.Response:
    for _hop in range(policy.max_redirects + 1):
        check_address(url, policy)
        left = ends - time.monotonic()
        if left <= 0:
            raise FetchError(f"it took longer than {policy.deadline:.0f} s")
        resp = http.get(url, stream=True, allow_redirects=False, timeout=(min(left, policy.connect_timeout),) * 2)
        if not resp.is_redirect:
            return resp
        location = resp.headers.get("Location", "")
        resp.close()
        url = urljoin(url, location)
    raise FetchError(f"more than {policy.max_redirects} redirects")


def fetch_to(http: requests.Session, url: str, dest: Path, policy: FetchPolicy,
             probe: Callable[[Path], bool]) -> Path:
    """Download ``url`` to ``dest`` (a name the caller derived) through a temporary file in
    ``dest``'s folder, renamed only when ``probe(temp)`` is true. FetchError otherwise."""
    ends = time.monotonic() + policy.deadline
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = dest.with_name(f".{uuid.uuid4().hex}{TEMP_SUFFIX}")
    try:
        with _open(http, url, policy, ends) as resp:
            if resp.status_code != 200:
                raise FetchError(f"HTTP {resp.status_code}")
            size = 0
            with open(temp, "wb") as out:
                while block := resp.raw.read1(1 << 16, decode_content=True):
                    size += len(block)
                    if size > policy.max_bytes:
                        raise FetchError(f"it is over {policy.max_bytes >> 20} MB")
                    if time.monotonic() > ends:
                        raise FetchError(f"it took longer than {policy.deadline:.0f} s")
                    out.write(block)
        if not probe(temp):
            raise FetchError("it is not a readable image")
        os.replace(temp, dest)
        return dest
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:   # names the URL: not shown
        raise FetchError(f"it could not be fetched ({type(exc).__name__})") from None
    except OSError as exc:
        raise FetchError(f"it could not be saved ({exc.strerror or type(exc).__name__})") from None
    finally:
        temp.unlink(missing_ok=True)


def remove_partials(folder: Path) -> None:
    """Temporary files an interrupted run left in ``folder``."""
    for left in folder.glob(f".*{TEMP_SUFFIX}") if folder.is_dir() else []:
        left.unlink(missing_ok=True)
