"""The engine: a loop of small idempotent passes (STYLE.md convention 4).

`Engine.run_cycle()` runs every registered pass once and returns how many items they handled;
`run_forever()` repeats it, sleeping at most `idle_seconds` when a cycle found nothing (less
when `wake_engines()` says new work was committed) and starting busy cycles at most every
`BUSY_PERIOD`, until
its stop event is set (SIGTERM in `yingji worker`, shutdown in `yingji serve`). A pass checks
`cycle.stopping` between items, so a stop finishes the current item and exits."""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from yingji.engine.models import PeriodicRun, Worker
from yingji.engine.registry import PASSES, EnginePass
from yingji.engine.wakeup import Waiter

log = logging.getLogger("yingji.engine")
HEARTBEAT_EVERY = timedelta(seconds=5)
BUSY_HEARTBEAT_EVERY = timedelta(seconds=1)
BUSY_PERIOD = 0.1  # seconds


@dataclass
class Cycle:
    """What a pass is told about the cycle it runs in."""

    now: datetime
    worker_id: str
    stop: threading.Event

    @property
    def stopping(self) -> bool:
        return self.stop.is_set()


@functools.cache
def _import_pass_modules() -> None:
    autodiscover_modules("passes")  # each app's passes.py registers its passes on import


def discover_passes() -> dict[str, EnginePass]:
    """The registered passes; the apps' modules are imported once per process."""
    _import_pass_modules()
    return PASSES


def _claim_period(engine_pass: EnginePass, now: datetime) -> datetime | None:
    """For exactly one worker per period, the period's end: the worker whose conditional
    update moved `next_run_at` forward. Everyone else: None."""
    assert engine_pass.every is not None
    # get_or_create survives a concurrent create: it catches the IntegrityError and re-reads.
    PeriodicRun.objects.get_or_create(name=engine_pass.name, defaults={"next_run_at": now})
    claimed = PeriodicRun.objects.filter(name=engine_pass.name, next_run_at__lte=now).update(
        next_run_at=now + engine_pass.every, last_started_at=now
    )
    return now + engine_pass.every if claimed == 1 else None


def _next_period(engine_pass: EnginePass) -> datetime | None:
    run = PeriodicRun.objects.filter(name=engine_pass.name)
    return run.values_list("next_run_at", flat=True).first()


def _record_period(engine_pass: EnginePass, items: int, error: str) -> None:
    PeriodicRun.objects.filter(name=engine_pass.name).update(
        last_finished_at=timezone.now(), last_items=items, last_error=error[:2000]
    )


class Engine:
    def __init__(self, *, idle_seconds: float = 1.0, stop: threading.Event | None = None):
        self.idle_seconds = idle_seconds
        self.stop = stop or threading.Event()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._last_heartbeat: datetime | None = None
        self.thread: threading.Thread | None = None
        self._cycles = 0
        self._items = 0
        # when each periodic pass is next due, as this engine last read it: a busy engine
        # cycles many times a second and need not ask the database until then
        self._periods: dict[str, datetime] = {}

    def run_cycle(self) -> int:
        """Run every pass once; returns the number of items handled."""
        if not connection.in_atomic_block:  # a long-lived thread must not keep a broken one
            close_old_connections()
        started = time.perf_counter()
        cycle = Cycle(now=timezone.now(), worker_id=self.worker_id, stop=self.stop)
        handled = 0
        for engine_pass in discover_passes().values():
            if self.stop.is_set():
                break
            handled += self._run_pass(engine_pass, cycle)
        self._heartbeat((time.perf_counter() - started) * 1000, handled)
        return handled

    def _run_pass(self, engine_pass: EnginePass, cycle: Cycle) -> int:
        periodic = engine_pass.every is not None
        try:
            if periodic and not self._period_claimed(engine_pass, cycle.now):
                return 0
            items = engine_pass.run(cycle)
        except Exception as exc:  # one failing pass must not stop the others
            log.exception("engine pass %s failed", engine_pass.name)
            error = repr(exc)
            if periodic:
                self._safely(lambda: _record_period(engine_pass, 0, error))
            return 0
        if periodic:
            self._safely(lambda: _record_period(engine_pass, items, ""))
        return items

    def _period_claimed(self, engine_pass: EnginePass, now: datetime) -> bool:
        known = self._periods.get(engine_pass.name)
        if known is not None and now < known and known - now <= engine_pass.every:  # type: ignore[operator]
            return False  # not due yet (a clock set back asks the database again)
        ends = _claim_period(engine_pass, now)
        self._periods[engine_pass.name] = ends or _next_period(engine_pass) or now
        return ends is not None

    def _heartbeat(self, cycle_ms: float, handled: int) -> None:
        self._cycles += 1
        self._items += handled
        now = timezone.now()
        since = now - self._last_heartbeat if self._last_heartbeat else None
        if since is not None and timedelta(0) <= since < (
            BUSY_HEARTBEAT_EVERY if handled else HEARTBEAT_EVERY
        ):
            return  # written every few seconds, or every second when busy; not every cycle
        self._last_heartbeat = now
        self._safely(
            lambda: Worker.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "hostname": socket.gethostname(),
                    "pid": os.getpid(),
                    "last_cycle_at": now,
                    "last_cycle_ms": cycle_ms,
                    "cycles": self._cycles,
                    "items": self._items,
                    "stopped_at": None,
                },
                create_defaults={
                    "hostname": socket.gethostname(),
                    "pid": os.getpid(),
                    "started_at": now,
                    "last_cycle_at": now,
                    "last_cycle_ms": cycle_ms,
                    "cycles": self._cycles,
                    "items": self._items,
                },
            )
        )

    @staticmethod
    def _safely(write: Callable[[], object]) -> None:
        try:
            write()
        except DatabaseError:
            log.exception("engine bookkeeping failed; the work itself is unaffected")

    def run_forever(self) -> None:
        log.info("engine %s started with passes: %s", self.worker_id, ", ".join(discover_passes()))
        waiter = Waiter(self.stop)
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                handled = self.run_cycle()
            except DatabaseError:
                log.exception("engine cycle failed; retrying")
                handled = 0
            if handled == 0:
                waiter.wait(self.idle_seconds)  # returns at once when new work is committed
            else:  # a stream of small work: every pass asks the database once per cycle, so
                # cycles start at most every BUSY_PERIOD and each takes what has gathered
                self.stop.wait(max(0.0, BUSY_PERIOD - (time.monotonic() - started)))
        waiter.close()
        Worker.objects.filter(worker_id=self.worker_id).update(stopped_at=timezone.now())
        log.info("engine %s stopped", self.worker_id)


def start_in_thread(*, idle_seconds: float = 1.0) -> Engine:
    """For `yingji serve`: the engine beside the web server, in one process."""
    engine = Engine(idle_seconds=idle_seconds)
    engine.thread = threading.Thread(target=engine.run_forever, name="yingji-engine", daemon=True)
    engine.thread.start()
    return engine
