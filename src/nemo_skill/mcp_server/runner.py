"""One tool call's work on a worker thread: its clients, its progress, how it is stopped.

The workflows report every step through ``progress`` (uploads, the engine's notes while
it transcribes, render status); that is also where a cancelled job stops. Cancelling asks
the local engine to stop the project's running turn and renders (``POST
/api/sessions/{id}/cancel``: the ffmpeg and ASR work stops at its next check and the
credits held for it are released); on the cloud, which has no such call, the job's
unfinished renders are cancelled and its stream is closed.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..errors import NemoError

log = logging.getLogger("nemo_skill.mcp")


class Cancelled(Exception):
    """The host cancelled the call; the job stopped at its next step."""


class Job:
    """What a job tool's function gets: ``client()`` to reach the backend, ``progress``."""

    def __init__(self, report: Callable[[int, str], None] = lambda _n, _m: None) -> None:
        self.cancelled = threading.Event()
        self.finished = threading.Event()
        self.steps = 0
        self._report = report
        self._clients: list = []
        self._guard = threading.Lock()

    # make_client reads ``progress`` from its output object: a Job is one.
    def progress(self, message: str) -> None:
        if self.cancelled.is_set():
            raise Cancelled("cancelled")
        self.steps += 1
        try:
            self._report(self.steps, message)
        except Exception:  # noqa: BLE001 - a lost progress note must never fail the job
            log.debug("progress not delivered", exc_info=True)

    @contextmanager
    def client(self, command: str = "") -> Iterator:
        """A client as the CLI's ``command`` makes it (its skill, its backend, the engine started)."""
        from ..cli.context import make_client
        with make_client(argparse.Namespace(command=command, skill=None), self) as client:
            with self._guard:
                self._clients.append(client)
            try:
                yield client
            finally:
                with self._guard:
                    self._clients.remove(client)

    def execute(self, run: Callable[[Job, dict], dict], args: dict) -> dict:
        """Run the job's function here (a worker thread); a cancelled job raises Cancelled."""
        try:
            return run(self, args)
        except Exception:
            if self.cancelled.is_set():
                raise Cancelled("cancelled") from None
            raise
        finally:
            self.finished.set()

    def stop(self) -> list[dict]:
        """Cancel: what runs for the job's projects stops, and their holds are released."""
        self.cancelled.set()
        with self._guard:
            clients = list(self._clients)
        return [_stop_work(client) for client in clients]


def _stop_work(client) -> dict:
    from .. import workflows
    session = client.store.session(client.store_key, client.skill) or {}
    try:
        if client.structured_calls and session.get("session_id"):   # the local engine
            return client.cancel_work(session["session_id"])
        renders = [job["id"] for job in workflows.unfinished_jobs(client)]
        for render_id in renders:
            client.cancel_export(render_id)
        return {"renders": renders}
    except NemoError as exc:   # the job's own stream still ends: its progress raises Cancelled
        log.warning("cancel: %s", exc.message)
        return {"error": exc.message}
