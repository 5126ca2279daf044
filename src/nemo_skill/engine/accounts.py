"""Tokens, users and the credits ledger.

Tokens are random, stored as SHA-256 hashes, and never logged. A user is one
X-Client-Id: a renewed token keeps the user's sessions, another client's
token sees none of them. Credits are reserved when an operation starts
(available -> frozen) and settled or released when it ends.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
import uuid

from ..store import is_client_id
from . import storage
from .db import Database
from .errors import EngineError, out_of_credits, token_invalid


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, db: Database, *, starting_credits: float, token_lifetime: float) -> None:
        self.db = db
        self.starting_credits = starting_credits
        self.token_lifetime = token_lifetime

    def issue_token(self, client_id: str) -> dict:
        if not is_client_id(client_id):   # a UUID, or the official fallback client-<ts>-<rand>
            raise EngineError(400, "missing or malformed X-Client-Id header", 400)
        try:
            client_id = str(uuid.UUID(client_id))
        except ValueError:
            pass
        token = "nmk_" + secrets.token_urlsafe(32)
        now = time.time()
        expires = now + self.token_lifetime
        with self.db.tx() as c:
            row = c.execute("SELECT id FROM users WHERE client_id=?", (client_id,)).fetchone()
            user_id = row["id"] if row else "u_" + uuid.uuid4().hex[:16]
            if not row:
                c.execute("INSERT INTO users VALUES (?,?,?)", (user_id, client_id, now))
                c.execute("INSERT INTO accounts VALUES (?,?,0)", (user_id, self.starting_credits))
            c.execute("INSERT INTO tokens VALUES (?,?,?,?)", (_hash(token), user_id, expires, now))
        return {"token": token, "user_id": user_id,
                "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires)),
                "credits": self.balance(user_id)["available"]}

    def authenticate(self, authorization: str | None) -> str:
        """The user id behind an ``Authorization: Bearer`` header, else 1001."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise token_invalid()
        row = self.db.one("SELECT user_id, expires_at FROM tokens WHERE hash=?",
                          _hash(authorization[7:].strip()))
        if row is None or row["expires_at"] < time.time():
            raise token_invalid()
        return row["user_id"]

    # --- the ledger ---------------------------------------------------------------
    def balance(self, user_id: str) -> dict:
        row = self.db.one("SELECT available, frozen FROM accounts WHERE user_id=?", user_id)
        available, frozen = (row["available"], row["frozen"]) if row else (0.0, 0.0)
        return {"available": available, "frozen": frozen, "total": available + frozen}

    def reserve(self, user_id: str, amount: float, ref: str) -> None:
        with self.db.tx() as c:
            row = c.execute("SELECT available FROM accounts WHERE user_id=?", (user_id,)).fetchone()
            available = row["available"] if row else 0.0
            if available < amount:
                raise out_of_credits(amount, available)
            c.execute("UPDATE accounts SET available=available-?, frozen=frozen+? WHERE user_id=?",
                      (amount, amount, user_id))
            c.execute("INSERT OR REPLACE INTO holds VALUES (?,?,?,?,?)",
                      (ref, user_id, amount, "held", time.time()))

    @staticmethod
    def close_hold(c, ref: str, *, spend: bool) -> None:
        """Settle or release ``ref`` inside the caller's transaction ``c`` (a job's end writes
        its status and its hold together: both or neither)."""
        hold = c.execute("SELECT user_id, amount, state FROM holds WHERE ref=?", (ref,)).fetchone()
        if hold is None or hold["state"] != "held":
            return
        back = 0.0 if spend else hold["amount"]
        c.execute("UPDATE accounts SET frozen=frozen-?, available=available+? WHERE user_id=?",
                  (hold["amount"], back, hold["user_id"]))
        c.execute("UPDATE holds SET state=? WHERE ref=?", ("settled" if spend else "released", ref))

    def _close(self, ref: str, *, spend: bool) -> None:
        try:
            with self.db.tx() as c:
                self.close_hold(c, ref, spend=spend)
        except sqlite3.OperationalError as exc:
            # A full disk: the spare space is given up so the hold still closes (issue 22).
            if storage.trouble(exc) != "full" or not storage.free_spare(self.db.path.parent):
                raise
            with self.db.tx() as c:
                self.close_hold(c, ref, spend=spend)

    def settle(self, ref: str) -> None:
        self._close(ref, spend=True)

    def release(self, ref: str) -> None:
        self._close(ref, spend=False)

    def release_stale_messages(self) -> int:
        """At start: no stream of a previous engine is alive, so no message hold is either."""
        refs = [r["ref"] for r in self.db.all("SELECT ref FROM holds WHERE state='held' AND ref LIKE 'msg:%'")]
        for ref in refs:
            self.release(ref)
        return len(refs)

    def set_available(self, user_id: str, amount: float) -> None:
        with self.db.tx() as c:
            c.execute("UPDATE accounts SET available=? WHERE user_id=?", (amount, user_id))
