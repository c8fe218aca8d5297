"""Waking idle engines early: new work should not wait for the next poll.

`wake_engines()` is called in the transaction that creates due work. On PostgreSQL it
sends `NOTIFY yingji_engine`, which the server delivers only if that transaction commits,
to every worker on every machine. Everywhere, after the commit, it also wakes the engines
of this process (the embedded `yingji serve`). An idle engine waits in `Waiter.wait()`:
listening on PostgreSQL, on the process's event otherwise, never longer than its poll
interval, so a lost wake-up costs at most one interval."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import connection, transaction

log = logging.getLogger("yingji.engine")
CHANNEL = "yingji_engine"
_LOCAL = threading.Condition()
_generation = 0  # bumped by every local wake-up; waiters compare it with what they saw


def wake_engines() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")  # delivered on commit, dropped on rollback
    transaction.on_commit(wake_this_process)


def wake_this_process() -> None:
    """Wake this process's idle engines (e.g. a sending lane has outcomes to record)."""
    global _generation
    with _LOCAL:
        _generation += 1
        _LOCAL.notify_all()


class Waiter:
    """One per engine. `wait()` returns early when woken or when `stop` is set."""

    SLICE = 0.2  # how often a wait looks at the stop event

    LISTEN_RETRY = 5.0  # seconds between attempts to LISTEN again after a lost connection

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.seen = _generation
        self.listener: Any = None
        self.postgres = connection.vendor == "postgresql"
        self.listen_again_at = 0.0
        if self.postgres:
            self.listener = self._listen()

    @staticmethod
    def _listen() -> Any:
        import psycopg

        try:
            listener = psycopg.connect(**connection.get_connection_params(), autocommit=True)
            listener.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            log.exception("LISTEN failed; this engine polls instead")
            return None
        return listener

    def wait(self, seconds: float) -> None:
        self._listen_again()
        deadline = time.monotonic() + seconds
        while not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self._woken(min(left, self.SLICE)):
                return

    def _woken(self, seconds: float) -> bool:
        with _LOCAL:
            if _generation != self.seen or _LOCAL.wait(0 if self.listener else seconds):
                self.seen = _generation
                return True
        if self.listener is None:
            return False
        try:
            return any(True for _ in self.listener.notifies(timeout=seconds, stop_after=1))
        except Exception:  # noqa: BLE001 — a broken listener falls back to polling
            log.exception("LISTEN connection lost; this engine polls until it listens again")
            self.close()
            return False

    def _listen_again(self) -> None:
        """After a lost connection (a database restart, a failover), LISTEN again: otherwise
        wake-ups would fall back to polling until the engine restarts."""
        if not self.postgres or self.listener is not None:
            return
        now = time.monotonic()
        if now < self.listen_again_at:
            return
        self.listen_again_at = now + self.LISTEN_RETRY
        self.listener = self._listen()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
